using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Numerics;

/// <summary>The Perron root of a linear map found by <see cref="PerronRoot.Compute"/>.</summary>
/// <param name="Root">ρ, the eigenvalue with the largest real part (for a map that preserves a cone: the spectral radius).</param>
/// <param name="Vector">Its eigenvector (unit Euclidean norm), a warm start for a nearby map.</param>
/// <param name="Applications">How many times the map was applied.</param>
/// <param name="Residual">‖M v − ρ v‖ for the returned unit vector v.</param>
/// <param name="Converged">Whether the residual met the tolerance within the application limit.</param>
public sealed record PerronResult(double Root, double[] Vector, int Applications, double Residual, bool Converged);

/// <summary>
/// The Perron root of a linear map M on ℝᴺ given only as "v ↦ M v" (matrix-free; docs/math.md#data-rates):
/// implicitly restarted Arnoldi (Sorensen 1992, as in ARPACK) with a Krylov space of m vectors (modified Gram–Schmidt,
/// orthogonalised twice) and exact shifts. At the end of a cycle the m Ritz values of the m × m Hessenberg matrix
/// (MathNet's eigendecomposition) are sorted by real part; the m − p leftmost are applied as shifts of implicit QR
/// steps (Givens bulge chases, a double step for a complex pair, negligible subdiagonals deflated), which compresses
/// the Arnoldi factorisation onto the invariant subspace of the p rightmost Ritz values — a thick restart: the
/// p-dimensional space keeps the approximations of the eigenvalues that cluster just below ρ instead of throwing them
/// away, as an explicit restart from one Ritz vector does. The wanted value is the rightmost real Ritz value. For a
/// map that preserves a cone (the second-moment maps of the data models preserve the positive semidefinite cone) it is
/// the spectral radius (Krein–Rutman): every other eigenvalue μ has |μ| ≤ ρ, so Re μ ≤ ρ. It stops when the Arnoldi
/// residual ‖M v − θ v‖ = h_{j+1,j}|y_j| is at most <c>tolerance · |1 − θ|</c> (so that the gap 1 − ρ has that
/// relative accuracy) or <c>floor · |θ|</c> (the rounding floor of the map's evaluation), whichever is larger.
/// Written here because no maintained .NET library offers a matrix-free nonsymmetric Arnoldi (MathNet.Numerics has dense
/// eigensolvers only; ARPACK is Fortran and would need a native library on every machine).
/// </summary>
public static class PerronRoot
{
    /// <summary>Relative residual below which a root is accepted whatever its gap (the rounding floor).</summary>
    public const double Floor = 1e-12;

    /// <summary>The Perron root of <paramref name="apply"/> (y ← M x, both of length <paramref name="size"/>).</summary>
    /// <param name="size">N, the dimension.</param>
    /// <param name="apply">Writes M x into its second argument; must not keep the arrays.</param>
    /// <param name="start">A starting vector (e.g. the Perron vector of a nearby map, or a positive element of the cone); not changed.</param>
    /// <param name="tolerance">Relative accuracy of the gap 1 − ρ (see the class summary).</param>
    /// <param name="krylov">Krylov dimension m (capped by N and by a memory budget of about 256 MB); a restart keeps about m/2.</param>
    /// <param name="maxApplications">Limit of applications of the map.</param>
    /// <param name="floor">Relative residual accepted whatever the gap (default <see cref="Floor"/>).</param>
    public static PerronResult Compute(int size, Action<double[], double[]> apply, double[] start, double tolerance,
        int krylov = 40, int maxApplications = 20000, double floor = Floor)
    {
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(start);
        if (size < 1 || start.Length != size) throw new ArgumentException("The start vector must have the map's dimension.", nameof(start));
        if (!(tolerance > 0)) throw new InvalidInputException($"The Perron-root tolerance {tolerance} is not allowed; it must be positive.");
        int budget = (int)Math.Max(4, Math.Min(int.MaxValue, 256e6 / (8.0 * size)));
        int m = Math.Max(1, Math.Min(Math.Min(krylov, budget), size));
        var v = new double[m + 1][];
        for (int i = 0; i <= m; i++) v[i] = new double[size];
        Array.Copy(start, v[0], size);
        if (!(Normalise(v[0]) > 0)) { Array.Fill(v[0], 1.0); Normalise(v[0]); }
        var h = new double[m + 1, m];
        int apps = 0, first = 0; // first: the columns 0 … first − 1 of the factorisation are kept from a restart
        while (true)
        {
            for (int j = first; j < m; j++)
            {
                var w = v[j + 1];
                apply(v[j], w);
                apps++;
                double norm0 = Norm(w);
                if (!double.IsFinite(norm0)) // the map overflows on a unit vector: ρ is beyond the double range
                    return new PerronResult(double.PositiveInfinity, (double[])v[j].Clone(), apps, double.PositiveInfinity, true);
                for (int i = 0; i <= m; i++) h[i, j] = 0;
                for (int pass = 0; pass < 2; pass++)
                    for (int i = 0; i <= j; i++)
                    {
                        double c = Dot(v[i], w);
                        h[i, j] += c;
                        Axpy(-c, v[i], w);
                    }
                double hn = Norm(w);
                bool invariant = !(hn > 1e-14 * Math.Max(norm0, double.Epsilon)); // the Ritz values are then exact
                h[j + 1, j] = invariant ? 0 : hn;
                if (!invariant) for (int a = 0; a < size; a++) w[a] /= hn;
                bool end = invariant || j == m - 1 || apps >= maxApplications;
                // the Ritz pair of the (j+1)-dimensional space, checked after 2, 4, 8, 16, 32 applications and at the end of a
                // cycle (a warm start may converge in a few; the m × m eigendecompositions stay cheap beside the map)
                if (!end && !IsCheckpoint(j + 1)) continue;
                var evd = Matrix<double>.Build.Dense(j + 1, j + 1, (a, b) => h[a, b]).Evd(Symmetricity.Asymmetric);
                var (theta, y, real) = RitzPair(evd, j + 1);
                double residual = Math.Abs(h[j + 1, j]) * Math.Abs(y[j]);
                bool done = real && residual <= Math.Max(tolerance * Math.Abs(1 - theta), floor * Math.Abs(theta));
                if (!done && !end) continue;
                var x = RitzVector(v, y, size);
                if (done || apps >= maxApplications) return new PerronResult(theta, x, apps, residual, done);
                if (invariant || m < 2)
                {
                    // an invariant subspace without a valid Perron pair (or a one-vector space): restart from the Ritz vector
                    Array.Copy(x, v[0], size);
                    Array.Clear(h);
                    first = 0;
                }
                else first = Restart(v, h, m, evd.EigenValues.ToArray(), size);
                break;
            }
        }
    }

    /// <summary>
    /// The implicit restart: the m − p leftmost Ritz values (p ≈ m/2, never splitting a complex pair) as exact shifts of
    /// implicit QR steps on H (Hessenberg), V ← V Q, H ← Qᵀ H Q, truncated to p columns with the new residual
    /// f = v_p h_{p,p−1} + v_m h_{m,m−1} q_{m,p}. Returns p.
    /// </summary>
    private static int Restart(double[][] v, double[,] h, int m, System.Numerics.Complex[] values, int size)
    {
        // sort by real part, largest first (a complex pair stays adjacent: its two values share their real part)
        var order = Enumerable.Range(0, m).OrderByDescending(i => values[i].Real).ThenByDescending(i => values[i].Imaginary).ToArray();
        int p = m / 2;
        bool Pair(int a, int b) => values[order[a]].Imaginary != 0 && values[order[a]].Real == values[order[b]].Real;
        if (p > 0 && p < m && Pair(p - 1, p)) p = p + 1 < m ? p + 1 : p - 1;
        if (p < 1) p = 1;
        var hs = new double[m, m];
        for (int a = 0; a < m; a++) for (int b = 0; b < m; b++) hs[a, b] = h[a, b];
        var q = new double[m, m];
        for (int a = 0; a < m; a++) q[a, a] = 1;
        for (int s = p; s < m; s++)
        {
            var mu = values[order[s]];
            bool pair = mu.Imaginary != 0 && s + 1 < m && Pair(s, s + 1);
            ShiftStep(hs, q, m, mu.Real, pair ? mu.Real * mu.Real + mu.Imaginary * mu.Imaginary : double.NaN);
            if (pair) s++;
        }
        // V ← V Q on the first p + 1 columns, one coordinate at a time (no second basis in memory)
        var row = new double[p + 1];
        for (int a = 0; a < size; a++)
        {
            for (int c = 0; c <= p; c++)
            {
                double t = 0;
                for (int i = 0; i < m; i++) t += v[i][a] * q[i, c];
                row[c] = t;
            }
            for (int c = 0; c <= p; c++) v[c][a] = row[c];
        }
        // the new residual direction f = v_p β + v_m h_{m,m−1} σ (v_m is orthogonal to all of V Q)
        double beta = hs[p, p - 1], sigma = h[m, m - 1] * q[m - 1, p - 1];
        var f = v[p];
        for (int a = 0; a < size; a++) f[a] = f[a] * beta + v[m][a] * sigma;
        double fn = Norm(f);
        Array.Clear(h);
        for (int a = 0; a < p; a++) for (int b = Math.Max(0, a - 1); b < p; b++) h[a, b] = hs[a, b];
        if (fn > 0 && double.IsFinite(fn))
        {
            for (int a = 0; a < size; a++) f[a] /= fn;
            h[p, p - 1] = fn;
        }
        else
        {
            // the kept space is invariant: continue from any direction orthogonal to it (the residual stays exact: 0)
            Array.Fill(f, 1.0);
            for (int pass = 0; pass < 2; pass++) for (int i = 0; i < p; i++) Axpy(-Dot(v[i], f), v[i], f);
            if (!(Normalise(f) > 0)) { Array.Clear(f); f[0] = 1; for (int i = 0; i < p; i++) Axpy(-Dot(v[i], f), v[i], f); Normalise(f); }
        }
        return p;
    }

    /// <summary>
    /// One implicit QR step on the m × m Hessenberg matrix <paramref name="hs"/> with the real shift μ (when
    /// <paramref name="modulus2"/> is NaN) or the complex pair with real part μ and squared modulus
    /// <paramref name="modulus2"/> (a double step), applied to each unreduced block (subdiagonals below
    /// ε(|h_ii| + |h_{i+1,i+1}|) are set to zero first), by Givens rotations accumulated into <paramref name="q"/>.
    /// </summary>
    private static void ShiftStep(double[,] hs, double[,] q, int m, double mu, double modulus2)
    {
        for (int i = 0; i + 1 < m; i++)
            if (Math.Abs(hs[i + 1, i]) <= 1.1e-16 * (Math.Abs(hs[i, i]) + Math.Abs(hs[i + 1, i + 1]))) hs[i + 1, i] = 0;
        int lo = 0;
        while (lo < m)
        {
            int hi = lo;
            while (hi + 1 < m && hs[hi + 1, hi] != 0) hi++;
            if (hi > lo)
            {
                if (double.IsNaN(modulus2))
                    Rotate(hs, q, m, lo, hs[lo, lo] - mu, hs[lo + 1, lo]);
                else
                {
                    double h00 = hs[lo, lo], h10 = hs[lo + 1, lo], h01 = hs[lo, lo + 1], h11 = hs[lo + 1, lo + 1];
                    double x = h00 * h00 + h01 * h10 - 2 * mu * h00 + modulus2;
                    double y = h10 * (h00 + h11 - 2 * mu);
                    double z = lo + 2 <= hi ? h10 * hs[lo + 2, lo + 1] : 0;
                    // the first column (x, y, z) of (H − μ)(H − μ̄) rotated onto e_lo: (y, z) in the plane (lo+1, lo+2), then (x, ·)
                    if (z != 0)
                    {
                        Rotate(hs, q, m, lo + 1, y, z);
                        y = Math.Sqrt(y * y + z * z);
                    }
                    Rotate(hs, q, m, lo, x, y);
                }
                // chase the bulge down the block: zero the entries below the subdiagonal, column by column, bottom-up
                for (int c = lo; c + 2 <= hi; c++)
                    for (int r = Math.Min(c + 3, hi); r >= c + 2; r--)
                        if (hs[r, c] != 0)
                        {
                            Rotate(hs, q, m, r - 1, hs[r - 1, c], hs[r, c]);
                            hs[r, c] = 0;
                        }
            }
            lo = hi + 1;
        }
    }

    /// <summary>H ← Gᵀ H G and Q ← Q G for the rotation G in the plane (i, i+1) that maps (a, b) to (r, 0).</summary>
    private static void Rotate(double[,] hs, double[,] q, int m, int i, double a, double b)
    {
        double r = Math.Sqrt(a * a + b * b);
        if (!(r > 0) || !double.IsFinite(r)) return;
        double c = a / r, s = b / r;
        for (int col = 0; col < m; col++)
        {
            double u = hs[i, col], w = hs[i + 1, col];
            hs[i, col] = c * u + s * w;
            hs[i + 1, col] = -s * u + c * w;
        }
        for (int row = 0; row < m; row++)
        {
            double u = hs[row, i], w = hs[row, i + 1];
            hs[row, i] = c * u + s * w;
            hs[row, i + 1] = -s * u + c * w;
            u = q[row, i]; w = q[row, i + 1];
            q[row, i] = c * u + s * w;
            q[row, i + 1] = -s * u + c * w;
        }
    }

    private static bool IsCheckpoint(int n) => n >= 2 && (n & (n - 1)) == 0;

    /// <summary>The Ritz vector x = V y, signed so that its entries sum to a non-negative number (the cone's side), unit norm.</summary>
    private static double[] RitzVector(double[][] v, double[] y, int size)
    {
        var x = new double[size];
        for (int i = 0; i < y.Length; i++) Axpy(y[i], v[i], x);
        double sum = 0;
        for (int a = 0; a < size; a++) sum += x[a];
        if (sum < 0) for (int a = 0; a < size; a++) x[a] = -x[a];
        Normalise(x);
        return x;
    }

    /// <summary>
    /// The real Ritz value with the largest real part of the leading <paramref name="n"/> × <paramref name="n"/> block of
    /// the Hessenberg matrix and its unit eigenvector. <c>Real</c> is false when a complex Ritz pair lies further right
    /// (the Perron root is real and its real part is the largest of all eigenvalues, so such a pair is not converged),
    /// or when no Ritz value is real; the vector is then that of the rightmost real value, or the real part of the
    /// rightmost pair's eigenvector, a start for the next cycle.
    /// </summary>
    private static (double Theta, double[] Y, bool Real) RitzPair(MathNet.Numerics.LinearAlgebra.Factorization.Evd<double> evd, int n)
    {
        var values = evd.EigenValues;
        bool IsReal(int i) => Math.Abs(values[i].Imaginary) <= 1e-10 * Math.Max(1, Math.Abs(values[i].Real));
        int pick = -1, right = 0;
        for (int i = 0; i < n; i++)
        {
            if (values[i].Real > values[right].Real) right = i;
            if (IsReal(i) && (pick < 0 || values[i].Real > values[pick].Real)) pick = i;
        }
        bool real = pick >= 0 && !(values[right].Real > values[pick].Real + 1e-12 * Math.Abs(values[pick].Real) && !IsReal(right));
        if (pick < 0) pick = right;
        double theta = values[pick].Real;
        // MathNet stores a complex pair's eigenvector as two real columns (real part first)
        int column = pick;
        if (!IsReal(pick) && pick > 0 && values[pick].Imaginary < 0 && Math.Abs(values[pick - 1].Real - theta) <= 1e-14 * Math.Abs(theta)) column = pick - 1;
        var y = evd.EigenVectors.Column(column).ToArray();
        double yn = Math.Sqrt(y.Sum(t => t * t));
        if (!(yn > 0) || !double.IsFinite(theta) || !double.IsFinite(yn))
            throw new InvalidOperationException("The Perron-root iteration broke down (no finite Ritz value).");
        for (int i = 0; i < n; i++) y[i] /= yn;
        return (theta, y, real);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static void Axpy(double c, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += c * x[i];
    }

    private static double Normalise(double[] a)
    {
        double n = Norm(a);
        if (n > 0 && double.IsFinite(n)) for (int i = 0; i < a.Length; i++) a[i] /= n;
        return n;
    }
}
