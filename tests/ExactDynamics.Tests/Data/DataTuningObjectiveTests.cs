using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;
using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The library's one tuner on a dataset for the iterations to a target and the final risk at a budget
/// (<see cref="DataRates"/> as an <see cref="IRiskModel"/>), against grids of a plain second-moment recursion of the
/// empirical model written here: the state x ∈ ℝ^{kd} of a k-state method in the data's centred coordinates,
/// Σ' = E[M̂ Σ M̂ᵀ] + b bᵀ ⊗ (σ²/B) H with M̂ = A⊗I − b cᵀ⊗Ĥ, E[Ĥ P Ĥ] = (1/(nB)) Σ_r x_r x_rᵀ P x_r x_rᵀ + (1 − 1/B) H P H,
/// from the isotropic start Σ₀ = u uᵀ ⊗ I (planted teacher, label noise σ²), and E L_t = ½ tr(H (oᵀ⊗I) Σ_t (o⊗I)).
/// </summary>
public class DataTuningObjectiveTests
{
    private const double Noise = 1e-3;

    /// <summary>The plain recursion's risk curve E L_0 … E L_steps (stops early, filling +∞, once it exceeds 1e200, and,
    /// filling 0, once it is at most <paramref name="stopAt"/>).</summary>
    private static double[] Curve(Matrix<double> x, LinearMethod method, int batch, int steps, double stopAt = -1)
    {
        int n = x.RowCount, d = x.ColumnCount, k = method.K;
        var a = Matrix<double>.Build.DenseOfArray(method.MatrixA);
        var b = Vector<double>.Build.DenseOfArray(method.B.ToArray());
        var c = Vector<double>.Build.DenseOfArray(method.C.ToArray());
        var o = Vector<double>.Build.DenseOfArray(method.O.ToArray());
        var u = Vector<double>.Build.DenseOfArray(method.U.ToArray());
        var h = x.TransposeThisAndMultiply(x) / n;
        var id = Matrix<double>.Build.DenseIdentity(d);
        var ai = a.KroneckerProduct(id);
        var bh = b.OuterProduct(c).KroneckerProduct(h);
        var bb = b.OuterProduct(b);
        var ci = c.ToRowMatrix().KroneckerProduct(id);
        var oi = o.ToRowMatrix().KroneckerProduct(id);
        var sigma = u.OuterProduct(u).KroneckerProduct(id);
        var risk = new double[steps + 1];
        double Risk(Matrix<double> s) => 0.5 * (h * (oi * s * oi.Transpose())).Trace();
        risk[0] = Risk(sigma);
        for (int t = 1; t <= steps; t++)
        {
            var p = ci * sigma * ci.Transpose();
            var hph = (1 - 1.0 / batch) * h * p * h;
            for (int r = 0; r < n; r++)
            {
                var xr = x.Row(r);
                hph += (xr * p * xr) / (n * batch) * xr.OuterProduct(xr);
            }
            sigma = ai * sigma * ai.Transpose() - ai * sigma * bh.Transpose() - bh * sigma * ai.Transpose()
                    + bb.KroneckerProduct(hph + Noise / batch * h);
            risk[t] = Risk(sigma);
            if (!(risk[t] < 1e200)) { Array.Fill(risk, double.PositiveInfinity, t, steps + 1 - t); break; }
            if (risk[t] <= stopAt) { Array.Fill(risk, 0, t + 1, steps - t); break; }
        }
        return risk;
    }

    /// <summary>The first t with E L_t ≤ ε on the plain curve, or null.</summary>
    private static long? FirstHit(double[] curve, double target)
    {
        for (int t = 0; t < curve.Length; t++) if (curve[t] <= target) return t;
        return null;
    }

    private static (DataRates Rates, Matrix<double> X, double L0) Setup(int batch, int n = 14, int d = 3)
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(n, d, 21, heavy: true);
        var data = DataSet.Analyse(raw);
        var problem = new DataProblem(data, batch, null, Enumerable.Repeat(1.0, d).ToArray(), Noise);
        var rates = (DataRates)DataRates.For(problem, MomentModel.Empirical);
        var x = DataRateTests.Centred(raw);
        return (rates, x, 0.5 * data.Eigenvalues.Sum());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Sgd_tuned_for_iterations_on_data_beats_every_point_of_a_grid_of_the_plain_recursion(int batch)
    {
        var (rates, x, l0) = Setup(batch);
        double target = 0.02 * l0;
        var tuned = Tuner.Tune(rates, MethodFamily.Sgd, new TuneOptions { Objective = TuneObjective.Iterations, Target = target });
        tuned.Iterations.ShouldNotBeNull();
        long its = tuned.Iterations!.Exact!.Value;
        // the tuned count is the plain recursion's first hit at the tuned step
        FirstHit(Curve(x, tuned.Method, batch, (int)its + 5), target).ShouldBe(its);
        // and no step of a fine geometric grid reaches ε sooner
        long best = long.MaxValue;
        for (double lr = 0.05; lr < 20; lr *= 1.01)
            if (FirstHit(Curve(x, Sgd.Create(lr), batch, (int)Math.Min(best, 4 * its), target), target) is long hit) best = Math.Min(best, hit);
        its.ShouldBeLessThanOrEqualTo(best);
        // inside the data's stable region
        DataRateTests.DenseEmpirical(x, tuned.Method, batch).ShouldBeLessThan(1);
        tuned.Rho.ShouldBe(DataRateTests.DenseEmpirical(x, tuned.Method, batch), 1e-9);
    }

    [Fact]
    public void Heavy_ball_tuned_for_iterations_on_data_beats_every_point_of_a_grid_of_the_plain_recursion()
    {
        var (rates, x, l0) = Setup(2, 10, 2);
        double target = 1e-3 * l0;
        var tuned = Tuner.Tune(rates, MethodFamily.HeavyBall, new TuneOptions { Objective = TuneObjective.Iterations, Target = target });
        long its = tuned.Iterations!.Exact!.Value;
        FirstHit(Curve(x, tuned.Method, 2, (int)its + 5), target).ShouldBe(its);
        long best = long.MaxValue;
        for (double lr = 0.1; lr < 10; lr *= 1.1)
            for (double beta = 0; beta < 0.95; beta += 0.1)
                if (FirstHit(Curve(x, HeavyBall.Create(lr, beta), 2, (int)Math.Min(best, 4 * its), target), target) is long hit) best = Math.Min(best, hit);
        its.ShouldBeLessThanOrEqualTo(best);
        DataRateTests.DenseEmpirical(x, tuned.Method, 2).ShouldBeLessThan(1);
    }

    [Fact]
    public void Sgd_tuned_for_the_final_risk_on_data_beats_every_point_of_a_grid_of_the_plain_recursion()
    {
        var (rates, x, _) = Setup(2);
        const int steps = 40;
        var tuned = Tuner.Tune(rates, MethodFamily.Sgd, new TuneOptions { Objective = TuneObjective.FinalRisk, Steps = steps });
        tuned.FinalRisk.ShouldNotBeNull();
        double risk = tuned.FinalRisk!.Value;
        risk.ShouldBe(Curve(x, tuned.Method, 2, steps)[steps], 1e-10 * risk);
        double best = double.PositiveInfinity;
        for (double lr = 0.05; lr < 20; lr *= 1.02) best = Math.Min(best, Curve(x, Sgd.Create(lr), 2, steps)[steps]);
        risk.ShouldBeLessThanOrEqualTo(best * (1 + 1e-9));
        // and a local minimum: neither neighbour 0.1% away is lower
        double lr0 = tuned.Parameters["lr"];
        foreach (double f in new[] { 0.999, 1.001 }) Curve(x, Sgd.Create(lr0 * f), 2, steps)[steps].ShouldBeGreaterThanOrEqualTo(risk * (1 - 1e-9));
    }

    [Fact]
    public void A_gap_tuning_with_a_target_reports_the_plain_recursions_first_hit()
    {
        var (rates, x, l0) = Setup(1);
        double target = 0.05 * l0;
        var tuned = Tuner.Tune(rates, MethodFamily.Sgd, new TuneOptions { Target = target });
        tuned.Objective.ShouldBe(TuneObjective.Gap);
        var gapOnly = Tuner.Tune(rates, MethodFamily.Sgd);
        tuned.Parameters["lr"].ShouldBe(gapOnly.Parameters["lr"]);
        long its = tuned.Iterations!.Exact!.Value;
        FirstHit(Curve(x, tuned.Method, 1, (int)its + 5), target).ShouldBe(its);
    }

    [Fact]
    public void A_tuned_ema_for_the_final_risk_on_data_beats_a_grid_of_the_plain_recursion()
    {
        // with label noise the final risk of a long run sits at the noise floor, which an EMA lowers
        var (rates, x, _) = Setup(1);
        const int steps = 60;
        var tuned = Tuner.Tune(rates, MethodFamily.Sgd,
            new TuneOptions { Objective = TuneObjective.FinalRisk, Steps = steps, Modifiers = new TuneModifiers(TuneEma: true) });
        double risk = tuned.FinalRisk!.Value, tau = tuned.Parameters["ema"];
        // the tuned method is sgd with the EMA read-out; its final risk is the plain recursion's (k = 2 states)
        tuned.Method.K.ShouldBe(2);
        risk.ShouldBe(Curve(x, tuned.Method, 1, steps)[steps], 1e-9 * risk);
        double best = double.PositiveInfinity;
        foreach (double t in new[] { 0.0, 0.5, 0.8, 0.9, 0.95 })
            for (double lr = 0.05; lr < 20; lr *= 1.1)
                best = Math.Min(best, Curve(x, Ema.Apply(Sgd.Create(lr), t), 1, steps)[steps]);
        risk.ShouldBeLessThanOrEqualTo(best * (1 + 1e-9));
        tau.ShouldBeGreaterThan(0);
        DataRateTests.DenseEmpirical(x, tuned.Method, 1).ShouldBeLessThan(1);
    }

    [Fact]
    public void A_fixed_weight_decay_on_data_is_tuned_for_iterations_against_the_plain_recursion()
    {
        var (rates, x, l0) = Setup(2);
        const double lambda = 0.01;
        double target = 0.05 * l0;
        var tuned = Tuner.Tune(rates, MethodFamily.Sgd,
            new TuneOptions { Objective = TuneObjective.Iterations, Target = target, Modifiers = new TuneModifiers(WeightDecay: lambda) });
        tuned.Parameters["wd"].ShouldBe(lambda);
        long its = tuned.Iterations!.Exact!.Value;
        // the plain recursion carries w* as a constant state (u = [1, −1]): the same first hit
        FirstHit(Curve(x, tuned.Method, 2, (int)its + 5), target).ShouldBe(its);
        long best = long.MaxValue;
        for (double lr = 0.05; lr < 20; lr *= 1.01)
            if (FirstHit(Curve(x, WeightDecay.Coupled(Sgd.Create(lr), lambda), 2, (int)Math.Min(best, 4 * its), target), target) is long hit) best = Math.Min(best, hit);
        its.ShouldBeLessThanOrEqualTo(best);
    }
}
