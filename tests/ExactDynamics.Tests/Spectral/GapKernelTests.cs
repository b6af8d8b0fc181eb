using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;

namespace ExactDynamics.Tests.Performance;

/// <summary>The vectorised, chunked and screened gap solver against its own brute-force pieces and the scalar resolvent,
/// its independence of thread count and SIMD width, the precision case, and allocation.</summary>
public class GapKernelTests
{
    private static IEnumerable<(string, LinearMethod)> Methods()
    {
        yield return ("sgd", Sgd.Create(0.5));
        yield return ("hb", HeavyBall.Create(0.1, 0.9));
        yield return ("hb-divergent", HeavyBall.Create(0.5, 0.9));
        yield return ("nesterov", Nesterov.Create(0.3, 0.8));
        yield return ("asgd", Asgd.Create(0.3, 50, 5));
        yield return ("torch", TorchMomentum.Create(0.1, 0.9));
    }

    private static Problem PowerLaw(double a, int d, double batch, double kurtosis) => new(Spectrum.PowerLaw(a, d), batch: batch, kurtosis: kurtosis);

    [Fact]
    public void Precision_case_keeps_its_digits()
    {
        var g = ContractionGap.Compute(PowerLaw(3, 10_000, 4, 3), Sgd.Create(0.5));
        g.Gap.ShouldBeInRange(9.999999999996e-13 * (1 - 1e-12), 9.999999999997e-13);
        g.Diverges.ShouldBeFalse();
    }

    [Theory]
    [InlineData(1.0, 1.0, 3.0)]
    [InlineData(1.5, 8.0, 3.0)]
    [InlineData(2.0, 4.0, 5.0)]
    [InlineData(1.0, 2.0, 2.5)]
    public void Screened_lower_end_equals_the_minimum_over_every_local_pole(double a, double batch, double kurtosis)
    {
        foreach (int d in new[] { 1, 5, 13, 1000, 20_003 })
            foreach (var (name, m) in Methods())
            {
                var sys = new ContractionGap.SecularSystem(PowerLaw(a, d, batch, kurtosis), m);
                sys.GammaLow().ShouldBe(sys.GammaLowBruteForce(), $"{name}, d = {d}");
            }
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(128)]
    public void Vectorised_secular_sum_matches_the_scalar_resolvent(int bits)
    {
        foreach (int d in new[] { 1, 3, 7, 9, 100, 1001, 40_000 })
            foreach (var (name, m) in Methods())
            {
                var p = PowerLaw(1.2, d, 4, 3);
                var sys = new ContractionGap.SecularSystem(p, m, new ExecutionOptions(2, VectorBits: bits));
                var blocks = new LocalBlocks(m);
                foreach (double frac in new[] { 0.5, 0.9, 1.0 - 1e-9, -3.0 })
                {
                    double gamma = sys.GammaTop * frac;
                    sys.Secular(gamma, out bool valid, out double f, out double df);
                    // scalar, in index order
                    bool v2 = true; double s = 0, ds = 0;
                    var lam = p.Spectrum.Values;
                    for (int i = 0; i < d && v2; i++)
                    {
                        double l = lam[i];
                        if (!blocks.Resolvent(l, gamma, out double g, out double gp) || g < 0) { v2 = false; break; }
                        double den = 1 - (p.Kurtosis - 2) * l * l / p.Batch * g;
                        if (den <= 0) { v2 = false; break; }
                        s += l * l * g / den;
                        ds += l * l * gp / (den * den);
                    }
                    valid.ShouldBe(v2, $"{name}, d = {d}, γ = {gamma}");
                    if (!valid) continue;
                    Math.Abs(f - s / p.Batch).ShouldBeLessThanOrEqualTo(5e-14 * Math.Abs(f), name);
                    Math.Abs(df - ds / p.Batch).ShouldBeLessThanOrEqualTo(5e-14 * Math.Abs(df), name);
                }
            }
    }

    [Fact]
    public void Gap_is_independent_of_threads_and_nearly_of_vector_width()
    {
        var p = PowerLaw(1.5, 40_003, 8, 3); // above the parallel threshold: several chunks
        foreach (var (name, m) in Methods())
        {
            var one = ContractionGap.Compute(p, m, new ExecutionOptions(1));
            var two = ContractionGap.Compute(p, m, new ExecutionOptions(2));
            two.ShouldBe(one, name);
            foreach (int bits in new[] { 256, 128 })
            {
                var other = ContractionGap.Compute(p, m, new ExecutionOptions(2, VectorBits: bits));
                Math.Abs(other.Gap - one.Gap).ShouldBeLessThanOrEqualTo(1e-13 * Math.Abs(one.Gap), name);
                other.Diverges.ShouldBe(one.Diverges);
            }
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    public void Local_radius_for_platykurtic_data_matches_dense_eigenvalues(double kurtosis)
    {
        foreach (int d in new[] { 1, 6, 50, 500 })
            foreach (var (name, m) in Methods())
            {
                var p = PowerLaw(1.0, d, 2, kurtosis);
                var sys = new ContractionGap.SecularSystem(p, m);
                var r = sys.Solve();
                double dense = sys.LocalRadiusBruteForce();
                Math.Abs(r.RhoLocal - dense).ShouldBeLessThanOrEqualTo(1e-12 * dense, $"{name}, d = {d}");
            }
    }

    [Fact]
    public void A_gap_at_d_ten_thousand_allocates_almost_nothing()
    {
        var p = PowerLaw(1.5, 10_000, 8, 3);
        var p1 = PowerLaw(1.5, 10_000, 8, 1);
        foreach (var (name, m) in Methods())
        {
            ContractionGap.Compute(p, m); // warm the eigenvalue cache
            ContractionGap.Compute(p1, m);
            long before = GC.GetAllocatedBytesForCurrentThread();
            ContractionGap.Compute(p, m);
            ContractionGap.Compute(p1, m);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            bytes.ShouldBeLessThan(32_000, name);
        }
    }
}
