namespace ExactDynamics.Numerics;

/// <summary>
/// A small bounded Nelder–Mead maximiser (box constraints by clamping trial points), for the 2-D shape search of ASGD.
/// Our own rather than MathNet's <c>NelderMeadSimplex</c>, which has no bounds.
/// </summary>
internal static class NelderMead
{
    public readonly record struct Result(double[] X, double F, int Evaluations);

    public static Result Maximize(Func<double[], double> f, double[] x0, double f0, double[] step, double[] lo, double[] hi,
        double xTol, int maxEvaluations)
    {
        int n = x0.Length;
        var pts = new double[n + 1][];
        var val = new double[n + 1];
        pts[0] = (double[])x0.Clone();
        val[0] = f0;
        int evals = 0;
        double[] Clamp(double[] x)
        {
            for (int i = 0; i < n; i++) x[i] = Math.Clamp(x[i], lo[i], hi[i]);
            return x;
        }
        for (int i = 0; i < n; i++)
        {
            var x = (double[])x0.Clone();
            x[i] += step[i];
            if (x[i] > hi[i]) x[i] = x0[i] - step[i];
            Clamp(x);
            pts[i + 1] = x;
            val[i + 1] = f(x); evals++;
        }
        while (evals < maxEvaluations)
        {
            // order: best first
            var order = Enumerable.Range(0, n + 1).OrderByDescending(i => val[i]).ToArray();
            pts = order.Select(i => pts[i]).ToArray();
            val = order.Select(i => val[i]).ToArray();
            double size = 0;
            for (int i = 1; i <= n; i++)
                for (int j = 0; j < n; j++) size = Math.Max(size, Math.Abs(pts[i][j] - pts[0][j]));
            if (size <= xTol) break;
            var centroid = new double[n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) centroid[j] += pts[i][j] / n;
            double[] Along(double t)
            {
                var x = new double[n];
                for (int j = 0; j < n; j++) x[j] = centroid[j] + t * (pts[n][j] - centroid[j]);
                return Clamp(x);
            }
            var xr = Along(-1); double fr = f(xr); evals++;
            if (fr > val[0])
            {
                var xe = Along(-2); double fe = f(xe); evals++;
                if (fe > fr) { pts[n] = xe; val[n] = fe; } else { pts[n] = xr; val[n] = fr; }
                continue;
            }
            if (fr > val[n - 1]) { pts[n] = xr; val[n] = fr; continue; }
            bool outside = fr > val[n];
            var xc = Along(outside ? -0.5 : 0.5); double fc = f(xc); evals++;
            if (fc > Math.Max(val[n], outside ? fr : double.NegativeInfinity) || fc > val[n])
            {
                pts[n] = xc; val[n] = fc; continue;
            }
            // shrink towards the best
            for (int i = 1; i <= n; i++)
            {
                for (int j = 0; j < n; j++) pts[i][j] = pts[0][j] + 0.5 * (pts[i][j] - pts[0][j]);
                Clamp(pts[i]);
                val[i] = f(pts[i]); evals++;
            }
        }
        int b = 0;
        for (int i = 1; i <= n; i++) if (val[i] > val[b]) b = i;
        return new Result(pts[b], val[b], evals);
    }
}
