namespace ExactDynamics.Methods;

/// <summary>
/// Schedule-free SGD (Defazio et al., "The Road Less Scheduled", 2024; reference optimizer <c>SGDScheduleFree</c> of
/// facebookresearch/schedule_free), docs/math.md#schedule-free-sgd. State (z, x), the gradient taken at
/// y = (1 − β) z + β x, the risk read at x:
/// <code>
/// z' = z − γ ∇f(y),   x' = (1 − c) x + c z'
/// A = [[1, 0], [c, 1 − c]],  b = [γ, c γ],  c_y = [1 − β, β],  o = [0, 1],  u = [1, 1]
/// </code>
/// The averaging weight c changes from step to step: c_{t+1} = w_t / Σ_{s≤t} w_s with w_t = (max_{s≤t} γ_s)² (the
/// reference code's weighting with weight_lr_power = 2, r = 0), which is 1/(t + 1) for a constant γ. β = 0 is SGD on z
/// with the uniform (Polyak–Ruppert) average x; β = 1 takes the gradient at the average itself (primal averaging).
/// <para>With a base momentum μ &gt; 0 it is the reference code's <c>ScheduleFreeWrapper</c> around
/// <c>torch.optim.SGD(lr=γ, momentum=μ)</c> (the wrapper's own <c>momentum</c> is β): the base optimizer's buffer
/// v ← μ v + ∇f(y) moves z ← z − γ v, then x and y as above. State (z, v, x):
/// <code>
/// A = [[1, −γμ, 0], [0, μ, 0], [c, −cγμ, 1 − c]],  b = [γ, −1, cγ],  c_y = [1 − β, 0, β],  o = [0, 0, 1],  u = [1, 0, 1]
/// </code>
/// μ = 0 is the two-state method above.</para>
/// </summary>
public static class ScheduleFree
{
    /// <summary>The update with step size γ ≥ 0, interpolation β ∈ [0, 1] and averaging weight c ∈ [0, 1].</summary>
    public static LinearMethod Step(double lr, double beta, double c) => Step(lr, beta, c, 0);

    /// <summary>The update with a base momentum μ ∈ [0, 1) on z (<c>ScheduleFreeWrapper</c> around PyTorch SGD with
    /// momentum μ); μ = 0 is <see cref="Step(double, double, double)"/>.</summary>
    public static LinearMethod Step(double lr, double beta, double c, double momentum)
    {
        RequireMomentum(momentum);
        if (momentum > 0)
        {
            Step(lr, beta, c); // the same checks of γ, β and c
            return new LinearMethod(new double[,] { { 1, -lr * momentum, 0 }, { 0, momentum, 0 }, { c, -c * lr * momentum, 1 - c } },
                [lr, -1, c * lr], [1 - beta, 0, beta], [0, 0, 1], [1, 0, 1],
                () => $"sfsgd:lr={LinearMethod.F(lr)},beta={LinearMethod.F(beta)},momentum={LinearMethod.F(momentum)}");
        }
        if (!double.IsFinite(lr) || lr < 0)
            throw new InvalidInputException($"sfsgd: lr={LinearMethod.F(lr)} is not allowed; it must be a finite number ≥ 0.");
        RequireBeta(beta);
        if (!double.IsFinite(c) || c < 0 || c > 1)
            throw new InvalidInputException($"sfsgd: the averaging weight c = {LinearMethod.F(c)} is not allowed; it must lie in [0, 1].");
        return new LinearMethod(new double[,] { { 1, 0 }, { c, 1 - c } }, [lr, c * lr], [1 - beta, beta], [0, 1], [1, 1],
            () => $"sfsgd:lr={LinearMethod.F(lr)},beta={LinearMethod.F(beta)}");
    }

    /// <summary>The first update (c_1 = 1: x_1 = z_1), which stands for the method on the command line; with a base
    /// momentum μ &gt; 0 the wrapper around PyTorch SGD with momentum μ.</summary>
    public static LinearMethod Create(double lr, double beta, double momentum = 0)
    {
        LinearMethod.RequirePositive(lr, "lr", "sfsgd");
        return Step(lr, beta, 1, momentum).Named(new MethodParameters(MethodFamily.ScheduleFree, lr, beta, BaseMomentum: momentum));
    }

    /// <summary>Refuses a base momentum outside [0, 1) with one sentence.</summary>
    internal static void RequireMomentum(double momentum)
    {
        if (!double.IsFinite(momentum) || momentum < 0 || momentum >= 1)
            throw new InvalidInputException($"sfsgd: momentum={LinearMethod.F(momentum)} is not allowed; the base optimizer's momentum μ must lie in [0, 1).");
    }

    internal static void RequireBeta(double beta)
    {
        if (!double.IsFinite(beta) || beta < 0 || beta > 1)
            throw new InvalidInputException($"sfsgd: beta={LinearMethod.F(beta)} is not allowed; the interpolation β must lie in [0, 1].");
    }
}
