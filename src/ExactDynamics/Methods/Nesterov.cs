namespace ExactDynamics.Methods;

/// <summary>
/// Nesterov <c>v = w + β(w − w_prev), w' = v − η g(v)</c>, state (w, w_prev) (docs/math.md#methods):
/// A = [[1+β, −β],[1, 0]], b = [η, 0], c = [1+β, −β], o = [1, 0].
/// </summary>
public static class Nesterov
{
    public static LinearMethod Create(double lr, double beta)
    {
        LinearMethod.RequirePositive(lr, "lr", "nesterov");
        LinearMethod.RequireMomentum(beta, "beta", "nesterov");
        return new LinearMethod(new double[,] { { 1 + beta, -beta }, { 1, 0 } }, [lr, 0], [1 + beta, -beta], [1, 0], null,
            () => $"nesterov:lr={LinearMethod.F(lr)},beta={LinearMethod.F(beta)}");
    }
}
