using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Tests.Oracles;
using Xunit.Abstractions;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests;

/// <summary>
/// docs/math.md#gap-space: for κ up to 1e13 the gap is far below machine epsilon relative to 1, so 1 − ρ formed
/// as a difference would have no correct digit. The library's Gap must match the double-double secular solve
/// (<see cref="SecularDD"/>) to relative 1e-6 (it should be far better; the measured error is printed).
/// </summary>
public class GapPrecisionTests(ITestOutputHelper output)
{
    private void Report(string label, GapResult r, DD expected, DD minLocal)
    {
        double e = expected.ToDouble();
        output.WriteLine($"{label}: library gap {r.Gap:R}, double-double gap {e:R} (min local gap {minLocal.ToDouble():R}, root sits {((minLocal - expected) / minLocal).ToDouble():E2} below it relatively); rel err {RelErr(r.Gap, e):E2}; ρ {r.Rho:R}, secular {r.SecularRoot}");
    }

    [Fact]
    public void Sgd_gap_of_powerlaw_a3_d10000_keeps_relative_precision()
    {
        var spectrum = Spectrum.PowerLaw(3, 10000);
        var problem = new Problem(spectrum, batch: 4, kurtosis: 3);
        var r = ContractionGap.Compute(problem, Sgd.Create(0.5));
        var (gap, minLocal) = SecularDD.SgdGap(spectrum.ToArray(), 0.5, 4, 3);
        Report("SGD powerlaw a=3 d=1e4 lr=0.5 B=4 m4=3", r, gap, minLocal);
        gap.Hi.ShouldBeInRange(1e-13, 1e-11);
        r.Diverges.ShouldBeFalse();
        RelErr(r.Gap, gap.ToDouble()).ShouldBeLessThan(1e-6);
    }

    [Fact]
    public void Sgd_gap_of_powerlaw_a2_d100000_keeps_relative_precision()
    {
        var spectrum = Spectrum.PowerLaw(2, 100_000);
        var problem = new Problem(spectrum, batch: 1, kurtosis: 3);
        var r = ContractionGap.Compute(problem, Sgd.Create(0.5));
        var (gap, minLocal) = SecularDD.SgdGap(spectrum.ToArray(), 0.5, 1, 3);
        Report("SGD powerlaw a=2 d=1e5 lr=0.5 B=1 m4=3", r, gap, minLocal);
        RelErr(r.Gap, gap.ToDouble()).ShouldBeLessThan(1e-6);
    }

    /// <summary>d = 1: gap = 2ηλ − η²λ² − (m4 − 1)η²λ²/B exactly (see ClosedFormGapTests), here for λ = 1e-13.</summary>
    [Theory]
    [InlineData(1e-13, 0.5, 3.0, 1.0)]
    [InlineData(1e-15, 1.0, 5.0, 2.0)]
    [InlineData(3e-11, 0.7, 1.0, 1.0)]
    public void Sgd_gap_for_a_single_tiny_eigenvalue_matches_closed_form(double lambda, double eta, double m4, double batch)
    {
        var r = ContractionGap.Compute(MakeProblem([lambda], batch: batch, kurtosis: m4), Sgd.Create(eta));
        DD x = (DD)eta * lambda;
        DD gap = x * 2.0 - x * x - x * x * (((DD)m4 - 1.0) / batch);
        output.WriteLine($"SGD d=1 λ={lambda} η={eta} m4={m4} B={batch}: library gap {r.Gap:R}, closed form {gap.ToDouble():R}, rel err {RelErr(r.Gap, gap.ToDouble()):E2}");
        RelErr(r.Gap, gap.ToDouble()).ShouldBeLessThan(1e-12);
    }

    [Theory]
    [InlineData(0.04, 0.6)]
    [InlineData(0.1, 0.4)]
    public void HeavyBall_gap_of_powerlaw_a3_d2000_keeps_relative_precision_with_exact_consistency(double eta, double beta)
    {
        // β = 0.4: (1 + 0.4) − 0.4 − 1 = −1.1e-16 in double, so a solver that trusts the rounded A₁₁ is off by
        // ~1e-16 in ρ, i.e. ~1e-6 relative in this gap (docs/math.md#consistent-basis: set A₁₁ + A₁₂ = 1 exactly).
        output.WriteLine($"(1 + β) − β − 1 in double = {(1 + beta) - beta - 1:R}");
        var spectrum = Spectrum.PowerLaw(3, 2000);
        var problem = new Problem(spectrum, batch: 4, kurtosis: 3);
        var r = ContractionGap.Compute(problem, HeavyBall.Create(eta, beta));
        var (gap, minLocal) = SecularDD.HeavyBallGap(spectrum.ToArray(), eta, beta, 4, 3);
        Report($"HB powerlaw a=3 d=2000 lr={eta} β={beta} B=4 m4=3", r, gap, minLocal);
        gap.Hi.ShouldBeLessThan(1e-9);
        RelErr(r.Gap, gap.ToDouble()).ShouldBeLessThan(1e-6);
    }

    [Theory]
    [InlineData(1e-12, 0.5, 0.9, 1.0, 3.0)]
    [InlineData(1e-14, 1.0, 0.6, 4.0, 3.0)]
    [InlineData(1e-13, 0.5, 0.4, 2.0, 3.0)]
    [InlineData(1e-10, 0.3, 0.7, 1.0, 5.0)]
    public void HeavyBall_gap_for_a_single_tiny_eigenvalue_keeps_relative_precision(double lambda, double eta, double beta, double batch, double m4)
    {
        var r = ContractionGap.Compute(MakeProblem([lambda], batch: batch, kurtosis: m4), HeavyBall.Create(eta, beta));
        var (gap, minLocal) = SecularDD.HeavyBallGap([lambda], eta, beta, batch, m4);
        Report($"HB d=1 λ={lambda} η={eta} β={beta} B={batch} m4={m4}", r, gap, minLocal);
        RelErr(r.Gap, gap.ToDouble()).ShouldBeLessThan(1e-6);
    }

    /// <summary>
    /// A root that does NOT hug a pole: SGD, B = 1, m4 = 3, λ_i = i^-2 (d = 1000, κ = 1e6), with η tuned (in
    /// double-double) so that F(γ = 0) = 1 − 1e-6, just inside the stability edge. Then γ* ≈ 1e-6 / F'(0) is set by
    /// all directions together and lies orders of magnitude below the smallest local gap. Conditioning: γ*
    /// responds to F − 1 with relative amplification |F/(F − 1)| ≈ 1e6, so a double-precision solver can be
    /// expected to get ~1e-10 relative; the bar stays at 1e-6.
    /// </summary>
    [Fact]
    public void Sgd_gap_near_the_stability_edge_is_a_collective_root_with_relative_precision()
    {
        var spectrum = Spectrum.PowerLaw(2, 1000);
        var l = spectrum.ToArray();
        DD F0(double eta)
        {
            DD s = DD.Zero;
            foreach (var x in l) { DD e = (DD)eta * x; s += e * e / (e * 2.0 - e * e * 2.0); }
            return s;
        }
        double lo = 0.1, hi = 0.99;
        for (int it = 0; it < 200; it++) { double mid = 0.5 * (lo + hi); if (F0(mid) < 1.0 - 1e-6) lo = mid; else hi = mid; }
        double eta = lo;
        var (gap, minLocal) = SecularDD.SgdGap(l, eta, 1, 3);
        var r = ContractionGap.Compute(new Problem(spectrum, batch: 1, kurtosis: 3), Sgd.Create(eta));
        Report($"SGD near edge powerlaw a=2 d=1000 lr={eta:R} B=1 m4=3 (F(0) = 1 − {(DD.One - F0(eta)).ToDouble():E3})", r, gap, minLocal);
        (gap.ToDouble() / minLocal.ToDouble()).ShouldBeLessThan(0.1, "test design: the root is far from every pole");
        RelErr(r.Gap, gap.ToDouble()).ShouldBeLessThan(1e-6);
    }

    /// <summary>
    /// Every named k = 2 family on powerlaw a = 3, d = 1500 (κ ≈ 3.4e9), against the generic k = 2 double-double
    /// secular solve with A built EXACTLY consistent (rows of A formed in double-double from the hyperparameters).
    /// </summary>
    [Theory]
    [InlineData("hb")]
    [InlineData("nesterov")]
    [InlineData("torch")]
    [InlineData("torch-nesterov")]
    [InlineData("asgd")]
    public void Every_k2_family_keeps_relative_gap_precision_on_an_ill_conditioned_powerlaw(string family)
    {
        var spectrum = Spectrum.PowerLaw(3, 1500);
        var l = spectrum.ToArray();
        LinearMethod m; DD[,] a;
        switch (family)
        {
            case "hb":
                m = HeavyBall.Create(0.05, 0.9);
                a = new DD[,] { { DD.One + 0.9, -(DD)0.9 }, { DD.One, DD.Zero } };
                break;
            case "nesterov":
                m = Nesterov.Create(0.05, 0.9);
                a = new DD[,] { { DD.One + 0.9, -(DD)0.9 }, { DD.One, DD.Zero } };
                break;
            case "torch":
                m = TorchMomentum.Create(0.05, 0.4);
                a = new DD[,] { { DD.One, -(DD)0.05 * 0.4 }, { DD.Zero, (DD)0.4 } };
                break;
            case "torch-nesterov":
                m = TorchMomentum.Create(0.05, 0.4, true);
                a = new DD[,] { { DD.One, -(DD)0.05 * 0.4 * 0.4 }, { DD.Zero, (DD)0.4 } };
                break;
            default:
                {
                    double lr = 0.05, kappa = 100, xi = 4, c = 0.7;
                    m = Asgd.Create(lr, kappa, xi, c);
                    DD oneMinusAlpha = (DD)c * c * xi / kappa, alpha = DD.One - oneMinusAlpha;
                    DD p = (DD)c / ((DD)c + oneMinusAlpha), q = DD.One - p;
                    a = new DD[,] { { p + q * oneMinusAlpha, q * alpha }, { oneMinusAlpha, alpha } };
                    break;
                }
        }
        var tuple = MethodTuple.From(m);
        var (gap, minLocal) = SecularDD.K2Gap(l, a, tuple.B, tuple.C, 4, 3);
        var r = ContractionGap.Compute(new Problem(spectrum, batch: 4, kurtosis: 3), m);
        Report($"{m.Spec} powerlaw a=3 d=1500 B=4 m4=3", r, gap, minLocal);
        gap.Hi.ShouldBeLessThan(1e-8);
        RelErr(r.Gap, gap.ToDouble()).ShouldBeLessThan(1e-6);
    }

    /// <summary>The double-double oracle agrees with the dense operator on a small, well-conditioned case.</summary>
    [Fact]
    public void Double_double_oracles_agree_with_dense_operator_when_gap_is_large()
    {
        double[] l = [1.0, 0.3, 0.05, 0.01];
        var (sg, _) = SecularDD.SgdGap(l, 0.7, 2, 3);
        double dense = DenseOperator.RhoSymmetric(l, MethodTuple.From(Sgd.Create(0.7)), 2, 3);
        Math.Abs(1 - sg.ToDouble() - dense).ShouldBeLessThan(1e-14);
        var (hg, _) = SecularDD.HeavyBallGap(l, 0.01, 0.8, 2, 3);
        double denseHb = DenseOperator.RhoSymmetric(l, MethodTuple.From(HeavyBall.Create(0.01, 0.8)), 2, 3);
        Math.Abs(1 - hg.ToDouble() - denseHb).ShouldBeLessThan(1e-13);
        var (kg, _) = SecularDD.K2Gap(l, new DD[,] { { DD.One + 0.8, -(DD)0.8 }, { DD.One, DD.Zero } }, [0.01, 0], [1.8, -0.8], 2, 3);
        double denseNes = DenseOperator.RhoSymmetric(l, MethodTuple.From(Nesterov.Create(0.01, 0.8)), 2, 3);
        Math.Abs(1 - kg.ToDouble() - denseNes).ShouldBeLessThan(1e-13);
        var (kh, _) = SecularDD.K2Gap(l, new DD[,] { { DD.One + 0.8, -(DD)0.8 }, { DD.One, DD.Zero } }, [0.01, 0], [1, 0], 2, 3);
        Math.Abs((kh - hg).ToDouble()).ShouldBeLessThan(1e-25, "generic k = 2 oracle = hand-derived heavy-ball cubic");
        output.WriteLine($"SGD DD ρ {1 - sg.ToDouble():R} dense {dense:R}; HB DD ρ {1 - hg.ToDouble():R} dense {denseHb:R}; Nesterov DD ρ {1 - kg.ToDouble():R} dense {denseNes:R}");
    }
}
