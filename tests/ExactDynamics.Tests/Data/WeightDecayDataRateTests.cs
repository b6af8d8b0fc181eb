using ExactDynamics.Data;
using ExactDynamics.Methods;
using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// With weight decay the risk on data tends to a non-zero limit, and the rate is the rate of that approach
/// (docs/math.md#weight-decay). The matrix and empirical models once reported ρ = 1 ("diverges") for every decayed
/// method — the Perron root of the full map is the constant coordinate's 1. Checked against the dense operator of
/// the exact expectation written in the data's own coordinates: the state s = (w, w_prev, 1) of the literal update
/// on each row i is affine, s' = A_i s, and E[s'sᵀ'] = (1 − 1/B) Ā S Āᵀ + (1/(nB)) Σ_i A_i S A_iᵀ, whose eigenvalues
/// are 1 (the limit) and the rates; the rate is the largest modulus after the 1.
/// </summary>
public class WeightDecayDataRateTests
{
    private const int N = 14, D = 3;

    private static (DataSet Data, Matrix<double> X, double[] Y) Data()
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(N, D, 21, heavy: true);
        var rng = new Random(4);
        var y = Enumerable.Range(0, N).Select(i => raw[i, 0] - 0.7 * raw[i, 2] + 0.3 * rng.NextDouble()).ToArray();
        var x = Matrix<double>.Build.Dense(N, D, (i, j) => raw[i, j]);
        var mean = x.ColumnSums() / N;
        for (int i = 0; i < N; i++) x.SetRow(i, x.Row(i) - mean);
        return (DataSet.Analyse(raw, y), x, y);
    }

    /// <summary>The rate from the dense operator of the literal heavy ball (β = 0: SGD) with coupled decay λ:
    /// w' = w − lr(x(xᵀw − y) + λw) + β(w − w_prev).</summary>
    private static double DenseRate(Matrix<double> x, double[] y, double lr, double beta, double lambda, int batch)
    {
        int k = beta == 0 ? 1 : 2, size = k * D + 1, one = size - 1;
        Matrix<double> Map(Vector<double>? row, double target)
        {
            var a = Matrix<double>.Build.Dense(size, size);
            var g = row is null ? x.TransposeThisAndMultiply(x) / N : row.OuterProduct(row);
            var gy = row is null ? x.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(y)) / N : row * target;
            for (int p = 0; p < D; p++)
            {
                for (int q = 0; q < D; q++) a[p, q] = (p == q ? 1 + beta - lr * lambda : 0) - lr * g[p, q];
                if (k == 2) { a[p, D + p] = -beta; a[D + p, p] = 1; }
                a[p, one] = lr * gy[p];
            }
            a[one, one] = 1;
            return a;
        }
        var mean = Map(null, 0);
        var op = (1 - 1.0 / batch) * mean.KroneckerProduct(mean);
        for (int i = 0; i < N; i++)
        {
            var ai = Map(x.Row(i), y[i]);
            op += ai.KroneckerProduct(ai) / (N * (double)batch);
        }
        var eig = op.Evd().EigenValues.ToList();
        var limit = eig.OrderBy(z => (z - 1).Magnitude).First();
        (limit - 1).Magnitude.ShouldBeLessThan(1e-9); // the limit's eigenvalue, 1
        eig.Remove(limit);
        return eig.Max(z => z.Magnitude);
    }

    [Theory]
    [InlineData(0.05, 0.0, 0.01, 1)]
    [InlineData(0.05, 0.0, 0.3, 4)]
    [InlineData(0.02, 0.5, 0.3, 2)]
    [InlineData(0.01, 0.9, 0.05, 3)]
    [InlineData(0.15, 0.0, 0.001, 1)] // near the edge: the error blocks' Perron root, not the mean map, sets the rate
    [InlineData(0.6, 0.0, 0.001, 1)] // beyond it: diverges
    public void Rate_with_weight_decay_matches_the_dense_operator_not_the_constant_coordinate(double lr, double beta, double lambda, int batch)
    {
        var (data, x, y) = Data();
        double lamMax = data.Eigenvalues.Max();
        double scaledLr = lr / lamMax * 4; // the same relative step on any scale of the data
        var baseMethod = beta == 0 ? Sgd.Create(scaledLr) : HeavyBall.Create(scaledLr, beta);
        var method = WeightDecay.Coupled(baseMethod, lambda * lamMax);
        double expected = DenseRate(x, y, scaledLr, beta, lambda * lamMax, batch);
        var problem = new DataProblem(data, batch, data.InitialError(), null);
        var empirical = DataRate.Compute(problem, method, MomentModel.Empirical);
        empirical.Diverges.ShouldBe(expected >= 1);
        Math.Abs(empirical.Rho - expected).ShouldBeLessThan(1e-9 * Math.Max(1e-3, 1 - expected), $"ρ {empirical.Rho} vs dense {expected}");
    }

    [Fact]
    public void Iterations_with_weight_decay_stop_at_the_limit_not_at_the_constant_coordinate()
    {
        var (data, _, _) = Data();
        double lamMax = data.Eigenvalues.Max();
        var method = WeightDecay.Coupled(Sgd.Create(0.2 / lamMax), 0.05 * lamMax);
        var problem = new DataProblem(data, 2, data.InitialError(), null);
        foreach (var model in new[] { MomentModel.Matrix, MomentModel.Empirical })
        {
            var r = DataRisk.Iterations(problem, method, model, 1e-300);
            r.Rho.ShouldBeLessThan(1);
            r.Exact.ShouldBeNull();
            double.IsFinite(r.Floor).ShouldBeTrue();
            r.Floor.ShouldBeGreaterThan(0);
        }
    }
}
