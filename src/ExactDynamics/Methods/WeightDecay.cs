namespace ExactDynamics.Methods;

/// <summary>The two conventions of weight decay that frameworks use (docs/math.md#weight-decay).</summary>
public enum WeightDecayKind
{
    /// <summary>L2 in the loss, PyTorch <c>SGD(weight_decay=λ)</c>: the gradient becomes g + λ·y at the gradient point
    /// y, and goes through the momentum buffer with it.</summary>
    Coupled,

    /// <summary>AdamW-style: the parameter is shrunk, w ← w − lr·λ·w, outside the buffer (the gradient is still taken at
    /// the unshrunk point).</summary>
    Decoupled,
}

/// <summary>
/// Weight decay on any linear method (docs/math.md#weight-decay). With decay the fixed point is the ridge solution, not
/// w*, so in the error coordinates e = w − w* the update is affine; the library carries w* as one more, constant,
/// coordinate of the state, with shape −1: X_0 = u' ⊗ (w_0 − w*), u' = [u; −1], so that the extra coordinate is
/// w* − w_0 = w* when w_0 = 0 (the convention: the run starts at w_0 = 0, and <c>s_i</c> is E[w*_i²]).
/// <code>
/// coupled:    A' = [[A − λ b cᵀ, −λ b], [0, 1]],          b' = [b; 0]
/// decoupled:  A' = [[A − s e_1 oᵀ, −s e_1], [0, 1]],      b' = [b; 0],  s = lr·λ (the parameter is the first state)
/// c' = [c; 0],  o' = [o; 0],  u' = [u; −1]
/// </code>
/// Both are consistent (A'u' = u', c'ᵀu' = o'ᵀu' = 1) whenever the base method is. The risk is still the excess risk
/// against w*; it levels off at the ridge bias plus the noise floor. λ = 0 returns the base method itself.
/// </summary>
public static class WeightDecay
{
    /// <summary>Coupled (L2) decay λ ≥ 0: the gradient g(y) + λ·y goes wherever the method sends its gradient.</summary>
    public static LinearMethod Coupled(LinearMethod method, double lambda)
    {
        ArgumentNullException.ThrowIfNull(method);
        RequireDecay(lambda);
        if (lambda == 0) return method;
        int k = method.K;
        var (a, b, c, o, u) = Extend(method);
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++) a[i, j] -= lambda * method.B[i] * method.C[j];
            a[i, k] = -lambda * method.B[i];
        }
        return new LinearMethod(a, b, c, o, u, () => $"{method.Spec},wd={LinearMethod.F(lambda)}");
    }

    /// <summary>Decoupled decay: the parameter (the first state, which must be the reported iterate, o = e_1) is shrunk
    /// by lr·λ at every step, outside the buffer; <paramref name="lr"/> is the method's learning rate.</summary>
    public static LinearMethod Decoupled(LinearMethod method, double lr, double lambda)
    {
        ArgumentNullException.ThrowIfNull(method);
        RequireDecay(lambda);
        if (!double.IsFinite(lr) || lr < 0)
            throw new InvalidInputException($"The learning rate {LinearMethod.F(lr)} of decoupled weight decay is not allowed; it must be a finite number ≥ 0.");
        if (lambda == 0) return method;
        int k = method.K;
        for (int i = 0; i < k; i++)
            if (method.O[i] != (i == 0 ? 1 : 0))
                throw new InvalidInputException($"Decoupled weight decay needs the parameter as the first state (o = e_1), but the method {method.Spec} reports oᵀX with o = [{string.Join(", ", method.O.ToArray().Select(LinearMethod.F))}].");
        double s = lr * lambda;
        var (a, b, c, o, u) = Extend(method);
        a[0, 0] -= s;
        a[0, k] = -s;
        return new LinearMethod(a, b, c, o, u, () => $"{method.Spec},wd={LinearMethod.F(lambda)},decay=decoupled");
    }

    /// <summary>The base method in the first k coordinates, the constant coordinate w* (A' entry 1, shape −1) last.</summary>
    private static (double[,] A, double[] B, double[] C, double[] O, double[] U) Extend(LinearMethod m)
    {
        int k = m.K;
        var a = new double[k + 1, k + 1];
        var b = new double[k + 1];
        var c = new double[k + 1];
        var o = new double[k + 1];
        var u = new double[k + 1];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++) a[i, j] = m.A(i, j);
            b[i] = m.B[i]; c[i] = m.C[i]; o[i] = m.O[i]; u[i] = m.U[i];
        }
        a[k, k] = 1;
        u[k] = -1;
        return (a, b, c, o, u);
    }

    private static void RequireDecay(double lambda)
    {
        if (!double.IsFinite(lambda) || lambda < 0)
            throw new InvalidInputException($"The weight decay λ = {LinearMethod.F(lambda)} is not allowed; it must be a finite number ≥ 0.");
    }
}
