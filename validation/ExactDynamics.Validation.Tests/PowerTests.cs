using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;
using Xunit.Abstractions;

namespace ExactDynamics.Validation.Tests;

/// <summary>One power experiment: Monte Carlo data of a literal optimizer and the wrong formulas it must reject.</summary>
public sealed record PowerCase(string Name, SimulationSettings Settings, ISimulatedOptimizer Simulated, LinearMethod Method,
    (string Label, Defects Defects)[] WrongFormulas)
{
    public static IReadOnlyList<PowerCase> All { get; } = Build();

    private static IReadOnlyList<PowerCase> Build()
    {
        var small = Spectrum.FromValues([1, 0.5, 0.25, 0.125], "values:1,0.5,0.25,0.125");
        var slow = Spectrum.PowerLaw(0.5, 24);
        return
        [
            new("heavy tails m4=6, sgd, B=1, d=4",
                new SimulationSettings { Spectrum = small, Batch = 1, Covariates = new GaussianScaleMixture(6, 0.5), Steps = 30, Every = 1, Runs = 4000, Seed = 101 },
                new SgdLiteral(0.15), Sgd.Create(0.15),
                [("(m4-2) term dropped", new Defects { DropKurtosisTerm = true }), ("Gaussian m4 = 3 assumed", new Defects { Kurtosis = 3 })]),
            new("Rademacher m4=1, hb, B=1, d=4",
                new SimulationSettings { Spectrum = small, Batch = 1, Covariates = CovariateDistribution.Rademacher, Steps = 30, Every = 1, Runs = 4000, Seed = 102 },
                new HeavyBallLiteral(0.3, 0.5), HeavyBall.Create(0.3, 0.5),
                [("(m4-2) term dropped", new Defects { DropKurtosisTerm = true }), ("Gaussian m4 = 3 assumed", new Defects { Kurtosis = 3 })]),
            new("Gaussian, sgd, B=1, slow power law d=24",
                new SimulationSettings { Spectrum = slow, Batch = 1, Steps = 40, Every = 2, Runs = 3000, Seed = 103 },
                new SgdLiteral(0.08), Sgd.Create(0.08),
                [("tr(HM)H/B term dropped", new Defects { DropTraceTerm = true }), ("1/(B+1) instead of 1/B", new Defects { BatchPlusOne = true })]),
            new("Gaussian, nesterov, B=4, sigma2=0.5, slow power law d=24",
                new SimulationSettings { Spectrum = slow, Batch = 4, Noise = 0.5, Steps = 40, Every = 2, Runs = 3000, Seed = 104 },
                new NesterovLiteral(0.15, 0.5), Nesterov.Create(0.15, 0.5),
                [("tr(HM)H/B term dropped", new Defects { DropTraceTerm = true }), ("1/(B+1) instead of 1/B", new Defects { BatchPlusOne = true }),
                 ("label-noise term dropped", new Defects { DropNoise = true })]),
            new("Gaussian, torch momentum, B=2, d=4",
                new SimulationSettings { Spectrum = small, Batch = 2, Steps = 30, Every = 1, Runs = 3000, Seed = 105 },
                new TorchSgdLiteral(0.2, 0.6), TorchMomentum.Create(0.2, 0.6),
                [("velocity started at w0 (u = 1 instead of (1, 0))", new Defects { InitialShape = [1, 1] })]),
        ];
    }

    public long[] RecordedSteps => MonteCarloSimulator.RecordedSteps(Settings.Steps, Settings.Every);

    public double[] Pick(double[] everyStep) => RecordedSteps.Select(t => everyStep[t]).ToArray();
}

/// <summary>Outcome of one power experiment (also written to REPORT.md by the full run).</summary>
public sealed record PowerOutcome(PowerCase Case, CurveComparison Correct, (string Label, CurveComparison Comparison)[] Wrong);

public static class PowerRunner
{
    public static PowerOutcome Run(PowerCase c)
    {
        var problem = c.Settings.ToProblem();
        ContractionGap.Compute(problem, c.Method).Diverges.ShouldBeFalse();
        var sim = MonteCarloSimulator.Run(c.Settings, c.Simulated);
        var exact = RiskRecursion.Run(problem, c.Method, c.Settings.Steps, c.Settings.Every);
        var correct = CurveComparer.Compare(sim.Steps, exact.Risk, sim.Mean, sim.StdErr);
        var wrong = c.WrongFormulas.Select(w =>
        {
            var curve = c.Pick(WrongRecursions.Risk(problem, c.Method, (int)c.Settings.Steps, w.Defects));
            return (w.Label, CurveComparer.Compare(sim.Steps, curve, sim.Mean, sim.StdErr));
        }).ToArray();
        return new PowerOutcome(c, correct, wrong);
    }
}

/// <summary>
/// The check has power. The same Monte Carlo data that is consistent with the exact recursion
/// rejects each deliberately wrong formula.
/// </summary>
public class PowerTests(ITestOutputHelper output)
{
    [Fact]
    public void The_copy_without_defects_is_the_library_recursion()
    {
        foreach (var c in PowerCase.All)
        {
            var p = c.Settings.ToProblem();
            var lib = RiskRecursion.Trajectory(p, c.Method, (int)c.Settings.Steps);
            var copy = WrongRecursions.Risk(p, c.Method, (int)c.Settings.Steps, Defects.None);
            for (int t = 0; t < lib.Length; t++) copy[t].ShouldBe(lib[t], 1e-12 * lib[t]);
        }
    }

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        for (int i = 0; i < PowerCase.All.Count; i++) data.Add(i, PowerCase.All[i].Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Same_data_accepts_the_exact_formula_and_rejects_the_wrong_ones(int index, string name)
    {
        var outcome = PowerRunner.Run(PowerCase.All[index]);
        output.WriteLine($"{name}: exact formula worst z = {outcome.Correct.WorstZ:F2} at t = {outcome.Correct.WorstStep} (threshold {outcome.Correct.Threshold:F2})");
        foreach (var (label, cmp) in outcome.Wrong)
            output.WriteLine($"  {label}: worst z = {cmp.WorstZ:F2} at t = {cmp.WorstStep} -> {cmp.Verdict}");
        outcome.Correct.Consistent.ShouldBeTrue($"{name}: {outcome.Correct.Verdict} (worst z {outcome.Correct.WorstZ:F2})");
        foreach (var (label, cmp) in outcome.Wrong)
            cmp.Consistent.ShouldBeFalse($"{name}: the wrong formula '{label}' was not rejected (worst z {cmp.WorstZ:F2}, threshold {cmp.Threshold:F2})");
    }
}
