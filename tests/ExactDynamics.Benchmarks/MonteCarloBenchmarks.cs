using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Validation.Simulation;

namespace ExactDynamics.Benchmarks;

/// <summary>The problem of the exact-vs-Monte-Carlo comparison: d = 2000 (λ_i = 1/i), B = 32, T = 2000, heavy ball
/// lr = 0.1, β = 0.9, Gaussian data, s_i = 1.</summary>
public static class MonteCarloCase
{
    public const int D = 2000, T = 2000, Batch = 32, PilotRuns = 64, Every = 100;
    public static Problem Problem() => new(Spectrum.PowerLaw(1, D), batch: Batch);
    public static LinearMethod Method() => HeavyBall.Create(0.1, 0.9);
}

/// <summary>The exact side: the whole trajectory t = 0..2000 (what the Monte Carlo estimates).</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ExactTrajectoryForMonteCarlo
{
    private Problem _problem = null!;
    private LinearMethod _method = null!;

    [GlobalSetup]
    public void Setup() { _problem = MonteCarloCase.Problem(); _method = MonteCarloCase.Method(); }

    [Benchmark]
    public double Exact_trajectory_T2000() => RiskRecursion.Trajectory(_problem, _method, MonteCarloCase.T)[MonteCarloCase.T];
}

/// <summary>
/// The project's Monte Carlo simulator on the same problem. Its cost is linear in the number of runs R (independent
/// runs in fixed blocks), so it is timed for a fixed 64 runs; the runs needed for a 1% relative standard error,
/// R = ⌈(sd/mean / 0.01)²⌉, at T and at the worst recorded step (every 100), are estimated in the set-up from a
/// 64-run pilot and printed. Ratio = time(64 runs)·R/64 / time(exact) (BENCHMARKS.md).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ExactVsMonteCarlo
{
    private LinearMethod _method = null!;
    private SimulationSettings _settings = null!;

    [GlobalSetup]
    public void Setup()
    {
        var problem = MonteCarloCase.Problem();
        _method = MonteCarloCase.Method();
        _settings = new SimulationSettings
        {
            Spectrum = problem.Spectrum, Batch = MonteCarloCase.Batch, Steps = MonteCarloCase.T, Every = MonteCarloCase.Every,
            Runs = MonteCarloCase.PilotRuns, Seed = 7,
        };
        var pilot = MonteCarloSimulator.Run(_settings, new LinearMethodOptimizer(_method));
        var exact = RiskRecursion.Trajectory(problem, _method, MonteCarloCase.T);
        double relT = pilot.StdDev[^1] / pilot.Mean[^1], relMax = 0, worstZ = 0;
        for (int j = 0; j < pilot.Steps.Length; j++)
        {
            relMax = Math.Max(relMax, pilot.StdDev[j] / pilot.Mean[j]);
            worstZ = Math.Max(worstZ, Math.Abs(pilot.Mean[j] - exact[pilot.Steps[j]]) / pilot.StdErr[j]);
        }
        static long Runs(double rel) => (long)Math.Ceiling(rel / 0.01 * (rel / 0.01));
        Console.WriteLine($"// ExactVsMonteCarlo: exact E L_T = {exact[^1]:R}; pilot (64 runs) mean at T {pilot.Mean[^1]:R} ± {pilot.StdErr[^1]:R}, " +
                          $"largest |mean − exact|/stderr over the recorded steps {worstZ:F2}; relative sd at T {relT:F3}, worst over t {relMax:F3}; " +
                          $"runs for 1% relative standard error: at T R = {Runs(relT)}, at every recorded step R = {Runs(relMax)}");
    }

    [Benchmark]
    public double MonteCarlo_64_runs() => MonteCarloSimulator.Run(_settings, new LinearMethodOptimizer(_method)).Mean[^1];
}
