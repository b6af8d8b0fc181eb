namespace ExactDynamics.Tests.Averaging;

/// <summary>
/// A plain, independent second-moment recursion for the tests of averaging and weight decay: per eigendirection i a
/// full n×n matrix S_i = E[z_i z_iᵀ] of a state z written by hand from an optimizer's update rule, as
/// z' = M_i z + q ζ, where ζ is the minibatch gradient noise at the gradient point g·z (mean zero, variance
/// (1/B)[λ_i Σ_j λ_j gᵀS_j g + (m4 − 2) λ_i² gᵀS_i g + σ² λ_i], the fourth-moment identity of docs/math.md#fourth-moment-identity).
/// Nothing here uses the library's method matrices.
/// </summary>
internal static class PlainJointMoments
{
    /// <summary>One step's rule: the mean map of direction i (given λ_i), how the noise enters, where the gradient is taken.</summary>
    public sealed record Rule(Func<double, double[,]> Mean, double[] NoiseIn, double[] GradientPoint);

    /// <summary>Runs <paramref name="steps"/> steps; returns the per-direction matrices after each step (index 0 = initial).</summary>
    public static double[][][,] Run(double[] lam, double[] s, double[] shape, double batch, double m4, double sigma2,
        int steps, Func<int, Rule> ruleAt)
    {
        int d = lam.Length, n = shape.Length;
        var all = new double[steps + 1][][,];
        var S = new double[d][,];
        for (int i = 0; i < d; i++)
        {
            S[i] = new double[n, n];
            for (int p = 0; p < n; p++) for (int q = 0; q < n; q++) S[i][p, q] = s[i] * shape[p] * shape[q];
        }
        all[0] = S.Select(m => (double[,])m.Clone()).ToArray();
        for (int t = 0; t < steps; t++)
        {
            var rule = ruleAt(t);
            var g = rule.GradientPoint;
            double coupling = 0;
            for (int j = 0; j < d; j++) coupling += lam[j] * Quad(S[j], g);
            var next = new double[d][,];
            for (int i = 0; i < d; i++)
            {
                var M = rule.Mean(lam[i]);
                var ms = new double[n, n];
                for (int p = 0; p < n; p++)
                    for (int q = 0; q < n; q++)
                    {
                        double acc = 0;
                        for (int r = 0; r < n; r++) for (int w = 0; w < n; w++) acc += M[p, r] * S[i][r, w] * M[q, w];
                        ms[p, q] = acc;
                    }
                double v = (lam[i] * coupling + (m4 - 2) * lam[i] * lam[i] * Quad(S[i], g) + sigma2 * lam[i]) / batch;
                for (int p = 0; p < n; p++) for (int q = 0; q < n; q++) ms[p, q] += rule.NoiseIn[p] * rule.NoiseIn[q] * v;
                next[i] = ms;
            }
            S = next;
            all[t + 1] = S.Select(m => (double[,])m.Clone()).ToArray();
        }
        return all;
    }

    /// <summary>½ Σ_i λ_i S_i[p,p] at every step.</summary>
    public static double[] Risk(double[][][,] moments, double[] lam, int p) =>
        moments.Select(S => 0.5 * Enumerable.Range(0, lam.Length).Sum(i => lam[i] * S[i][p, p])).ToArray();

    public static double Quad(double[,] m, double[] v)
    {
        double s = 0;
        for (int p = 0; p < v.Length; p++) for (int q = 0; q < v.Length; q++) s += v[p] * m[p, q] * v[q];
        return s;
    }
}
