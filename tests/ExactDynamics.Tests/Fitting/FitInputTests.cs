using ExactDynamics.Data;
using ExactDynamics.Dynamics;
using ExactDynamics.Fitting;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Fitting;

/// <summary>
/// The data-matrix model of docs/math.md#fitting, the fitted model's answers, and bad input: each gets one sentence
/// naming the quantity.
/// </summary>
public class FitInputTests
{
    private static FitCurve Curve(double[] values, string label = "c", double[]? stdErr = null) =>
        new(label, Enumerable.Range(0, values.Length).Select(i => (long)(10 * i)).ToArray(), values, stdErr, Sgd.Create(0.1), 1);

    private static readonly double[] Decaying = [1, 0.5, 0.3, 0.2, 0.15, 0.12, 0.1, 0.09];

    [Fact]
    public void An_empty_curve_is_refused()
    {
        Should.Throw<InvalidInputException>(() => new FitCurve("empty.csv", [], [], null, Sgd.Create(0.1), 1))
            .Message.ShouldBe("The curve empty.csv is empty; a fit needs at least one measured step.");
    }

    [Fact]
    public void A_non_positive_risk_is_refused_by_the_log_objective()
    {
        var zero = Curve([1, 0.5, 0, 0.2, 0.15, 0.12, 0.1, 0.09]);
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(new PowerLawCurveModel(10), [zero]))
            .Message.ShouldBe("The curve c has the risk 0 at t = 20; the log-risk objective needs positive values (the loss objective fits the values themselves with a floor).");
    }

    [Fact]
    public void Every_parameter_fixed_is_refused()
    {
        var all = new Dictionary<string, double> { ["a"] = 1, ["scale"] = 1, ["noise"] = 0, ["init-exponent"] = 0, ["init-scale"] = 1, ["kurtosis"] = 3 };
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(new PowerLawCurveModel(10), [Curve(Decaying)], new FitOptions { Fixed = all }))
            .Message.ShouldBe("Every parameter of the powerlaw:d=10 model is fixed (a, scale, noise, init-exponent, init-scale, kurtosis); leave at least one free to fit.");
    }

    [Fact]
    public void Fewer_points_than_free_parameters_unknown_names_and_mixed_weights_are_refused()
    {
        var model = new PowerLawCurveModel(10);
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(model, [Curve([1, 0.5, 0.3])]))
            .Message.ShouldContain("have 3 measured points for 6 free parameters");
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(model, [Curve(Decaying)], new FitOptions { Fixed = new Dictionary<string, double> { ["beta"] = 1 } }))
            .Message.ShouldBe("The powerlaw:d=10 model has no parameter 'beta'; its parameters are a, scale, noise, init-exponent, init-scale, kurtosis.");
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(model, [Curve(Decaying)], new FitOptions { Fixed = new Dictionary<string, double> { ["floor"] = 1 } }))
            .Message.ShouldContain("(the floor belongs to the loss objective)");
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(model, [Curve(Decaying), Curve(Decaying, "d", Decaying.Select(v => 0.1 * v).ToArray())]))
            .Message.ShouldStartWith("Some curves have standard errors and some do not");
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(model, [Curve(Decaying)], new FitOptions { Fixed = new Dictionary<string, double> { ["scale"] = -1 } }))
            .Message.ShouldContain("scale = -1 is not allowed");
    }

    /// <summary>A small Gaussian-like data matrix (seeded) with unequal column scales.</summary>
    private static DataSet SmallData(bool target)
    {
        var rng = new Random(11);
        int n = 120, d = 6;
        var x = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[i * d + j] = CurveFitTests.Normal(rng) * Math.Pow(j + 1, -0.7);
        double[]? y = target ? Enumerable.Range(0, n).Select(i => x[i * d] - 0.5 * x[i * d + 1] + 0.1 * CurveFitTests.Normal(rng)).ToArray() : null;
        return DataSet.Analyse(new DataMatrix(n, d, x), y);
    }

    [Fact]
    public void The_data_model_gives_back_noise_start_and_kurtosis_from_exact_curves()
    {
        var data = SmallData(target: false);
        var truth = new Dictionary<string, double> { ["noise"] = 0.01, ["init-exponent"] = 0.7, ["init-scale"] = 2, ["kurtosis"] = 4 };
        // the curves by the plain reference loop on the data's eigenvalues (the gaussian model), not by the fit's path
        var s = Enumerable.Range(1, data.Dimension).Select(j => 2 * Math.Pow(j, -0.7)).ToArray();
        var steps = CurveFitTests.LogSteps(400, 25);
        var curves = new List<FitCurve>();
        foreach (var (method, batch) in new (LinearMethod, double)[] { (Sgd.Create(0.3), 1), (Sgd.Create(1.2), 4) })
        {
            var problem = new Problem(Spectrum.FromValues(data.Eigenvalues), s, batch, 4, 0.01);
            var full = RiskRecursion.Reference(problem, method, (int)steps[^1]);
            curves.Add(new FitCurve(method.Spec, steps, steps.Select(t => full[t]).ToArray(), null, method, batch));
        }
        var model = new DataCurveModel(data, MomentModel.Gaussian, null);
        model.Parameters.Select(p => p.Name).ShouldBe(["noise", "init-exponent", "init-scale", "kurtosis"]);
        var fit = CurveFit.Fit(model, curves);
        foreach (var (name, value) in truth) TestSupport.RelErr(fit.Values[name], value).ShouldBeLessThan(1e-6, name);
    }

    [Fact]
    public void With_a_target_only_the_gaussian_kurtosis_is_free_and_the_other_models_have_nothing_to_fit()
    {
        var data = SmallData(target: true);
        var start = data.InitialError();
        new DataCurveModel(data, MomentModel.Gaussian, start).Parameters.ShouldBe([FitParameter.Kurtosis]);
        var matrix = new DataCurveModel(data, MomentModel.Matrix, start);
        matrix.Parameters.ShouldBeEmpty();
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(matrix, [Curve(Decaying)]))
            .Message.ShouldStartWith("The data (n=120, d=6, rank 6), matrix moments model has no free parameter");
        // a batch the data model cannot take is reported as it is, not as a failed search
        var gaussian = new DataCurveModel(data, MomentModel.Gaussian, start);
        Should.Throw<InvalidInputException>(() => CurveFit.Fit(gaussian, [new FitCurve("c", [0, 1, 2, 3], [1, 0.5, 0.3, 0.2], null, Sgd.Create(0.1), 2.5)]))
            .Message.ShouldStartWith("Batch size 2.5 is not allowed");
        // the loss objective still has its floor to fit
        new FitOptions { Objective = FitObjective.Loss }.Objective.ShouldBe(FitObjective.Loss);
    }

    [Fact]
    public void The_answers_are_those_of_the_true_problem()
    {
        // an exact curve from known parameters: the fitted model's critical batch and tuned step equal those
        // computed directly on the true problem
        const int d = 30;
        var truth = new Dictionary<string, double> { ["a"] = 1.1, ["scale"] = 1.5, ["noise"] = 0, ["init-exponent"] = 0.3, ["init-scale"] = 1, ["kurtosis"] = 3 };
        var curves = new[]
        {
            CurveFitTests.Simulate(truth, d, Sgd.Create(0.1), 1, CurveFitTests.LogSteps(600, 25), 0, null, false, "a"),
            CurveFitTests.Simulate(truth, d, Sgd.Create(0.2), 4, CurveFitTests.LogSteps(600, 25), 0, null, false, "b"),
        };
        var model = new PowerLawCurveModel(d);
        var fit = CurveFit.Fit(model, curves, new FitOptions { Fixed = new Dictionary<string, double> { ["noise"] = 0, ["kurtosis"] = 3 } });
        var answers = FitAnswers.Compute(model, fit, [MethodFamily.Sgd], 4)!;
        var problem = new Problem(Spectrum.PowerLaw(1.1, d, 1.5), InitialCondition.Power(d, 0.3), 1, 3, 0);
        var critical = CriticalBatch.Compute(problem, MethodFamily.Sgd);
        var tuned = Tuner.Tune(problem.WithBatch(4), MethodFamily.Sgd);
        TestSupport.RelErr(answers[0].Critical.CriticalBatch!.Value, critical.CriticalBatch!.Value).ShouldBeLessThan(1e-3);
        TestSupport.RelErr(answers[0].Tuned.Parameters["lr"], tuned.Parameters["lr"]).ShouldBeLessThan(1e-3);
        TestSupport.RelErr(answers[0].Tuned.Gap, tuned.Gap).ShouldBeLessThan(1e-6);
        // an exact curve leaves no residual scatter: the propagated error of the critical batch vanishes
        answers[0].CriticalBatchStdErr!.Value.ShouldBeLessThan(1e-6 * critical.CriticalBatch.Value);
    }
}
