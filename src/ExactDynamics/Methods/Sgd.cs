namespace ExactDynamics.Methods;

/// <summary>Minibatch SGD <c>w' = w − η g(w)</c>: k = 1, A = [1], b = [η], c = o = [1] (docs/math.md#methods).</summary>
public static class Sgd
{
    /// <summary>Minibatch SGD with learning rate <paramref name="lr"/>.</summary>
    /// <param name="lr">η &gt; 0.</param>
    /// <returns>The method; its <see cref="LinearMethod.Spec"/> is <c>sgd:lr=η</c>.</returns>
    /// <exception cref="InvalidInputException">η is not positive and finite.</exception>
    public static LinearMethod Create(double lr)
    {
        LinearMethod.RequirePositive(lr, "lr", "sgd");
        return new LinearMethod(new double[,] { { 1 } }, [lr], [1], [1], [1], () => $"sgd:lr={LinearMethod.F(lr)}")
            .Named(new MethodParameters(MethodFamily.Sgd, lr));
    }
}
