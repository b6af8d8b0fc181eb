using System.Numerics;
using ExactDynamics.Methods;

namespace ExactDynamics.Spectral;

/// <summary>
/// Per-direction local operators of docs/math.md#contraction-gap on the symmetric subspace (m = k(k+1)/2 coordinates (p,q), p ≤ q),
/// in the consistent basis: T_i = Ã − λ_i b̃c̃ᵀ, G⁰_i = I − T_i⊗T_i (formed without cancellation: the diagonal uses
/// x_p = 1 − t_pp = (1 − Ã_pp) + λ b̃_p c̃_p, so 1 − t_pp² = x_p(2 − x_p) and 1 − t_pp t_qq − t_pq t_qp =
/// x_p + x_q − x_p x_q − t_pq t_qp), and the vectors bb = vec(b̃b̃ᵀ), cc = the functional S ↦ c̃ᵀSc̃,
/// oo = the functional S ↦ õᵀSõ.
/// </summary>
internal sealed class LocalBlocks
{
    private readonly ConsistentBasis _basis;
    private readonly int[] _p, _q;

    public LocalBlocks(LinearMethod method)
    {
        _basis = new ConsistentBasis(method);
        K = method.K;
        M = K * (K + 1) / 2;
        _p = new int[M]; _q = new int[M];
        int e = 0;
        for (int p = 0; p < K; p++) for (int q = p; q < K; q++) { _p[e] = p; _q[e] = q; e++; }
        BB = new double[M]; CC = new double[M]; OO = new double[M]; E0 = new double[M];
        var b = _basis.Btilde; var c = _basis.Ctilde; var o = _basis.Otilde;
        for (e = 0; e < M; e++)
        {
            int p = _p[e], q = _q[e];
            double w = p == q ? 1 : 2;
            BB[e] = b[p] * b[q];
            CC[e] = w * c[p] * c[q];
            OO[e] = w * o[p] * o[q];
        }
        E0[0] = 1; // the initial block s_i ũũᵀ with ũ = e₁
        _b0 = b[0];
        if (K == 2)
        {
            _a01 = _basis.Atilde[0, 1]; _a11 = _basis.Atilde[1, 1]; _b1 = b[1]; _c1 = c[1]; _omd1 = _basis.OneMinusDiagonal[1];
        }
    }

    // k ≤ 2 constants of the consistent basis (Ã₀₀ = 1, Ã₁₀ = 0, c̃₀ = 1 exactly)
    private readonly double _a01, _a11, _b0, _b1, _c1, _omd1;

    /// <summary>The k = 2 constants for the vectorised passes of <see cref="SecularKernels"/>.</summary>
    public SecularKernels.K2 Constants2 => new(_a01, _a11, _b0, _b1, _c1, _omd1, BB, CC);

    /// <summary>b̃₀ (k = 1: the whole of b̃).</summary>
    public double B0 => _b0;

    /// <summary>
    /// 1 − ρ(T)² for k ≤ 2, the same arithmetic as <see cref="GammaT"/> without the general set-up (hot loop of the
    /// gap solver).
    /// </summary>
    public double GammaT2(double lambda)
        => K == 1 ? GammaT1(lambda) : GammaT2Core(lambda);

    /// <summary>k = 1: x(2 − x), x = λ b̃₀ c̃₀ (c̃₀ = 1), as in <see cref="GammaT"/>.</summary>
    public double GammaT1(double lambda)
    {
        double x = lambda * _b0 * 1.0;
        return x * (2 - x);
    }

    private double GammaT2Core(double lambda)
    {
        double t01 = _a01 - lambda * _b0 * _c1, t10 = 0 - lambda * _b1 * 1.0;
        double x0 = lambda * _b0 * 1.0, x1 = _omd1 + lambda * _b1 * _c1;
        double tau = x0 + x1, delta = x0 * x1 - t01 * t10;
        double disc = tau * tau - 4 * delta;
        if (disc >= 0)
        {
            double sq = Math.Sqrt(disc);
            double big = tau >= 0 ? 0.5 * (tau + sq) : 0.5 * (tau - sq);
            double small = big != 0 ? delta / big : 0;
            return Math.Min(big * (2 - big), small * (2 - small));
        }
        return tau - delta;
    }

    /// <summary>
    /// g(γ) = ccᵀ(G⁰ − γI)⁻¹bb and dg/dγ = yᵀx (x = (G⁰ − γI)⁻¹bb, y = (G⁰ − γI)⁻ᵀcc). Closed form for k ≤ 2
    /// (scalar for k = 1; the 3×3 adjugate for k = 2), Gaussian elimination otherwise. False when singular.
    /// </summary>
    public bool Resolvent(double lambda, double gamma, out double g, out double dg)
    {
        if (K == 1)
        {
            double x = lambda * _b0;
            double den = x * (2 - x) - gamma;
            double bb = _b0 * _b0;
            g = bb / den;
            dg = bb / (den * den);
            return den != 0 && double.IsFinite(g);
        }
        if (K == 2)
        {
            double t00 = 1 - lambda * _b0, t01 = _a01 - lambda * _b0 * _c1, t10 = -lambda * _b1, t11 = _a11 - lambda * _b1 * _c1;
            double x0 = lambda * _b0, x1 = _omd1 + lambda * _b1 * _c1;
            // M = G⁰ − γI (coordinates 00, 01, 11)
            double m00 = x0 * (2 - x0) - gamma, m01 = -2 * t00 * t01, m02 = -t01 * t01;
            double m10 = -t00 * t10, m11 = x0 + x1 - x0 * x1 - t01 * t10 - gamma, m12 = -t01 * t11;
            double m20 = -t10 * t10, m21 = -2 * t10 * t11, m22 = x1 * (2 - x1) - gamma;
            // cofactors C_ij
            double c00 = m11 * m22 - m12 * m21, c01 = -(m10 * m22 - m12 * m20), c02 = m10 * m21 - m11 * m20;
            double c10 = -(m01 * m22 - m02 * m21), c11 = m00 * m22 - m02 * m20, c12 = -(m00 * m21 - m01 * m20);
            double c20 = m01 * m12 - m02 * m11, c21 = -(m00 * m12 - m02 * m10), c22 = m00 * m11 - m01 * m10;
            double det = m00 * c00 + m10 * c10 + m20 * c20; // expansion along the O(λ) first column
            var bbv = BB; var ccv = CC;
            double bb0 = bbv[0], bb1 = bbv[1], bb2 = bbv[2], cc0 = ccv[0], cc1 = ccv[1], cc2 = ccv[2];
            // x_j = Σ_i C_ij bb_i / det ; y_i = Σ_j C_ij cc_j / det
            double u0 = c00 * bb0 + c10 * bb1 + c20 * bb2;
            double u1 = c01 * bb0 + c11 * bb1 + c21 * bb2;
            double u2 = c02 * bb0 + c12 * bb1 + c22 * bb2;
            double v0 = c00 * cc0 + c01 * cc1 + c02 * cc2;
            double v1 = c10 * cc0 + c11 * cc1 + c12 * cc2;
            double v2 = c20 * cc0 + c21 * cc1 + c22 * cc2;
            g = (cc0 * u0 + cc1 * u1 + cc2 * u2) / det;
            dg = (v0 * u0 + v1 * u1 + v2 * u2) / (det * det);
            return det != 0 && double.IsFinite(g) && double.IsFinite(dg);
        }
        int m = M;
        Span<double> xs = m <= LocalBlocks.StackDoubles ? stackalloc double[m] : new double[m];
        Span<double> ys = m <= LocalBlocks.StackDoubles ? stackalloc double[m] : new double[m];
        if (!SolveBoth(lambda, gamma, xs, ys)) { g = dg = 0; return false; }
        g = Dot(CC, xs);
        dg = Dot(ys, xs);
        return true;
    }

    public int K { get; }

    /// <summary>Scratch arrays up to this many doubles (8 KB) live on the stack; larger ones (k ≥ 9 for the m×m
    /// solves) on the heap, so that no method size can overflow the stack.</summary>
    internal const int StackDoubles = 1024;
    public int M { get; }
    /// <summary>Symmetric coordinates of b̃b̃ᵀ.</summary>
    public double[] BB { get; }
    /// <summary>Functional S ↦ c̃ᵀSc̃ on symmetric coordinates.</summary>
    public double[] CC { get; }
    /// <summary>Functional S ↦ õᵀSõ on symmetric coordinates.</summary>
    public double[] OO { get; }
    /// <summary>Symmetric coordinates of the initial shape ũũᵀ = e₁e₁ᵀ.</summary>
    public double[] E0 { get; }

    /// <summary>T = Ã − λ b̃ c̃ᵀ (row-major k×k).</summary>
    public void FillT(double lambda, Span<double> t)
    {
        var a = _basis.Atilde; var b = _basis.Btilde; var c = _basis.Ctilde;
        for (int p = 0; p < K; p++)
            for (int r = 0; r < K; r++) t[p * K + r] = a[p, r] - lambda * b[p] * c[r];
    }

    /// <summary>G⁰ = I − T⊗T on the symmetric subspace (row-major m×m), accurate for small λ.</summary>
    public void FillG0(double lambda, Span<double> g)
    {
        int k = K;
        Span<double> t = k * k <= LocalBlocks.StackDoubles ? stackalloc double[k * k] : new double[k * k];
        Span<double> x = k <= LocalBlocks.StackDoubles ? stackalloc double[k] : new double[k];
        FillT(lambda, t);
        var b = _basis.Btilde; var c = _basis.Ctilde; var omd = _basis.OneMinusDiagonal;
        for (int p = 0; p < k; p++) x[p] = omd[p] + lambda * b[p] * c[p];
        for (int e = 0; e < M; e++)
        {
            int p = _p[e], q = _q[e];
            for (int f = 0; f < M; f++)
            {
                int r = _p[f], s = _q[f];
                double coef = t[p * k + r] * t[q * k + s];
                if (r != s) coef += t[p * k + s] * t[q * k + r];
                g[e * M + f] = -coef;
            }
            g[e * M + e] = p == q
                ? x[p] * (2 - x[p])
                : x[p] + x[q] - x[p] * x[q] - t[p * k + q] * t[q * k + p];
        }
    }

    /// <summary>1 − ρ(T)², with full relative precision for small λ (closed form for k ≤ 2).</summary>
    public double GammaT(double lambda)
    {
        int k = K;
        Span<double> t = k * k <= LocalBlocks.StackDoubles ? stackalloc double[k * k] : new double[k * k];
        FillT(lambda, t);
        var b = _basis.Btilde; var c = _basis.Ctilde; var omd = _basis.OneMinusDiagonal;
        if (k == 1)
        {
            double x = lambda * b[0] * c[0];
            return x * (2 - x);
        }
        if (k == 2)
        {
            // eigenvalues ν = 1 − μ of I − T: ν² − τν + Δ = 0
            double x0 = lambda * b[0] * c[0], x1 = omd[1] + lambda * b[1] * c[1];
            double tau = x0 + x1, delta = x0 * x1 - t[1] * t[2];
            double disc = tau * tau - 4 * delta;
            if (disc >= 0)
            {
                double sq = Math.Sqrt(disc);
                double big = tau >= 0 ? 0.5 * (tau + sq) : 0.5 * (tau - sq);
                double small = big != 0 ? delta / big : 0;
                return Math.Min(big * (2 - big), small * (2 - small));
            }
            // complex pair: |μ|² = det T = 1 − τ + Δ
            return tau - delta;
        }
        var tArr = t.ToArray();
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(k, k, (i, j) => tArr[i * k + j]);
        double rho = 0;
        foreach (Complex z in m.Evd().EigenValues) rho = Math.Max(rho, z.Magnitude);
        return 1 - rho * rho;
    }

    /// <summary>
    /// Solve (G − γI) x = rhs (or its transpose) in place by Gaussian elimination with partial pivoting
    /// (m ≤ 10 here). <paramref name="a"/> is overwritten. Returns false when singular.
    /// </summary>
    public static bool Solve(Span<double> a, Span<double> x, int m)
    {
        for (int col = 0; col < m; col++)
        {
            int piv = col;
            double best = Math.Abs(a[col * m + col]);
            for (int r = col + 1; r < m; r++)
            {
                double v = Math.Abs(a[r * m + col]);
                if (v > best) { best = v; piv = r; }
            }
            if (best == 0 || !double.IsFinite(best)) return false;
            if (piv != col)
            {
                for (int j = 0; j < m; j++) (a[col * m + j], a[piv * m + j]) = (a[piv * m + j], a[col * m + j]);
                (x[col], x[piv]) = (x[piv], x[col]);
            }
            double d = a[col * m + col];
            for (int r = col + 1; r < m; r++)
            {
                double f = a[r * m + col] / d;
                if (f == 0) continue;
                for (int j = col + 1; j < m; j++) a[r * m + j] -= f * a[col * m + j];
                x[r] -= f * x[col];
            }
        }
        for (int r = m - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int j = r + 1; j < m; j++) s -= a[r * m + j] * x[j];
            x[r] = s / a[r * m + r];
        }
        return true;
    }

    /// <summary>
    /// Both resolvent solves at once: x = (G⁰ − γI)⁻¹ bb and y = (G⁰ − γI)⁻ᵀ cc, so that g = ccᵀx = bbᵀy and
    /// dg/dγ = yᵀx. Returns false when singular.
    /// </summary>
    public bool SolveBoth(double lambda, double gamma, Span<double> x, Span<double> y)
    {
        int m = M;
        Span<double> g = m * m <= LocalBlocks.StackDoubles ? stackalloc double[m * m] : new double[m * m];
        Span<double> gt = m * m <= LocalBlocks.StackDoubles ? stackalloc double[m * m] : new double[m * m];
        FillG0(lambda, g);
        for (int e = 0; e < m; e++) g[e * m + e] -= gamma;
        for (int e = 0; e < m; e++)
            for (int f = 0; f < m; f++) gt[e * m + f] = g[f * m + e];
        BB.CopyTo(x);
        CC.CopyTo(y);
        return Solve(g, x, m) && Solve(gt, y, m);
    }

    /// <summary>x = (G⁰ − γI)⁻¹ bb (or, transposed, (G⁰ − γI)⁻ᵀ cc). Returns false when singular.</summary>
    public bool SolveShifted(double lambda, double gamma, Span<double> x, bool transpose)
    {
        int m = M;
        Span<double> g = m * m <= LocalBlocks.StackDoubles ? stackalloc double[m * m] : new double[m * m];
        FillG0(lambda, g);
        for (int e = 0; e < m; e++) g[e * m + e] -= gamma;
        if (transpose)
        {
            for (int e = 0; e < m; e++)
                for (int f = e + 1; f < m; f++) (g[e * m + f], g[f * m + e]) = (g[f * m + e], g[e * m + f]);
            CC.CopyTo(x);
        }
        else BB.CopyTo(x);
        return Solve(g, x, m);
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
