using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// The renewal convolution alone (BENCHMARKS.md#long-horizons): the blocked FFT solver against the direct O(T²) solver on the same
/// local sequences (heavy ball, λ_i = 1/i, d = 10⁴, B = 16). One thread (the convolution is sequential).
/// </summary>
[MemoryDiagnoser]
public class ConvolutionScaling
{
    private Problem _problem = null!;
    private VolterraRisk.Sequences _seq = null!;

    [Params(20_000, 100_000, 1_000_000)] public int T { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _problem = Cases.Risk(10_000); // λ_min = 10⁻⁴: the risk stays far above 1e-200 up to T = 10⁶
        _seq = VolterraRisk.LocalSequences(_problem, Cases.Method("hb"), T, new ExecutionOptions(2))!;
    }

    [Benchmark] public double Blocked() => new BlockedConvolution(_seq, 1.0 / _problem.Batch, _problem.Noise, T).Run()![T];

    /// <summary>Direct: skipped (returns NaN at once) for T = 10⁶, where one call takes over a minute; see the
    /// <c>conv-direct</c> mode of Program for that single timing.</summary>
    [Benchmark] public double Direct() => T > 200_000 ? double.NaN : VolterraRisk.SolveDirect(_problem, _seq, T)![T];
}

/// <summary>
/// The whole risk trajectory at a long horizon, T = 10⁵, d = 10⁵ (λ_i = 1/i, B = 16, heavy ball lr 0.05 β 0.9), both cores:
/// renewal form with the blocked FFT convolution against the fused pass. (d = 10⁶ is timed once per path by the
/// <c>long</c> mode of Program: a BenchmarkDotNet job would take tens of minutes on two shared cores.)
/// </summary>
[MemoryDiagnoser]
public class LongHorizon
{
    private const int D = 100_000, T = 100_000;
    private Problem _problem = null!;
    private LinearMethod _method = null!;

    [Params("hb", "nesterov")] public string Family { get; set; } = "hb";

    [GlobalSetup]
    public void Setup()
    {
        _problem = Cases.Risk(D);
        _method = Cases.Method(Family);
    }

    private double Run(RiskAlgorithm alg) => RiskRecursion.Trajectory(_problem, _method, T, new ExecutionOptions(2, alg))[T];

    [Benchmark] public double Fused_2threads() => Run(RiskAlgorithm.Fused);
    [Benchmark] public double Renewal_2threads() => Run(RiskAlgorithm.Volterra);
    [Benchmark] public double Auto_2threads() => Run(RiskAlgorithm.Auto);
}
