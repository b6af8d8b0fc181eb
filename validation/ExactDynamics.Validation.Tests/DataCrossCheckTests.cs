using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;
using ExactDynamics.Validation.UserCurves;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace ExactDynamics.Validation.Tests;

/// <summary>
/// A small real-ish dataset built here (n rows, d = 10): correlated columns with a non-zero mean, heavy tails from a
/// log-normal scale shared by every coordinate of a row (so the whitened directions are far from independent:
/// E z_i² z_j² ≈ 4, kurtosis ≈ 13), one skewed column, and a target whose residual depends on x (a quadratic term and
/// heteroscedastic noise) — the kind of data on which the Gaussian model is wrong and the empirical one is exact.
/// </summary>
internal static class RealishData
{
    public const int D = 10;

    public static (DataMatrix X, double[] Y) Build(int n = 300, ulong seed = 7)
    {
        var rng = new RunRandom(seed, 0);
        var x = new double[n * D];
        var y = new double[n];
        var g = new double[D];
        for (int r = 0; r < n; r++)
        {
            double s = Math.Exp(0.6 * rng.NextGaussian());
            for (int b = 0; b < D; b++) g[b] = b == 0 ? -Math.Log(rng.NextOpenDouble()) - 1 : rng.NextGaussian();
            double target = 0;
            for (int a = 0; a < D; a++)
            {
                double v = 1 + 0.3 * a; // the mean: centring matters
                for (int b = 0; b <= a; b++) v += Math.Pow(0.6, a - b) / (1 + b) * s * g[b];
                x[r * D + a] = v;
                target += (a % 3 == 0 ? 1.0 : -0.5) * v;
            }
            double u = x[r * D] - 1;
            y[r] = target + 0.4 * u * u + 0.3 * (1 + Math.Abs(u)) * rng.NextGaussian();
        }
        return (new DataMatrix(n, D, x), y);
    }
}

/// <summary>The training loop a user would write (as in NumPy), with the bugs a validation must catch.</summary>
public enum TrainingBug
{
    /// <summary>Rows drawn uniformly with replacement, on the centred data, with the stated learning rate.</summary>
    None,
    /// <summary>Rows drawn without replacement: a fresh permutation every epoch, consumed B rows per step.</summary>
    WithoutReplacement,
    /// <summary>Centres each row by its own mean (NumPy's <c>X - X.mean(axis=1, keepdims=True)</c>) instead of each column.</summary>
    MisCentred,
    /// <summary>Uses half the learning rate it claims.</summary>
    HalvedLr,
}

internal static class UserTraining
{
    /// <summary>
    /// R runs of heavy ball (β = 0: SGD) or Nesterov on the rows of <paramref name="x"/> from w0 = 0, logging the excess
    /// risk ½(w − w*)ᵀH(w − w*) with H = XᵀX/n and w* = the least-squares fit — both computed here with MathNet's QR, on
    /// the centred data, independently of the library's eigendecomposition. Mean and standard error at every
    /// <paramref name="every"/>-th step.
    /// </summary>
    public static SimulatedCurve Train(DataMatrix x, double[] y, double lr, double beta, bool nesterov, int batch, int steps, int every,
        int runs, TrainingBug bug, ulong seed)
    {
        int n = x.Rows, d = x.Columns;
        var raw = Matrix<double>.Build.Dense(n, d, (i, j) => x[i, j]);
        var mean = raw.ColumnSums() / n;
        var xc = Matrix<double>.Build.Dense(n, d, (i, j) => raw[i, j] - mean[j]);
        var h = xc.TransposeThisAndMultiply(xc) / n;
        var wStar = xc.QR().Solve(Vector<double>.Build.Dense(y)).ToArray();
        var hm = h.ToArray();
        var rowMean = raw.RowSums() / d;
        var train = bug == TrainingBug.MisCentred ? Matrix<double>.Build.Dense(n, d, (i, j) => raw[i, j] - rowMean[i]) : xc;
        double eta = bug == TrainingBug.HalvedLr ? lr / 2 : lr;
        var rows = new double[n][];
        for (int i = 0; i < n; i++) rows[i] = train.Row(i).ToArray();
        var recorded = MonteCarloSimulator.RecordedSteps(steps, every);
        var perRun = new double[runs][];
        // runs in parallel, each on its own stream (seed, run); accumulated below in run order
        Parallel.For(0, runs, () => new Worker(n, d), (run, _, k) =>
        {
            var rng = k.Rng; var w = k.W; var prev = k.Prev; var v = k.V; var grad = k.Grad; var perm = k.Perm;
            rng.Reseed(seed, (ulong)run);
            Array.Clear(w); Array.Clear(prev);
            for (int i = 0; i < n; i++) perm[i] = i;
            var risks = new double[recorded.Length];
            int cursor = n; // the permutation is used up: a new epoch starts
            int next = 0;
            for (int t = 0; ; t++)
            {
                if (t == recorded[next])
                {
                    double risk = 0;
                    for (int a = 0; a < d; a++)
                        for (int b = 0; b < d; b++) risk += (w[a] - wStar[a]) * hm[a, b] * (w[b] - wStar[b]);
                    risks[next++] = 0.5 * risk;
                    if (next == recorded.Length) break;
                }
                for (int a = 0; a < d; a++) v[a] = nesterov ? w[a] + beta * (w[a] - prev[a]) : w[a];
                Array.Clear(grad);
                for (int s = 0; s < batch; s++)
                {
                    int i;
                    if (bug == TrainingBug.WithoutReplacement)
                    {
                        if (cursor == n)
                        {
                            for (int m = n - 1; m > 0; m--) { int j = rng.NextIndex(m + 1); (perm[m], perm[j]) = (perm[j], perm[m]); }
                            cursor = 0;
                        }
                        i = perm[cursor++];
                    }
                    else i = rng.NextIndex(n);
                    var row = rows[i];
                    double e = -y[i];
                    for (int a = 0; a < d; a++) e += row[a] * v[a];
                    for (int a = 0; a < d; a++) grad[a] += e * row[a] / batch;
                }
                for (int a = 0; a < d; a++)
                {
                    double nw = nesterov ? v[a] - eta * grad[a] : w[a] - eta * grad[a] + beta * (w[a] - prev[a]);
                    prev[a] = w[a];
                    w[a] = nw;
                }
            }
            perRun[run] = risks;
            return k;
        }, _ => { });
        var moments = new StepMoments(recorded.Length);
        foreach (var r in perRun) moments.Add(r);
        // t = 0 is left out: from the fixed start w0 = 0 every run has the same risk there (standard error 0)
        return new SimulatedCurve(recorded[1..], moments.Mean()[1..], moments.StandardError()[1..]);
    }

    private sealed class Worker(int n, int d)
    {
        public RunRandom Rng { get; } = new(0, 0);
        public double[] W { get; } = new double[d];
        public double[] Prev { get; } = new double[d];
        public double[] V { get; } = new double[d];
        public double[] Grad { get; } = new double[d];
        public int[] Perm { get; } = new int[n];
    }
}

/// <summary>
/// The empirical model (docs/math.md#the-empirical-model) against Monte Carlo of training on a dataset, and the
/// validator's power there (docs/math.md#validation-test): the literal optimizers run on the dataset's rows drawn with
/// replacement agree with <c>--moments empirical</c> within the Bonferroni bound (α = 10⁻³); a user's own training
/// loop passes <see cref="DataCurveValidator"/> with the empirical model, and is rejected under the Gaussian model
/// and when it has a bug (rows without replacement, uncentred rows, half the learning rate).
/// </summary>
public class DataCrossCheckTests(ITestOutputHelper output)
{
    private static readonly (DataMatrix X, double[] Y) Data = RealishData.Build();
    private static readonly DataSet Target = DataSet.Analyse(Data.X, Data.Y);
    private static readonly DataSet Planted = DataSet.Analyse(Data.X);

    /// <summary>Half the largest stable SGD learning rate at batch B on the data, from the empirical model.</summary>
    private static double SafeLr(DataProblem p, Func<double, LinearMethod> family, double fraction = 0.5)
    {
        double lmax = p.Data.Eigenvalues[0], tr = p.Data.Eigenvalues.Sum();
        return fraction * StabilityEdge.LargestStableLearningRate(p, family, MomentModel.Empirical, 2 / (lmax + tr / p.Batch));
    }

    private CurveComparison Check(string name, DataProblem problem, ISimulatedOptimizer literal, LinearMethod method, int steps, int every, int runs, ulong seed)
    {
        var settings = DataCurveValidator.Setting(problem) with { Steps = steps, Every = every, Runs = runs, Seed = seed };
        var sim = MonteCarloSimulator.Run(settings, literal);
        var exact = DataCurveValidator.ExactAt(problem, method, MomentModel.Empirical, sim.Steps);
        var cmp = CurveComparer.Compare(sim.Steps, exact, sim.Mean, sim.StdErr);
        output.WriteLine($"{name}: worst z = {cmp.WorstZ:F2} at t = {cmp.WorstStep} (threshold {cmp.Threshold:F2}), rms z = {cmp.RmsZ:F2}; " +
                         $"E L_0 = {exact[0]:G4}, E L_T = {exact[^1]:G4}");
        return cmp;
    }

    private static readonly string[] LiteralNames = ["sgd target B=1", "hb planted noise random start B=4", "nesterov target B=2"];

    public static TheoryData<string> LiteralCases() => new(LiteralNames);

    [Theory]
    [MemberData(nameof(LiteralCases))]
    public void Literal_optimizers_on_the_rows_agree_with_the_empirical_model(string name) =>
        LiteralCase(name, 4000, 60).Consistent.ShouldBeTrue(name);

    [FullFact]
    [Trait("Category", "Full")]
    public void Literal_optimizers_on_the_rows_agree_with_the_empirical_model_long()
    {
        foreach (var name in LiteralNames)
            LiteralCase(name, 100_000, 400).Consistent.ShouldBeTrue(name);
    }

    private CurveComparison LiteralCase(string name, int runs, int steps)
    {
        switch (name)
        {
            case "sgd target B=1":
            {
                var p = new DataProblem(Target, 1, Target.InitialError(), null);
                double lr = SafeLr(p, Sgd.Create, 0.25);
                return Check(name, p, new SgdLiteral(lr), Sgd.Create(lr), steps, steps / 30, runs, 11);
            }
            case "hb planted noise random start B=4":
            {
                var p = new DataProblem(Planted, 4, null, Enumerable.Repeat(1.0, Planted.Dimension).ToArray(), 0.5);
                double lr = SafeLr(p, l => HeavyBall.Create(l, 0.5));
                return Check(name, p, new HeavyBallLiteral(lr, 0.5), HeavyBall.Create(lr, 0.5), steps, steps / 30, runs, 12);
            }
            default:
            {
                var p = new DataProblem(Target, 2, Target.InitialError(), null);
                double lr = SafeLr(p, l => Nesterov.Create(l, 0.6), 0.25);
                return Check(name, p, new NesterovLiteral(lr, 0.6), Nesterov.Create(lr, 0.6), steps, steps / 30, runs, 13);
            }
        }
    }

    /// <summary>The user's SGD at batch 8: 0.4 of the largest stable learning rate of the empirical model (computed once).</summary>
    private static readonly Lazy<double> UserLr = new(() =>
        SafeLr(new DataProblem(Target, UserBatch, Target.InitialError(), null), Sgd.Create, 0.4));

    private const int UserBatch = 8;

    private static SimulatedCurve UserCurve(TrainingBug bug, int runs, int steps, double lrScale) =>
        UserTraining.Train(Data.X, Data.Y, lrScale * UserLr.Value, 0, false, UserBatch, steps, steps / 40, runs, bug, 21);

    /// <summary>A correct user's loop, 2000 runs of 200 steps, simulated once for the tests below.</summary>
    private static readonly Lazy<SimulatedCurve> CorrectCurve = new(() => UserCurve(TrainingBug.None, 2000, 200, 1));

    private CurveValidation ValidateUser(string what, SimulatedCurve curve, MomentModel model, int? runs = null, double lrScale = 1)
    {
        var p = new DataProblem(Target, UserBatch, Target.InitialError(), null);
        double lr = lrScale * UserLr.Value;
        var v = DataCurveValidator.Validate(p, Sgd.Create(lr), model, curve, runs);
        var c = v.Comparison;
        output.WriteLine($"user loop {what}, model {MomentModels.Name(model)}, lr {lr:G4}, stderr {(curve.StdErr is null ? $"simulated (R = {runs})" : "file")}: " +
                         $"worst z = {c.WorstZ:F2} at t = {c.WorstStep} (threshold {c.Threshold:F2}) -> {v.Verdict}");
        return v;
    }

    [Fact]
    public void A_correct_training_loop_passes_validate_with_the_empirical_model()
    {
        ValidateUser("correct", CorrectCurve.Value, MomentModel.Empirical).Consistent.ShouldBeTrue();
        var simulated = ValidateUser("correct, no stderr column", CorrectCurve.Value with { StdErr = null }, MomentModel.Empirical, runs: 2000);
        simulated.Source.ShouldBe(StdErrSource.MonteCarlo);
        simulated.Consistent.ShouldBeTrue();
    }

    [Fact]
    public void The_gaussian_model_is_rejected_on_heavy_tailed_dependent_data() =>
        ValidateUser("correct", CorrectCurve.Value, MomentModel.Gaussian).Consistent.ShouldBeFalse();

    [Theory]
    [InlineData(TrainingBug.MisCentred)]
    [InlineData(TrainingBug.HalvedLr)]
    public void A_training_loop_with_a_bug_is_rejected(TrainingBug bug) =>
        ValidateUser(bug.ToString(), UserCurve(bug, 1000, 200, 1), MomentModel.Empirical).Consistent.ShouldBeFalse(bug.ToString());

    /// <summary>Rows without replacement change the curve less (an epoch's gradients sum to the full one): it takes
    /// a larger learning rate, several epochs and more runs to see.</summary>
    [FullFact]
    [Trait("Category", "Full")]
    public void A_training_loop_that_samples_without_replacement_is_rejected()
    {
        ValidateUser("correct", UserCurve(TrainingBug.None, 12000, 240, 1.5), MomentModel.Empirical, lrScale: 1.5).Consistent.ShouldBeTrue();
        ValidateUser("without replacement", UserCurve(TrainingBug.WithoutReplacement, 12000, 240, 1.5), MomentModel.Empirical, lrScale: 1.5)
            .Consistent.ShouldBeFalse();
    }
}
