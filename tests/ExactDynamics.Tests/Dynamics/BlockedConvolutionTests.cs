using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;

namespace ExactDynamics.Tests.Performance;

/// <summary>
/// The blocked FFT solver of the renewal convolution (<see cref="BlockedConvolution"/>) against the direct O(T²)
/// solver on the same local sequences (the independent reference: non-negative terms, a few ulps at every t), and the
/// long-horizon renewal path against the fused pass.
/// </summary>
public class BlockedConvolutionTests
{
    /// <summary>Log-uniform eigenvalues in [λ_min, 1]·40/d (λ₁ = 1; tr H as for d = 40), s_i ∈ [0.1, 1.1).</summary>
    private static Problem Problem(int seed, int d, double lambdaMin, double batch, double noise)
    {
        var rng = new Random(seed);
        var lam = new double[d];
        double scale = Math.Min(1, 40.0 / d);
        for (int i = 0; i < d; i++) lam[i] = scale * lambdaMin * Math.Pow(1 / lambdaMin, rng.NextDouble());
        lam[0] = 1;
        var init = new double[d];
        for (int i = 0; i < d; i++) init[i] = 0.1 + rng.NextDouble();
        return new Problem(Spectrum.FromValues(lam), init, batch, 3, noise);
    }

    private static LinearMethod Method(string name) => name switch
    {
        "sgd" => Sgd.Create(0.5),
        "hb" => HeavyBall.Create(0.1, 0.9),
        "asgd" => Asgd.Create(0.3, 50, 5),
        "nesterov" => Nesterov.Create(0.3, 0.8),
        _ => throw new ArgumentException(name),
    };

    private static (double[] Direct, double[] Blocked, BlockedConvolution Solver) Both(Problem p, LinearMethod m, int steps)
    {
        var seq = VolterraRisk.LocalSequences(p, m, steps, ExecutionOptions.SingleThread);
        seq.ShouldNotBeNull();
        BlockedConvolution.Applicable(seq).ShouldBeTrue();
        var direct = VolterraRisk.SolveDirect(p, seq, steps);
        var solver = new BlockedConvolution(seq, 1.0 / p.Batch, p.Noise, steps);
        var blocked = solver.Run();
        direct.ShouldNotBeNull();
        blocked.ShouldNotBeNull();
        return (direct, blocked, solver);
    }

    [Fact]
    public void Fft_round_trip_and_a_small_convolution()
    {
        const int n = 64;
        var rng = new Random(3);
        var a = new double[n / 2]; var k = new double[n / 2];
        for (int i = 0; i < n / 2; i++) { a[i] = rng.NextDouble(); k[i] = rng.NextDouble(); }
        var (cos, sin) = Fft.Twiddles(n);
        var ar = new double[n]; var ai = new double[n]; var br = new double[n]; var bi = new double[n];
        a.CopyTo(ar, 0); k.CopyTo(br, 0);
        Fft.ForwardToBitReversed(ar, ai, n, cos, sin);
        Fft.ForwardToBitReversed(br, bi, n, cos, sin);
        for (int i = 0; i < n; i++) { double xr = ar[i], xi = ai[i]; ar[i] = xr * br[i] - xi * bi[i]; ai[i] = xr * bi[i] + xi * br[i]; }
        Fft.InverseFromBitReversed(ar, ai, n, cos, sin);
        for (int t = 0; t < n - 1; t++)
        {
            double c = 0;
            for (int s = 0; s <= t; s++) if (s < n / 2 && t - s < n / 2) c += a[s] * k[t - s];
            Math.Abs(ar[t] / n - c).ShouldBeLessThan(1e-14 * Math.Max(c, 1), $"t = {t}");
            Math.Abs(ai[t] / n).ShouldBeLessThan(1e-14);
        }
    }

    /// <summary>Slowly (power-law-like, λ_min = 1e-5) and fast (λ_min = 1e-2 or 3e-3, the risk falls by tens of orders of
    /// magnitude) decaying risks, with and without noise, T = 2·10⁴ (five levels of FFT squares).</summary>
    [Theory]
    [InlineData("sgd", 1e-5, 0.0)]
    [InlineData("sgd", 1e-2, 0.0)]
    [InlineData("sgd", 1e-5, 1e-3)]
    [InlineData("hb", 1e-5, 0.0)]
    [InlineData("hb", 3e-3, 0.0)]
    [InlineData("hb", 1e-5, 1e-3)]
    [InlineData("asgd", 1e-5, 0.0)]
    [InlineData("asgd", 1e-2, 0.0)]
    [InlineData("asgd", 1e-3, 1e-3)]
    [InlineData("nesterov", 1e-5, 0.0)]
    [InlineData("nesterov", 3e-3, 0.0)]
    [InlineData("nesterov", 1e-5, 1e-3)]
    public void Blocked_fft_matches_the_direct_convolution_at_every_step(string method, double lambdaMin, double noise)
    {
        var p = Problem(7, 40, lambdaMin, 16, noise);
        var (direct, blocked, solver) = Both(p, Method(method), 20_000);
        solver.FftSquares.ShouldBeGreaterThan(0);
        KernelAgreementTests.WorstRel(blocked, direct).ShouldBeLessThan(1e-13);
    }

    [Fact]
    public void Long_horizon_matches_the_direct_convolution()
    {
        // T = 10⁵: eleven levels, FFT lengths up to 2^17; power-law-like decay over five orders of magnitude
        var p = Problem(11, 30, 1e-6, 8, 0);
        var (direct, blocked, solver) = Both(p, Method("hb"), 100_000);
        solver.Fallbacks.ShouldBe(0);
        (direct[0] / direct[^1]).ShouldBeGreaterThan(1e3);
        KernelAgreementTests.WorstRel(blocked, direct).ShouldBeLessThan(1e-13);
    }

    [Fact]
    public void A_growing_run_is_finished_directly_and_matches()
    {
        // heavy ball beyond its stability limit at this batch: the risk grows by 30+ orders of magnitude without overflowing
        var p = Problem(7, 40, 1e-3, 3, 0);
        var (direct, blocked, solver) = Both(p, Method("hb"), 20_000);
        blocked[^1].ShouldBeGreaterThan(1e30, $"{blocked[^1]}");
        solver.DirectFrom.ShouldBeGreaterThan(0);
        KernelAgreementTests.WorstRel(blocked, direct).ShouldBeLessThan(1e-13);
    }

    [Fact]
    public void Long_renewal_path_matches_the_fused_pass()
    {
        // beyond the crossover; d = 1237 is not a multiple of any vector width; through the public entry point
        var p = Problem(5, 1237, 1e-4, 16, 1e-4);
        foreach (var name in new[] { "hb", "nesterov" })
        {
            var m = Method(name);
            int steps = VolterraRisk.FftCrossover + 1500;
            var v = RiskRecursion.Trajectory(p, m, steps, new ExecutionOptions(2, RiskAlgorithm.Volterra));
            var fused = RiskRecursion.Trajectory(p, m, steps, new ExecutionOptions(2, RiskAlgorithm.Fused));
            KernelAgreementTests.WorstRel(v, fused).ShouldBeLessThan(5e-13, name);
        }
    }

    [Fact]
    public void Negative_kernels_keep_the_direct_solver()
    {
        // m4 < 2 (Rademacher) can make the kernel change sign; the FFT error argument then does not apply
        int steps = VolterraRisk.FftCrossover + 10;
        var f = Enumerable.Range(0, steps + 1).Select(t => Math.Pow(0.999, t)).ToArray();
        var k = Enumerable.Range(0, steps + 1).Select(t => Math.Pow(0.99, t) * (t == 5 ? -1 : 1)).ToArray();
        var seq = new VolterraRisk.Sequences(f, k, null, null);
        BlockedConvolution.Applicable(seq).ShouldBeFalse();
        var p = new Problem(Spectrum.FromValues([1.0]), [1.0], 4, 1, 0);
        VolterraRisk.Solve(p, seq, steps).ShouldBe(VolterraRisk.SolveDirect(p, seq, steps));
    }
}
