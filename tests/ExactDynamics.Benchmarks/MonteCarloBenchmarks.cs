using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Validation.Simulation;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// Exact trajectory against the project's Monte Carlo simulator on the same problem (d = 2000, B = 32, T = 2000, heavy
/// ball, Gaussian data). The simulator's cost is linear in the number of runs R (independent runs in fixed blocks), so it
/// is timed for a fixed 64 runs, and the runs needed for a 1% relative standard error of the risk at T,
/// R = ⌈(sd_T/mean_T / 0.01)²⌉, are estimated in the set-up from a 64-run pilot and printed; the ratio is
/// time(64 runs)·R/64 / time(exact) (BENCHMARKS.md).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ExactVsMonteCarlo
{
    private const int D = 2000, T = 2000, Batch = 32, PilotRuns = 64;
    private Problem _problem = null!;
    private LinearMethod _method = null!;
    private SimulationSettings _settings = null!;

    [GlobalSetup]
    public void Setup()
    {
        var spectrum = Spectrum.PowerLaw(1, D);
        _problem = new Problem(spectrum, batch: Batch);
        _method = HeavyBall.Create(0.1, 0.9);
        _settings = new SimulationSettings { Spectrum = spectrum, Batch = Batch, Steps = T, Every = T, Runs = PilotRuns, Seed = 7 };
        var pilot = MonteCarloSimulator.Run(_settings, new LinearMethodOptimizer(_method));
        double relSd = pilot.StdDev[^1] / pilot.Mean[^1];
        long required = (long)Math.Ceiling(relSd / 0.01 * (relSd / 0.01));
        double exact = RiskRecursion.Trajectory(_problem, _method, T)[T];
        Console.WriteLine($"// ExactVsMonteCarlo: exact E L_T = {exact:R}; pilot mean {pilot.Mean[^1]:R} ± {pilot.StdErr[^1]:R} (64 runs); " +
                          $"relative sd at T = {relSd:F3}; runs for 1% relative standard error R = {required}");
    }

    [Benchmark(Baseline = true)]
    public double Exact_trajectory_T2000() => RiskRecursion.Trajectory(_problem, _method, T)[T];

    [Benchmark]
    public double MonteCarlo_64_runs() => MonteCarloSimulator.Run(_settings, new LinearMethodOptimizer(_method)).Mean[^1];
}
