using System.Globalization;
using ExactDynamics.Spectra;

namespace ExactDynamics.Methods;

/// <summary>
/// A linear k-state method (docs/math.md#methods): Y_t = cᵀX_t, X_{t+1} = A X_t − b ⊗ g_t, E_t = oᵀX_t, X_0 = u ⊗ (w_0 − w*).
/// Consistency (a fixed point at w*) requires A u = u, cᵀu = 1 and oᵀu = 1; the constructor checks each to a
/// relative tolerance and names the one that fails.
/// </summary>
public sealed class LinearMethod
{
    /// <summary>Relative tolerance of the consistency checks.</summary>
    public const double ConsistencyTolerance = 1e-9;

    private readonly double[,] _a;
    private readonly double[] _b, _c, _o, _u;

    /// <summary>A method from its tuple (copied), checked for consistency (docs/math.md#consistency).</summary>
    /// <param name="a">A, k × k.</param>
    /// <param name="b">b, the weights of the gradient in each state.</param>
    /// <param name="c">c, the point where the gradient is taken (cᵀu = 1).</param>
    /// <param name="o">o, the reported iterate (oᵀu = 1).</param>
    /// <param name="u">The state shape (A u = u); null means all ones.</param>
    /// <param name="spec">The spec string that <see cref="Spec"/> returns; null means <c>custom</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="a"/>, <paramref name="b"/>, <paramref name="c"/> or <paramref name="o"/> is null.</exception>
    /// <exception cref="InvalidInputException">The sizes do not match, an entry is not finite, u is all zeros, or A u = u, cᵀu = 1 or oᵀu = 1 fails (relative tolerance <see cref="ConsistencyTolerance"/>).</exception>
    public LinearMethod(double[,] a, double[] b, double[] c, double[] o, double[]? u = null, string? spec = null)
        : this(a, b, c, o, u, () => spec ?? "custom")
    {
        _spec = spec ?? "custom";
    }

    /// <summary>As the public constructor, with the spec string made on first use (the tuner builds thousands of
    /// methods whose spec it never prints; formatting three round-trip numbers costs about as much as a gap pass).</summary>
    internal LinearMethod(double[,] a, double[] b, double[] c, double[] o, double[]? u, Func<string> spec)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(o);
        int k = a.GetLength(0);
        if (k < 1) throw new InvalidInputException("The method matrix A is empty; it must be k×k with k ≥ 1.");
        if (a.GetLength(1) != k) throw new InvalidInputException($"The method matrix A is {k}×{a.GetLength(1)}; it must be square.");
        u ??= Enumerable.Repeat(1.0, k).ToArray();
        CheckLength(b, k, "b"); CheckLength(c, k, "c"); CheckLength(o, k, "o"); CheckLength(u, k, "u");
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                if (!double.IsFinite(a[i, j])) throw new InvalidInputException($"A[{i},{j}] = {F(a[i, j])} is not finite; every entry of the method must be a finite number.");
        CheckFinite(b, "b"); CheckFinite(c, "c"); CheckFinite(o, "o"); CheckFinite(u, "u");
        if (u.All(x => x == 0)) throw new InvalidInputException("The state shape u is all zeros; it must be a non-zero vector.");

        // A u = u (relative to |A||u|)
        for (int i = 0; i < k; i++)
        {
            double s = 0, scale = 0;
            for (int j = 0; j < k; j++) { s += a[i, j] * u[j]; scale += Math.Abs(a[i, j] * u[j]); }
            scale = Math.Max(scale + Math.Abs(u[i]), 1e-300);
            if (Math.Abs(s - u[i]) > ConsistencyTolerance * scale)
                throw new InvalidInputException($"The method is not consistent: row {i + 1} of A u is {F(s)} but u has {F(u[i])} there (A u = u is required so that w* is a fixed point).");
        }
        CheckDot(c, u, "c");
        CheckDot(o, u, "o");

        K = k;
        _a = (double[,])a.Clone();
        _b = (double[])b.Clone();
        _c = (double[])c.Clone();
        _o = (double[])o.Clone();
        _u = (double[])u.Clone();
        _specFactory = spec;
    }

    private readonly Func<string> _specFactory;
    private string? _spec;

    /// <summary>Number of stacked states k.</summary>
    public int K { get; }

    /// <summary>A spec string that reproduces this method on the command line (e.g. <c>hb:lr=0.5,beta=0.9</c>).</summary>
    public string Spec => _spec ??= _specFactory();

    /// <summary>The named hyperparameters the method was built from by a family's <c>Create</c> (and any modifiers);
    /// null for a method given by its matrices.</summary>
    public MethodParameters? Parameters { get; private set; }

    /// <summary>When this method is an EMA of decay τ kept over a base method (<see cref="Ema"/>,
    /// docs/math.md#weight-averaging), that base method and τ; null otherwise. The renewal form uses it to solve the base
    /// method's renewal equation once and read the average through its own kernel (docs/math.md#renewal-form).</summary>
    internal (LinearMethod Base, double Tau)? EmaOf { get; private set; }

    /// <summary>Records that this (new, not yet shared) method is the EMA of decay <paramref name="tau"/> over
    /// <paramref name="baseMethod"/>.</summary>
    internal LinearMethod AveragedOver(LinearMethod baseMethod, double tau)
    {
        EmaOf = (baseMethod, tau);
        return this;
    }

    /// <summary>Records the hyperparameters this (new, not yet shared) method was built from.</summary>
    internal LinearMethod Named(MethodParameters parameters)
    {
        Parameters = parameters;
        return this;
    }

    /// <summary>The entry A_ij of the transition matrix (0-based).</summary>
    /// <param name="i">Row, 0 ≤ i &lt; k.</param>
    /// <param name="j">Column, 0 ≤ j &lt; k.</param>
    /// <returns>A_ij.</returns>
    public double A(int i, int j) => _a[i, j];

    /// <summary>b: how much of the minibatch gradient each state receives, X_{t+1} = A X_t − b ⊗ g_t.</summary>
    public ReadOnlySpan<double> B => _b;

    /// <summary>c: the gradient is taken at Y_t = cᵀX_t.</summary>
    public ReadOnlySpan<double> C => _c;

    /// <summary>o: the reported iterate E_t = oᵀX_t, whose risk is computed.</summary>
    public ReadOnlySpan<double> O => _o;

    /// <summary>u: the state shape, X_0 = u ⊗ (w_0 − w*) (ones for parameter copies, zeros for velocities).</summary>
    public ReadOnlySpan<double> U => _u;

    /// <summary>Copy of A.</summary>
    public double[,] MatrixA => (double[,])_a.Clone();

    /// <summary>The spec string, <see cref="Spec"/>.</summary>
    /// <returns><see cref="Spec"/>.</returns>
    public override string ToString() => Spec;

    private static void CheckLength(double[] v, int k, string name)
    {
        if (v.Length != k) throw new InvalidInputException($"The method vector {name} has {v.Length} entries but A is {k}×{k}; they must match.");
    }

    private static void CheckFinite(double[] v, string name)
    {
        for (int i = 0; i < v.Length; i++)
            if (!double.IsFinite(v[i])) throw new InvalidInputException($"{name}[{i}] = {F(v[i])} is not finite; every entry of the method must be a finite number.");
    }

    private static void CheckDot(double[] v, double[] u, string name)
    {
        double s = 0, scale = 0;
        for (int i = 0; i < v.Length; i++) { s += v[i] * u[i]; scale += Math.Abs(v[i] * u[i]); }
        if (Math.Abs(s - 1) > ConsistencyTolerance * Math.Max(1, scale))
            throw new InvalidInputException($"The method is not consistent: {name}ᵀu = {F(s)} but it must be 1.");
    }

    internal static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    internal static void RequirePositive(double x, string name, string family)
    {
        if (!double.IsFinite(x) || !(x > 0)) throw new InvalidInputException($"{family}: {name}={F(x)} is not allowed; it must be a positive finite number.");
    }

    internal static void RequireMomentum(double x, string name, string family)
    {
        if (!double.IsFinite(x) || x < 0 || x >= 1) throw new InvalidInputException($"{family}: {name}={F(x)} is not allowed; it must lie in [0, 1).");
    }
}
