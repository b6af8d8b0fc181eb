namespace ExactDynamics.Numerics;

/// <summary>Bracketed root finding (Brent–Dekker) with hard brackets, for the tuner's internal searches.</summary>
internal static class Roots
{
    /// <summary>
    /// A root of <paramref name="f"/> in [a, b] where f(a) = <paramref name="fa"/> and f(b) = <paramref name="fb"/> have
    /// opposite signs (f(b) ≤ 0 &lt; f(a) or the reverse), to absolute tolerance <paramref name="tol"/> in x.
    /// Works on discontinuous f too (it then converges to the jump).
    /// </summary>
    public static double Brent(Func<double, double> f, double a, double b, double fa, double fb, double tol)
    {
        double c = a, fc = fa, d = b - a, e = d;
        for (int it = 0; it < 300; it++)
        {
            if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0))
            {
                c = a; fc = fa; d = b - a; e = d;
            }
            if (Math.Abs(fc) < Math.Abs(fb))
            {
                a = b; b = c; c = a;
                fa = fb; fb = fc; fc = fa;
            }
            double tol1 = 4.5e-16 * Math.Abs(b) + 0.5 * tol;
            double m = 0.5 * (c - b);
            if (Math.Abs(m) <= tol1 || fb == 0) break;
            if (Math.Abs(e) >= tol1 && Math.Abs(fa) > Math.Abs(fb))
            {
                double s = fb / fa, p, q;
                if (a == c)
                {
                    p = 2 * m * s; q = 1 - s;
                }
                else
                {
                    double qq = fa / fc, rr = fb / fc;
                    p = s * (2 * m * qq * (qq - rr) - (b - a) * (rr - 1));
                    q = (qq - 1) * (rr - 1) * (s - 1);
                }
                if (p > 0) q = -q; else p = -p;
                if (2 * p < Math.Min(3 * m * q - Math.Abs(tol1 * q), Math.Abs(e * q)))
                {
                    e = d; d = p / q;
                }
                else { d = m; e = m; }
            }
            else { d = m; e = m; }
            a = b; fa = fb;
            b += Math.Abs(d) > tol1 ? d : (m > 0 ? tol1 : -tol1);
            fb = f(b);
        }
        return b;
    }
}
