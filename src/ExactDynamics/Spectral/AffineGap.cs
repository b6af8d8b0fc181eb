using ExactDynamics.Methods;

namespace ExactDynamics.Spectral;

/// <summary>
/// The contraction gap of a method that carries constant coordinates (weight decay carries w*, docs/math.md#weight-decay):
/// the risk then tends to a non-zero limit, and the gap is the rate of that approach. With the state split into the
/// error part (n coordinates) and the constant part, the mean map T_i = A − λ_i b cᵀ is block triangular with the
/// identity on the constant part, so the second-moment operator has the spectrum {1} ∪ {eig T̃_i} ∪ spec 𝓜̃, where T̃_i
/// is the error block of T_i (the cross moments E[ẽ w*ᵀ] evolve with T̃_i) and 𝓜̃ is the operator of
/// docs/math.md#contraction-gap on the error blocks alone. The risk approaches its limit as ρ^t with
/// <code>ρ = max( max_i ρ(T̃_i),  ρ(𝓜̃) )</code>
/// (the cross moments enter the risk linearly, hence ρ(T̃_i) and not its square). ρ(𝓜̃) is the largest z above
/// z_T = max_i ρ(T̃_i)² with some 1 − κ'_i g_i(z) ≤ 0 or F(z) = (1/B) Σ_i λ_i² g_i/(1 − κ'_i g_i) ≥ 1, where
/// g_i(z) = (c⊗c)ᵀ(zI − T̃_i⊗T̃_i)⁻¹(b⊗b) (the secular equation of docs/math.md#secular-equation, solved densely per
/// direction by bisection; docs/math.md#weight-decay).
/// </summary>
public static class AffineGap
{
    /// <summary>The indices of the constant coordinates: A row j = e_jᵀ, b_j = c_j = o_j = 0.</summary>
    public static int[] ConstantCoordinates(LinearMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        var list = new List<int>();
        for (int j = 0; j < method.K; j++)
        {
            bool constant = method.B[j] == 0 && method.C[j] == 0 && method.O[j] == 0;
            for (int q = 0; q < method.K && constant; q++) constant = method.A(j, q) == (q == j ? 1 : 0);
            if (constant) list.Add(j);
        }
        return list.ToArray();
    }

    /// <summary>The indices of the state coordinates that are not constant (the error part).</summary>
    public static int[] ErrorCoordinates(LinearMethod method, int[] constant) =>
        Enumerable.Range(0, method.K).Where(j => !constant.Contains(j)).ToArray();

    /// <summary>max_i ρ(T̃_i) over the eigenvalues λ_i, T̃_i = A − λ_i b cᵀ on the error coordinates <paramref name="err"/>:
    /// the rate at which the cross moments E[ẽ w*ᵀ] approach their limit (see the class summary).</summary>
    public static double MeanMapRadius(ReadOnlySpan<double> lambda, LinearMethod method, int[] err)
    {
        ArgumentNullException.ThrowIfNull(method);
        double rho = 0;
        foreach (double l in lambda) rho = Math.Max(rho, SpectralRadius(ErrorBlock(method, err, l)));
        return rho;
    }

    /// <summary>T̃ = A − λ b cᵀ restricted to the error coordinates <paramref name="err"/>.</summary>
    private static double[,] ErrorBlock(LinearMethod method, int[] err, double lambda)
    {
        int n = err.Length;
        var t = new double[n, n];
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++)
                t[p, q] = method.A(err[p], err[q]) - lambda * method.B[err[p]] * method.C[err[q]];
        return t;
    }

    /// <summary>The rate of approach to the limit for a method with constant coordinates (see the class summary).</summary>
    public static GapResult Compute(Problem problem, LinearMethod method)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        var constant = ConstantCoordinates(method);
        if (constant.Length == 0) throw new ArgumentException("The method has no constant coordinate.", nameof(method));
        var err = ErrorCoordinates(method, constant);
        int n = err.Length, n2 = n * n;
        var lam = problem.Spectrum.ToArray();
        int d = lam.Length;
        double invB = 1 / problem.Batch, k4 = problem.Kurtosis - 2;
        var bb = new double[n2];
        var cc = new double[n2];
        for (int p = 0; p < n; p++)
            for (int q = 0; q < n; q++)
            {
                bb[p * n + q] = method.B[err[p]] * method.B[err[q]];
                cc[p * n + q] = method.C[err[p]] * method.C[err[q]];
            }
        // T̃_i ⊗ T̃_i for every direction, and the largest |eigenvalue| of T̃_i
        var kron = new double[d][,];
        double rhoT = 0;
        for (int i = 0; i < d; i++)
        {
            var t = ErrorBlock(method, err, lam[i]);
            rhoT = Math.Max(rhoT, SpectralRadius(t));
            var kr = new double[n2, n2];
            for (int p = 0; p < n; p++) for (int q = 0; q < n; q++) for (int r = 0; r < n; r++) for (int s = 0; s < n; s++)
                kr[p * n + r, q * n + s] = t[p, q] * t[r, s];
            kron[i] = kr;
        }
        double zT = rhoT * rhoT;
        // true when z ≤ ρ(𝓜̃): a local block has its own eigenvalue ≥ z, or the coupled system does
        var work = new double[n2, n2 + 1];
        bool AtOrBelow(double z)
        {
            double f = 0;
            for (int i = 0; i < d; i++)
            {
                double g = Resolvent(kron[i], z, bb, cc, work);
                if (!(g >= 0)) return true;
                double local = 1 - k4 * lam[i] * lam[i] * invB * g;
                if (local <= 0) return true;
                f += lam[i] * lam[i] * invB * g / local;
            }
            return f >= 1;
        }
        double lo = zT, hi = Math.Max(1, 2 * zT);
        while (AtOrBelow(hi)) { lo = hi; hi *= 2; if (hi > 1e300) break; }
        bool root = AtOrBelow(zT * (1 + 1e-15) + 1e-300);
        if (root)
        {
            for (int it = 0; it < 200 && hi - lo > 2e-16 * hi; it++)
            {
                double mid = 0.5 * (lo + hi);
                if (AtOrBelow(mid)) lo = mid; else hi = mid;
            }
        }
        double rhoM = root ? 0.5 * (lo + hi) : zT;
        double rho = Math.Max(rhoM, rhoT);
        return new GapResult(rho, 1 - rho, rho >= 1, Math.Max(rhoT, zT), root && rhoM >= rhoT);
    }

    /// <summary>(c⊗c)ᵀ(zI − K)⁻¹(b⊗b) by Gaussian elimination with partial pivoting (K is n²×n², n ≤ a few).</summary>
    private static double Resolvent(double[,] k, double z, double[] bb, double[] cc, double[,] m)
    {
        int n = bb.Length;
        for (int p = 0; p < n; p++)
        {
            for (int q = 0; q < n; q++) m[p, q] = (p == q ? z : 0) - k[p, q];
            m[p, n] = bb[p];
        }
        for (int col = 0; col < n; col++)
        {
            int piv = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[piv, col])) piv = r;
            if (m[piv, col] == 0) return double.NaN;
            if (piv != col) for (int q = col; q <= n; q++) (m[col, q], m[piv, q]) = (m[piv, q], m[col, q]);
            for (int r = col + 1; r < n; r++)
            {
                double f = m[r, col] / m[col, col];
                if (f == 0) continue;
                for (int q = col; q <= n; q++) m[r, q] -= f * m[col, q];
            }
        }
        double g = 0;
        var x = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double s = m[r, n];
            for (int q = r + 1; q < n; q++) s -= m[r, q] * x[q];
            x[r] = s / m[r, r];
            g += cc[r] * x[r];
        }
        return g;
    }

    private static double SpectralRadius(double[,] t)
    {
        int n = t.GetLength(0);
        if (n == 1) return Math.Abs(t[0, 0]);
        var evd = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(t).Evd();
        return evd.EigenValues.Max(e => e.Magnitude);
    }
}
