namespace ExactDynamics.Methods;

/// <summary>
/// An exponential moving average of the weights kept alongside any linear method (docs/math.md#weight-averaging):
/// <c>w̄_{t+1} = τ w̄_t + (1 − τ) w_{t+1}</c> after every step, <c>w̄_0 = w_0</c>, the risk read at w̄. The averaged
/// iterate is one more state, so a method (A, b, c, o, u) with k states becomes the (k+1)-state method
/// <code>
/// A' = [[A, 0], [(1 − τ) oᵀA, τ]],  b' = [b; (1 − τ) oᵀb],  c' = [c; 0],  o' = e_{k+1},  u' = [u; 1]
/// </code>
/// (the new row uses the NEW iterate w_{t+1} = oᵀ(A X_t − b ⊗ g_t)). It is consistent whenever the base method is:
/// A'u' = [u; (1 − τ) oᵀu + τ] = u'. τ = 0 returns the base method itself.
/// </summary>
public static class Ema
{
    /// <summary>The method with an EMA of decay <paramref name="tau"/> ∈ [0, 1) of its reported iterate; the risk is
    /// read at the average. τ = 0 is no averaging and returns <paramref name="method"/> unchanged.</summary>
    public static LinearMethod Apply(LinearMethod method, double tau)
    {
        ArgumentNullException.ThrowIfNull(method);
        RequireDecay(tau);
        return tau == 0 ? method : Augment(method, tau, () => $"{method.Spec},ema={LinearMethod.F(tau)}");
    }

    /// <summary>The (k+1)-state construction itself, also for τ = 0 (tests compare it with the base method).</summary>
    internal static LinearMethod Augment(LinearMethod method, double tau, Func<string> spec)
    {
        int k = method.K;
        var a = new double[k + 1, k + 1];
        var b = new double[k + 1];
        var c = new double[k + 1];
        var o = new double[k + 1];
        var u = new double[k + 1];
        double ob = 0;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++) a[i, j] = method.A(i, j);
            b[i] = method.B[i];
            c[i] = method.C[i];
            u[i] = method.U[i];
            ob += method.O[i] * method.B[i];
        }
        for (int j = 0; j < k; j++)
        {
            double oa = 0;
            for (int i = 0; i < k; i++) oa += method.O[i] * method.A(i, j);
            a[k, j] = (1 - tau) * oa;
        }
        a[k, k] = tau;
        b[k] = (1 - tau) * ob;
        o[k] = 1;
        u[k] = 1;
        return new LinearMethod(a, b, c, o, u, spec).AveragedOver(method, tau);
    }

    /// <summary>The warm-up decay of timm's <c>ModelEmaV2</c>/<c>ModelEmaV3</c>: τ_t = min(τ, (1 + t)/(10 + t)) for
    /// the average update after step t → t + 1 (t = 0, 1, …).</summary>
    public static double WarmupDecay(double tau, long t)
    {
        RequireDecay(tau);
        if (t < 0) throw new ArgumentOutOfRangeException(nameof(t));
        return Math.Min(tau, (1.0 + t) / (10.0 + t));
    }

    /// <summary>The first t from which <see cref="WarmupDecay"/> equals τ.</summary>
    public static long WarmupEnd(double tau)
    {
        RequireDecay(tau);
        // (1 + t)/(10 + t) ≥ τ  ⇔  t ≥ (10τ − 1)/(1 − τ); checked with the same floating-point expression
        long t = Math.Max(0, (long)Math.Floor((10 * tau - 1) / (1 - tau)) - 1);
        while ((1.0 + t) / (10.0 + t) < tau) t++;
        return t;
    }

    /// <summary>Refuses an EMA decay outside [0, 1) with one sentence.</summary>
    /// <param name="tau">τ.</param>
    /// <exception cref="InvalidInputException">τ is not a finite number in [0, 1).</exception>
    public static void RequireDecay(double tau)
    {
        if (!double.IsFinite(tau) || tau < 0 || tau >= 1)
            throw new InvalidInputException($"The EMA decay τ = {LinearMethod.F(tau)} is not allowed; it must lie in [0, 1).");
    }
}
