using ExactDynamics.Data;
using ExactDynamics.Fitting;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace ExactDynamics.Tests.Fitting;

/// <summary>
/// A fit on a data matrix (docs/math.md#fit-answers): curves simulated from a known kurtosis on a data matrix built
/// here — the exact Gaussian-model SGD curve, written as a plain per-direction loop on the eigenvalues of the centred
/// covariance (computed here with a dense eigensolver), times multiplicative noise of Monte Carlo size — give the
/// kurtosis back within its stated standard error on several seeds; and the answers' propagated standard errors equal
/// the slope of the answer in m4 (by central differences on the spectral problem of those eigenvalues) times se(m4).
/// </summary>
public class DataFitAnswerTests(ITestOutputHelper output)
{
    private const int N = 200;
    private static readonly double[] Scales = [1, 0.7, 0.5, 0.3];
    private const double M4 = 5, Noise = 1e-3, InitScale = 2, InitExponent = 0.5, Delta = 0.02;

    /// <summary>Seeded rows with unequal column scales and non-Gaussian coordinates (uniform, Laplace, two-point, uniform).</summary>
    private static DataMatrix Matrix()
    {
        var rng = new Random(2024);
        int d = Scales.Length;
        var x = new double[N * d];
        for (int i = 0; i < N; i++)
        {
            x[i * d] = Scales[0] * (2 * rng.NextDouble() - 1) * Math.Sqrt(3);
            double u = rng.NextDouble() - 0.5;
            x[i * d + 1] = Scales[1] * -Math.Sign(u) * Math.Log(1 - 2 * Math.Abs(u)) / Math.Sqrt(2);
            x[i * d + 2] = Scales[2] * (rng.NextDouble() < 0.5 ? -1 : 1);
            x[i * d + 3] = Scales[3] * (2 * rng.NextDouble() - 1) * Math.Sqrt(3);
        }
        return new DataMatrix(N, d, x);
    }

    /// <summary>The eigenvalues of the centred covariance XᵀX/n, descending (MathNet's dense symmetric eigensolver).</summary>
    private static double[] Eigenvalues(DataMatrix m)
    {
        var x = Matrix<double>.Build.Dense(m.Rows, m.Columns, (i, j) => m[i, j]);
        var means = x.ColumnSums() / m.Rows;
        var centred = Matrix<double>.Build.Dense(m.Rows, m.Columns, (i, j) => x[i, j] - means[j]);
        var h = centred.TransposeThisAndMultiply(centred) / m.Rows;
        return h.Evd(Symmetricity.Symmetric).EigenValues.Select(c => c.Real).OrderByDescending(v => v).ToArray();
    }

    /// <summary>
    /// E L_t of SGD under the Gaussian model: v_j ← (1 − ηλ_j)² v_j + (η²/B)[λ_j Σ_l λ_l v_l + (m4 − 2)λ_j² v_j + σ²λ_j],
    /// E L_t = ½ Σ λ_j v_j, v_j(0) = c·j^(−p).
    /// </summary>
    private static double[] SgdRisk(double[] lam, double m4, double lr, double batch, int steps)
    {
        int d = lam.Length;
        var v = Enumerable.Range(1, d).Select(j => InitScale * Math.Pow(j, -InitExponent)).ToArray();
        var risk = new double[steps + 1];
        for (int t = 0; ; t++)
        {
            double mu = 0;
            for (int j = 0; j < d; j++) mu += lam[j] * v[j];
            risk[t] = 0.5 * mu;
            if (t == steps) return risk;
            for (int j = 0; j < d; j++)
                v[j] = (1 - lr * lam[j]) * (1 - lr * lam[j]) * v[j] + lr * lr / batch * (lam[j] * mu + (m4 - 2) * lam[j] * lam[j] * v[j] + Noise * lam[j]);
        }
    }

    private static FitCurve Curve(double[] lam, double lr, double batch, Random rng, string label)
    {
        var steps = CurveFitTests.LogSteps(400, 25);
        var full = SgdRisk(lam, M4, lr, batch, (int)steps[^1]);
        var y = steps.Select(t => full[t] * Math.Exp(Delta * CurveFitTests.Normal(rng))).ToArray();
        return new FitCurve(label, steps, y, y.Select(v => Delta * v).ToArray(), Sgd.Create(lr), batch);
    }

    private static (DataCurveModel Model, double[] Lambda, FitResult Fit) FitSeed(int seed)
    {
        var matrix = Matrix();
        var lam = Eigenvalues(matrix);
        var model = new DataCurveModel(DataSet.Analyse(matrix), MomentModel.Gaussian, null);
        var rng = new Random(seed);
        var curves = new[] { Curve(lam, 0.1, 1, rng, "slow"), Curve(lam, 0.3, 1, rng, "fast") };
        return (model, lam, CurveFit.Fit(model, curves));
    }

    [Fact]
    public void The_kurtosis_comes_back_within_its_stated_error_on_several_seeds()
    {
        var lam = Eigenvalues(Matrix());
        // the library's eigenvalues are those of the dense solver here
        TestSupport.WorstRelErr(DataSet.Analyse(Matrix()).Eigenvalues, lam).ShouldBeLessThan(1e-10);
        double sumZ2 = 0;
        int seeds = 5;
        for (int seed = 1; seed <= seeds; seed++)
        {
            var (_, _, fit) = FitSeed(seed);
            var m4 = fit["kurtosis"];
            double z = (m4.Value - M4) / m4.StdErr!.Value;
            output.WriteLine($"seed {seed}: m4 = {m4.Value:G5} ± {m4.StdErr:G3} (truth {M4}), z = {z:F2}, χ²/row {fit.ChiSquarePerRow:F3}");
            Math.Abs(z).ShouldBeLessThan(3, $"seed {seed}");
            m4.StdErr.Value.ShouldBeLessThan(1.0, "the curves determine m4");
            m4.Lower!.Value.ShouldBeLessThan(m4.Value);
            sumZ2 += z * z;
        }
        // the stated errors are of the right size on average (5 seeds: E z² = 1, the mean of five z² lies below 3.5 with 99% probability)
        (sumZ2 / seeds).ShouldBeLessThan(3.5);
    }

    [Fact]
    public void The_answers_carry_the_kurtosis_error_through_the_slope_of_the_answer()
    {
        var (model, lam, fit) = FitSeed(1);
        var answers = FitAnswers.Compute(model, fit, [MethodFamily.Sgd], [4.0]);
        var a = answers.ShouldHaveSingleItem();
        a.FittedInputs.ShouldBe(["kurtosis"]);
        double m4 = fit["kurtosis"].Value, se = fit["kurtosis"].StdErr!.Value;
        var s = Enumerable.Range(1, lam.Length).Select(j => fit.Values["init-scale"] * Math.Pow(j, -fit.Values["init-exponent"])).ToArray();
        Problem At(double k) => new(Spectrum.FromValues(lam), s, 1, k, fit.Values["noise"]);
        // the answers are those of the spectral problem on the data's eigenvalues with the fitted m4
        double critical = CriticalBatch.Compute(At(m4), MethodFamily.Sgd).CriticalBatch!.Value;
        TestSupport.RelErr(a.Critical.CriticalBatch!.Value, critical).ShouldBeLessThan(1e-3);
        TestSupport.RelErr(a.Tuned.Parameters["lr"], Tuner.Tune(At(m4).WithBatch(4), MethodFamily.Sgd).Parameters["lr"]).ShouldBeLessThan(1e-3);
        // se(answer) = |d answer / d m4|·se(m4) to first order
        double slopeCritical = (CriticalBatch.Compute(At(m4 + se), MethodFamily.Sgd).CriticalBatch!.Value
                                - CriticalBatch.Compute(At(m4 - se), MethodFamily.Sgd).CriticalBatch!.Value) / (2 * se);
        double slopeLr = (Tuner.Tune(At(m4 + se).WithBatch(4), MethodFamily.Sgd).Parameters["lr"]
                          - Tuner.Tune(At(m4 - se).WithBatch(4), MethodFamily.Sgd).Parameters["lr"]) / (2 * se);
        output.WriteLine($"critical batch {a.Critical.CriticalBatch:G6} ± {a.CriticalBatchStdErr:G4} (slope·se {Math.Abs(slopeCritical) * se:G4}); " +
                         $"lr {a.Tuned.Parameters["lr"]:G6} ± {a.TunedStdErr!["lr"]:G4} (slope·se {Math.Abs(slopeLr) * se:G4})");
        TestSupport.RelErr(a.CriticalBatchStdErr!.Value, Math.Abs(slopeCritical) * se).ShouldBeLessThan(0.05);
        TestSupport.RelErr(a.TunedStdErr["lr"], Math.Abs(slopeLr) * se).ShouldBeLessThan(0.05);
        // a larger m4 means more gradient noise: a smaller tuned step, a larger critical batch
        slopeLr.ShouldBeLessThan(0);
    }

    [Fact]
    public void Under_the_matrix_model_nothing_fitted_enters_the_answers()
    {
        var matrix = Matrix();
        var data = DataSet.Analyse(matrix);
        var model = new DataCurveModel(data, MomentModel.Matrix, null);
        model.RateParameters.ShouldBeEmpty();
        var lam = Eigenvalues(matrix);
        var rng = new Random(3);
        var fit = CurveFit.Fit(model, [Curve(lam, 0.1, 1, rng, "slow"), Curve(lam, 0.3, 1, rng, "fast")],
            new FitOptions { Fixed = new Dictionary<string, double> { ["init-scale"] = InitScale, ["init-exponent"] = InitExponent } });
        var a = FitAnswers.Compute(model, fit, [MethodFamily.Sgd], [2.0]).ShouldHaveSingleItem();
        a.FittedInputs.ShouldBeEmpty();
        a.CriticalBatchStdErr.ShouldBeNull();
        a.TunedStdErr.ShouldBeNull();
        // the tuning is the data's own under the matrix model, whatever the fitted noise and start
        var rates = DataRates.For(new DataProblem(data, 2, null, null), MomentModel.Matrix);
        var tuned = Tuner.Tune(rates, MethodFamily.Sgd);
        TestSupport.RelErr(a.Tuned.Parameters["lr"], tuned.Parameters["lr"]).ShouldBeLessThan(1e-9);
        TestSupport.RelErr(a.Tuned.Gap, rates.Gap(tuned.Method).Gap).ShouldBeLessThan(1e-9);
    }
}
