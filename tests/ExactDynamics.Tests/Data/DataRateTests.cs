using ExactDynamics.Data;
using ExactDynamics.Methods;
using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The Perron roots of <see cref="DataRate"/> against the spectral radius of the full second-moment operator built
/// densely in the test and diagonalised by MathNet:
/// <list type="bullet">
/// <item>empirical: the (kd)² × (kd)² matrix of Σ ↦ E[M Σ Mᵀ], M = A⊗I − b cᵀ⊗Ĥ, Ĥ = (1/B) Σ_b x_b x_bᵀ, written in the
/// data's own centred coordinates with E[Ĥ P Ĥ] = (1/(nB)) Σ_r x_r x_rᵀ P x_r x_rᵀ + (1 − 1/B) H P H;</item>
/// <item>matrix: the d k² × d k² matrix of the block map S_j ↦ T_j S_j T_jᵀ + (1/B) b bᵀ λ_j [Σ_l λ_l K_jl cᵀS_l c −
/// λ_j cᵀS_j c], with λ and K_jl = E[z_j² z_l²] from the test's own eigendecomposition.</item>
/// </list>
/// </summary>
public class DataRateTests
{
    /// <summary>The data matrix with its column means subtracted, as a MathNet matrix.</summary>
    internal static Matrix<double> Centred(DataMatrix raw)
    {
        var x = Matrix<double>.Build.Dense(raw.Rows, raw.Columns, (i, j) => raw[i, j]);
        var mean = x.ColumnSums() / raw.Rows;
        for (int i = 0; i < raw.Rows; i++) x.SetRow(i, x.Row(i) - mean);
        return x;
    }

    /// <summary>The spectral radius of the dense empirical second-moment operator.</summary>
    internal static double DenseEmpirical(Matrix<double> x, LinearMethod method, double batch)
    {
        int n = x.RowCount, d = x.ColumnCount, k = method.K, kd = k * d;
        var a = Matrix<double>.Build.DenseOfArray(method.MatrixA);
        var b = Vector<double>.Build.DenseOfArray(method.B.ToArray());
        var c = Vector<double>.Build.DenseOfArray(method.C.ToArray());
        var h = x.TransposeThisAndMultiply(x) / n;
        var id = Matrix<double>.Build.DenseIdentity(d);
        var ai = a.KroneckerProduct(id);
        var bc = b.OuterProduct(c);
        var op = Matrix<double>.Build.Dense(kd * kd, kd * kd);
        for (int col = 0; col < kd * kd; col++)
        {
            var e = Matrix<double>.Build.Dense(kd, kd);
            e[col / kd, col % kd] = 1;
            // the gradient point's second moment P = (cᵀ⊗I) Σ (c⊗I), and the fourth-moment term E[Ĥ P Ĥ]
            var ci = c.ToRowMatrix().KroneckerProduct(id);
            var p = ci * e * ci.Transpose();
            var hph = Matrix<double>.Build.Dense(d, d);
            for (int r = 0; r < n; r++)
            {
                var xr = x.Row(r);
                hph += (xr * p * xr) * xr.OuterProduct(xr) / (n * batch);
            }
            hph += (1 - 1 / batch) * h * p * h;
            var bh = bc.KroneckerProduct(h);
            var img = ai * e * ai.Transpose() - ai * e * bh.Transpose() - bh * e * ai.Transpose()
                      + b.OuterProduct(b).KroneckerProduct(hph);
            for (int row = 0; row < kd * kd; row++) op[row, col] = img[row / kd, row % kd];
        }
        return op.Evd().EigenValues.Select(z => z.Magnitude).Max();
    }

    /// <summary>The spectral radius of the dense matrix-model block operator.</summary>
    private static double DenseMatrixModel(Matrix<double> x, LinearMethod method, double batch)
    {
        int n = x.RowCount, d = x.ColumnCount, k = method.K;
        var evd = (x.TransposeThisAndMultiply(x) / n).Evd(Symmetricity.Symmetric);
        var rot = x * evd.EigenVectors;
        var lambda = evd.EigenValues.Real().ToArray();
        var kmat = new double[d, d];
        for (int r = 0; r < n; r++)
            for (int j = 0; j < d; j++)
                for (int l = 0; l < d; l++)
                    kmat[j, l] += rot[r, j] * rot[r, j] / lambda[j] * rot[r, l] * rot[r, l] / lambda[l] / n;
        var a = Matrix<double>.Build.DenseOfArray(method.MatrixA);
        var b = Vector<double>.Build.DenseOfArray(method.B.ToArray());
        var c = Vector<double>.Build.DenseOfArray(method.C.ToArray());
        int size = d * k * k;
        var op = Matrix<double>.Build.Dense(size, size);
        for (int col = 0; col < size; col++)
        {
            var s = new Matrix<double>[d];
            for (int j = 0; j < d; j++) s[j] = Matrix<double>.Build.Dense(k, k);
            s[col / (k * k)][col % (k * k) / k, col % k] = 1;
            for (int j = 0; j < d; j++)
            {
                var t = a - lambda[j] * b.OuterProduct(c);
                double coupling = 0;
                for (int l = 0; l < d; l++) coupling += lambda[l] * kmat[j, l] * (c * s[l] * c);
                var img = t * s[j] * t.Transpose() + b.OuterProduct(b) * (lambda[j] * (coupling - lambda[j] * (c * s[j] * c)) / batch);
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) op[j * k * k + p * k + q, col] = img[p, q];
            }
        }
        return op.Evd().EigenValues.Select(z => z.Magnitude).Max();
    }

    public static TheoryData<string, int> Cases => new()
    {
        { "sgd:lr=0.4", 1 }, { "sgd:lr=1.1", 3 }, { "hb:lr=0.2,beta=0.7", 1 }, { "hb:lr=0.5,beta=0.5", 2 },
        { "hb:lr=1.5,beta=0.9", 1 }, { "sgd:lr=3", 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Empirical_rate_is_the_spectral_radius_of_the_dense_operator(string spec, int batch)
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(14, 3, 21, heavy: true);
        var method = Cli.Parsing.SpecParser.ParseMethod(spec);
        var data = DataSet.Analyse(raw);
        var r = DataRate.Compute(new DataProblem(data, batch, null, null), method, MomentModel.Empirical);
        double dense = DenseEmpirical(Centred(raw), method, batch);
        r.Converged.ShouldBeTrue();
        r.Rho.ShouldBe(dense, 1e-9 * dense);
        r.Diverges.ShouldBe(dense >= 1);
        r.Gap.ShouldBe(1 - dense, 1e-9 * dense);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matrix_rate_is_the_spectral_radius_of_the_dense_block_operator(string spec, int batch)
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(25, 4, 8, heavy: true);
        var method = Cli.Parsing.SpecParser.ParseMethod(spec);
        var r = DataRate.Compute(new DataProblem(DataSet.Analyse(raw), batch, null, null), method, MomentModel.Matrix);
        double dense = DenseMatrixModel(Centred(raw), method, batch);
        r.Converged.ShouldBeTrue();
        r.Rho.ShouldBe(dense, 1e-9 * dense);
    }

    [Fact]
    public void Near_the_edge_the_gap_keeps_its_relative_accuracy_also_from_a_warm_start()
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(40, 8, 4, heavy: true);
        var x = Centred(raw);
        var problem = new DataProblem(DataSet.Analyse(raw), 1, null, null);
        // the edge of SGD on the dense operator, by bisection in the test
        double lo = 0.01, hi = 50;
        for (int it = 0; it < 46; it++) { double mid = 0.5 * (lo + hi); if (DenseEmpirical(x, Sgd.Create(mid), 1) < 1) lo = mid; else hi = mid; }
        double lr = lo * (1 - 1e-4);
        double dense = DenseEmpirical(x, Sgd.Create(lr), 1);
        var cold = DataRate.Compute(problem, Sgd.Create(lr), MomentModel.Empirical);
        (1 - dense).ShouldBeGreaterThan(0);
        cold.Gap.ShouldBe(1 - dense, 1e-6 * (1 - dense) + 1e-13);
        // a warm start from the Perron vector of a nearby method gives the same root
        var warm = DataRate.Compute(problem, Sgd.Create(lr * (1 + 1e-3)), MomentModel.Empirical, start: cold.Vector);
        double denseWarm = DenseEmpirical(x, Sgd.Create(lr * (1 + 1e-3)), 1);
        warm.Gap.ShouldBe(1 - denseWarm, 1e-6 * Math.Abs(1 - denseWarm) + 1e-13);
    }

    [Fact]
    public void Gaussian_model_is_the_spectral_gap_with_the_given_kurtosis()
    {
        var data = DataSet.Analyse(EmpiricalMomentsTests.RandomMatrix(25, 4, 8, heavy: true));
        var method = HeavyBall.Create(0.3, 0.6);
        var spectral = Spectral.ContractionGap.Compute(new Problem(Spectra.Spectrum.FromValues(data.Eigenvalues, "data"), null, 2, 4.5), method);
        var r = DataRate.Compute(new DataProblem(data, 2, null, null), method, MomentModel.Gaussian, 4.5);
        r.Rho.ShouldBe(spectral.Rho);
        r.Gap.ShouldBe(spectral.Gap);
    }

    [Fact]
    public void A_rate_beyond_the_double_range_diverges_with_infinite_rho()
    {
        var data = DataSet.Analyse(EmpiricalMomentsTests.RandomMatrix(14, 3, 21, heavy: true));
        var r = DataRate.Compute(new DataProblem(data, 1, null, null), Sgd.Create(1e200), MomentModel.Empirical);
        r.Diverges.ShouldBeTrue();
        double.IsNaN(r.Rho).ShouldBeFalse();
    }
}
