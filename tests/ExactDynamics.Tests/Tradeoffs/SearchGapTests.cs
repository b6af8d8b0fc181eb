using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Tradeoffs;

public class SearchGapTests
{
    private static LinearMethod RandomMethod(Random rng, int kind) => kind switch
    {
        0 => Sgd.Create(Math.Exp(rng.NextDouble() * 6 - 5)),
        1 => HeavyBall.Create(Math.Exp(rng.NextDouble() * 6 - 6), 1 - Math.Exp(-rng.NextDouble() * 8)),
        2 => Nesterov.Create(Math.Exp(rng.NextDouble() * 6 - 6), 1 - Math.Exp(-rng.NextDouble() * 8)),
        3 => TorchMomentum.Create(Math.Exp(rng.NextDouble() * 6 - 6), 1 - Math.Exp(-rng.NextDouble() * 8), rng.Next(2) == 0),
        _ => RandomAsgd(rng),
    };

    private static LinearMethod RandomAsgd(Random rng)
    {
        double kappa = Math.Exp(rng.NextDouble() * 8);
        double oneMinusAlpha = 2 * rng.NextDouble() * rng.NextDouble();
        return Asgd.Create(Math.Exp(rng.NextDouble() * 6 - 6), kappa, oneMinusAlpha * kappa / 0.49);
    }

    [Theory]
    [InlineData(1.0, 40, 3.0)]
    [InlineData(2.0, 60, 3.0)]
    [InlineData(0.5, 80, 1.0)]
    [InlineData(3.0, 30, 5.0)]
    public void Agrees_with_the_core_gap_to_1e9_relative_and_on_divergence(double a, int d, double m4)
    {
        var rng = new Random(17);
        foreach (double b in new[] { 1.0, 3.7, 64, 4096, 1e9 })
        {
            var p = new Problem(Spectrum.PowerLaw(a, d), batch: b, kurtosis: m4);
            var sg = new SearchGap(p);
            for (int r = 0; r < 10; r++)
            {
                var m = RandomMethod(rng, r % 5);
                var exact = ContractionGap.Compute(p, m);
                double g = sg.Gap(m);
                if (exact.Diverges) g.ShouldBeLessThanOrEqualTo(0, m.Spec);
                else Math.Abs(g - exact.Gap).ShouldBeLessThan(1e-9 * exact.Gap, $"{m.Spec} B={b}");
                (sg.StabilityResidual(m) > 0).ShouldBe(!exact.Diverges, m.Spec);
            }
        }
    }

    [Theory]
    [InlineData(3.0, 37)]
    [InlineData(1.0, 37)]
    [InlineData(2.0, 37)]
    [InlineData(3.0, 5)]
    [InlineData(1.0, 3)]
    public void Weighted_nodes_give_the_gap_of_the_spectrum_with_repeated_eigenvalues(double m4, int n)
    {
        // nodes with integer multiplicities against the core solver on the expanded spectrum (each node repeated):
        // the weighted secular sum is a different code path from the repeated directions; n = 37 is not a multiple of
        // any vector width, n = 5 and 3 are below it (the scalar tail only)
        var rng = new Random(11);
        double[] nodes = Enumerable.Range(1, n).Select(i => Math.Pow(i, -1.3) * (1 + 0.01 * rng.NextDouble())).ToArray();
        double[] weights = nodes.Select(_ => (double)rng.Next(1, 6)).ToArray();
        var expanded = Spectrum.FromValues(nodes.SelectMany((l, i) => Enumerable.Repeat(l, (int)weights[i])).ToArray());
        int convergentK3 = 0;
        foreach (double b in new[] { 1.0, 8, 300 })
        {
            var p = new Problem(expanded, batch: b, kurtosis: m4);
            var sg = new SearchGap(p, nodes, weights);
            for (int r = 0; r < 26; r++)
            {
                // 25 random k ≤ 2 methods and a k = 3 one (two-lag momentum, the general resolvent path)
                var m = r < 25 ? RandomMethod(rng, r % 5)
                    : new LinearMethod(new double[,] { { 1.5, -0.3, -0.2 }, { 1, 0, 0 }, { 0, 1, 0 } }, [0.01, 0, 0], [1, 0, 0], [1, 0, 0]);
                var exact = ContractionGap.Compute(p, m);
                double g = sg.Gap(m);
                if (exact.Diverges) g.ShouldBeLessThanOrEqualTo(0, m.Spec);
                else Math.Abs(g - exact.Gap).ShouldBeLessThan(1e-11 * exact.Gap, $"{m.Spec} B={b}");
                (sg.StabilityResidual(m) > 0).ShouldBe(!exact.Diverges, m.Spec);
                if (m.K == 3 && !exact.Diverges) convergentK3++;
            }
        }
        convergentK3.ShouldBe(3);
    }

    [Fact]
    public void Compression_does_not_depend_on_the_order_of_the_eigenvalues()
    {
        // descending (power laws: read in reverse, no copy), ascending (read as is) and shuffled (a sorted copy)
        var desc = Spectrum.PowerLaw(1.2, 3000).ToArray();
        var asc = desc.Reverse().ToArray();
        var shuffled = (double[])desc.Clone();
        new Random(3).Shuffle(shuffled);
        var a = SpectrumCompression.Compress(desc, FamilySearch.CompressionEps);
        var b = SpectrumCompression.Compress(asc, FamilySearch.CompressionEps);
        var c = SpectrumCompression.Compress(shuffled, FamilySearch.CompressionEps);
        b.Nodes.ShouldBe(a.Nodes);
        c.Nodes.ShouldBe(a.Nodes);
        b.Weights.ShouldBe(a.Weights);
        c.Weights.ShouldBe(a.Weights);
        a.Nodes.ShouldBeInOrder(SortDirection.Ascending);
        a.Weights.Sum().ShouldBe(3000);
        // Σ w λ² is kept (root-mean-square nodes)
        a.Nodes.Select((l, i) => a.Weights[i] * l * l).Sum().ShouldBe(desc.Sum(l => l * l), 1e-12);
    }

    [Theory]
    [InlineData(1.0, 40, 3.0)]
    [InlineData(2.0, 60, 3.0)]
    [InlineData(0.5, 80, 1.0)]
    [InlineData(0.0, 5, 3.0)]
    [InlineData(1.5, 20000, 3.0)]
    public void A_hint_never_changes_the_root(double a, int d, double m4)
    {
        // hints near, below, above, absurdly small, at the top of the search and random: the same divergence and
        // secular-root flags, and the gap to 1e-12 relative (a Newton path from a hint may end a few ulps away)
        var rng = new Random(5);
        foreach (double b in new[] { 1.0, 3.7, 64, 1e6 })
        {
            var p = new Problem(Spectrum.PowerLaw(a, d), batch: b, kurtosis: m4);
            for (int r = 0; r < (d > 1000 ? 4 : 30); r++)
            {
                var m = RandomMethod(rng, r % 5);
                var sys = new ContractionGap.SecularSystem(p, m);
                var exact = sys.Solve();
                foreach (double hint in new[] { exact.Gap * (1 + 1e-9), exact.Gap * 0.5, exact.Gap * 2, exact.Gap * 1e-6, 1e-300,
                             0.999 * sys.GammaTop, Math.BitIncrement(exact.Gap), rng.NextDouble() })
                {
                    var g = new ContractionGap.SecularSystem(p, m).Solve(hint, localRadius: true);
                    g.Diverges.ShouldBe(exact.Diverges, $"{m.Spec} B={b} hint={hint}");
                    g.SecularRoot.ShouldBe(exact.SecularRoot, $"{m.Spec} B={b} hint={hint}");
                    if (exact.Gap != 0) Math.Abs(g.Gap - exact.Gap).ShouldBeLessThanOrEqualTo(1e-12 * Math.Abs(exact.Gap), $"{m.Spec} B={b} hint={hint}");
                }
            }
        }
    }

    [Fact]
    public void Keeps_relative_precision_for_tiny_gaps()
    {
        // κ = 1e12: the gap of SGD is far below machine epsilon relative to 1
        var p = new Problem(Spectrum.FromValues([1, 1e-6, 1e-12]), batch: 1e6);
        var m = Sgd.Create(1.0);
        var exact = ContractionGap.Compute(p, m);
        var g = new SearchGap(p).Gap(m);
        exact.Gap.ShouldBeLessThan(1e-10);
        Math.Abs(g - exact.Gap).ShouldBeLessThan(1e-9 * exact.Gap);
    }

    [Fact]
    public void Warm_hints_give_the_same_gaps_in_fewer_passes()
    {
        var rng = new Random(5);
        var p = new Problem(Spectrum.PowerLaw(1, 300), batch: 8);
        var cold = new SearchGap(p);
        var warm = new SearchGap(p);
        for (int r = 0; r < 40; r++)
        {
            var m = RandomMethod(rng, r % 5);
            double g0 = cold.Gap(m);
            if (!(g0 > 0)) continue;
            double g1 = warm.Gap(m, g0 * (1 + 0.01 * (rng.NextDouble() - 0.5)));
            Math.Abs(g1 - g0).ShouldBeLessThan(1e-9 * g0, m.Spec);
        }
        warm.Passes.ShouldBeLessThan(cold.Passes);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public void The_compressed_spectrum_has_few_nodes_and_keeps_near_optimal_gaps(double a)
    {
        var sp = Spectrum.PowerLaw(a, 5000);
        var (nodes, weights) = SpectrumCompression.Compress(sp.Values, FamilySearch.CompressionEps);
        nodes.Length.ShouldBeLessThan(900);
        weights.Sum().ShouldBe(5000);
        nodes.Min().ShouldBe(sp.Min);
        nodes.Max().ShouldBe(sp.Max);
        foreach (double b in new[] { 1.0, 64, 4096 })
        {
            var p = new Problem(sp, batch: b);
            var exact = new SearchGap(p);
            var comp = new SearchGap(p, nodes, weights);
            foreach (var fam in new[] { MethodFamily.Sgd, MethodFamily.HeavyBall })
            {
                var t = Tuner.Tune(p, fam);
                double g = comp.Gap(t.Method);
                Math.Abs(g - t.Gap).ShouldBeLessThan(2e-5 * t.Gap, $"{t.Spec} B={b}");
                Math.Abs(exact.Gap(t.Method) - t.Gap).ShouldBeLessThan(1e-9 * t.Gap);
            }
        }
    }
}
