using ExactDynamics.Methods;

namespace ExactDynamics.Tests.Oracles;

/// <summary>A plain (A, b, c, o, u) tuple as in docs/math.md#methods, detached from the library's type.</summary>
public sealed record MethodTuple(double[,] A, double[] B, double[] C, double[] O, double[] U)
{
    public int K => B.Length;

    public static MethodTuple From(LinearMethod m)
    {
        int k = m.K;
        var a = new double[k, k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) a[i, j] = m.A(i, j);
        return new MethodTuple(a, m.B.ToArray(), m.C.ToArray(), m.O.ToArray(), m.U.ToArray());
    }

    public LinearMethod ToLibrary(string? spec = null) => new(A, B, C, O, U, spec);
}

/// <summary>
/// Methods with k = 3 constructed for the tests (not in the library), each checked by hand to satisfy
/// A u = u, cᵀu = oᵀu = 1.
/// </summary>
public static class CustomMethods
{
    /// <summary>
    /// Two-lag momentum with an extrapolated gradient point, state (w_t, w_{t−1}, w_{t−2}), u = 1:
    ///   y = w_t + γ (w_t − w_{t−1}),
    ///   w_{t+1} = w_t − η g(y) + β₁ (w_t − w_{t−1}) + β₂ (w_{t−1} − w_{t−2}).
    /// Rows of A: w_{t+1}: [1+β₁, −β₁+β₂, −β₂] (sums to 1); w_t ← w_t: [1,0,0]; w_{t−1} ← w_{t−1}: [0,1,0].
    /// b = [η,0,0], c = [1+γ, −γ, 0] (sums to 1), o = [1,0,0].
    /// </summary>
    public static MethodTuple TwoLagMomentum(double eta, double beta1, double beta2, double gamma) => new(
        new double[,] { { 1 + beta1, -beta1 + beta2, -beta2 }, { 1, 0, 0 }, { 0, 1, 0 } },
        [eta, 0, 0], [1 + gamma, -gamma, 0], [1, 0, 0], [1, 1, 1]);

    /// <summary>
    /// PyTorch-style momentum with an exponential moving average of the weights reported as the output,
    /// state (w, v, w̄), u = [1, 0, 1] (v is a velocity, zero at the optimum):
    ///   v' = μ v + g(w);  w' = w − lr·v' = w − lr μ v − lr g;  w̄' = τ w̄ + (1−τ) w'.
    /// A = [[1, −lr μ, 0], [0, μ, 0], [1−τ, −(1−τ) lr μ, τ]], b = [lr, −1, (1−τ) lr],
    /// c = [1, 0, 0] (gradient at w), o = [0, 0, 1] (report the average).
    /// A u = [1, 0, (1−τ)+τ] = u; cᵀu = 1; oᵀu = 1.
    /// </summary>
    public static MethodTuple MomentumWithEma(double lr, double mu, double tau) => new(
        new double[,] { { 1, -lr * mu, 0 }, { 0, mu, 0 }, { 1 - tau, -(1 - tau) * lr * mu, tau } },
        [lr, -1, (1 - tau) * lr], [1, 0, 0], [0, 0, 1], [1, 0, 1]);

    /// <summary>
    /// Quasi-hyperbolic momentum (Ma &amp; Yarats), written with a velocity buffer, padded to k = 3 with the
    /// previous iterate so that a non-trivial k = 3 shape with a velocity is exercised:
    ///   v' = β v + (1−β) g(w);  w' = w − η[(1−ν) g + ν v'] = w − ηνβ v − η(1−ν+ν(1−β)) g;  p' = w.
    /// State (w, v, p), u = [1, 0, 1]; output o = [1,0,0], gradient at c = [1,0,0].
    /// A = [[1, −ηνβ, 0],[0, β, 0],[1, 0, 0]], b = [η(1 − νβ), −(1−β), 0].
    /// A u = [1, 0, 1] = u.
    /// </summary>
    public static MethodTuple Qhm(double eta, double beta, double nu) => new(
        new double[,] { { 1, -eta * nu * beta, 0 }, { 0, beta, 0 }, { 1, 0, 0 } },
        [eta * (1 - nu * beta), -(1 - beta), 0], [1, 0, 0], [1, 0, 0], [1, 0, 1]);
}
