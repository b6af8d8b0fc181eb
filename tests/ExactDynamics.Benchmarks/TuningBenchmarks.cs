using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// Tuning, sweeps and critical batch sizes (docs/math.md#batch-size-tradeoffs) at d = 10⁴, λ_i = 1/i, Gaussian data: the performance targets
/// (a tuned SGD + HB + ASGD sweep over 13 batch sizes ≤ 2 s; critical-batch for one family ≤ 1 s), both cores.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class TuningTiming
{
    private Problem _problem = null!;
    private static readonly MethodFamily[] SweepFamilies = [MethodFamily.Sgd, MethodFamily.HeavyBall, MethodFamily.Asgd];
    private static readonly double[] Batches = Enumerable.Range(0, 13).Select(j => Math.Pow(2, j)).ToArray();

    [GlobalSetup]
    public void Setup() => _problem = new Problem(Spectrum.PowerLaw(1, 10_000));

    /// <summary>The tuned SGD + HB + ASGD sweep over B = 1, 2, 4, …, 4096 (39 tunings).</summary>
    [Benchmark]
    public int Sweep_sgd_hb_asgd_13_batches() => BatchSweep.Run(_problem, SweepFamilies, Batches).Count;

    /// <summary>Critical batch size and deterministic scale of one family.</summary>
    [Benchmark]
    [Arguments(MethodFamily.Sgd)]
    [Arguments(MethodFamily.HeavyBall)]
    [Arguments(MethodFamily.Nesterov)]
    [Arguments(MethodFamily.Asgd)]
    public double? CriticalBatch_one_family(MethodFamily family) => CriticalBatch.Compute(_problem, family).CriticalBatch;

    /// <summary>One cold tuning (no warm start) at B = 16.</summary>
    [Benchmark]
    [Arguments(MethodFamily.Sgd)]
    [Arguments(MethodFamily.HeavyBall)]
    [Arguments(MethodFamily.Asgd)]
    public double Tune_B16(MethodFamily family) => Tuner.Tune(_problem.WithBatch(16), family).Gap;
}
