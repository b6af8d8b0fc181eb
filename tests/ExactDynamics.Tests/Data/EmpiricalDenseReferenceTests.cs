using ExactDynamics.Data;
using ExactDynamics.Methods;
using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The empirical model for SGD over a long horizon against the same expectation written densely in the data's own
/// coordinates (no eigendecomposition, no SIMD): S' = S − η(HS + SH) + η²[(1/(nB)) Σ_i (x_iᵀSx_i + r_i² − 2 r_i x_iᵀm) x_i x_iᵀ
/// + (1 − 1/B) HSH], m' = m − ηHm, E L = ½ tr(HS). A long horizon near the edge catches any part of the iterate that
/// the implemented map does not contract (e.g. an antisymmetric rounding residue).
/// </summary>
public class EmpiricalDenseReferenceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Long_sgd_run_matches_the_dense_expectation_in_original_coordinates(int batch)
    {
        const int n = 203, d = 19, steps = 1500;
        var raw = EmpiricalMomentsTests.RandomMatrix(n, d, 5, heavy: true);
        var rng = new Random(9);
        var y = Enumerable.Range(0, n).Select(i => raw[i, 0] - 0.5 * raw[i, 3] + rng.NextDouble()).ToArray();
        var x = Matrix<double>.Build.Dense(n, d, (i, j) => raw[i, j]);
        var mean = x.ColumnSums() / n;
        for (int i = 0; i < n; i++) x.SetRow(i, x.Row(i) - mean);
        var h = x.TransposeThisAndMultiply(x) / n;
        var yv = Vector<double>.Build.DenseOfArray(y);
        var wStar = h.Solve(x.TransposeThisAndMultiply(yv) / n);
        var r = yv - x * wStar;
        double lambdaMax = h.Evd().EigenValues.Real().Maximum();
        double lr = 0.8 * 2 / (lambdaMax + h.Trace() / batch); // close to the edge
        var m = -wStar;
        var s = m.OuterProduct(m);
        var expected = new double[steps + 1];
        expected[0] = 0.5 * (h * s).Trace();
        for (int t = 1; t <= steps; t++)
        {
            var xs = x * s;
            var xm = x * m;
            var wx = Matrix<double>.Build.Dense(n, d);
            for (int i = 0; i < n; i++)
            {
                double w = xs.Row(i) * x.Row(i) + r[i] * r[i] - 2 * r[i] * xm[i];
                wx.SetRow(i, w * x.Row(i));
            }
            var f = x.TransposeThisAndMultiply(wx);
            var next = s - lr * (h * s + s * h) + lr * lr * (f / (n * batch) + (1 - 1.0 / batch) * (h * s * h));
            m -= lr * (h * m);
            s = next;
            expected[t] = 0.5 * (h * s).Trace();
        }
        var data = DataSet.Analyse(raw, y);
        var actual = DataRisk.Trajectory(new DataProblem(data, batch, data.InitialError(), null), Sgd.Create(lr), steps, MomentModel.Empirical);
        TestSupport.WorstRelErr(actual, expected).ShouldBeLessThan(1e-9);
    }
}
