namespace ExactDynamics.Methods;

/// <summary>Minibatch SGD <c>w' = w − η g(w)</c>: k = 1, A = [1], b = [η], c = o = [1] (docs/math.md#methods).</summary>
public static class Sgd
{
    public static LinearMethod Create(double lr)
    {
        LinearMethod.RequirePositive(lr, "lr", "sgd");
        return new LinearMethod(new double[,] { { 1 } }, [lr], [1], [1], [1], () => $"sgd:lr={LinearMethod.F(lr)}");
    }
}
