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
/// The Perron root of a linear map M on ℝᴺ given only as "v ↦ M v" (matrix-free; docs/math.md#data-rates): restarted
/// Arnoldi with a Krylov space of m vectors (modified Gram–Schmidt, orthogonalised twice), the Ritz value with the
/// largest real part of the m × m Hessenberg matrix (MathNet's eigendecomposition), and an explicit restart from its
/// Ritz vector. For a map that preserves a cone (the second-moment maps of the data models preserve the positive
/// semidefinite cone) this eigenvalue is the spectral radius (Krein–Rutman): every other eigenvalue μ has |μ| ≤ ρ, so
/// Re μ ≤ ρ. Nothing is deflated. It stops when the Arnoldi residual ‖M v − θ v‖ = h_{m+1,m}|y_m| is at most
/// <c>tolerance · |1 − θ|</c> (so that the gap 1 − ρ has that relative accuracy) or <c>1e-12 · |θ|</c> (the rounding
/// floor of the map's evaluation), whichever is larger.
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
    /// <param name="krylov">Krylov dimension m (capped by N and by a memory budget of about 256 MB).</param>
    /// <param name="maxApplications">Limit of applications of the map.</param>
    /// <param name="floor">Relative residual accepted whatever the gap (default <see cref="Floor"/>).</param>
    public static PerronResult Compute(int size, Action<double[], double[]> apply, double[] start, double tolerance,
        int krylov = 32, int maxApplications = 20000, double floor = Floor)
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
        int apps = 0;
        while (true)
        {
            Array.Clear(h);
            for (int j = 0; j < m; j++)
            {
                var w = v[j + 1];
                apply(v[j], w);
                apps++;
                double norm0 = Norm(w);
                if (!double.IsFinite(norm0)) // the map overflows on a unit vector: ρ is beyond the double range
                    return new PerronResult(double.PositiveInfinity, (double[])v[j].Clone(), apps, double.PositiveInfinity, true);
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
                bool restart = invariant || j == m - 1 || apps >= maxApplications;
                // the Ritz pair of the (j+1)-dimensional space, checked after 2, 4, 8, 16 applications and at a restart
                // (a warm start may converge in a few; the m × m eigendecompositions stay cheap beside the map)
                if (!restart && !IsCheckpoint(j + 1))
                {
                    for (int a = 0; a < size; a++) w[a] /= hn;
                    continue;
                }
                var (theta, y, real) = RitzPair(h, j + 1);
                double residual = Math.Abs(h[j + 1, j]) * Math.Abs(y[j]);
                bool done = real && residual <= Math.Max(tolerance * Math.Abs(1 - theta), floor * Math.Abs(theta));
                if (!done && !restart)
                {
                    for (int a = 0; a < size; a++) w[a] /= hn;
                    continue;
                }
                // the Ritz vector x = V y, signed so that its entries sum to a non-negative number (the cone's side)
                var x = new double[size];
                for (int i = 0; i <= j; i++) Axpy(y[i], v[i], x);
                double sum = 0;
                for (int a = 0; a < size; a++) sum += x[a];
                if (sum < 0) for (int a = 0; a < size; a++) x[a] = -x[a];
                Normalise(x);
                if (done || apps >= maxApplications) return new PerronResult(theta, x, apps, residual, done);
                Array.Copy(x, v[0], size);
                break;
            }
        }
    }

    private static bool IsCheckpoint(int n) => n >= 2 && (n & (n - 1)) == 0;

    /// <summary>
    /// The real Ritz value with the largest real part of the leading <paramref name="n"/> × <paramref name="n"/> block of
    /// the Hessenberg matrix and its unit eigenvector. <c>Real</c> is false when a complex Ritz pair lies further right
    /// (the Perron root is real and its real part is the largest of all eigenvalues, so such a pair is not converged),
    /// or when no Ritz value is real; the vector is then that of the rightmost real value, or the real part of the
    /// rightmost pair's eigenvector, a start for the next cycle.
    /// </summary>
    private static (double Theta, double[] Y, bool Real) RitzPair(double[,] h, int n)
    {
        var hm = Matrix<double>.Build.Dense(n, n, (a, b) => h[a, b]);
        var evd = hm.Evd(Symmetricity.Asymmetric);
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
