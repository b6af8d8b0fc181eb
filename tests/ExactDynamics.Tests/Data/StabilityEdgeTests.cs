using ExactDynamics.Data;
using ExactDynamics.Methods;
using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The Perron-root rate and the stability edge of the empirical model against the spectral radius of the dense
/// d²×d² matrix of the exact B = 1 SGD map S ↦ (1/n) Σ_i (I − η x_i x_iᵀ) S (I − η x_i x_iᵀ), built in the test
/// from the centred rows and diagonalised by MathNet.
/// </summary>
public class StabilityEdgeTests
{
    private static double DenseRadius(Matrix<double> x, double lr)
    {
        int n = x.RowCount, d = x.ColumnCount;
        var map = Matrix<double>.Build.Dense(d * d, d * d);
        for (int i = 0; i < n; i++)
        {
            var xi = x.Row(i);
            var t = Matrix<double>.Build.DenseIdentity(d) - lr * xi.OuterProduct(xi);
            map += t.KroneckerProduct(t) / n;
        }
        return map.Evd().EigenValues.Select(c => c.Magnitude).Max();
    }

    [Fact]
    public void Rate_and_edge_match_the_dense_map()
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(30, 3, 4, heavy: true);
        var x = Matrix<double>.Build.Dense(30, 3, (i, j) => raw[i, j]);
        var mean = x.ColumnSums() / 30;
        for (int i = 0; i < 30; i++) x.SetRow(i, x.Row(i) - mean);
        var data = DataSet.Analyse(raw);
        var problem = new DataProblem(data, 1, null, null);
        foreach (var lr in new[] { 0.3, 1.0 })
            StabilityEdge.Rate(problem, Sgd.Create(lr), MomentModel.Empirical).ShouldBe(DenseRadius(x, lr), 1e-3);
        // the edge: bisection on the dense radius in the test
        double lo = 0.01, hi = 20;
        for (int it = 0; it < 60; it++) { double mid = 0.5 * (lo + hi); if (DenseRadius(x, mid) < 1) lo = mid; else hi = mid; }
        double edge = StabilityEdge.LargestStableLearningRate(problem, Sgd.Create, MomentModel.Empirical, 0.5);
        edge.ShouldBeLessThanOrEqualTo(lo * 1.001);
        edge.ShouldBeGreaterThan(lo / 1.02);
    }
}
