namespace ExactDynamics.Spectral;

/// <summary>
/// The asymptotic contraction of the risk (docs/math.md#contraction-gap).
/// </summary>
/// <param name="Rho">ρ, the spectral radius of the second-moment operator 𝓜 (E L_t ∝ ρ^t).</param>
/// <param name="Gap">γ = 1 − ρ, computed directly in gap space (full relative precision even when γ ≪ 1e-12). Negative when diverging.</param>
/// <param name="Diverges">True when ρ ≥ 1.</param>
/// <param name="RhoLocal">max_i ρ(D_i) on the symmetric blocks (the local radius, without the rank-one coupling).</param>
/// <param name="SecularRoot">True when ρ is a root of the secular equation F(z) = 1 above z_low; false when ρ = z_low.</param>
public sealed record GapResult(double Rho, double Gap, bool Diverges, double RhoLocal, bool SecularRoot);
