namespace ExactDynamics.Methods;

/// <summary>
/// Nesterov <c>v = w + β(w − w_prev), w' = v − η g(v)</c>, state (w, w_prev) (docs/math.md#methods):
/// A = [[1+β, −β],[1, 0]], b = [η, 0], c = [1+β, −β], o = [1, 0].
/// </summary>
public static class Nesterov
{
    /// <summary>Nesterov's method with learning rate <paramref name="lr"/> and momentum <paramref name="beta"/>.</summary>
    /// <param name="lr">η &gt; 0.</param>
    /// <param name="beta">β ∈ [0, 1).</param>
    /// <returns>The method; its <see cref="LinearMethod.Spec"/> is <c>nesterov:lr=η,beta=β</c>.</returns>
    /// <exception cref="InvalidInputException">η is not positive and finite, or β is outside [0, 1).</exception>
    public static LinearMethod Create(double lr, double beta)
    {
        LinearMethod.RequirePositive(lr, "lr", "nesterov");
        LinearMethod.RequireMomentum(beta, "beta", "nesterov");
        return new LinearMethod(new double[,] { { 1 + beta, -beta }, { 1, 0 } }, [lr, 0], [1 + beta, -beta], [1, 0], null,
            () => $"nesterov:lr={LinearMethod.F(lr)},beta={LinearMethod.F(beta)}").Named(new MethodParameters(MethodFamily.Nesterov, lr, beta));
    }
}
