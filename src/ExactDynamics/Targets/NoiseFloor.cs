using ExactDynamics.Methods;
using ExactDynamics.Spectral;

namespace ExactDynamics.Targets;

/// <summary>
/// The limit risk L_∞ = lim E L_t of a convergent method with label noise σ² (docs/math.md#noise-floor). The stationary
/// blocks solve S_i = T_i S_i T_iᵀ + (bbᵀ/B)[λ_i(μ + σ²) + (m4 − 2)λ_i² cᵀS_i c] with μ = Σ_j λ_j cᵀS_j c; in the
/// symmetric coordinates (I − D_i) S_i = (λ_i/B)(μ + σ²) bb, and by Sherman–Morrison from the T⊗T resolvent
/// x_i = (G⁰_i)⁻¹ bb, g_i = ccᵀx_i: S_i = (λ_i/B)(μ + σ²) x_i/(1 − κ'_i g_i). Summing the coupling gives
/// μ + σ² = σ²/(1 − F(1)) with the secular function F(1) = (1/B) Σ λ_i² g_i/(1 − κ'_i g_i) &lt; 1, and
/// L_∞ = ½ σ²/(1 − F(1)) · (1/B) Σ λ_i² ooᵀx_i/(1 − κ'_i g_i).
/// </summary>
public static class NoiseFloor
{
    /// <summary>L_∞ for <paramref name="method"/> on <paramref name="problem"/>: 0 without label noise, +∞ when the
    /// method diverges (ρ ≥ 1).</summary>
    public static double Compute(Problem problem, LinearMethod method)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (problem.Noise == 0) return 0;
        var gap = ContractionGap.Compute(problem, method);
        if (gap.Diverges) return double.PositiveInfinity;
        (problem, method, var scale) = ProblemScale.Normalise(problem, method);
        var sys = new ContractionGap.SecularSystem(problem, method);
        var blocks = sys.Blocks;
        int m = blocks.M, d = problem.Spectrum.Dimension;
        var x = new double[m];
        double f1 = 0, readout = 0;
        for (int i = 0; i < d; i++)
        {
            double l = sys.Lambda(i);
            if (!blocks.SolveShifted(l, 0, x, false)) return double.PositiveInfinity;
            double g = LocalBlocks.Dot(blocks.CC, x);
            double sm = 1 - sys.KappaPrime(i) * g;
            double w = l * l * sys.InvBatch / sm;
            f1 += w * g;
            readout += w * LocalBlocks.Dot(blocks.OO, x);
        }
        if (!(f1 < 1)) return double.PositiveInfinity;
        return scale.RiskToUser(0.5 * problem.Noise / (1 - f1) * readout);
    }
}
