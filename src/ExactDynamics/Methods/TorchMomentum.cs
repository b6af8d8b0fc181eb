namespace ExactDynamics.Methods;

/// <summary>
/// PyTorch's (and optax's) momentum rule, state (w, v), u = [1, 0] (docs/math.md#torch-momentum):
/// <c>v ← μv + g; w ← w − lr·v</c>: A = [[1, −lr·μ],[0, μ]], b = [lr, −1];
/// with Nesterov: <c>w ← w − lr·(g + μv)</c>: A = [[1, −lr·μ²],[0, μ]], b = [lr(1+μ), −1]; c = o = [1, 0].
/// </summary>
public static class TorchMomentum
{
    /// <summary>PyTorch's <c>torch.optim.SGD(lr, momentum, nesterov=…)</c> (and optax's <c>sgd</c>) as written.</summary>
    /// <param name="lr">η &gt; 0.</param>
    /// <param name="momentum">μ ∈ [0, 1).</param>
    /// <param name="nesterov">PyTorch's <c>nesterov=True</c>.</param>
    /// <param name="dampening">Must be 0 (a nonzero dampening is not a time-invariant rule).</param>
    /// <returns>The method, k = 2, u = [1, 0]; its <see cref="LinearMethod.Spec"/> is <c>torch:lr=η,momentum=μ[,nesterov=true]</c>.</returns>
    /// <exception cref="InvalidInputException">η is not positive and finite, μ is outside [0, 1), or the dampening is not 0.</exception>
    public static LinearMethod Create(double lr, double momentum, bool nesterov = false, double dampening = 0)
    {
        LinearMethod.RequirePositive(lr, "lr", "torch");
        LinearMethod.RequireMomentum(momentum, "momentum", "torch");
        if (dampening != 0)
            throw new InvalidInputException($"torch: dampening={LinearMethod.F(dampening)} is not supported; only dampening=0 gives a time-invariant rule (PyTorch treats the first step specially otherwise).");
        double mu = momentum;
        var spec = $"torch:lr={LinearMethod.F(lr)},momentum={LinearMethod.F(mu)}" + (nesterov ? ",nesterov=true" : "");
        var method = nesterov
            ? new LinearMethod(new double[,] { { 1, -lr * mu * mu }, { 0, mu } }, [lr * (1 + mu), -1], [1, 0], [1, 0], [1, 0], spec)
            : new LinearMethod(new double[,] { { 1, -lr * mu }, { 0, mu } }, [lr, -1], [1, 0], [1, 0], [1, 0], spec);
        return method.Named(new MethodParameters(MethodFamily.Torch, lr, mu, TorchNesterov: nesterov));
    }
}
