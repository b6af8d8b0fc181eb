using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Numerics;

/// <summary>
/// The thick-restarted (implicitly restarted) Arnoldi of <see cref="PerronRoot"/> on hard spectra: random nonnegative
/// matrices whose eigenvalues cluster just below ρ, with complex pairs of modulus close to ρ, against MathNet's dense
/// eigendecomposition in the test and against the true residual ‖M v − ρ v‖ computed by one more product; warm starts;
/// and the number of applications on a README-sized dataset (1000 × 20) for heavy ball under the empirical model.
/// </summary>
public class PerronRootTests
{
    /// <summary>
    /// A nonnegative N × N matrix: a diagonal with ρ₀ = 1 on top and <paramref name="cluster"/> values spaced
    /// <paramref name="spacing"/> just below it, the rest uniform in [0, 0.9]; a scaled cyclic permutation block (complex
    /// eigenvalues of modulus 0.99 on the unit circle's 7th roots); and a positive coupling ε R (R uniform in [0, 1]/N),
    /// so the matrix is irreducible and not normal.
    /// </summary>
    internal static Matrix<double> Clustered(int n, int cluster, double spacing, double coupling, int seed)
    {
        var rng = new Random(seed);
        var a = Matrix<double>.Build.Dense(n, n, (_, _) => coupling * rng.NextDouble() / n);
        a[0, 0] += 1;
        for (int i = 1; i <= cluster; i++) a[i, i] += 1 - spacing * i;
        const int cycle = 7;
        int c0 = cluster + 1;
        for (int i = 0; i < cycle; i++) a[c0 + i, c0 + (i + 1) % cycle] += 0.99;
        for (int i = c0 + cycle; i < n; i++) a[i, i] += 0.9 * rng.NextDouble();
        return a;
    }

    private static double DensePerron(Matrix<double> a) => a.Evd().EigenValues.Select(z => z.Real).Max();

    private static double TrueResidual(Matrix<double> a, PerronResult r)
    {
        var v = Vector<double>.Build.DenseOfArray(r.Vector);
        return (a * v - r.Root * v).L2Norm();
    }

    [Theory]
    [InlineData(200, 60, 5e-4, 1e-3, 1, 800)] // the explicit restart from one Ritz vector needed 1058 applications
    [InlineData(200, 100, 1e-4, 1e-3, 2, 1200)] // … 2640
    [InlineData(200, 40, 2e-5, 1e-2, 3, 600)] // … 290
    public void Clustered_nonnegative_spectra_give_the_dense_perron_root(int n, int cluster, double spacing, double coupling, int seed, int bound)
    {
        var a = Clustered(n, cluster, spacing, coupling, seed);
        double dense = DensePerron(a);
        var start = Enumerable.Repeat(1.0, n).ToArray();
        var r = PerronRoot.Compute(n, (x, y) => a.Multiply(Vector<double>.Build.DenseOfArray(x)).CopyTo(Vector<double>.Build.Dense(y)), start, 1e-10);
        r.Converged.ShouldBeTrue();
        r.Root.ShouldBe(dense, 1e-10 * dense);
        // the stopping rule's estimate is the true residual of the returned unit vector
        TrueResidual(a, r).ShouldBeLessThan(Math.Max(1e-10 * Math.Abs(1 - r.Root), 1e-12 * r.Root) * 1.01 + 1e-13);
        r.Vector.All(t => t >= -1e-8).ShouldBeTrue(); // the Perron vector of a positive matrix is positive
        // a thick restart keeps the cluster's approximations: a generous bound (about twice what it takes)
        r.Applications.ShouldBeLessThan(bound);
    }

    [Theory]
    [InlineData("hb:lr=0.3,beta=0.6", 2)]
    [InlineData("hb:lr=0.05,beta=0.9", 1)]
    [InlineData("sgd:lr=0.2", 4)]
    public void Slow_tails_on_data_give_the_spectral_radius_of_the_dense_operator(string spec, int batch)
    {
        // a steep spectrum: the slow directions' eigenvalues of the map (near 1 − ηλ_j) cluster just below ρ
        var rng = new Random(11);
        const int n = 30, d = 6;
        var v = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            double scale = Math.Exp(rng.NextDouble() * 2 - 1);
            for (int j = 0; j < d; j++) v[i * d + j] = scale * (rng.NextDouble() * 2 - 1) / Math.Pow(j + 1, 1.5);
        }
        var raw = new DataMatrix(n, d, v);
        var method = Cli.Parsing.SpecParser.ParseMethod(spec);
        var r = DataRate.Compute(new DataProblem(DataSet.Analyse(raw), batch, null, null), method, MomentModel.Empirical);
        double dense = Data.DataRateTests.DenseEmpirical(Data.DataRateTests.Centred(raw), method, batch);
        r.Converged.ShouldBeTrue();
        r.Rho.ShouldBe(dense, 1e-10 * dense);
        r.Gap.ShouldBe(1 - dense, 1e-8 * Math.Abs(1 - dense) + 1e-13);
    }

    [Fact]
    public void A_warm_start_from_the_perron_vector_converges_in_a_few_applications()
    {
        var a = Clustered(200, 60, 5e-4, 1e-3, 4);
        void Apply(double[] x, double[] y) => a.Multiply(Vector<double>.Build.DenseOfArray(x)).CopyTo(Vector<double>.Build.Dense(y));
        var cold = PerronRoot.Compute(200, Apply, Enumerable.Repeat(1.0, 200).ToArray(), 1e-10);
        var warm = PerronRoot.Compute(200, Apply, cold.Vector, 1e-10);
        warm.Converged.ShouldBeTrue();
        warm.Applications.ShouldBeLessThanOrEqualTo(4);
        warm.Root.ShouldBe(DensePerron(a), 1e-10);
    }

    [Fact]
    public void The_application_limit_stops_the_iteration_unconverged()
    {
        var a = Clustered(200, 100, 1e-4, 1e-3, 5);
        var r = PerronRoot.Compute(200, (x, y) => a.Multiply(Vector<double>.Build.DenseOfArray(x)).CopyTo(Vector<double>.Build.Dense(y)),
            Enumerable.Repeat(1.0, 200).ToArray(), 1e-10, maxApplications: 50);
        r.Converged.ShouldBeFalse();
        r.Applications.ShouldBe(50);
    }

    /// <summary>A stand-in for the README's data: 1000 × 20 Gaussian rows with a log-normal common scale, column j
    /// divided by j (correlated, heavy-tailed).</summary>
    internal static DataMatrix ReadmeSized(int seed)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        const int n = 1000, d = 20;
        var v = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            double scale = Math.Exp(0.5 * Normal());
            for (int j = 0; j < d; j++) v[i * d + j] = Normal() * scale / (j + 1);
        }
        return new DataMatrix(n, d, v);
    }

    [Fact]
    public void Heavy_ball_on_readme_sized_data_needs_few_applications_and_returns_a_true_eigenpair()
    {
        var data = DataSet.Analyse(ReadmeSized(1));
        var problem = new DataProblem(data, 8, null, null);
        var method = HeavyBall.Create(0.4, 0.1);
        var r = DataRate.Compute(problem, method, MomentModel.Empirical);
        r.Converged.ShouldBeTrue();
        r.Diverges.ShouldBeFalse();
        // the explicit restart from one Ritz vector needed 3184 applications here, the thick restart 591
        r.Applications.ShouldBeLessThan(1500);
        // one more application of the map, in the test: M v = ρ v up to the stated floor
        var map = new EmpiricalMoments(problem.Homogeneous(), method);
        var image = new double[map.StateLength];
        map.Apply(r.Vector!, image);
        double residual = Math.Sqrt(image.Select((t, i) => (t - r.Rho * r.Vector![i]) * (t - r.Rho * r.Vector![i])).Sum());
        residual.ShouldBeLessThan(1e-11);
        // the gap is consistent with a plain power iteration's Rayleigh quotient from the returned vector
        double rayleigh = image.Select((t, i) => t * r.Vector![i]).Sum();
        rayleigh.ShouldBe(r.Rho, 1e-11);
    }
}
