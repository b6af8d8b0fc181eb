using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Tradeoffs;

/// <summary>
/// Brute-force optimisation for the reliability tests: a fine grid on a box of (log-)coordinates, then four zooms
/// (each an 11^n grid around the best point, the spacing divided by 5), no unimodality assumed. Gaps from the
/// search evaluator (checked against the core in <see cref="SearchGapTests"/>).
/// </summary>
internal static class BruteForce
{
    public sealed record Best(double Gap, double[] X, string Spec);

    public static Best Maximize(Problem problem, Func<double[], LinearMethod?> make, double[] lo, double[] hi, int[] n, int zooms = 4)
    {
        var sg = new SearchGap(problem);
        int dim = lo.Length;
        double bestGap = double.NegativeInfinity;
        double[] bestX = (double[])lo.Clone();
        string spec = "";
        double Eval(double[] x)
        {
            LinearMethod? m;
            try { m = make(x); } catch (InvalidInputException) { return double.NegativeInfinity; }
            if (m is null) return double.NegativeInfinity;
            double g = sg.Gap(m);
            if (g > bestGap) { bestGap = g; bestX = (double[])x.Clone(); spec = m.Spec; }
            return g;
        }
        var h = new double[dim];
        for (int k = 0; k < dim; k++) h[k] = (hi[k] - lo[k]) / (n[k] - 1);
        Grid(dim, n, idx =>
        {
            var x = new double[dim];
            for (int k = 0; k < dim; k++) x[k] = lo[k] + h[k] * idx[k];
            Eval(x);
        });
        for (int z = 0; z < zooms; z++)
        {
            var c = (double[])bestX.Clone();
            var hz = h.Select(v => v / Math.Pow(5, z + 1)).ToArray();
            var nz = Enumerable.Repeat(11, dim).ToArray();
            Grid(dim, nz, idx =>
            {
                var x = new double[dim];
                for (int k = 0; k < dim; k++) x[k] = Math.Clamp(c[k] + (idx[k] - 5) * hz[k] * 2.5, lo[k], hi[k]);
                Eval(x);
            });
        }
        return new Best(bestGap, bestX, spec);
    }

    private static void Grid(int dim, int[] n, Action<int[]> visit)
    {
        var idx = new int[dim];
        while (true)
        {
            visit(idx);
            int k = 0;
            while (k < dim && ++idx[k] == n[k]) { idx[k] = 0; k++; }
            if (k == dim) return;
        }
    }

    public static Best Sgd(Problem p)
    {
        double l = Math.Log(p.Spectrum.Max);
        return Maximize(p, x => Methods.Sgd.Create(Math.Exp(x[0])), [-12 - l], [Math.Log(2.2) - l], [1500]);
    }

    /// <summary>Heavy ball / Nesterov on (ln(1 − β), ln lr) and on the ridge-aligned (ln(1 − β), ln(lr/(1 − β))); the better of the two.</summary>
    public static Best Momentum(Problem p, MethodFamily family, int nv = 70, int nl = 140)
    {
        double l = Math.Log(p.Spectrum.Max);
        LinearMethod Make(double v, double lr) => family == MethodFamily.HeavyBall
            ? HeavyBall.Create(lr, 1 - Math.Exp(v))
            : Nesterov.Create(lr, 1 - Math.Exp(v));
        double vMin = Math.Log(1e-4);
        var a = Maximize(p, x => x[0] > 0 ? null : Make(x[0], Math.Exp(x[1])), [vMin, -12 - l], [0, Math.Log(4.5) - l], [nv, nl]);
        var b = Maximize(p, x => x[0] > 0 ? null : Make(x[0], Math.Exp(x[1] + x[0])), [vMin, -10 - l], [0, Math.Log(4.5) - l - vMin], [nv, nl]);
        return a.Gap >= b.Gap ? a : b;
    }

    /// <summary>
    /// ASGD: the better of a grid on (ln δ, ln κ̃, ln ξ) (constraint 1 − α = c²ξ/κ̃ &lt; 2) and a grid on the
    /// effective coordinates (ln(1 − β'), logit u, ln b₀) of <see cref="FamilySearch.AsgdParams"/>, where the ridges of
    /// the landscape are short (the user-coordinate grid alone lands up to 6% short of them).
    /// </summary>
    public static Best Asgd(Problem p, int n = 28)
    {
        var a = AsgdUser(p, n);
        var fs = new FamilySearch(p, MethodFamily.Asgd);
        double l = Math.Log(p.Spectrum.Max);
        double vMin = Math.Log(1e-4);
        var b = Maximize(p, x =>
        {
            if (x[0] > 0) return null;
            var (lr, kappa, xi) = fs.AsgdParams([x[0], x[1]], Math.Exp(x[2]));
            return Methods.Asgd.Create(lr, kappa, xi);
        }, [vMin, -10, -10 - l], [0, 10, Math.Log(4) - l], [n, n, n]);
        return a.Gap >= b.Gap ? a : b;
    }

    private static Best AsgdUser(Problem p, int n)
    {
        double l = Math.Log(p.Spectrum.Max);
        return Maximize(p, x =>
        {
            double kappa = Math.Exp(x[1]), xi = Math.Exp(x[2]);
            if (0.49 * xi / kappa >= 2) return null;
            return Methods.Asgd.Create(Math.Exp(x[0]), kappa, xi);
        }, [-10 - l, -1, -3], [Math.Log(4) - l, 14, 10], [n, n, n]);
    }
}
