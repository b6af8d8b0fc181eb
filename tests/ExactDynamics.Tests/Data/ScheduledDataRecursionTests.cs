using ExactDynamics.Data;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Targets;
using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The matrix and empirical recursions under schedules (docs/math.md#scheduled-data-recursion) against a brute-force
/// recursion written here: heavy ball, Nesterov or SGD, written as the optimizers are, on centred data in the original
/// coordinates, with the augmented state z = (e_t, e_{t−1}, 1) and E over B_t rows drawn with replacement written out
/// with dense matrices — per row the update is z' = (M_t − G_i) z, so
/// E z'z'ᵀ = M Z Mᵀ − M Z Ḡᵀ − Ḡ Z Mᵀ + (1/B_t)(1/n) Σ_i G_i Z G_iᵀ + (1 − 1/B_t) Ḡ Z Ḡᵀ (+ the label noise term).
/// A schedule changes the learning rate, the momentum and the batch at every step.
/// </summary>
public class ScheduledDataRecursionTests
{
    private const int N = 7, D = 3, Steps = 9;
    private static readonly double[] Lrs = [0.30, 0.45, 0.20, 0.60, 0.35, 0.25, 0.50, 0.15, 0.40];
    private static readonly double[] Betas = [0.50, 0.20, 0.80, 0.00, 0.60, 0.90, 0.30, 0.70, 0.40];
    private static readonly double[] Batches = [1, 3, 2, 1, 4, 2, 1, 3, 2];

    private static DataMatrix Raw() => EmpiricalMomentsTests.RandomMatrix(N, D, 17, heavy: true);

    private static double[] Target()
    {
        var rng = new Random(3);
        var raw = Raw();
        return Enumerable.Range(0, N).Select(i => raw[i, 0] - 0.7 * raw[i, 2] + rng.NextDouble() - 0.5).ToArray();
    }

    /// <summary>E ½ e_tᵀHe_t, t = 0..Steps, by the augmented dense recursion (family "hb", "nesterov" or "sgd").</summary>
    private static double[] BruteForce(string family, double[]? y, double sigma2, Func<int, double> lr, Func<int, double> beta, Func<int, double> batch)
    {
        var raw = Raw();
        var x = Matrix<double>.Build.Dense(N, D, (i, j) => raw[i, j]);
        var mean = x.ColumnSums() / N;
        for (int i = 0; i < N; i++) x.SetRow(i, x.Row(i) - mean);
        var h = x.TransposeThisAndMultiply(x) / N;
        int m = 2 * D + 1;
        var z = Matrix<double>.Build.Dense(m, m);
        Vector<double> r;
        if (y is not null)
        {
            var yv = Vector<double>.Build.DenseOfArray(y);
            var wStar = h.Solve(x.TransposeThisAndMultiply(yv) / N);
            r = yv - x * wStar;
            var z0 = Vector<double>.Build.Dense(m);
            for (int a = 0; a < D; a++) { z0[a] = -wStar[a]; z0[D + a] = -wStar[a]; }
            z0[2 * D] = 1;
            z = z0.OuterProduct(z0);
        }
        else
        {
            r = Vector<double>.Build.Dense(N); // planted teacher: the residual is the independent noise
            for (int a = 0; a < D; a++) for (int p = 0; p < 2; p++) for (int q = 0; q < 2; q++) z[p * D + a, q * D + a] = 1;
            z[2 * D, 2 * D] = 1;
        }
        double Risk(Matrix<double> s) => 0.5 * (h * s.SubMatrix(0, D, 0, D)).Trace();
        var risk = new double[Steps + 1];
        risk[0] = Risk(z);
        for (int t = 0; t < Steps; t++)
        {
            double eta = lr(t), b = beta(t), bt = batch(t);
            if (family == "sgd") b = 0;
            // the gradient is taken at v = ce·e + cp·e_prev; e' = (1 + β) e − β e_prev − η g(v) for hb (v = e),
            // e' = v − η g(v) with v = (1 + β) e − β e_prev for Nesterov
            double ce = family == "nesterov" ? 1 + b : 1, cp = family == "nesterov" ? -b : 0;
            var mm = Matrix<double>.Build.Dense(m, m);
            for (int a = 0; a < D; a++)
            {
                mm[a, a] = 1 + b; mm[a, D + a] = -b; mm[D + a, a] = 1;
            }
            mm[2 * D, 2 * D] = 1;
            var gs = new List<Matrix<double>>();
            var noise = Matrix<double>.Build.Dense(m, m);
            for (int i = 0; i < N; i++)
            {
                var xi = x.Row(i);
                var xx = xi.OuterProduct(xi);
                var g = Matrix<double>.Build.Dense(m, m);
                for (int a = 0; a < D; a++)
                {
                    for (int c = 0; c < D; c++) { g[a, c] = eta * ce * xx[a, c]; g[a, D + c] = eta * cp * xx[a, c]; }
                    g[a, 2 * D] = -eta * xi[a] * r[i];
                }
                gs.Add(g);
                for (int a = 0; a < D; a++) for (int c = 0; c < D; c++) noise[a, c] += eta * eta * sigma2 * xx[a, c] / N;
            }
            var gbar = gs.Aggregate((p, q) => p + q) / N;
            var perRow = gs.Select(g => g * z * g.Transpose()).Aggregate((p, q) => p + q) / N;
            z = mm * z * mm.Transpose() - mm * z * gbar.Transpose() - gbar * z * mm.Transpose()
                + (perRow + noise) / bt + (1 - 1 / bt) * (gbar * z * gbar.Transpose());
            risk[t + 1] = Risk(z);
        }
        return risk;
    }

    private static ScheduledMethod Scheduled(string family)
    {
        var template = family switch
        {
            "hb" => MethodTemplate.HeavyBall(Lrs[0], Betas[0]),
            "nesterov" => MethodTemplate.Nesterov(Lrs[0], Betas[0]),
            _ => MethodTemplate.Sgd(Lrs[0]),
        };
        return new ScheduledMethod(template, Schedule.FromValues(Lrs, absolute: true),
            family == "sgd" ? null : Schedule.FromValues(Betas, absolute: true), Schedule.FromValues(Batches, absolute: true));
    }

    [Theory]
    [InlineData("hb", true)]
    [InlineData("nesterov", true)]
    [InlineData("sgd", true)]
    [InlineData("hb", false)]
    [InlineData("nesterov", false)]
    public void Empirical_recursion_under_schedules_matches_the_dense_brute_force(string family, bool target)
    {
        var y = target ? Target() : null;
        double sigma2 = target ? 0 : 0.3;
        var data = DataSet.Analyse(Raw(), y);
        var problem = target ? new DataProblem(data, 1, data.InitialError(), null)
            : new DataProblem(data, 1, null, InitialCondition.Isotropic(D), sigma2);
        var expected = BruteForce(family, y, sigma2, t => Lrs[t], t => Betas[t], t => Batches[t]);
        var actual = DataRisk.Trajectory(problem, Scheduled(family), Steps, MomentModel.Empirical);
        TestSupport.WorstRelErr(actual, expected).ShouldBeLessThan(1e-11);
        // the schedule matters: the constant base settings give another curve
        var constant = BruteForce(family, y, sigma2, _ => Lrs[0], _ => Betas[0], _ => Batches[0]);
        TestSupport.WorstRelErr(constant, expected).ShouldBeGreaterThan(1e-2);
    }

    [Fact]
    public void Chosen_steps_and_the_whole_curve_agree_under_schedules()
    {
        var data = DataSet.Analyse(Raw(), Target());
        var problem = new DataProblem(data, 1, data.InitialError(), null);
        var expected = BruteForce("hb", Target(), 0, t => Lrs[t], t => Betas[t], t => Batches[t]);
        foreach (var model in new[] { MomentModel.Empirical, MomentModel.Matrix, MomentModel.Gaussian })
        {
            var curve = DataRisk.Trajectory(problem, Scheduled("hb"), Steps, model);
            var at = DataRisk.At(problem, Scheduled("hb"), [0, 4, 9], model);
            at.Steps.ShouldBe([0L, 4, 9]);
            at.Risk.ShouldBe([curve[0], curve[4], curve[9]]);
            if (model == MomentModel.Empirical) TestSupport.WorstRelErr(at.Risk, [expected[0], expected[4], expected[9]]).ShouldBeLessThan(1e-11);
        }
    }

    [Fact]
    public void Matrix_recursion_under_schedules_with_gaussian_fourth_moments_is_the_spectral_recursion()
    {
        // K_ij = 1 + (m4 − 1)δ_ij makes the matrix model's bracket λ_i Σ_j λ_j q_j + (m4 − 2) λ_i² q_i, the Gaussian one
        const double m4 = 2.4;
        var data = DataSet.Analyse(Raw());
        var problem = new DataProblem(data, 1, null, [1.0, 0.5, 2.0], 0.2);
        var k = new double[D * D];
        for (int i = 0; i < D; i++) for (int j = 0; j < D; j++) k[i * D + j] = i == j ? m4 : 1;
        var scheduled = Scheduled("nesterov");
        var state = new MatrixMoments(problem, scheduled, k);
        var actual = new double[Steps + 1];
        actual[0] = state.Risk;
        for (int t = 1; t <= Steps; t++) { state.Step(); actual[t] = state.Risk; }
        var expected = RiskRecursion.Trajectory(DataRisk.GaussianProblem(problem, m4), scheduled, Steps);
        TestSupport.WorstRelErr(actual, expected).ShouldBeLessThan(1e-12);
    }

    /// <summary>A schedule whose values equal the base ones over the run (a later step differs, so it is kept): each
    /// scheduled step rebuilds the method, and the recursion must be the constant one bit for bit.</summary>
    [Theory]
    [InlineData(MomentModel.Empirical)]
    [InlineData(MomentModel.Matrix)]
    public void A_schedule_that_keeps_the_base_values_gives_the_constant_curve_bit_for_bit(MomentModel model)
    {
        var data = DataSet.Analyse(Raw(), Target());
        var problem = new DataProblem(data, 2, data.InitialError(), null);
        var lr = Enumerable.Repeat(0.3, 40).Append(0.1).ToArray();
        var beta = Enumerable.Repeat(0.6, 40).Append(0.1).ToArray();
        var batch = Enumerable.Repeat(2.0, 40).Append(1.0).ToArray();
        var scheduled = new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.6), Schedule.FromValues(lr, true),
            Schedule.FromValues(beta, true), Schedule.FromValues(batch, true));
        scheduled.IsConstant.ShouldBeFalse();
        var viaSchedule = DataRisk.Trajectory(problem, scheduled, 30, model);
        var constant = DataRisk.Trajectory(problem, HeavyBall.Create(0.3, 0.6), 30, model);
        viaSchedule.ShouldBe(constant);
        DataRisk.Trajectory(problem, ScheduledMethod.Constant(HeavyBall.Create(0.3, 0.6)), 30, model).ShouldBe(constant);
    }

    [Fact]
    public void Iterations_under_schedules_count_the_first_step_of_the_scheduled_curve()
    {
        var data = DataSet.Analyse(Raw(), Target());
        var problem = new DataProblem(data, 1, data.InitialError(), null);
        var expected = BruteForce("hb", Target(), 0, t => Lrs[t], t => Betas[t], t => Batches[t]);
        double target = 0.5 * (expected[5] + expected[6]);
        long first = Enumerable.Range(0, Steps + 1).First(t => expected[t] <= target);
        var result = DataRisk.Iterations(problem, Scheduled("hb"), MomentModel.Empirical, target, 1000);
        result.Exact.ShouldBe(first);
        // the tail (lr 0.40, beta 0.40, B = 2 from step 8 on) gives ρ: the constant method's rate at that batch
        result.Tail!.Method!.Spec.ShouldBe(HeavyBall.Create(0.4, 0.4).Spec);
        result.Rho.ShouldBe(DataRate.Compute(problem.WithBatch(2), HeavyBall.Create(0.4, 0.4), MomentModel.Empirical).Rho, 1e-12);
    }

    [Fact]
    public void A_tail_average_is_refused_on_data_with_one_sentence()
    {
        var data = DataSet.Analyse(Raw(), Target());
        var problem = new DataProblem(data, 1, data.InitialError(), null);
        var tail = ScheduledMethod.Constant(new MethodModifiers(TailFraction: 0.5).Apply(Sgd.Create(0.1), 0.1));
        Should.Throw<InvalidInputException>(() => DataRisk.Trajectory(problem, tail, 5, MomentModel.Empirical)).Message.ShouldContain("tail average");
    }
}
