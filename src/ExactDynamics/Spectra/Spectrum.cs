using System.Globalization;
using ExactDynamics.Numerics;

namespace ExactDynamics.Spectra;

/// <summary>
/// The eigenvalues λ_1..λ_d of the covariance H (docs/math.md#problem). Immutable; every eigenvalue is positive and finite.
/// </summary>
public sealed class Spectrum
{
    private readonly double[] _values;

    private Spectrum(double[] values, string description)
    {
        _values = values;
        Description = description;
        double max = double.MinValue, min = double.MaxValue, sum = 0;
        foreach (var v in values)
        {
            if (v > max) max = v;
            if (v < min) min = v;
            sum += v;
        }
        Max = max;
        Min = min;
        Trace = sum;
    }

    /// <summary>The eigenvalues, in the order given.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>Number of eigenvalues d.</summary>
    public int Dimension => _values.Length;

    /// <summary>λ_max.</summary>
    public double Max { get; }

    /// <summary>λ_min.</summary>
    public double Min { get; }

    /// <summary>tr H = Σ λ_i.</summary>
    public double Trace { get; }

    /// <summary>Condition number κ = λ_max / λ_min.</summary>
    public double ConditionNumber => Max / Min;

    /// <summary>A short human description, e.g. <c>powerlaw:a=1,d=200</c>.</summary>
    public string Description { get; }

    /// <summary>The eigenvalues as the spectrum's own array (read-only by convention: the solver's passes share it
    /// instead of copying d values).</summary>
    internal double[] Storage => _values;

    /// <summary>Copy of the eigenvalues.</summary>
    public double[] ToArray() => (double[])_values.Clone();

    /// <summary>λ_i = scale · i^(−a), i = 1..d (docs/math.md#spectra).</summary>
    /// <param name="a">The exponent (finite).</param>
    /// <param name="d">The dimension, ≥ 1.</param>
    /// <param name="scale">λ_1 &gt; 0.</param>
    /// <returns>The spectrum, described as <c>powerlaw:a=A,d=D[,scale=S]</c>.</returns>
    /// <exception cref="InvalidInputException">A parameter is out of range, or an eigenvalue underflows to 0.</exception>
    public static Spectrum PowerLaw(double a, int d, double scale = 1.0)
    {
        if (!double.IsFinite(a)) throw new InvalidInputException($"Power-law exponent a={Fmt(a)} is not allowed; it must be a finite number.");
        if (d < 1) throw new InvalidInputException($"Dimension d={d} is not allowed; d must be an integer of at least 1.");
        if (!(scale > 0) || !double.IsFinite(scale)) throw new InvalidInputException($"Scale {Fmt(scale)} is not allowed; it must be positive and finite.");
        // the eigenvalues, the initial moments and the solver's copies: refuse up front what cannot be held
        Numerics.CostEstimate.RequireMemory(4.0 * 8 * d, $"a spectrum of d = {d} eigenvalues");
        var v = new double[d];
        for (int i = 0; i < d; i++) v[i] = scale * Math.Pow(i + 1, -a);
        PowerLawRange.Check(v, a, d, scale);
        var desc = scale == 1.0 ? $"powerlaw:a={Fmt(a)},d={d}" : $"powerlaw:a={Fmt(a)},d={d},scale={Fmt(scale)}";
        return FromValuesCore(v, desc);
    }

    /// <summary>A spectrum from explicit eigenvalues (copied).</summary>
    /// <param name="values">The eigenvalues, each positive and finite.</param>
    /// <param name="description">A short description; null for a generated one.</param>
    /// <returns>The spectrum.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="InvalidInputException">There is no eigenvalue, or one is not positive and finite.</exception>
    public static Spectrum FromValues(IEnumerable<double> values, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        return FromValuesCore(v, description ?? $"values ({v.Length} eigenvalues)");
    }

    private static Spectrum FromValuesCore(double[] v, string description)
    {
        if (v.Length == 0) throw new InvalidInputException("The spectrum is empty; at least one eigenvalue is required.");
        for (int i = 0; i < v.Length; i++)
        {
            if (!double.IsFinite(v[i]) || !(v[i] > 0))
                throw new InvalidInputException($"Eigenvalue number {i + 1} is {Fmt(v[i])}; eigenvalues must be positive and finite.");
        }
        return new Spectrum(v, description);
    }

    internal static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
