using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;

namespace ExactDynamics.Tests.Performance;

/// <summary>E L_t of SGD from the eigendecomposition of the diagonal-plus-rank-one operator, against stepping.</summary>
public class SgdSpectralRiskTests
{
    public static TheoryData<double, int, double, double, double, double> Cases() => new()
    {
        { 1.0, 1, 0.5, 4, 3, 0 },
        { 1.0, 2, 0.5, 4, 3, 0 },
        { 1.0, 7, 0.5, 4, 3, 0 },
        { 1.0, 300, 0.5, 4, 3, 0 },
        { 1.5, 300, 0.5, 2, 3, 0.01 },     // label noise: a stationary floor
        { 1.0, 300, 0.9, 8, 1, 0 },        // Rademacher (κ' < 0)
        { 2.0, 200, 1.0, 1, 5, 0 },
        { 0.5, 500, 0.2, 16, 3, 0.001 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Spectral_risk_matches_stepping(double a, int d, double lr, double batch, double kurtosis, double noise)
    {
        var p = new Problem(Spectrum.PowerLaw(a, d), InitialCondition.Power(d, 0.5), batch, kurtosis, noise);
        var m = Sgd.Create(lr);
        var spectral = SgdSpectralRisk.Create(p, m);
        const int T = 5000;
        var stepped = RiskRecursion.Trajectory(p, m, T, new ExecutionOptions(1, RiskAlgorithm.Fused));
        foreach (long t in new long[] { 0, 1, 2, 3, 10, 100, 1000, 4999, 5000 })
        {
            double s = spectral.At(t);
            if (stepped[t] < 1e-250) { s.ShouldBeLessThan(1e-240, $"t = {t}"); continue; } // both underflowing
            Math.Abs(s - stepped[t]).ShouldBeLessThan(1e-9 * stepped[t], $"t = {t}");
        }
    }

    [Fact]
    public void Repeated_eigenvalues_and_equal_local_rates_are_merged()
    {
        // duplicates, and λ, λ' with equal (1 − λη)² (λη and 2 − λη) give equal poles
        double lr = 0.5;
        double[] lam = [1.0, 1.0, 0.3, 4 - 0.3, 0.3, 0.01, 0.01, 0.2];
        var p = new Problem(Spectrum.FromValues(lam), batch: 64, kurtosis: 2);
        var m = Sgd.Create(lr);
        var spectral = SgdSpectralRisk.Create(p, m);
        var stepped = RiskRecursion.Reference(p, m, 400);
        foreach (long t in new long[] { 0, 1, 5, 50, 400 })
            Math.Abs(spectral.At(t) - stepped[t]).ShouldBeLessThan(1e-9 * stepped[t], $"t = {t}");
    }

    [Fact]
    public void Far_horizon_follows_the_contraction_gap()
    {
        // for t far beyond stepping, L_{t+1}/L_t → ρ = 1 − gap from the secular solver
        var p = new Problem(Spectrum.PowerLaw(1.5, 2000), batch: 4);
        var m = Sgd.Create(0.5);
        var spectral = SgdSpectralRisk.Create(p, m);
        var gap = Spectral.ContractionGap.Compute(p, m);
        long t = 2_000_000_000;
        double ratio = spectral.At(t + 1) / spectral.At(t);
        Math.Abs((1 - ratio) - gap.Gap).ShouldBeLessThan(1e-6 * gap.Gap);
        double.IsFinite(spectral.At(1_000_000_000)).ShouldBeTrue();
    }

    [Fact]
    public void A_one_state_method_with_a_scaled_state_matches_stepping()
    {
        // state X = 2(w − w*): u = 2, c = o = 1/2, A = 1, b = 2·lr (the same SGD written in other units)
        var m = new LinearMethod(new double[,] { { 1 } }, [0.8], [0.5], [0.5], [2]);
        var p = new Problem(Spectrum.PowerLaw(1, 50), InitialCondition.Power(50, 1), 4, 3, 0.01);
        var spectral = SgdSpectralRisk.Create(p, m);
        var stepped = RiskRecursion.Reference(p, m, 300);
        var sgd = RiskRecursion.Reference(p, Sgd.Create(0.4), 300);
        foreach (long t in new long[] { 0, 1, 7, 300 })
        {
            Math.Abs(spectral.At(t) - stepped[t]).ShouldBeLessThan(1e-9 * stepped[t], $"t = {t}");
            Math.Abs(stepped[t] - sgd[t]).ShouldBeLessThan(1e-12 * sgd[t]);
        }
    }

    [Fact]
    public void Two_state_methods_are_refused_with_a_reason()
    {
        var p = new Problem(Spectrum.PowerLaw(1, 10));
        Should.Throw<InvalidInputException>(() => SgdSpectralRisk.Create(p, HeavyBall.Create(0.1, 0.5))).Message.ShouldContain("one-state");
    }
}
