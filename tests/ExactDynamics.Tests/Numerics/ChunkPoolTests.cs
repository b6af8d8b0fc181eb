using ExactDynamics.Dynamics;
using ExactDynamics.Numerics;

namespace ExactDynamics.Tests.Performance;

/// <summary>
/// The fork/join pool behind the parallel passes: when <see cref="ChunkPool.Run"/> returns, every chunk of that call has
/// run, with that call's job, and nothing runs afterwards. (A stale completion signal of an earlier call once let a call
/// return early and a helper run into the next call — seen under load as a NullReferenceException; the timing window is
/// too narrow to reproduce on demand, so this is a stress test of the contract, not a reproduction.)
/// </summary>
public class ChunkPoolTests
{
    private sealed class Stamp(int chunks) : IChunkJob
    {
        public readonly int[] Seen = new int[chunks];
        public volatile int Call;
        public void Run(int chunk)
        {
            // a little work, so that helper and caller overlap and finish in either order
            double x = chunk;
            for (int i = 0; i < 500 * (chunk % 3 + 1); i++) x = Math.Sqrt(x + i);
            if (x < 0) throw new InvalidOperationException();
            Volatile.Write(ref Seen[chunk], Call);
        }
    }

    [Fact]
    public void Every_chunk_of_a_call_has_run_when_it_returns()
    {
        const int chunks = 5;
        var pool = new ChunkPool(1);
        Stamp? previous = null;
        for (int call = 1; call <= 3_000; call++)
        {
            // a new job each call: a helper still holding an earlier call's job would stamp the wrong one
            var job = new Stamp(chunks) { Call = call };
            pool.Run(job, chunks, 2);
            for (int c = 0; c < chunks; c++)
                if (Volatile.Read(ref job.Seen[c]) != call) Assert.Fail($"call {call}: chunk {c} had not run when Run returned");
            job.Call = -1; // any later run of this job would now stamp −1
            if (previous is not null && previous.Seen.Any(v => v != call - 1)) Assert.Fail($"call {call - 1}'s job ran again after it returned");
            previous = job;
        }
    }

    [Fact]
    public void An_exception_in_a_chunk_reaches_the_caller_and_the_pool_keeps_working()
    {
        // a private pool: the shared one may be busy with another test, and then runs the job inline (no pooling to test)
        var pool = new ChunkPool(1);
        var bad = new Throwing();
        Should.Throw<AggregateException>(() => pool.Run(bad, 4, 2));
        var job = new Stamp(4) { Call = 7 };
        pool.Run(job, 4, 2);
        job.Seen.ShouldAllBe(v => v == 7);
    }

    [Fact]
    public async Task A_job_that_runs_the_pool_again_gets_the_calling_thread()
    {
        // nested use from inside a chunk (on the caller's thread or the helper's) must not take over the running call
        var pool = new ChunkPool(1);
        var outer = new Nested(pool, 6);
        // (a re-entrant lock let the nested call take over the running one, and the two then waited for each other)
        var run = Task.Run(() => pool.Run(outer, 6, 2));
        (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)))).ShouldBeSameAs(run, "the nested call deadlocked");
        await run;
        outer.Inner.ShouldAllBe(j => j.Seen.All(v => v == 1));
        outer.Ran.ShouldAllBe(v => v);
    }

    private sealed class Nested(ChunkPool pool, int chunks) : IChunkJob
    {
        public readonly Stamp[] Inner = Enumerable.Range(0, chunks).Select(_ => new Stamp(4) { Call = 1 }).ToArray();
        public readonly bool[] Ran = new bool[chunks];
        public void Run(int chunk)
        {
            pool.Run(Inner[chunk], 4, 2);
            Ran[chunk] = true;
        }
    }

    private sealed class Throwing : IChunkJob
    {
        public void Run(int chunk)
        {
            if (chunk == 2) throw new InvalidOperationException("chunk 2");
        }
    }
}
