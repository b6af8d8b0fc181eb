using System.Numerics;
using ExactDynamics.Methods;
using ExactDynamics.Spectral;
using Xunit.Abstractions;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests;

/// <summary>Hand-derived closed forms for ρ and the gap (derivations in the comments).</summary>
public class ClosedFormGapTests(ITestOutputHelper output)
{
    /// <summary>
    /// d = 1, SGD: the state is the scalar s = E e², and one step gives (docs/math.md#second-moment-recursion with k = 1, A = 1, b = η,
    /// c = o = 1, T = 1 − ηλ, Σ_j λ_j s_j = λ s):
    ///   s' = (1 − ηλ)² s + (η²/B) [λ·λ s + (m4 − 2) λ² s] = [(1 − ηλ)² + (m4 − 1) η²λ²/B] s.
    /// (Direct check for B = 1: e' = (1 − η x²) e with x² = λ z², E(1 − ηλz²)² = 1 − 2ηλ + η²λ² m4.)
    /// So ρ = (1 − ηλ)² + (m4 − 1) η²λ²/B and the gap 1 − ρ = 2ηλ − η²λ² − (m4 − 1)η²λ²/B, evaluated below
    /// without cancellation when ηλ is small. For m4 = 1 (Rademacher, d = 1: x² = λ exactly) the method is
    /// deterministic and ρ = (1 − ηλ)² — the local mode ρ(T)², with the secular root exactly at z_low.
    /// </summary>
    [Theory]
    [InlineData(1.0, 0.5, 3.0, 1.0)]
    [InlineData(1.0, 0.5, 3.0, 7.0)]
    [InlineData(0.3, 1.7, 3.0, 2.0)]
    [InlineData(2.0, 0.01, 3.0, 1.0)]
    [InlineData(1.0, 0.5, 1.0, 1.0)]
    [InlineData(0.25, 3.0, 1.0, 5.0)]
    [InlineData(1.0, 0.9, 5.0, 3.0)]
    [InlineData(1.0, 0.6, 1.5, 2.0)]
    [InlineData(1e-6, 0.3, 3.0, 1.0)]
    [InlineData(1.0, 1.95, 3.0, 1.0)] // diverges: ρ = 0.9025 + 2·3.8025 > 1
    public void Sgd_d1_rho_is_one_minus_eta_lambda_squared_plus_kurtosis_term(double lambda, double eta, double m4, double batch)
    {
        var r = ContractionGap.Compute(MakeProblem([lambda], batch: batch, kurtosis: m4), Sgd.Create(eta));
        double x = eta * lambda;
        double rho = (1 - x) * (1 - x) + (m4 - 1) * x * x / batch;
        double gap = 2 * x - x * x - (m4 - 1) * x * x / batch;
        output.WriteLine($"λ={lambda} η={eta} m4={m4} B={batch}: lib ρ={r.Rho:R} gap={r.Gap:R}; closed form ρ={rho:R} gap={gap:R}; gap rel err {RelErr(r.Gap, gap):E2}");
        r.Rho.ShouldBe(rho, 1e-14 * Math.Max(1, rho));
        RelErr(r.Gap, gap).ShouldBeLessThan(1e-12);
        r.Diverges.ShouldBe(rho >= 1);
    }

    /// <summary>
    /// d = 1, heavy ball, T = [[a, −β],[1, 0]] with a = 1 + β − ηλ; symmetric block S = [[x, y],[y, z]].
    /// T S Tᵀ = [[a²x − 2aβy + β²z, ax − βy],[ax − βy, x]]; the noise term adds (η²/B)(λ² + (m4−2)λ²)x = q x to
    /// the (0,0) entry, q = (m4 − 1)η²λ²/B. So on (x, y, z):
    ///   N = [[a² + q, −2aβ, β²], [a, −β, 0], [1, 0, 0]].
    /// det(zI − N), expanding along the last column:
    ///   = −β²·det[[−a, z+β],[−1, 0]] + z·det[[z − a² − q, 2aβ],[−a, z + β]]
    ///   = −β²(z + β) + z[(z − a² − q)(z + β) + 2a²β]
    ///   = z³ − (a² + q − β) z² + β(a² − q − β) z − β³.
    /// Check at q = 0: the roots must be μ₁², μ₁μ₂ = β, μ₂² (μ roots of μ² − aμ + β): their sum
    /// (μ₁+μ₂)² − 2β + β = a² − β ✓, product β³ ✓, pair sum β(μ₁² + μ₂²) + β² = β(a² − β) ✓.
    /// ρ = max |root|; computed here by bisection for the largest real root, deflation, and the moduli of the
    /// remaining quadratic's roots.
    /// </summary>
    [Theory]
    [InlineData(1.0, 0.5, 0.6, 3.0, 1.0)]
    [InlineData(1.0, 0.5, 0.6, 3.0, 4.0)]
    [InlineData(0.2, 0.5, 0.9, 3.0, 2.0)]
    [InlineData(1.0, 0.1, 0.95, 1.0, 1.0)]
    [InlineData(1.0, 3.0, 0.8, 3.0, 100.0)]
    [InlineData(0.5, 1.0, 0.3, 5.0, 3.0)]
    [InlineData(1.0, 3.5, 0.8, 3.0, 1.0)] // divergent
    [InlineData(0.01, 1.0, 0.99, 3.0, 1.0)]
    public void HeavyBall_d1_rho_is_largest_root_of_hand_derived_cubic(double lambda, double eta, double beta, double m4, double batch)
    {
        double a = 1 + beta - eta * lambda, q = (m4 - 1) * eta * eta * lambda * lambda / batch;
        double c2 = -(a * a + q - beta), c1 = beta * (a * a - q - beta), c0 = -beta * beta * beta;
        double rho = CubicSpectralRadius(c2, c1, c0);
        var r = ContractionGap.Compute(MakeProblem([lambda], batch: batch, kurtosis: m4), HeavyBall.Create(eta, beta));
        output.WriteLine($"λ={lambda} η={eta} β={beta} m4={m4} B={batch}: lib ρ={r.Rho:R}, cubic ρ={rho:R}, diff {Math.Abs(r.Rho - rho):E2}");
        r.Rho.ShouldBe(rho, 1e-12 * Math.Max(1, rho));
        r.Diverges.ShouldBe(rho >= 1);
    }

    /// <summary>max |root| of z³ + c2 z² + c1 z + c0.</summary>
    internal static double CubicSpectralRadius(double c2, double c1, double c0)
    {
        double P(double z) => ((z + c2) * z + c1) * z + c0;
        // Cauchy bound on the roots
        double bound = 1 + Math.Max(Math.Abs(c2), Math.Max(Math.Abs(c1), Math.Abs(c0)));
        double lo = -bound, hi = bound; // P(lo) < 0 < P(hi); find the largest real root by scanning down then bisecting
        // largest real root: bisection on [x0, bound] where x0 is found by stepping down until P < 0
        double step = bound / 4096, x = bound;
        while (x > -bound && P(x) > 0) x -= step;
        lo = x; hi = x + step;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (P(mid) > 0) hi = mid; else lo = mid;
        }
        double r1 = 0.5 * (lo + hi);
        // polish by Newton
        for (int i = 0; i < 3; i++)
        {
            double dp = (3 * r1 + 2 * c2) * r1 + c1;
            if (dp != 0) r1 -= P(r1) / dp;
        }
        // deflate: z² + e1 z + e0
        double e1 = c2 + r1, e0 = c1 + r1 * e1;
        var disc = new Complex(e1 * e1 - 4 * e0, 0);
        var sq = Complex.Sqrt(disc);
        var z1 = (-e1 + sq) / 2; var z2 = (-e1 - sq) / 2;
        return Math.Max(Math.Abs(r1), Math.Max(z1.Magnitude, z2.Magnitude));
    }

    /// <summary>
    /// B → ∞ (gradient descent): SGD with η = 2/(λ_max + λ_min) has |1 − ηλ| ≤ (κ−1)/(κ+1) with equality at
    /// both ends, so the risk contracts at ((κ−1)/(κ+1))²: gap → 1 − ((κ−1)/(κ+1))² = 4κ/(κ+1)². The
    /// finite-B correction is O(η²λ²/B), so at B = 1e12 the gaps must agree to ~1e-10 relative.
    /// </summary>
    [Theory]
    [InlineData(3.0)]
    [InlineData(1.0)]
    public void Sgd_gap_tends_to_deterministic_rate_as_batch_grows(double m4)
    {
        double[] l = [1.0, 0.4, 0.13, 0.01];
        double kappa = 100, eta = 2 / (1.0 + 0.01);
        double gapDet = 4 * kappa / ((kappa + 1) * (kappa + 1));
        double prevErr = double.PositiveInfinity;
        foreach (double batch in new[] { 1e2, 1e4, 1e6, 1e9, 1e12 })
        {
            var r = ContractionGap.Compute(MakeProblem(l, batch: batch, kurtosis: m4), Sgd.Create(eta));
            double err = RelErr(r.Gap, gapDet);
            output.WriteLine($"SGD m4={m4} B={batch:E0}: gap {r.Gap:R} vs deterministic {gapDet:R}: rel {err:E2}");
            r.Gap.ShouldBeLessThanOrEqualTo(gapDet * (1 + 1e-14), "noise can only slow the risk down");
            err.ShouldBeLessThanOrEqualTo(prevErr * 1.0000001);
            prevErr = err;
        }
        prevErr.ShouldBeLessThan(1e-9);
    }

    /// <summary>
    /// B → ∞, heavy ball with η = 4/(√L + √μ)², β = ((√κ − 1)/(√κ + 1))² (Polyak's tuning). With s = √κ:
    /// at λ = L, 1 + β − ηL = (2 − 2s²)/(s+1)² = −2√β, so μ² + 2√β μ + β = (μ + √β)²: a double root −√β;
    /// at λ = μ, 1 + β − ημ = 2√β: a double root √β; in between the discriminant (1+β−ηλ)² − 4β is negative
    /// and |μ|² = β. So every T_i has spectral radius √β and the deterministic RISK rate is ρ = β (the
    /// iterate contracts like √β per step, the risk is quadratic in it). The two ends are Jordan blocks, so
    /// the finite-B correction is not O(1/B) but O(B^(−1/3)) (a 3×3 Jordan block of T⊗T on symmetric
    /// blocks, perturbed at order 1/B); hence the looser tolerance. ρ ≥ β always (second moment ≥ square of
    /// the mean).
    /// </summary>
    [Fact]
    public void HeavyBall_rho_tends_to_beta_with_Polyak_tuning_as_batch_grows()
    {
        double[] l = [1.0, 0.3, 0.05, 0.01];
        double sk = Math.Sqrt(100.0);
        double eta = 4 / Math.Pow(1 + Math.Sqrt(0.01), 2);
        double beta = Math.Pow((sk - 1) / (sk + 1), 2);
        double prev = double.PositiveInfinity;
        foreach (double batch in new[] { 1e3, 1e6, 1e9, 1e12, 1e15 })
        {
            var r = ContractionGap.Compute(MakeProblem(l, batch: batch), HeavyBall.Create(eta, beta));
            double diff = r.Rho - beta;
            output.WriteLine($"HB Polyak B={batch:E0}: ρ {r.Rho:R}, β {beta:R}, ρ − β = {diff:E3}, (ρ−β)·B^(1/3) = {diff * Math.Cbrt(batch):G4}");
            diff.ShouldBeGreaterThan(-1e-12);
            diff.ShouldBeLessThanOrEqualTo(prev);
            // B^(−1/3): a thousandfold batch shrinks ρ − β tenfold once the Jordan regime is reached
            if (batch >= 1e9) (prev / diff).ShouldBeInRange(9.0, 11.0);
            prev = diff;
        }
        prev.ShouldBeLessThan(1e-4);
    }
}
