using System.Runtime.Intrinsics;
using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The tiled AVX-512 kernels of the empirical model (8 × 24 register tile over packed panels) against the plain
/// reference kernels, with a rigorous rounding bound as the tolerance: two evaluations of a sum of m products in
/// different orders differ by at most 2γ_m Σ|products| (γ_m = m u / (1 − m u), u = 2⁻⁵³). Shapes exercise every
/// padding (d not a multiple of 8, 24 or the 128 depth block; n not a multiple of 8 or the 512-row block). Outputs must
/// be bit-for-bit the same whatever the split of the work (thread count). On a machine without AVX-512 the tiled path
/// does not exist and these tests only check that the recursion falls back.
/// </summary>
public class TiledKernelTests
{
    private static double Gamma(int m) => m * Math.Pow(2, -53) / (1 - m * Math.Pow(2, -53));

    private static (double[] X, double[] Q) Random(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n * d];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() * 2 - 1;
        var q = new double[d * d];
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++) q[a * d + b] = q[b * d + a] = rng.NextDouble() * 2 - 1;
        return (x, q);
    }

    private static bool Tiled => DataKernels.TiledAvailable(512);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 5)]
    [InlineData(13, 24)]
    [InlineData(37, 25)]
    [InlineData(530, 131)]
    [InlineData(1030, 9)]
    public void Tiled_quadratic_forms_equal_the_plain_ones_within_the_rounding_bound(int n, int d)
    {
        if (!Tiled) return;
        var (x, q) = Random(n, d, 17 * n + d);
        // the plain kernel at the 512-bit width: rows padded to 4, columns to 32
        int dp = (d + 31) / 32 * 32, rows = (n + 3) / 4 * 4;
        var xp = new double[rows * dp];
        var qp = new double[dp * dp];
        for (int i = 0; i < n; i++) Array.Copy(x, i * d, xp, i * dp, d);
        for (int a = 0; a < d; a++) Array.Copy(q, a * d, qp, a * dp, d);
        var plain = new double[rows];
        DataKernels.QuadraticForms<V512>(xp, qp, dp, d, 0, rows, plain);

        var packed = new DataKernels.Packed(x, n, d);
        var u = DataKernels.Aligned(DataKernels.UpperLength(d), out int uo);
        DataKernels.PackUpper(qp, d, dp, u, uo);
        var fast = new double[packed.Rows];
        DataKernels.TiledForms(packed, u, uo, 0, packed.Rows, fast, new double[192]);
        for (int i = 0; i < n; i++)
        {
            double abs = 0, direct = 0;
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                {
                    double t = x[i * d + a] * q[a * d + b] * x[i * d + b];
                    abs += Math.Abs(t); direct += t;
                }
            double bound = 2 * Gamma(2 * d + 2) * abs;
            Math.Abs(fast[i] - plain[i]).ShouldBeLessThanOrEqualTo(bound, $"row {i}");
            Math.Abs(fast[i] - direct).ShouldBeLessThanOrEqualTo(bound, $"row {i} against the direct double sum");
        }
        for (int i = n; i < packed.Rows; i++) fast[i].ShouldBe(0.0); // padded rows are zero

        // any split into row ranges (multiples of 8) gives the same bits: the thread count cannot change a result
        var split = new double[packed.Rows];
        for (int i0 = 0; i0 < packed.Rows; i0 += 24)
            DataKernels.TiledForms(packed, u, uo, i0, Math.Min(packed.Rows, i0 + 24), split, new double[192]);
        split.ShouldBe(fast);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(9, 8)]
    [InlineData(130, 25)]
    [InlineData(261, 49)]
    [InlineData(300, 131)]
    public void Tiled_gram_equals_the_plain_one_within_the_rounding_bound(int n, int d)
    {
        if (!Tiled) return;
        var (x, _) = Random(n, d, 31 * n + d);
        var rng = new Random(n + 3 * d);
        var packed = new DataKernels.Packed(x, n, d);
        var w = new double[packed.Rows];
        for (int i = 0; i < n; i++) w[i] = rng.NextDouble() * 3 - 1; // signed weights, as with residual cross terms
        int dp = (d + 31) / 32 * 32, rows = (n + 3) / 4 * 4;
        var xp = new double[rows * dp];
        var yp = new double[rows * dp];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++) { xp[i * dp + a] = x[i * d + a]; yp[i * dp + a] = w[i] * x[i * d + a]; }
        const double scale = 0.37;
        var plain = new double[dp * dp];
        DataKernels.WeightedGram<V512>(yp, xp, rows, dp, 0, (d + 3) / 4 * 4, scale, plain);
        DataKernels.MirrorUpper(plain, d, dp);

        var tiles = new double[DataKernels.GramLength(d)];
        var scratch = DataKernels.Aligned(DataKernels.TileDepth * DataKernels.TileColumns, out int so);
        DataKernels.TiledGram(packed, w, 0, packed.P, tiles, scratch, so);
        var fast = new double[dp * dp];
        DataKernels.UnpackGram(tiles, d, dp, scale, fast);
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
            {
                double abs = 0;
                for (int i = 0; i < n; i++) abs += Math.Abs(w[i] * x[i * d + a] * x[i * d + b]);
                double bound = 2 * Gamma(n + 3) * scale * abs;
                Math.Abs(fast[a * dp + b] - plain[a * dp + b]).ShouldBeLessThanOrEqualTo(bound, $"F[{a},{b}]");
                fast[a * dp + b].ShouldBe(fast[b * dp + a]); // symmetric exactly
            }

        // the panels split into any ranges (the work items of the threads) give the same bits
        foreach (int parts in new[] { 2, 3, 7 })
        {
            var tiles2 = new double[tiles.Length];
            foreach (var (p0, p1) in DataKernels.GramPanelRanges(d, parts)) DataKernels.TiledGram(packed, w, p0, p1, tiles2, scratch, so);
            tiles2.ShouldBe(tiles);
        }
    }

    [Theory]
    [InlineData(100, 4)]
    [InlineData(33, 2)]
    [InlineData(1, 5)]
    public void Gram_panel_ranges_cover_every_panel_once_in_order(int d, int parts)
    {
        var ranges = DataKernels.GramPanelRanges(d, parts);
        ranges.SelectMany(r => Enumerable.Range(r.P0, r.P1 - r.P0)).ShouldBe(Enumerable.Range(0, DataKernels.Panels(d)));
        ranges.Length.ShouldBeLessThanOrEqualTo(parts);
    }

    [Fact]
    public void Packing_pads_with_zeros_and_keeps_every_value()
    {
        int n = 11, d = 27;
        var (x, _) = Random(n, d, 5);
        var p = new DataKernels.Packed(x, n, d);
        p.Rows.ShouldBe(16);
        p.P.ShouldBe(2);
        for (int i = 0; i < p.Rows; i++)
            for (int a = 0; a < 48; a++)
            {
                double v = i < n && a < d ? x[i * d + a] : 0;
                p.PanelData[p.PanelOffset + (a / 8 * p.Rows + i) * 8 + a % 8].ShouldBe(v);
                if (a < d) p.GroupData[p.GroupOffset + (i / 8 * d + a) * 8 + i % 8].ShouldBe(v);
            }
    }

    /// <summary>The recursion on the tiled kernels (1 and 2 threads: bit-for-bit the same) against the reference kernels,
    /// with a real target (the residual terms) and heavy ball, on a problem large enough to run in parallel over several
    /// row blocks and panels.</summary>
    [Fact]
    public void The_recursion_on_tiled_kernels_is_thread_independent_and_equals_the_reference()
    {
        var x = EmpiricalMomentsTests.RandomMatrix(1100, 101, 3, heavy: true);
        (1100.0 * 101 * 101).ShouldBeGreaterThan(EmpiricalMoments.ParallelWork); // large enough to run on two threads
        var rng = new Random(8);
        var data = DataSet.Analyse(x, Enumerable.Range(0, 1100).Select(_ => rng.NextDouble()).ToArray());
        var problem = new DataProblem(data, 4, data.InitialError(), null);
        var method = HeavyBall.Create(0.02, 0.8);
        var one = new EmpiricalMoments(problem, method, new ExecutionOptions(1), DataKernelSet.Tiled);
        var two = new EmpiricalMoments(problem, method, new ExecutionOptions(2), DataKernelSet.Tiled);
        var plain = new EmpiricalMoments(problem, method, new ExecutionOptions(1), DataKernelSet.Reference);
        for (int t = 0; t < 25; t++)
        {
            two.Risk.ShouldBe(one.Risk); // exactly
            one.Risk.ShouldBe(plain.Risk, 1e-12 * plain.Risk);
            one.Step(); two.Step(); plain.Step();
        }
    }

    /// <summary>The tiled count walks the tiled kernels' loops (tile products of depth × 8 × 24 per group of 8 rows, the
    /// 8 × 24 fold of each tile into q, the w ∘ panel scaling per row and panel) — the formula of
    /// <see cref="EmpiricalMoments.TiledStepMultiplyAdds"/> must be that count, and about n d²; the estimate on the tiled
    /// kernels is that count at the tiled rate (one thread), plus the block algebra.</summary>
    [Theory]
    [InlineData(1797, 64)]
    [InlineData(10000, 784)]
    [InlineData(203, 19)]
    [InlineData(5, 3)]
    public void The_cost_model_counts_the_tiled_kernels_multiply_adds(int n, int d)
    {
        int rows = (n + 7) / 8 * 8, panels = (d + 23) / 24;
        long count = 0;
        for (int i = 0; i < rows; i += 8)
        {
            for (int p = 0; p < panels; p++)
            {
                int depth = Math.Min(d, 24 * p + 24);
                for (int a0 = 0; a0 < depth; a0 += 128) count += Math.Min(128, depth - a0) * 192L + 192; // tile + fold
            }
        }
        for (int i0 = 0; i0 < rows; i0 += 128)
        {
            int kc = Math.Min(128, rows - i0);
            for (int p = 0; p < panels; p++)
            {
                count += kc * 24L;                                            // w ∘ panel
                for (int g = 0; g < 3 * p + 3; g++) count += kc * 192L;      // tiles of the upper triangle
            }
        }
        EmpiricalMoments.TiledStepMultiplyAdds(n, d).ShouldBe((double)count);
        if (d >= 64) (count / ((double)n * d * d)).ShouldBeInRange(1.0, 1.75); // 1.68 at d = 64 (72 padded columns, whole diagonal tiles), 1.08 at d = 784
        var options = new ExecutionOptions(1, VectorBits: 512);
        if (DataKernels.TiledAvailable(512))
            EmpiricalMoments.EstimatedSeconds(n, d, 2, 10, options).ShouldBe(
                10 * (count / EmpiricalMoments.TiledMultiplyAddsPerSecond + 24.0 * d * d * 1e-9), 1e-12 * count);
    }
}
