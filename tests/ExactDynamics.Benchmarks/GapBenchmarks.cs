using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Benchmarks;

/// <summary>Contraction gap (docs/math.md#contraction-gap) at d = 10⁴ (the tuner's size) and d = 10⁶, Gaussian and Rademacher data.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class GapTiming
{
    private Problem _problem = null!;
    private LinearMethod _method = null!;

    [Params(10_000, 1_000_000)] public int D { get; set; }
    [Params("sgd", "hb", "asgd")] public string Family { get; set; } = "hb";
    [Params(3.0, 1.0)] public double Kurtosis { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _problem = Cases.Gap(D);
        _problem = new Problem(_problem.Spectrum, null, _problem.Batch, Kurtosis);
        _method = Cases.Method(Family);
    }

    [Benchmark] public double Gap_1thread() => ContractionGap.Compute(_problem, _method, new ExecutionOptions(1)).Gap;
    [Benchmark] public double Gap_2threads() => ContractionGap.Compute(_problem, _method, new ExecutionOptions(2)).Gap;
}
