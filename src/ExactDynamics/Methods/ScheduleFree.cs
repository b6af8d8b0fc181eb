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
/// </summary>
public static class ScheduleFree
{
    /// <summary>The update with step size γ ≥ 0, interpolation β ∈ [0, 1] and averaging weight c ∈ [0, 1].</summary>
    public static LinearMethod Step(double lr, double beta, double c)
    {
        if (!double.IsFinite(lr) || lr < 0)
            throw new InvalidInputException($"sfsgd: lr={LinearMethod.F(lr)} is not allowed; it must be a finite number ≥ 0.");
        RequireBeta(beta);
        if (!double.IsFinite(c) || c < 0 || c > 1)
            throw new InvalidInputException($"sfsgd: the averaging weight c = {LinearMethod.F(c)} is not allowed; it must lie in [0, 1].");
        return new LinearMethod(new double[,] { { 1, 0 }, { c, 1 - c } }, [lr, c * lr], [1 - beta, beta], [0, 1], [1, 1],
            () => $"sfsgd:lr={LinearMethod.F(lr)},beta={LinearMethod.F(beta)}");
    }

    /// <summary>The first update (c_1 = 1: x_1 = z_1), which stands for the method on the command line.</summary>
    public static LinearMethod Create(double lr, double beta)
    {
        LinearMethod.RequirePositive(lr, "lr", "sfsgd");
        return Step(lr, beta, 1).Named(new MethodParameters(MethodFamily.ScheduleFree, lr, beta));
    }

    internal static void RequireBeta(double beta)
    {
        if (!double.IsFinite(beta) || beta < 0 || beta > 1)
            throw new InvalidInputException($"sfsgd: beta={LinearMethod.F(beta)} is not allowed; the interpolation β must lie in [0, 1].");
    }
}
