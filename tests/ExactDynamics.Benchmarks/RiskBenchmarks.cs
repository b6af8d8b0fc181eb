using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// Risk recursion throughput at d = 10⁶, T = 1000. Each benchmark reports time per direction-step
/// (OperationsPerInvoke = d·T), so direction-steps/s = 1/Mean.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class RiskThroughput
{
    private const int D = 1_000_000, T = 1000;
    private const int Ops = D * T;
    private Problem _problem = null!;
    private LinearMethod _method = null!;

    [Params("sgd", "hb", "nesterov")] public string Family { get; set; } = "hb";

    [GlobalSetup]
    public void Setup()
    {
        _problem = Cases.Risk(D);
        _method = Cases.Method(Family);
    }

    private double Run(int threads, RiskAlgorithm alg) => RiskRecursion.Trajectory(_problem, _method, T, new ExecutionOptions(threads, alg))[T];

    [Benchmark(OperationsPerInvoke = Ops)] public double Fused_1thread() => Run(1, RiskAlgorithm.Fused);
    [Benchmark(OperationsPerInvoke = Ops)] public double Fused_2threads() => Run(2, RiskAlgorithm.Fused);
    [Benchmark(OperationsPerInvoke = Ops)] public double Volterra_1thread() => Run(1, RiskAlgorithm.Volterra);
    [Benchmark(OperationsPerInvoke = Ops)] public double Volterra_2threads() => Run(2, RiskAlgorithm.Volterra);
    [Benchmark(OperationsPerInvoke = Ops)] public double Auto_2threads() => Run(2, RiskAlgorithm.Auto);
}

/// <summary>The plain scalar loop before this work (single thread), d = 10⁶, T = 100 (its cost per step is flat).</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class RiskScalarBaseline
{
    private const int D = 1_000_000, T = 100;
    private Problem _problem = null!;
    private LinearMethod _method = null!;

    [Params("sgd", "hb", "nesterov")] public string Family { get; set; } = "hb";

    [GlobalSetup]
    public void Setup()
    {
        _problem = Cases.Risk(D);
        _method = Cases.Method(Family);
    }

    [Benchmark(OperationsPerInvoke = D * T)]
    public double Scalar_1thread()
    {
        var s = new ScalarBaseline(_problem, _method);
        for (int t = 0; t < T; t++) s.Step();
        return s.Risk;
    }
}

/// <summary>
/// Allocation per step: 1000 fused steps on a live <see cref="SecondMoments"/> (d = 10⁵, both cores), and
/// <c>risk --every 100</c>-style runs of 1000 and 10 000 steps at d = 10⁴ on the fused path: the memory diagnoser shows
/// nothing allocated by the steps (the runs allocate the state and the recorded rows only, the same for both T).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 5)]
public class RiskAllocation
{
    private SecondMoments _state = null!;
    private Problem _small = null!;
    private LinearMethod _method = null!;

    [GlobalSetup]
    public void Setup()
    {
        _method = Cases.Method("hb");
        _state = new SecondMoments(Cases.Risk(100_000), _method, new ExecutionOptions(2));
        _small = Cases.Risk(10_000);
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public double FusedStep_d1e5_2threads()
    {
        for (int t = 0; t < 1000; t++) _state.Step();
        return _state.Risk;
    }

    [Benchmark]
    public int Run_T1000_every100_fused_d1e4()
        => RiskRecursion.Run(_small, _method, 1000, 100, new ExecutionOptions(2, RiskAlgorithm.Fused)).Steps.Length;

    [Benchmark]
    public int Run_T10000_every100_fused_d1e4()
        => RiskRecursion.Run(_small, _method, 10_000, 1000, new ExecutionOptions(2, RiskAlgorithm.Fused)).Steps.Length;
}
