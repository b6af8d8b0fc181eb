using ExactDynamics.Fitting;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;
using ExactDynamics.Validation.Simulation;
using Xunit.Abstractions;

namespace ExactDynamics.Validation.Tests;

/// <summary>
/// The fit of docs/math.md#fitting on Monte Carlo curves of the literal optimizers: every recorded point of a curve is
/// the mean of its own independent runs (so the points are independent, as the stated standard errors assume), the
/// curves carry their standard errors, and the fitted parameters must lie within 4 standard errors of the truth with
/// z² ≈ 1 on average over random cases.
/// </summary>
public class FitRecoveryTests(ITestOutputHelper output)
{
    private const int D = 8;
    private static readonly long[] Steps = [0, 2, 5, 10, 20, 35, 55, 80, 110, 150, 200];

    private static FitCurve Simulate(Spectrum spectrum, double[] initial, double noise, int batch, ISimulatedOptimizer optimizer,
        LinearMethod method, ulong seed)
    {
        var mean = new double[Steps.Length];
        var se = new double[Steps.Length];
        for (int k = 0; k < Steps.Length; k++)
        {
            long t = Math.Max(1, Steps[k]);
            var r = MonteCarloSimulator.Run(new SimulationSettings
            {
                Spectrum = spectrum, Initial = initial, Noise = noise, Batch = batch, Steps = t, Every = t, Runs = 4000, Seed = seed * 100 + (ulong)k,
            }, optimizer);
            int at = Steps[k] == 0 ? 0 : r.Steps.Length - 1;
            mean[k] = r.Mean[at];
            se[k] = r.StdErr[at];
        }
        return new FitCurve(method.Spec, Steps, mean, se, method, batch);
    }

    [FullFact]
    [Trait("Category", "Full")]
    public void Monte_Carlo_curves_give_back_the_parameters_within_their_standard_errors()
    {
        var rng = new Random(77);
        var z2 = new List<double>();
        var zCritical = new List<double>();
        double worst = 0;
        for (int c = 0; c < 12; c++)
        {
            double a = 0.8 + rng.NextDouble(), scale = Math.Exp(rng.NextDouble() - 0.5), p = rng.NextDouble(), cInit = Math.Exp(rng.NextDouble() - 0.5);
            var spectrum = Spectrum.PowerLaw(a, D, scale);
            var initial = InitialCondition.Power(D, p).Select(v => cInit * v).ToArray();
            double noise = 0.02 * scale;
            double lr = 0.4 / (3 * scale + spectrum.Trace);
            var curves = new[]
            {
                Simulate(spectrum, initial, noise, 1, new SgdLiteral(lr), Sgd.Create(lr), (ulong)(2 * c + 1)),
                Simulate(spectrum, initial, noise, 4, new HeavyBallLiteral(0.5 / scale, 0.5), HeavyBall.Create(0.5 / scale, 0.5), (ulong)(2 * c + 2)),
            };
            var truth = new Dictionary<string, double> { ["a"] = a, ["scale"] = scale, ["noise"] = noise, ["init-exponent"] = p, ["init-scale"] = cInit };
            var fit = CurveFit.Fit(new PowerLawCurveModel(D), curves, new FitOptions { Fixed = new Dictionary<string, double> { ["kurtosis"] = 3 } });
            output.WriteLine($"case {c}: χ²/row {fit.ChiSquarePerRow:F2}");
            // the critical batch of the fitted model against that of the truth, in units of its propagated error
            var answer = FitAnswers.Compute(new PowerLawCurveModel(D), fit, [MethodFamily.Sgd], 1)![0];
            double trueCritical = CriticalBatch.Compute(new Problem(spectrum, initial, 1, 3, noise), MethodFamily.Sgd).CriticalBatch!.Value;
            double zc = (answer.Critical.CriticalBatch!.Value - trueCritical) / answer.CriticalBatchStdErr!.Value;
            output.WriteLine($"  critical batch {answer.Critical.CriticalBatch:G5} ± {answer.CriticalBatchStdErr:G3} (truth {trueCritical:G5}), z = {zc:F2}");
            zCritical.Add(zc);
            foreach (var (name, value) in truth)
            {
                var f = fit[name];
                f.ThetaStdErr.ShouldNotBeNull(name);
                double z = (f.Parameter.ToInternal(f.Value) - f.Parameter.ToInternal(value)) / f.ThetaStdErr!.Value;
                output.WriteLine($"  {name}: {f.Value:G5} ± {f.StdErr:G3} (truth {value:G5}), z = {z:F2}");
                z2.Add(z * z);
                worst = Math.Max(worst, Math.Abs(z));
            }
        }
        output.WriteLine($"{z2.Count} estimates: worst |z| {worst:F2}, mean z² {z2.Average():F3}");
        output.WriteLine($"critical batch: worst |z| {zCritical.Max(Math.Abs):F2}, mean z² {zCritical.Average(z => z * z):F3}");
        zCritical.Max(Math.Abs).ShouldBeLessThan(4.5);
        zCritical.Average(z => z * z).ShouldBeInRange(0.3, 2.0); // 12 values
        worst.ShouldBeLessThan(4.5);
        z2.Average().ShouldBeInRange(0.6, 1.5);
    }
}
