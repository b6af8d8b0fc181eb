namespace ExactDynamics.Numerics;

/// <summary>
/// One-dimensional maximisation on a bounded interval without derivatives: an uphill walk with growing steps brackets
/// a maximum (global for a unimodal function), then Brent's method (parabolic interpolation safeguarded by golden
/// section) refines it. Our own implementation rather than MathNet's <c>GoldenSectionMinimizer</c>/<c>BrentMinimizer</c>,
/// which expand the bounds they are given and throw on a minimum at a bound; here the bounds are hard and a maximum on
/// a bound is a normal answer. The objective must be finite everywhere on the interval.
/// </summary>
internal static class Maximize1D
{
    private const double Golden = 0.3819660112501051; // (3 − √5)/2

    /// <summary>A point and its value.</summary>
    public readonly record struct Point(double X, double F);

    /// <summary>
    /// Maximises <paramref name="f"/> on [<paramref name="lo"/>, <paramref name="hi"/>], starting at <paramref name="x0"/>
    /// with first step <paramref name="step"/>, to absolute tolerance <paramref name="tol"/> in x.
    /// </summary>
    public static Point Run(Func<double, double> f, double x0, double step, double lo, double hi, double tol, double? f0 = null)
    {
        if (!(lo <= hi)) throw new ArgumentException("lo must not exceed hi");
        x0 = Math.Clamp(x0, lo, hi);
        step = Math.Max(Math.Abs(step), 2 * tol);
        var b = new Point(x0, f0 ?? f(x0));
        if (hi - lo <= tol) return b;

        // first probe in the direction with room
        double dir = x0 + step <= hi ? 1 : -1;
        var c = Probe(f, b.X + dir * step, lo, hi);
        if (c.F < b.F || (c.F == b.F && c.X == b.X))
        {
            // try the other side
            double otherX = b.X - dir * step;
            if (otherX < lo || otherX > hi) otherX = Math.Clamp(otherX, lo, hi);
            if (otherX == b.X) return Refine(f, Math.Min(b.X, c.X), Math.Max(b.X, c.X), b, tol);
            var a = Probe(f, otherX, lo, hi);
            if (a.F <= b.F) return Refine(f, Math.Min(a.X, c.X), Math.Max(a.X, c.X), b, tol);
            dir = -dir;
            c = a;
        }
        // walk uphill: a < b < c in the walking direction, f(c) ≥ f(b)
        var prev = b;
        b = c;
        double h = step;
        while (true)
        {
            if ((dir > 0 && b.X >= hi) || (dir < 0 && b.X <= lo))
                return Refine(f, Math.Min(prev.X, b.X), Math.Max(prev.X, b.X), b, tol);
            h *= 1.8;
            var next = Probe(f, b.X + dir * h, lo, hi);
            if (next.F < b.F)
                return Refine(f, Math.Min(prev.X, next.X), Math.Max(prev.X, next.X), b, tol);
            prev = b;
            b = next;
        }
    }

    private static Point Probe(Func<double, double> f, double x, double lo, double hi)
    {
        x = Math.Clamp(x, lo, hi);
        return new Point(x, f(x));
    }

    /// <summary>
    /// Brent's method (maximisation) on [a, c] from the best known interior or end point <paramref name="best"/>.
    /// </summary>
    public static Point Refine(Func<double, double> f, double a, double c, Point best, double tol)
    {
        double x = best.X, fx = best.F;
        double w = x, fw = fx, v = x, fv = fx;
        double d = 0, e = 0;
        for (int it = 0; it < 200; it++)
        {
            double xm = 0.5 * (a + c);
            double tol1 = tol * 0.5 + 1e-15 * Math.Abs(x), tol2 = 2 * tol1;
            if (Math.Abs(x - xm) <= tol2 - 0.5 * (c - a)) break;
            bool golden = true;
            if (Math.Abs(e) > tol1)
            {
                // parabola through (x, w, v) on −f
                double r = (x - w) * (fv - fx);
                double q = (x - v) * (fw - fx);
                double p = (x - v) * q - (x - w) * r;
                q = 2 * (q - r);
                if (q > 0) p = -p; else q = -q;
                double etemp = e;
                e = d;
                if (Math.Abs(p) < Math.Abs(0.5 * q * etemp) && p > q * (a - x) && p < q * (c - x))
                {
                    d = p / q;
                    double u0 = x + d;
                    if (u0 - a < tol2 || c - u0 < tol2) d = xm - x >= 0 ? tol1 : -tol1;
                    golden = false;
                }
            }
            if (golden)
            {
                e = x >= xm ? a - x : c - x;
                d = Golden * e;
            }
            double u = Math.Abs(d) >= tol1 ? x + d : x + (d >= 0 ? tol1 : -tol1);
            double fu = f(u);
            if (fu >= fx)
            {
                if (u >= x) a = x; else c = x;
                v = w; fv = fw; w = x; fw = fx; x = u; fx = fu;
            }
            else
            {
                if (u < x) a = u; else c = u;
                if (fu >= fw || w == x) { v = w; fv = fw; w = u; fw = fu; }
                else if (fu >= fv || v == x || v == w) { v = u; fv = fu; }
            }
        }
        return new Point(x, fx);
    }
}
