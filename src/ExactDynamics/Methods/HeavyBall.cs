namespace ExactDynamics.Methods;

/// <summary>
/// Heavy ball <c>w' = w − η g(w) + β(w − w_prev)</c>, state (w, w_prev) (docs/math.md#methods):
/// A = [[1+β, −β],[1, 0]], b = [η, 0], c = o = [1, 0].
/// </summary>
public static class HeavyBall
{
    /// <summary>Heavy ball with learning rate <paramref name="lr"/> and momentum <paramref name="beta"/>.</summary>
    /// <param name="lr">η &gt; 0.</param>
    /// <param name="beta">β ∈ [0, 1).</param>
    /// <returns>The method; its <see cref="LinearMethod.Spec"/> is <c>hb:lr=η,beta=β</c>.</returns>
    /// <exception cref="InvalidInputException">η is not positive and finite, or β is outside [0, 1).</exception>
    public static LinearMethod Create(double lr, double beta)
    {
        LinearMethod.RequirePositive(lr, "lr", "hb");
        LinearMethod.RequireMomentum(beta, "beta", "hb");
        return new LinearMethod(new double[,] { { 1 + beta, -beta }, { 1, 0 } }, [lr, 0], [1, 0], [1, 0], null,
            () => $"hb:lr={LinearMethod.F(lr)},beta={LinearMethod.F(beta)}").Named(new MethodParameters(MethodFamily.HeavyBall, lr, beta));
    }
}
