using ExactDynamics.Methods;

namespace ExactDynamics.Tests.Performance;

/// <summary>A double-double number (≈ 32 digits), enough for an oracle of the risk recursion.</summary>
internal readonly struct DoubleDouble
{
    public readonly double Hi, Lo;
    public DoubleDouble(double hi, double lo = 0) { Hi = hi; Lo = lo; }
    private static DoubleDouble TwoSum(double a, double b)
    {
        double s = a + b, bb = s - a;
        return new DoubleDouble(s, (a - (s - bb)) + (b - bb));
    }
    public static DoubleDouble operator +(DoubleDouble a, DoubleDouble b)
    {
        var s = TwoSum(a.Hi, b.Hi);
        double e = s.Lo + a.Lo + b.Lo, h = s.Hi + e;
        return new DoubleDouble(h, e - (h - s.Hi));
    }
    public static DoubleDouble operator -(DoubleDouble a) => new(-a.Hi, -a.Lo);
    public static DoubleDouble operator -(DoubleDouble a, DoubleDouble b) => a + (-b);
    public static DoubleDouble operator *(DoubleDouble a, DoubleDouble b)
    {
        double p = a.Hi * b.Hi, e = Math.FusedMultiplyAdd(a.Hi, b.Hi, -p) + (a.Hi * b.Lo + a.Lo * b.Hi), h = p + e;
        return new DoubleDouble(h, e - (h - p));
    }
    public static DoubleDouble Reciprocal(double x)
    {
        double q = 1 / x, r = -Math.FusedMultiplyAdd(q, x, -1); // 1 − q x exactly
        return new DoubleDouble(q) + new DoubleDouble(q * r);
    }
    public static implicit operator DoubleDouble(double x) => new(x);
}

/// <summary>
/// docs/math.md#second-moment-recursion in double-double arithmetic, literally (full k×k blocks in the method's own coordinates), for the
/// *exactly consistent* method: each row of A is corrected in double-double so that A u = u holds exactly (the
/// floating-point A of e.g. heavy ball with β = 0.9 has 1 + β − β ≠ 1, which shifts the slow eigenvalue by
/// ~1e-16/(1 − β) and the risk after T steps by ~T·1e-16/(1 − β) relative; the library works in the consistent
/// basis, as docs/math.md#consistent-basis prescribes, so this is the problem it solves).
/// </summary>
internal static class ConsistentOracle
{
    public static double[] Risk(Problem problem, LinearMethod m, int steps)
    {
        int k = m.K, d = problem.Spectrum.Dimension;
        var lam = problem.Spectrum.Values.ToArray();
        var init = problem.Initial.ToArray();
        var a = new DoubleDouble[k, k];
        for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) a[p, q] = m.A(p, q);
        for (int p = 0; p < k; p++)
        {
            DoubleDouble r = -(DoubleDouble)m.U[p];
            for (int q = 0; q < k; q++) r += a[p, q] * m.U[q];
            int piv = -1;
            for (int q = 0; q < k; q++) if (m.U[q] != 0 && (piv < 0 || Math.Abs(m.A(p, q)) > Math.Abs(m.A(p, piv)))) piv = q;
            a[p, piv] -= r * DoubleDouble.Reciprocal(m.U[piv]);
        }
        var s = new DoubleDouble[d, k, k];
        for (int i = 0; i < d; i++) for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) s[i, p, q] = (DoubleDouble)init[i] * m.U[p] * m.U[q];
        var invB = DoubleDouble.Reciprocal(problem.Batch);
        DoubleDouble Quad(int i, ReadOnlySpan<double> v)
        {
            DoubleDouble r = 0;
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) r += (DoubleDouble)v[p] * s[i, p, q] * v[q];
            return r;
        }
        var risk = new double[steps + 1];
        var t = new DoubleDouble[k, k];
        var next = new DoubleDouble[k, k];
        for (int step = 0; ; step++)
        {
            DoubleDouble mu = 0, r = 0;
            for (int i = 0; i < d; i++) { mu += (DoubleDouble)lam[i] * Quad(i, m.C); r += (DoubleDouble)lam[i] * Quad(i, m.O); }
            risk[step] = 0.5 * r.Hi;
            if (step == steps) return risk;
            for (int i = 0; i < d; i++)
            {
                DoubleDouble l = lam[i];
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) t[p, q] = a[p, q] - l * m.B[p] * m.C[q];
                var bracket = (l * mu + (DoubleDouble)(problem.Kurtosis - 2) * l * l * Quad(i, m.C) + (DoubleDouble)problem.Noise * l) * invB;
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        DoubleDouble acc = 0;
                        for (int x = 0; x < k; x++) for (int y = 0; y < k; y++) acc += t[p, x] * s[i, x, y] * t[q, y];
                        next[p, q] = acc + (DoubleDouble)m.B[p] * m.B[q] * bracket;
                    }
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) s[i, p, q] = next[p, q];
            }
        }
    }
}
