namespace ExactDynamics.Tests.Oracles;

/// <summary>
/// The per-direction block recursion (docs/math.md#second-moment-recursion; its equivalence with the full covariance oracle is tested in
/// double), evaluated entirely in double-double so that it can adjudicate ROUNDING: when the library and the
/// double-precision oracles differ at the 1e-12 level, this says who carries the error. All inputs are
/// taken as the exact doubles given; T_i = A − λ_i b cᵀ and every product is formed in double-double.
/// </summary>
public static class BlockRecursionDD
{
    public static double[] Trajectory(double[] lambdas, double[] initial, MethodTuple m, double batch, double kurtosis, double noise, int steps)
    {
        int k = m.K, d = lambdas.Length;
        var T = new DD[d][,];
        var S = new DD[d][,];
        DD invB = DD.One / batch, k4 = (DD)kurtosis - 2.0;
        for (int i = 0; i < d; i++)
        {
            T[i] = new DD[k, k];
            S[i] = new DD[k, k];
            for (int p = 0; p < k; p++)
                for (int q = 0; q < k; q++)
                {
                    T[i][p, q] = (DD)m.A[p, q] - (DD)lambdas[i] * m.B[p] * m.C[q];
                    S[i][p, q] = (DD)initial[i] * m.U[p] * m.U[q];
                }
        }
        DD Quad(DD[,] s, double[] v)
        {
            DD acc = DD.Zero;
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) acc += s[p, q] * v[p] * v[q];
            return acc;
        }
        double Risk()
        {
            DD acc = DD.Zero;
            for (int i = 0; i < d; i++) acc += (DD)lambdas[i] * Quad(S[i], m.O);
            return (acc * 0.5).ToDouble();
        }
        var r = new double[steps + 1];
        r[0] = Risk();
        for (int t = 1; t <= steps; t++)
        {
            DD mu = DD.Zero;
            for (int j = 0; j < d; j++) mu += (DD)lambdas[j] * Quad(S[j], m.C);
            for (int i = 0; i < d; i++)
            {
                DD l = lambdas[i];
                DD bracket = (l * mu + k4 * l * l * Quad(S[i], m.C) + (DD)noise * l) * invB;
                var ts = new DD[k, k];
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        DD acc = DD.Zero;
                        for (int x = 0; x < k; x++) acc += T[i][p, x] * S[i][x, q];
                        ts[p, q] = acc;
                    }
                var next = new DD[k, k];
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        DD acc = DD.Zero;
                        for (int x = 0; x < k; x++) acc += ts[p, x] * T[i][q, x];
                        next[p, q] = acc + bracket * m.B[p] * m.B[q];
                    }
                S[i] = next;
            }
            r[t] = Risk();
        }
        return r;
    }
}
