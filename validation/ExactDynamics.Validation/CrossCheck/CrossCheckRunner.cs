using System.Diagnostics;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;

namespace ExactDynamics.Validation.CrossCheck;

/// <summary>The outcome of one cross-check case.</summary>
/// <param name="Case">The case.</param>
/// <param name="Comparison">z-scores, threshold and verdict.</param>
/// <param name="Simulation">The Monte Carlo mean curve.</param>
/// <param name="ExactRisk">The exact curve at the same steps.</param>
/// <param name="Seconds">Wall time of the simulation.</param>
/// <param name="MaxRelativeSd">max over steps of sd(L_t)/E L_t of one run's risk — √2 for a chi-square with one degree
/// of freedom; the proxy <c>validate --runs</c> uses assumes ≤ √2.</param>
public sealed record CrossCheckOutcome(CrossCheckCase Case, CurveComparison Comparison, SimulationResult Simulation, double[] ExactRisk,
    double Seconds, double MaxRelativeSd);

/// <summary>Runs a case: simulate the literal algorithm, run the exact recursion with the tuple, compare.</summary>
public static class CrossCheckRunner
{
    public static CrossCheckOutcome Run(CrossCheckCase c, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(c);
        var settings = c.Settings with { MaxDegreeOfParallelism = maxDegreeOfParallelism };
        var sw = Stopwatch.StartNew();
        var sim = MonteCarloSimulator.Run(settings, c.Simulated);
        double seconds = sw.Elapsed.TotalSeconds;
        var exact = c.Exact();
        if (exact.Steps.Length != sim.Steps.Length) throw new InvalidOperationException($"{c.Name}: the exact risk overflowed; a cross-check case must converge.");
        var cmp = CurveComparer.Compare(sim.Steps, exact.Risk, sim.Mean, sim.StdErr, c.Alpha);
        double rel = 0;
        for (int i = 0; i < sim.Mean.Length; i++) rel = Math.Max(rel, sim.StdDev[i] / exact.Risk[i]);
        return new CrossCheckOutcome(c, cmp, sim, exact.Risk, seconds, rel);
    }
}
