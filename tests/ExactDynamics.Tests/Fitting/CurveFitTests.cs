using ExactDynamics.Dynamics;
using ExactDynamics.Fitting;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using Xunit.Abstractions;

namespace ExactDynamics.Tests.Fitting;

/// <summary>
/// The fit of docs/math.md#fitting recovers the parameters of curves simulated with known ones: exactly (to 1e-6) from
/// exact curves, and within its stated standard errors (|error| &lt; 4 se on every case, z² ≈ 1 on average) from curves
/// with multiplicative noise of known size. The curves are made by the plain reference loop
/// (<see cref="RiskRecursion.Reference(Problem, LinearMethod, int)"/>), not by the recursion the fit evaluates.
/// </summary>
public class CurveFitTests(ITestOutputHelper output)
{
    private const int D = 40;

    private static readonly Dictionary<string, double> Truth = new()
    {
        ["a"] = 1.3, ["scale"] = 2.0, ["noise"] = 2e-3, ["init-exponent"] = 0.4, ["init-scale"] = 1.5, ["kurtosis"] = 3,
    };

    /// <summary>Recorded steps: 0, then about <paramref name="points"/> log-spaced steps up to <paramref name="last"/>.</summary>
    internal static long[] LogSteps(long last, int points)
    {
        var s = new SortedSet<long> { 0 };
        for (int i = 0; i < points; i++) s.Add((long)Math.Round(Math.Pow(last, i / (points - 1.0))));
        return s.ToArray();
    }

    /// <summary>The exact curve of the truth by the reference loop, times exp(δ·N(0,1)) per point when δ &gt; 0.</summary>
    internal static FitCurve Simulate(IReadOnlyDictionary<string, double> truth, int d, LinearMethod method, double batch, long[] steps,
        double delta, Random? rng, bool withStdErr, string label)
    {
        var lambda = Enumerable.Range(1, d).Select(i => truth["scale"] * Math.Pow(i, -truth["a"])).ToArray();
        var s = Enumerable.Range(1, d).Select(i => truth["init-scale"] * Math.Pow(i, -truth["init-exponent"])).ToArray();
        var problem = new Problem(Spectrum.FromValues(lambda), s, batch, truth["kurtosis"], truth["noise"]);
        var full = RiskRecursion.Reference(problem, method, (int)steps[^1]);
        var y = new double[steps.Length];
        for (int i = 0; i < steps.Length; i++)
            y[i] = full[steps[i]] * (delta > 0 ? Math.Exp(delta * Normal(rng!)) : 1);
        return new FitCurve(label, steps, y, withStdErr ? y.Select(v => delta * v).ToArray() : null, method, batch);
    }

    internal static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static FitCurve[] TwoCurves(IReadOnlyDictionary<string, double> truth, double delta, Random? rng, bool withStdErr) =>
    [
        Simulate(truth, D, Sgd.Create(0.2), 1, LogSteps(1500, 30), delta, rng, withStdErr, "sgd"),
        Simulate(truth, D, HeavyBall.Create(0.15, 0.8), 8, LogSteps(1500, 30), delta, rng, withStdErr, "hb"),
    ];

    [Fact]
    public void Exact_curves_give_back_the_parameters_to_1e6()
    {
        var curves = TwoCurves(Truth, 0, null, false);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var fit = CurveFit.Fit(new PowerLawCurveModel(D), curves, new FitOptions { Fixed = new Dictionary<string, double> { ["kurtosis"] = 3 } });
        output.WriteLine($"{watch.ElapsedMilliseconds} ms wall, {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU, {fit.Evaluations} evaluations, {fit.Iterations} iterations, χ²/row {fit.ChiSquarePerRow:G3}, {fit.ExitReason}");
        foreach (var p in fit.Parameters) output.WriteLine($"{p.Parameter.Name} = {p.Value:R} ± {p.StdErr}");
        foreach (var (name, value) in Truth)
            TestSupport.RelErr(fit.Values[name], value).ShouldBeLessThan(1e-6, name);
        fit.ChiSquarePerRow.ShouldBeLessThan(1e-20);
    }

    /// <summary>A random truth and two curves (SGD at B = 1, heavy ball at B = 8, learning rates set from the truth so that
    /// both converge), each point multiplied by exp(δ·N(0, 1)).</summary>
    private static (Dictionary<string, double> Truth, FitCurve[] Curves) RandomCase(Random rng, double delta, bool withStdErr)
    {
        var truth = new Dictionary<string, double>
        {
            ["a"] = 0.9 + 0.9 * rng.NextDouble(),
            ["scale"] = Math.Exp(rng.NextDouble() * 2 - 1),
            ["init-exponent"] = rng.NextDouble(),
            ["init-scale"] = Math.Exp(rng.NextDouble() * 2 - 1),
            ["kurtosis"] = 3,
        };
        double trace = Enumerable.Range(1, D).Sum(i => truth["scale"] * Math.Pow(i, -truth["a"]));
        double l0 = 0.5 * Enumerable.Range(1, D).Sum(i => truth["scale"] * Math.Pow(i, -truth["a"]) * truth["init-scale"] * Math.Pow(i, -truth["init-exponent"]));
        truth["noise"] = l0 * Math.Exp(-7 + 3 * rng.NextDouble());
        var steps = LogSteps(800, 25);
        var curves = new[]
        {
            Simulate(truth, D, Sgd.Create(0.5 / (2 * truth["scale"] + trace)), 1, steps, delta, rng, withStdErr, "sgd"),
            Simulate(truth, D, HeavyBall.Create(0.3 / truth["scale"], 0.8), 8, steps, delta, rng, withStdErr, "hb"),
        };
        return (truth, curves);
    }

    [Fact]
    public void Noisy_curves_give_back_the_parameters_within_their_standard_errors()
    {
        const double delta = 0.03;
        var rng = new Random(20261203);
        var z2 = new List<double>();
        double worst = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int c = 0; c < 8; c++)
        {
            bool withStdErr = c % 2 == 0;
            var (truth, curves) = RandomCase(rng, delta, withStdErr);
            var fit = CurveFit.Fit(new PowerLawCurveModel(D), curves, new FitOptions { Fixed = new Dictionary<string, double> { ["kurtosis"] = 3 } });
            fit.Weighted.ShouldBe(withStdErr);
            foreach (var p in fit.Parameters.Where(p => !p.Fixed))
            {
                p.ThetaStdErr.ShouldNotBeNull(p.Parameter.Name);
                // z in the search coordinate θ, where the errors are (asymptotically) normal
                double z = (p.Parameter.ToInternal(p.Value) - p.Parameter.ToInternal(truth[p.Parameter.Name])) / p.ThetaStdErr!.Value;
                output.WriteLine($"case {c} {p.Parameter.Name}: fitted {p.Value:G5} ± {p.StdErr:G3}, truth {truth[p.Parameter.Name]:G5}, z = {z:F2}");
                z2.Add(z * z);
                worst = Math.Max(worst, Math.Abs(z));
            }
            // χ²/row estimates δ² (without weights) or 1 (weighted by the true standard errors)
            double expected = withStdErr ? 1 : delta * delta;
            (fit.ChiSquarePerRow / expected).ShouldBeInRange(0.5, 1.6);
        }
        output.WriteLine($"{z2.Count} z values: worst |z| {worst:F2}, mean z² {z2.Average():F3}; {watch.ElapsedMilliseconds} ms");
        worst.ShouldBeLessThan(4);
        z2.Average().ShouldBeInRange(0.45, 1.8); // 40 values: the standard errors are right on average
    }

    [Fact]
    public void A_second_learning_rate_identifies_what_one_curve_cannot()
    {
        // one SGD curve at a small learning rate: the step sizes' fourth-moment term is too small to tell the kurtosis
        // apart; a second curve near the stability edge determines it
        var truth = new Dictionary<string, double>(Truth) { ["kurtosis"] = 5 };
        double trace = Enumerable.Range(1, D).Sum(i => truth["scale"] * Math.Pow(i, -truth["a"]));
        double edge = 2 / (truth["kurtosis"] * truth["scale"] + trace); // about the largest stable SGD step at B = 1
        var steps = LogSteps(1000, 25);
        var slow = Simulate(truth, D, Sgd.Create(0.1 * edge), 1, steps, 0.02, new Random(5), true, "slow");
        var fast = Simulate(truth, D, Sgd.Create(0.8 * edge), 1, steps, 0.02, new Random(6), true, "fast");
        var model = new PowerLawCurveModel(D);
        var one = CurveFit.Fit(model, [slow]);
        var two = CurveFit.Fit(model, [slow, fast]);
        foreach (var p in one.Parameters) output.WriteLine($"one: {p.Parameter.Name} = {p.Value:G5} ± {p.StdErr:G3} (θ ± {p.ThetaStdErr:G3})");
        foreach (var p in two.Parameters) output.WriteLine($"two: {p.Parameter.Name} = {p.Value:G5} ± {p.StdErr:G3} (θ ± {p.ThetaStdErr:G3})");
        // one curve: σ² is not determined at all (a flat direction), and some estimates move together
        one["noise"].NotIdentified.ShouldBeTrue();
        output.WriteLine("one: " + string.Join("; ", one.StrongCorrelations().Select(c => $"{c.First}-{c.Second} {c.Correlation:F3}")));
        output.WriteLine("two: " + string.Join("; ", two.StrongCorrelations().Select(c => $"{c.First}-{c.Second} {c.Correlation:F3}")));
        one.StrongCorrelations().ShouldNotBeEmpty();
        two.StrongCorrelations().ShouldBeEmpty();
        foreach (var p in two.Parameters)
        {
            string name = p.Parameter.Name;
            p.ThetaStdErr.ShouldNotBeNull(name);
            // the two curves determine every parameter, within 4 standard errors of the truth
            Math.Abs(p.Parameter.ToInternal(p.Value) - p.Parameter.ToInternal(truth[name])).ShouldBeLessThan(4 * p.ThetaStdErr!.Value, name);
            // and at least five times more tightly than the slow curve alone
            if (!one[name].NotIdentified) p.ThetaStdErr!.Value.ShouldBeLessThan(one[name].ThetaStdErr!.Value / 5, name);
        }
    }

    [Fact]
    public void The_loss_objective_gives_back_the_floor_with_the_parameters()
    {
        // a loss = E L_t + f with f = σ²/2 (the population loss of docs/math.md#training-loss), fitted with f free
        var exact = TwoCurves(Truth, 0, null, false);
        double floor = Truth["noise"] / 2;
        var losses = exact.Select(c => new FitCurve(c.Label, c.Steps, c.Values.Select(v => v + floor).ToArray(), null, c.Method, c.Batch)).ToArray();
        var fit = CurveFit.Fit(new PowerLawCurveModel(D), losses, new FitOptions
        {
            Objective = FitObjective.Loss,
            Fixed = new Dictionary<string, double> { ["kurtosis"] = 3, ["init-exponent"] = 0.4 },
        });
        TestSupport.RelErr(fit.Values["floor"], floor).ShouldBeLessThan(1e-6);
        foreach (var name in new[] { "a", "scale", "noise", "init-scale" })
            TestSupport.RelErr(fit.Values[name], Truth[name]).ShouldBeLessThan(1e-6, name);
    }
}
