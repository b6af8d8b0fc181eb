namespace ExactDynamics.Methods;

/// <summary>
/// ASGD of Kidambi et al. (2018) in the AccSGD parameterisation (docs/math.md#asgd), state (w, w̄):
/// α = 1 − c²ξ/κ̃, p = c/(c + 1 − α), q = 1 − p, long = κ̃δ/c,
/// A = [[p + q(1−α), qα],[1−α, α]], b = [pδ + q(1−α)·long, (1−α)·long], c = o = [1, 0].
/// </summary>
public static class Asgd
{
    /// <param name="lr">short step δ</param>
    /// <param name="kappa">κ̃ (long-step scale)</param>
    /// <param name="xi">ξ (statistical advantage parameter)</param>
    /// <param name="small">AccSGD's small constant c (default 0.7)</param>
    /// <returns>The method (docs/math.md#asgd); its <see cref="LinearMethod.Spec"/> is <c>asgd:lr=δ,kappa=κ̃,xi=ξ[,small=c]</c>.</returns>
    /// <exception cref="InvalidInputException">A parameter is not positive and finite, or α = 1 − c²ξ/κ̃ is outside (−1, 1).</exception>
    public static LinearMethod Create(double lr, double kappa, double xi, double small = 0.7)
    {
        LinearMethod.RequirePositive(lr, "lr", "asgd");
        LinearMethod.RequirePositive(kappa, "kappa", "asgd");
        LinearMethod.RequirePositive(xi, "xi", "asgd");
        LinearMethod.RequirePositive(small, "small", "asgd");
        double oneMinusAlpha = small * small * xi / kappa;
        double alpha = 1 - oneMinusAlpha;
        if (!(alpha > -1) || !(alpha < 1))
            throw new InvalidInputException($"asgd: α = 1 − small²·xi/kappa = {LinearMethod.F(alpha)} must lie in (−1, 1); reduce xi or increase kappa.");
        double p = small / (small + oneMinusAlpha);
        double q = 1 - p;
        double longStep = kappa * lr / small;
        var a = new double[,] { { p + q * oneMinusAlpha, q * alpha }, { oneMinusAlpha, alpha } };
        double[] b = [p * lr + q * oneMinusAlpha * longStep, oneMinusAlpha * longStep];
        return new LinearMethod(a, b, [1, 0], [1, 0], null, () => $"asgd:lr={LinearMethod.F(lr)},kappa={LinearMethod.F(kappa)},xi={LinearMethod.F(xi)}"
                   + (small == 0.7 ? "" : $",small={LinearMethod.F(small)}"))
            .Named(new MethodParameters(MethodFamily.Asgd, lr, Kappa: kappa, Xi: xi, Small: small));
    }
}
