using ExactDynamics.Methods;
using ExactDynamics.Spectral;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// A fast evaluator of the contraction gap for the <em>search</em> inside the tuner: the same secular equation and the
/// same gap-space local blocks as <see cref="ContractionGap"/> (MATH.md §4, via the internal <see cref="LocalBlocks"/>),
/// but solved to a search tolerance (relative 1e-11 in γ by default) with a bracketed Brent root-finder in log γ,
/// warm-started from a hint, instead of bisection to a few ulps. One evaluation is typically 8–15 passes over the
/// eigenvalues. The tuner always reports the gap of its final method from <see cref="ContractionGap.Compute(Problem, Methods.LinearMethod)"/>.
/// <para>
/// The function solved is φ(γ) − 1 = 0 with φ = 1/F(γ): F is increasing below the first local pole and +∞ at it, so
/// φ is continuous and decreasing from above 1 to 0 there; above the first pole (or when any local denominator is
/// non-positive) φ is set to 0. When F stays below 1 up to the lower end γ_low (no secular root), φ jumps at γ_low and
/// the bracket converges to that jump, which is the gap (ρ = z_low).
/// </para>
/// </summary>
internal sealed class SearchGap
{
    private readonly double[] _lambda;
    private readonly double[] _l2w;   // w_i λ_i² / B
    private readonly double[] _kp;    // κ'_i = (m4 − 2) λ_i² / B
    private readonly double _invB, _k4;

    // per-method scratch, reused between evaluations (the evaluator is not thread-safe; use one per thread)
    private double[] _g0 = [];
    private readonly double[] _bb = new double[10], _cc = new double[10];
    private int _m;
    private double _gammaTop;

    /// <param name="problem">The problem (batch, kurtosis; its spectrum unless <paramref name="nodes"/> is given).</param>
    /// <param name="nodes">Optional eigenvalue nodes replacing the spectrum (see <see cref="SpectrumCompression"/>).</param>
    /// <param name="weights">Multiplicities of the nodes (default 1 each).</param>
    public SearchGap(Problem problem, double[]? nodes = null, double[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        _lambda = nodes is null ? problem.Spectrum.ToArray() : (double[])nodes.Clone();
        _invB = 1.0 / problem.Batch;
        _k4 = problem.Kurtosis - 2;
        _l2w = new double[_lambda.Length];
        _kp = new double[_lambda.Length];
        for (int i = 0; i < _lambda.Length; i++)
        {
            double l = _lambda[i];
            _l2w[i] = (weights is null ? 1.0 : weights[i]) * l * l * _invB;
            _kp[i] = _k4 * l * l * _invB;
        }
        Problem = problem;
        Nodes = _lambda.Length;
    }

    /// <summary>Number of eigenvalue nodes in each pass.</summary>
    public int Nodes { get; }

    public Problem Problem { get; }

    /// <summary>Number of passes over the eigenvalues so far (for tests and timing).</summary>
    public long Passes { get; private set; }

    /// <summary>Number of gap evaluations so far.</summary>
    public long Evaluations { get; private set; }

    private void Load(LinearMethod method)
    {
        var blocks = new LocalBlocks(method);
        int m = blocks.M, d = _lambda.Length;
        _m = m;
        if (_g0.Length != d * m * m) _g0 = new double[d * m * m];
        blocks.BB.CopyTo(_bb, 0);
        blocks.CC.CopyTo(_cc, 0);
        Passes++;
        if (method.K == 2) { _gammaTop = Load2(new ConsistentBasis(method)); return; }
        double top = double.PositiveInfinity;
        for (int i = 0; i < d; i++)
        {
            double l = _lambda[i];
            blocks.FillG0(l, _g0.AsSpan(i * m * m, m * m));
            double g = blocks.GammaT(l);
            if (g < top) top = g;
        }
        _gammaTop = top;
    }

    /// <summary>
    /// <see cref="LocalBlocks.FillG0"/> and <see cref="LocalBlocks.GammaT"/> written out for k = 2 (same formulas, same
    /// consistent basis, no per-eigenvalue allocations): G⁰ = I − T⊗T on (00, 01, 11) with the diagonal formed from
    /// x_p = (1 − Ã_pp) + λ b̃_p c̃_p. Returns min_i (1 − ρ(T_i)²).
    /// </summary>
    private double Load2(ConsistentBasis basis)
    {
        var at = basis.Atilde; var bt = basis.Btilde; var ct = basis.Ctilde; var omd = basis.OneMinusDiagonal;
        double a00 = at[0, 0], a01 = at[0, 1], a10 = at[1, 0], a11 = at[1, 1];
        double b0 = bt[0], b1 = bt[1], c0 = ct[0], c1 = ct[1], o0 = omd[0], o1 = omd[1];
        var g = _g0;
        var lam = _lambda;
        double top = double.PositiveInfinity;
        for (int i = 0; i < lam.Length; i++)
        {
            double l = lam[i];
            double t00 = a00 - l * b0 * c0, t01 = a01 - l * b0 * c1, t10 = a10 - l * b1 * c0, t11 = a11 - l * b1 * c1;
            double x0 = o0 + l * b0 * c0, x1 = o1 + l * b1 * c1;
            int o = i * 9;
            // row e = (0,0): f = (0,0), (0,1), (1,1)
            g[o] = x0 * (2 - x0);
            g[o + 1] = -2 * t00 * t01;
            g[o + 2] = -t01 * t01;
            // row e = (0,1)
            g[o + 3] = -t00 * t10;
            g[o + 4] = x0 + x1 - x0 * x1 - t01 * t10;
            g[o + 5] = -t01 * t11;
            // row e = (1,1)
            g[o + 6] = -t10 * t10;
            g[o + 7] = -2 * t10 * t11;
            g[o + 8] = x1 * (2 - x1);
            // 1 − ρ(T)² (closed form of LocalBlocks.GammaT for k = 2)
            double tau = x0 + x1, delta = x0 * x1 - t01 * t10;
            double disc = tau * tau - 4 * delta;
            double gt;
            if (disc >= 0)
            {
                double sq = Math.Sqrt(disc);
                double big = tau >= 0 ? 0.5 * (tau + sq) : 0.5 * (tau - sq);
                double small = big != 0 ? delta / big : 0;
                gt = Math.Min(big * (2 - big), small * (2 - small));
            }
            else gt = tau - delta;
            if (gt < top) top = gt;
        }
        return top;
    }

    /// <summary>True when the method is mean-square stable (ρ &lt; 1): one pass at γ = 0.</summary>
    public bool IsStable(LinearMethod method)
    {
        Load(method);
        return !Above(0, out _);
    }

    /// <summary>
    /// The predicate of MATH.md §4 at γ: true when γ ≥ γ* (γ at or above γ_T, a local denominator ≤ 0, or F(γ) ≥ 1).
    /// <paramref name="f"/> = F(γ) when it was computed (0 otherwise).
    /// </summary>
    private bool Above(double gamma, out double f)
    {
        Passes++;
        f = 0;
        if (gamma >= _gammaTop) return true;
        int m = _m, mm = m * m, d = _lambda.Length;
        double sum = 0;
        var g0 = _g0;
        if (m == 1)
        {
            double bc = _bb[0] * _cc[0];
            for (int i = 0; i < d; i++)
            {
                double den0 = g0[i] - gamma;
                if (!(den0 > 0)) return true;
                double g = bc / den0;
                double den = 1 - _kp[i] * g;
                if (den <= 0) return true;
                sum += _l2w[i] * g / den;
            }
        }
        else if (m == 3)
        {
            double bb0 = _bb[0], bb1 = _bb[1], bb2 = _bb[2], cc0 = _cc[0], cc1 = _cc[1], cc2 = _cc[2];
            for (int i = 0; i < d; i++)
            {
                int o = i * 9;
                double g = Solve3(g0[o] - gamma, g0[o + 1], g0[o + 2],
                                  g0[o + 3], g0[o + 4] - gamma, g0[o + 5],
                                  g0[o + 6], g0[o + 7], g0[o + 8] - gamma,
                                  bb0, bb1, bb2, cc0, cc1, cc2, out bool ok);
                if (!ok || g < 0) return true;
                double den = 1 - _kp[i] * g;
                if (den <= 0) return true;
                sum += _l2w[i] * g / den;
            }
        }
        else
        {
            Span<double> a = stackalloc double[mm];
            Span<double> x = stackalloc double[m];
            for (int i = 0; i < d; i++)
            {
                g0.AsSpan(i * mm, mm).CopyTo(a);
                for (int e = 0; e < m; e++) a[e * m + e] -= gamma;
                _bb.AsSpan(0, m).CopyTo(x);
                if (!LocalBlocks.Solve(a, x, m)) return true;
                double g = LocalBlocks.Dot(_cc.AsSpan(0, m), x);
                if (g < 0) return true;
                double den = 1 - _kp[i] * g;
                if (den <= 0) return true;
                sum += _l2w[i] * g / den;
            }
        }
        f = sum;
        return f >= 1;
    }

    /// <summary>ccᵀ M⁻¹ bb for a 3×3 M by Gaussian elimination with partial pivoting (unrolled).</summary>
    private static double Solve3(double a00, double a01, double a02, double a10, double a11, double a12,
        double a20, double a21, double a22, double x0, double x1, double x2,
        double c0, double c1, double c2, out bool ok)
    {
        // pivot column 0
        double p0 = Math.Abs(a00), p1 = Math.Abs(a10), p2 = Math.Abs(a20);
        if (p1 > p0 && p1 >= p2)
        {
            (a00, a10) = (a10, a00); (a01, a11) = (a11, a01); (a02, a12) = (a12, a02); (x0, x1) = (x1, x0);
        }
        else if (p2 > p0 && p2 > p1)
        {
            (a00, a20) = (a20, a00); (a01, a21) = (a21, a01); (a02, a22) = (a22, a02); (x0, x2) = (x2, x0);
        }
        if (a00 == 0 || !double.IsFinite(a00)) { ok = false; return 0; }
        double f1 = a10 / a00, f2 = a20 / a00;
        a11 -= f1 * a01; a12 -= f1 * a02; x1 -= f1 * x0;
        a21 -= f2 * a01; a22 -= f2 * a02; x2 -= f2 * x0;
        if (Math.Abs(a21) > Math.Abs(a11))
        {
            (a11, a21) = (a21, a11); (a12, a22) = (a22, a12); (x1, x2) = (x2, x1);
        }
        if (a11 == 0) { ok = false; return 0; }
        double f = a21 / a11;
        a22 -= f * a12; x2 -= f * x1;
        if (a22 == 0) { ok = false; return 0; }
        double y2 = x2 / a22;
        double y1 = (x1 - a12 * y2) / a11;
        double y0 = (x0 - a01 * y1 - a02 * y2) / a00;
        ok = true;
        return c0 * y0 + c1 * y1 + c2 * y2;
    }

    /// <summary>φ(γ) − 1 with φ = 1/F below the first pole and 0 at or above it (stability residual at γ = 0).</summary>
    private double Residual(double gamma, out bool above)
    {
        above = Above(gamma, out double f);
        if (above) return f > 0 ? 1 / f - 1 : -1;
        return 1 / f - 1;
    }

    /// <summary>
    /// ψ(γ) = (F(γ) − 1)(γ_T − γ): the secular function with the pole at the top of the search removed, so that it is
    /// nearly linear near a root that sits close to that pole (a pole with a small residue makes F flat and then
    /// steep). Negative below the root, positive above; at a point above a local Sherman–Morrison pole (F not
    /// computed) it is set to γ_T − γ, which has the right sign.
    /// </summary>
    private double Psi(double gamma, out bool above)
    {
        above = Above(gamma, out double f);
        double dist = _gammaTop - gamma;
        if (above && !(f > 0)) return dist;
        return (f - 1) * dist;
    }

    /// <summary>
    /// The gap γ = 1 − ρ of <paramref name="method"/> to relative tolerance <paramref name="relTol"/>; a non-positive
    /// value (−1) when the method diverges. <paramref name="hint"/> (a previous gap of a nearby method, or NaN) narrows
    /// the initial bracket. The root of ψ is bracketed (downwards by growing factors, upwards by shrinking the distance
    /// to γ_T geometrically, down to the relative offset 1e-13 of MATH.md §4 (c), below which ρ = z_low), then found by
    /// Brent's method in γ.
    /// </summary>
    public double Gap(LinearMethod method, double hint = double.NaN, double relTol = 1e-11)
    {
        Evaluations++;
        Load(method);
        double top = _gammaTop;
        if (!(top > 0)) return -1;
        bool warm = hint > 0 && hint < top;
        double lo, hi, plo, phi;
        double start = warm ? hint : top * 0.5;
        double p0 = Psi(start, out bool ab);
        if (ab)
        {
            hi = start; phi = p0;
            double step = warm ? 1.02 : 4;
            while (true)
            {
                double cand = hi / step;
                if (!(cand > 1e-300)) return Above(0, out _) ? -1 : cand;
                double pc = Psi(cand, out bool a2);
                if (!a2) { lo = cand; plo = pc; break; }
                hi = cand; phi = pc;
                step = Math.Min(step * step, 1e8);
            }
        }
        else
        {
            lo = start; plo = p0;
            double theta = 0.5;
            double floor = top * 1e-13;
            for (int guard = 0; ; guard++)
            {
                double dist = top - lo;
                double cand = warm && lo * 0.02 < dist * 0.5 ? lo * 1.02 : top - dist * theta;
                warm = false;
                bool atFloor = top - cand <= floor || guard > 60;
                if (atFloor) cand = top - floor;
                double pc = Psi(cand, out bool a2);
                if (a2) { hi = cand; phi = pc; break; }
                lo = cand; plo = pc;
                if (atFloor) return cand; // F < 1 up to γ_T (1 − 1e-13): ρ = z_low
                theta *= theta;
                theta = Math.Max(theta, 1e-4);
            }
        }
        return Roots.Brent(g => Psi(g, out _), lo, hi, plo, phi, relTol * lo);
    }

    /// <summary>
    /// The stability residual φ(0) − 1 of <paramref name="method"/>: positive when it is mean-square stable (ρ &lt; 1),
    /// non-positive when it diverges; continuous across a stability boundary where F(0) = 1.
    /// </summary>
    public double StabilityResidual(LinearMethod method)
    {
        Load(method);
        return Residual(0, out _);
    }
}
