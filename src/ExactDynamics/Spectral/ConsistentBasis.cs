using ExactDynamics.Methods;

namespace ExactDynamics.Spectral;

/// <summary>
/// The method written in a basis where consistency is exact (docs/math.md#consistent-basis): P = [u, e_j, …] (u and the standard
/// basis vectors other than the largest entry of u), Ã = P⁻¹AP with its first column set to e₁ exactly (A u = u),
/// b̃ = P⁻¹b, c̃ = Pᵀc and õ = Pᵀo with c̃₀ = õ₀ = 1 exactly. In this basis the initial blocks are s_i e₁e₁ᵀ and
/// I − T_i ⊗ T_i has an O(λ_i) first column formed without cancellation.
/// </summary>
internal sealed class ConsistentBasis
{
    public ConsistentBasis(LinearMethod method) : this(method, null) { }

    /// <summary>
    /// The basis of <paramref name="method"/>, reusing P and P⁻¹ of <paramref name="sameShape"/> (a method with the same
    /// state shape u, e.g. another step of a schedule): the same arithmetic as building them anew.
    /// </summary>
    public ConsistentBasis(LinearMethod method, ConsistentBasis? sameShape)
    {
        int k = method.K;
        K = k;
        var u = method.U.ToArray();
        U = u;
        double[,] P, Pinv;
        if (sameShape is not null)
        {
            if (sameShape.K != k || !sameShape.U.AsSpan().SequenceEqual(u))
                throw new InvalidOperationException("The methods of a schedule must share the state shape u.");
            P = sameShape.P;
            Pinv = sameShape._pinv;
        }
        else
        {
            int r = 0;
            for (int i = 1; i < k; i++) if (Math.Abs(u[i]) > Math.Abs(u[r])) r = i;
            // P: column 0 = u, then e_j for j ≠ r in increasing order.
            P = new double[k, k];
            for (int i = 0; i < k; i++) P[i, 0] = u[i];
            int col = 1;
            for (int j = 0; j < k; j++) if (j != r) { P[j, col] = 1; col++; }
            Pinv = Invert(P);
        }
        this.P = P;
        _pinv = Pinv;
        var A = method.MatrixA;
        var AP = Mul(A, P);
        var At = Mul(Pinv, AP);
        for (int i = 0; i < k; i++) At[i, 0] = i == 0 ? 1.0 : 0.0;
        Atilde = At;
        Btilde = new double[k];
        Ctilde = new double[k];
        Otilde = new double[k];
        var b = method.B; var c = method.C; var o = method.O;
        for (int i = 0; i < k; i++)
        {
            double sb = 0, sc = 0, so = 0;
            for (int j = 0; j < k; j++) { sb += Pinv[i, j] * b[j]; sc += P[j, i] * c[j]; so += P[j, i] * o[j]; }
            Btilde[i] = sb; Ctilde[i] = sc; Otilde[i] = so;
        }
        Ctilde[0] = 1; Otilde[0] = 1;
        OneMinusDiagonal = new double[k];
        for (int p = 1; p < k; p++) OneMinusDiagonal[p] = 1 - Atilde[p, p];
    }

    public int K { get; }
    /// <summary>The state shape u of the method (A u = u).</summary>
    public double[] U { get; }
    private readonly double[,] _pinv;
    /// <summary>The basis P = [u, e_j, …] (columns).</summary>
    public double[,] P { get; }
    public double[,] Atilde { get; }
    public double[] Btilde { get; }
    public double[] Ctilde { get; }
    public double[] Otilde { get; }
    /// <summary>1 − Ã_pp, exactly 0 for p = 0.</summary>
    public double[] OneMinusDiagonal { get; }

    private static double[,] Mul(double[,] x, double[,] y)
    {
        int n = x.GetLength(0);
        var z = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int l = 0; l < n; l++) s += x[i, l] * y[l, j];
                z[i, j] = s;
            }
        return z;
    }

    /// <summary>
    /// P⁻¹ in closed form: P = [u, e_j (j ≠ r)] maps y to y₀u + Σ_c y_c e_{j_c}, so row 0 of P⁻¹ is e_r/u_r and the row of
    /// column c is e_{j_c} − (u_{j_c}/u_r) e_r (exact up to the rounding of those ratios).
    /// </summary>
    private static double[,] Invert(double[,] p)
    {
        int n = p.GetLength(0);
        // r: the row of u's pivot, the one no column e_j covers
        int r = 0;
        for (; r < n; r++)
        {
            bool covered = false;
            for (int c = 1; c < n; c++) if (p[r, c] != 0) covered = true;
            if (!covered) break;
        }
        var inv = new double[n, n];
        double ur = p[r, 0];
        inv[0, r] = 1 / ur;
        for (int c = 1; c < n; c++)
        {
            int j = 0;
            while (p[j, c] == 0) j++;
            inv[c, j] = 1;
            inv[c, r] = -(p[j, 0] / ur);
        }
        return inv;
    }
}
