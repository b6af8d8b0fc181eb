using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The fast kernels of the empirical model (upper-triangle quadratic forms, row-blocked Gram matrix) against the plain
/// reference kernels kept beside them (and the product X M of the data's rotation against a direct loop), at every SIMD width and on shapes that exercise the padding and several row
/// blocks; the recursion run on either; and the cost model's multiply-add count against the kernels' loop structure.
/// </summary>
public class EmpiricalKernelTests
{
    private static (double[] X, double[] Q, double[] W) Random(int rows, int d, int dp, int seed)
    {
        var rng = new System.Random(seed);
        var x = new double[rows * dp];
        for (int i = 0; i < rows; i++) for (int a = 0; a < d; a++) x[i * dp + a] = rng.NextDouble() * 2 - 1;
        var q = new double[dp * dp];
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++) q[a * dp + b] = q[b * dp + a] = rng.NextDouble() * 2 - 1 + (a == b ? d : 0);
        var w = new double[rows];
        for (int i = 0; i < rows; i++) w[i] = rng.NextDouble();
        return (x, q, w);
    }

    private static double MaxRel(double[] a, double[] b)
    {
        double scale = b.Max(Math.Abs), worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]) / scale);
        return worst;
    }

    private static void Run<V>(int d, int rows) where V : struct, ISimd<V>
    {
        int c = 4 * V.Count, dp = (d + c - 1) / c * c;
        var (x, q, w) = Random(rows, d, dp, d * 1000 + rows);
        var plain = new double[rows];
        var fast = new double[rows];
        DataKernels.QuadraticForms<V>(x, q, dp, d, 0, rows, plain);
        var u = new double[dp * dp];
        DataKernels.UpperForm(q, d, dp, u);
        DataKernels.QuadraticFormsUpper<V>(x, u, dp, d, 0, rows / 2 / 4 * 4, fast);
        DataKernels.QuadraticFormsUpper<V>(x, u, dp, d, rows / 2 / 4 * 4, rows, fast);
        MaxRel(fast, plain).ShouldBeLessThan(1e-13);
        // a direct double loop as a third opinion
        for (int i = 0; i < rows; i += 17)
        {
            double s = 0;
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) s += x[i * dp + a] * q[a * dp + b] * x[i * dp + b];
            fast[i].ShouldBe(s, 1e-12 * Math.Abs(s));
        }

        var y = new double[rows * dp];
        for (int i = 0; i < rows; i++) for (int a = 0; a < d; a++) y[i * dp + a] = w[i] * x[i * dp + a];
        var f1 = new double[dp * dp];
        DataKernels.WeightedGram<V>(y, x, rows, dp, 0, (d + 3) / 4 * 4, 0.25, f1);
        DataKernels.MirrorUpper(f1, d, dp);
        foreach (int parts in new[] { 1, 3, 8 })
        {
            var f2 = new double[dp * dp];
            var split = DataKernels.BalancedBlocks(d, dp, c, parts);
            split.SelectMany(p => p).ShouldBe(Enumerable.Range(0, (d + 3) / 4)); // every block once, in order
            foreach (var p in split) DataKernels.WeightedGramBlocked<V>(y, x, rows, dp, p, 0.25, f2);
            DataKernels.MirrorUpper(f2, d, dp);
            MaxRel(f2, f1).ShouldBeLessThan(1e-13);
        }
        // C = X M (the rotation of the data) against a direct loop; M is d × c with the rows of Q as values
        var m = new double[d * c];
        for (int a = 0; a < d; a++) for (int j = 0; j < Math.Min(c, d); j++) m[a * c + j] = q[a * dp + j];
        var prod = new double[rows * c];
        DataKernels.Multiply<V>(x, dp, d, m, c, 0, rows, prod);
        for (int i = 0; i < rows; i += 5)
            for (int j = 0; j < c; j++)
            {
                double s = 0;
                for (int a = 0; a < d; a++) s += x[i * dp + a] * m[a * c + j];
                prod[i * c + j].ShouldBe(s, 1e-12 * (1 + Math.Abs(s)));
            }
    }

    [Theory]
    [InlineData(19, 204)]
    [InlineData(37, 132)]
    [InlineData(64, 8)]
    public void Fast_kernels_equal_the_reference_kernels(int d, int rows)
    {
        Run<V128>(d, rows);
        if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) Run<V256>(d, rows);
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Run<V512>(d, rows);
    }

    [Fact]
    public void The_recursion_on_fast_kernels_is_the_recursion_on_the_reference_kernels()
    {
        var x = EmpiricalMomentsTests.RandomMatrix(203, 37, 9, heavy: true);
        var rng = new System.Random(4);
        var data = DataSet.Analyse(x, Enumerable.Range(0, 203).Select(_ => rng.NextDouble()).ToArray());
        var problem = new DataProblem(data, 3, data.InitialError(), null);
        foreach (var method in new LinearMethod[] { Sgd.Create(0.05), HeavyBall.Create(0.03, 0.7) })
        {
            var fast = new EmpiricalMoments(problem, method, new ExecutionOptions(2), referenceKernels: false);
            var plain = new EmpiricalMoments(problem, method, new ExecutionOptions(1), referenceKernels: true);
            for (int t = 0; t < 60; t++)
            {
                fast.Risk.ShouldBe(plain.Risk, 1e-12 * plain.Risk);
                fast.Step(); plain.Step();
            }
        }
    }

    /// <summary>The count walks the kernels' loops (4-row groups × column panels × inner index; 4 Dot4 products of 4
    /// vectors per group and panel; 16 vector products per data row and block of F per panel) — the formula of
    /// <see cref="EmpiricalMoments.StepMultiplyAdds"/> must be that count, and about n d².</summary>
    [Theory]
    [InlineData(1797, 64, 8)]
    [InlineData(10000, 784, 8)]
    [InlineData(203, 19, 4)]
    [InlineData(5, 3, 2)]
    public void The_cost_model_counts_the_kernels_multiply_adds(int n, int d, int lanes)
    {
        int c = 4 * lanes, dp = (d + c - 1) / c * c, rows = (n + 3) / 4 * 4;
        long vectorFmas = 0;
        for (int i = 0; i < rows; i += 4)
            for (int j = 0; j < dp; j += c)
            {
                for (int a = 0; a < Math.Min(d, j + c); a++) vectorFmas += 16;
                vectorFmas += 16;
            }
        for (int a = 0; a < (d + 3) / 4 * 4; a += 4)
            for (int j = a / c * c; j < dp; j += c)
                vectorFmas += 16L * rows;
        EmpiricalMoments.StepMultiplyAdds(n, d, lanes).ShouldBe(vectorFmas * (double)lanes);
        if (d >= 64) (EmpiricalMoments.StepMultiplyAdds(n, d, lanes) / ((double)n * d * d)).ShouldBeInRange(1.0, 1.6);
        var one = EmpiricalMoments.EstimatedSeconds(n, d, 2, 1000, new ExecutionOptions(1));
        EmpiricalMoments.EstimatedSeconds(n, d, 2, 2000, new ExecutionOptions(1)).ShouldBe(2 * one, 1e-12 * one);
    }
}
