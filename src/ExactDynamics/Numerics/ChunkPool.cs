namespace ExactDynamics.Numerics;

/// <summary>A unit of chunked work: <see cref="Run"/> is called once for each chunk index, on any thread.</summary>
internal interface IChunkJob
{
    void Run(int chunk);
}

/// <summary>
/// A tiny allocation-free fork/join pool for the per-step passes: persistent background workers (one per extra core)
/// claim chunk indices from a shared counter while the calling thread works too. Unlike <c>Parallel.For</c> it does
/// not allocate per call, so a stepping loop stays allocation-free. Which thread runs which chunk varies, but every
/// chunk writes only its own output slot, so results do not depend on scheduling. When the pool is busy (a nested or
/// concurrent caller), the work simply runs on the calling thread.
/// </summary>
internal sealed class ChunkPool
{
    public static ChunkPool Shared { get; } = new(Math.Max(0, Environment.ProcessorCount - 1));

    /// <summary>1 while a call owns the workers (an interlocked flag, not a monitor: a monitor is re-entrant, so a job
    /// that itself called <see cref="Run"/> on the same thread would have taken the pool it is running on).</summary>
    private int _busy;
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly int _workers;
    private IChunkJob? _job;
    private int _chunks, _next, _pending;
    private Exception? _error;

    /// <summary>A pool with <paramref name="workers"/> background workers (the library uses <see cref="Shared"/>; tests make their own).</summary>
    internal ChunkPool(int workers)
    {
        _workers = workers;
        for (int w = 0; w < workers; w++)
        {
            var thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"ExactDynamics worker {w + 1}" };
            thread.Start();
        }
    }

    /// <summary>Run <paramref name="job"/> for chunks 0..chunks−1 on up to <paramref name="maxThreads"/> threads.</summary>
    public void Run(IChunkJob job, int chunks, int maxThreads)
    {
        int helpers = Math.Min(Math.Min(maxThreads - 1, _workers), chunks - 1);
        if (helpers <= 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int c = 0; c < chunks; c++) job.Run(c);
            return;
        }
        try
        {
            _job = job;
            _chunks = chunks;
            _error = null;
            Volatile.Write(ref _next, 0);
            Volatile.Write(ref _pending, helpers);
            _done.Reset();
            _start.Release(helpers);
            try
            {
                Work(job, chunks);
            }
            catch (Exception e)
            {
                _error = e;
                Volatile.Write(ref _next, int.MaxValue / 2);
            }
            // Always wait for this call's Set (the last helper sets it once): skipping the wait when _pending already
            // read 0 let that helper's late Set land after the next call's Reset, so the next call could return while
            // its helpers were still running chunks (seen as a NullReferenceException on _job, or as missing chunks).
            _done.Wait();
            _job = null;
            if (_error is not null) throw new AggregateException(_error);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private void Work(IChunkJob job, int chunks)
    {
        while (true)
        {
            int c = Interlocked.Increment(ref _next) - 1;
            if (c >= chunks) return;
            job.Run(c);
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            _start.Wait();
            try
            {
                Work(_job!, _chunks);
            }
            catch (Exception e)
            {
                _error = e;
                Volatile.Write(ref _next, int.MaxValue / 2);
            }
            if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
        }
    }
}
