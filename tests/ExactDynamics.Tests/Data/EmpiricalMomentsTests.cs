using ExactDynamics.Data;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The empirical model against exact enumeration of every minibatch sequence (drawn with replacement) of the literal
/// optimizers on tiny datasets, and the three models against each other where they must agree exactly.
/// </summary>
public class EmpiricalMomentsTests
{
    // a small, irregular dataset (n = 4, d = 2) with a target that the model cannot fit exactly
    private static readonly double[,] X4 = { { 1.0, 0.3 }, { -0.4, 1.2 }, { 0.7, -0.9 }, { -1.5, 0.2 } };
    private static readonly double[] Y4 = [0.8, -0.3, 1.1, 0.4];

    private static DataMatrix Matrix(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var v = new double[n * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) v[i * d + j] = x[i, j];
        return new DataMatrix(n, d, v);
    }

    /// <summary>
    /// E ½(w_t − w*)ᵀH(w_t − w*) by enumerating all (n^B)^T index sequences (and ±σ label noise per sample when σ &gt; 0),
    /// for heavy ball (β = 0: SGD) or Nesterov written as the optimizers are, on centred data in the original
    /// coordinates; w* from the normal equations; the start averaged over the given list of starting points.
    /// </summary>
    private static double[] BruteForce(double[,] xRaw, double[]? y, double[] wStar, double[][] starts, int batch, int steps,
        double lr, double beta, bool nesterov, double sigma = 0)
    {
        int n = xRaw.GetLength(0), d = xRaw.GetLength(1);
        var x = Centre(xRaw);
        var h = Gram(x);
        var labels = new double[n];
        for (int i = 0; i < n; i++)
        {
            double f = 0;
            for (int a = 0; a < d; a++) f += x[i, a] * wStar[a];
            labels[i] = y is null ? f : y[i];
        }
        var risk = new double[steps + 1];
        int noiseChoices = sigma > 0 ? 2 : 1;
        int perSample = n * noiseChoices;
        int perStep = (int)Math.Pow(perSample, batch);
        double weight = 1.0 / starts.Length;
        void Recurse(double[] w, double[] wPrev, int t, double p)
        {
            var e = new double[d];
            for (int a = 0; a < d; a++) e[a] = w[a] - wStar[a];
            double r = 0;
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) r += e[a] * h[a, b] * e[b];
            risk[t] += p * 0.5 * r;
            if (t == steps) return;
            var v = new double[d];
            for (int a = 0; a < d; a++) v[a] = nesterov ? w[a] + beta * (w[a] - wPrev[a]) : w[a];
            for (int combo = 0; combo < perStep; combo++)
            {
                var g = new double[d];
                int c = combo;
                for (int s = 0; s < batch; s++)
                {
                    int pick = c % perSample; c /= perSample;
                    int i = pick % n;
                    double eps = sigma > 0 ? (pick / n == 0 ? sigma : -sigma) : 0;
                    double res = -labels[i] - eps;
                    for (int a = 0; a < d; a++) res += x[i, a] * v[a];
                    for (int a = 0; a < d; a++) g[a] += x[i, a] * res / batch;
                }
                var wNext = new double[d];
                for (int a = 0; a < d; a++)
                    wNext[a] = nesterov ? v[a] - lr * g[a] : w[a] - lr * g[a] + beta * (w[a] - wPrev[a]);
                Recurse(wNext, w, t + 1, p / perStep);
            }
        }
        foreach (var w0 in starts) Recurse(w0, w0, 0, weight);
        return risk;
    }

    private static double[,] Centre(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var c = new double[n, d];
        for (int a = 0; a < d; a++)
        {
            double m = 0;
            for (int i = 0; i < n; i++) m += x[i, a];
            m /= n;
            for (int i = 0; i < n; i++) c[i, a] = x[i, a] - m;
        }
        return c;
    }

    private static double[,] Gram(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var h = new double[d, d];
        for (int i = 0; i < n; i++) for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) h[a, b] += x[i, a] * x[i, b] / n;
        return h;
    }

    /// <summary>w* of the centred data by Cramer's rule on the 2×2 normal equations.</summary>
    private static double[] NormalEquations2(double[,] xRaw, double[] y)
    {
        var x = Centre(xRaw);
        var h = Gram(x);
        int n = x.GetLength(0);
        double r0 = 0, r1 = 0;
        for (int i = 0; i < n; i++) { r0 += x[i, 0] * y[i] / n; r1 += x[i, 1] * y[i] / n; }
        double det = h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0];
        return [(r0 * h[1, 1] - h[0, 1] * r1) / det, (h[0, 0] * r1 - h[1, 0] * r0) / det];
    }

    public static TheoryData<int, double, double, bool> Cases => new()
    {
        { 1, 0.6, 0.0, false },
        { 2, 0.6, 0.0, false },
        { 1, 0.5, 0.6, false },
        { 2, 0.5, 0.6, false },
        { 2, 0.4, 0.5, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Real_target_and_fixed_start_match_enumeration_of_every_minibatch(int batch, double lr, double beta, bool nesterov)
    {
        const int steps = 3;
        var data = DataSet.Analyse(Matrix(X4), Y4);
        var wStar = NormalEquations2(X4, Y4);
        data.Optimum![0].ShouldBe(wStar[0], 1e-12);
        data.Optimum![1].ShouldBe(wStar[1], 1e-12);
        var expected = BruteForce(X4, Y4, wStar, [[0.0, 0.0]], batch, steps, lr, beta, nesterov);
        var problem = new DataProblem(data, batch, data.InitialError(), null);
        LinearMethod method = nesterov ? Nesterov.Create(lr, beta) : beta == 0 ? Sgd.Create(lr) : HeavyBall.Create(lr, beta);
        var actual = DataRisk.Trajectory(problem, method, steps, MomentModel.Empirical);
        TestSupport.WorstRelErr(actual, expected).ShouldBeLessThan(1e-12);
        // the residual terms matter here: the Gaussian model with the same σ² and s_j is visibly off
        var gaussian = DataRisk.Trajectory(problem, method, steps, MomentModel.Gaussian);
        TestSupport.WorstRelErr(gaussian, expected).ShouldBeGreaterThan(1e-3);
    }

    [Theory]
    [InlineData(1, 0.5, 0.0)]
    [InlineData(2, 0.4, 0.5)]
    public void Planted_teacher_random_start_and_label_noise_match_enumeration(int batch, double lr, double beta)
    {
        // rows closed under sign flips of each coordinate: H is diagonal (λ = 2.5, 0.65 — distinct) and the mean is 0
        double[,] x = { { 2, 0.3 }, { 2, -0.3 }, { -2, 0.3 }, { -2, -0.3 }, { 1, 1.1 }, { 1, -1.1 }, { -1, 1.1 }, { -1, -1.1 } };
        const int steps = 2;
        const double sigma = 0.7;
        double[] wStar = [0.4, -1.3];
        double[] s = [0.8, 1.7]; // Var e₀ along the eigenvectors (axis 0 has the larger eigenvalue)
        // a start distribution with mean w* and covariance diag(s): the 4 points w* ± √(2 s_j) e_j
        var starts = new List<double[]>();
        for (int j = 0; j < 2; j++)
            foreach (var sign in new[] { 1.0, -1.0 })
            {
                var w0 = (double[])wStar.Clone();
                w0[j] += sign * Math.Sqrt(2 * s[j]);
                starts.Add(w0);
            }
        var expected = BruteForce(x, null, wStar, [.. starts], batch, steps, lr, beta, false, sigma);
        var data = DataSet.Analyse(Matrix(x));
        data.Eigenvalues[0].ShouldBe(2.5, 1e-12);
        data.Eigenvalues[1].ShouldBe(0.65, 1e-12);
        var problem = new DataProblem(data, batch, null, s, sigma * sigma);
        LinearMethod method = beta == 0 ? Sgd.Create(lr) : HeavyBall.Create(lr, beta);
        TestSupport.WorstRelErr(DataRisk.Trajectory(problem, method, steps, MomentModel.Empirical), expected).ShouldBeLessThan(1e-12);
    }

    /// <summary>Rows = the full grid {−2, −1, 1, 2}³ scaled per coordinate: over this dataset the coordinates are exactly
    /// independent with E z⁴ = 1.36 (odd moments vanish), so all three models are exact and equal for a start whose
    /// covariance is diagonal.</summary>
    private static DataSet ProductGrid()
    {
        double[] levels = [-2, -1, 1, 2];
        double[] scale = [1.3, 0.7, 0.25];
        var rows = new List<double>();
        foreach (var a in levels) foreach (var b in levels) foreach (var c in levels)
            rows.AddRange([a * scale[0], b * scale[1], c * scale[2]]);
        return DataSet.Analyse(new DataMatrix(64, 3, rows.ToArray()));
    }

    [Theory]
    [InlineData("sgd:lr=0.5", 1)]
    [InlineData("sgd:lr=0.9", 3)]
    [InlineData("hb:lr=0.3,beta=0.7", 2)]
    [InlineData("nesterov:lr=0.3,beta=0.6", 1)]
    public void Independent_coordinates_make_all_three_models_equal(string spec, int batch)
    {
        var data = ProductGrid();
        foreach (var k in data.Kurtosis) k.ShouldBe(8.5 / 6.25, 1e-12);
        var method = Cli.Parsing.SpecParser.ParseMethod(spec);
        var problem = new DataProblem(data, batch, null, [1.0, 0.5, 2.0], 0.1);
        var reference = RiskRecursion.Reference(DataRisk.GaussianProblem(problem, 8.5 / 6.25), method, 60);
        TestSupport.WorstRelErr(DataRisk.Trajectory(problem, method, 60, MomentModel.Empirical), reference).ShouldBeLessThan(1e-11);
        TestSupport.WorstRelErr(DataRisk.Trajectory(problem, method, 60, MomentModel.Matrix), reference).ShouldBeLessThan(1e-11);
    }

    [Theory]
    [InlineData("sgd:lr=0.4", 1)]
    [InlineData("hb:lr=0.2,beta=0.8", 4)]
    public void Matrix_model_with_Gaussian_fourth_moments_is_the_gaussian_model(string spec, int batch)
    {
        // any data: replace K by the Gaussian 1 + 2δ_ij and the matrix model must be the spectral recursion with m4 = 3
        var data = DataSet.Analyse(RandomMatrix(40, 5, 11, heavy: true));
        int d = data.Dimension;
        var gaussianK = new double[d * d];
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) gaussianK[i * d + j] = i == j ? 3 : 1;
        var method = Cli.Parsing.SpecParser.ParseMethod(spec);
        var problem = new DataProblem(data, batch, null, [1, 2, 0.5, 1, 3], 0.2);
        var state = new MatrixMoments(problem, method, gaussianK);
        var reference = RiskRecursion.Reference(DataRisk.GaussianProblem(problem, 3), method, 80);
        var actual = new double[81];
        actual[0] = state.Risk;
        for (int t = 1; t <= 80; t++) { state.Step(); actual[t] = state.Risk; }
        TestSupport.WorstRelErr(actual, reference).ShouldBeLessThan(1e-11);
    }

    internal static DataMatrix RandomMatrix(int n, int d, int seed, bool heavy)
    {
        var rng = new Random(seed);
        var v = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            double common = heavy ? Math.Exp(rng.NextDouble() * 2 - 1) : 1; // a shared scale: dependent directions
            for (int j = 0; j < d; j++) v[i * d + j] = common * (rng.NextDouble() * 2 - 1) * (j + 1) / (1.0 + j * j) + (j == 0 ? 0.3 : 0);
        }
        return new DataMatrix(n, d, v);
    }

    [Fact]
    public void Simd_widths_and_thread_counts_agree()
    {
        // d = 19 exercises the column padding, n = 203 the row padding and several parallel chunks
        var x = RandomMatrix(203, 19, 5, heavy: true);
        var rng = new Random(2);
        var y = Enumerable.Range(0, 203).Select(_ => rng.NextDouble()).ToArray();
        var data = DataSet.Analyse(x, y);
        var problem = new DataProblem(data, 3, data.InitialError(), null);
        var method = HeavyBall.Create(0.05, 0.6);
        var baseline = DataRisk.Trajectory(problem, method, 40, MomentModel.Empirical, options: new ExecutionOptions(1, VectorBits: 128));
        foreach (var bits in new[] { 256, 512 })
            TestSupport.WorstRelErr(DataRisk.Trajectory(problem, method, 40, MomentModel.Empirical, options: new ExecutionOptions(1, VectorBits: bits)), baseline)
                .ShouldBeLessThan(1e-12);
        var one = DataRisk.Trajectory(problem, method, 40, MomentModel.Empirical, options: new ExecutionOptions(1));
        var two = DataRisk.Trajectory(problem, method, 40, MomentModel.Empirical, options: new ExecutionOptions(2));
        two.ShouldBe(one); // bitwise
    }
}
