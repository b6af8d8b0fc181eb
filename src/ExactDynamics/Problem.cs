using ExactDynamics.Spectra;

namespace ExactDynamics;

/// <summary>
/// One regression problem (docs/math.md#problem): spectrum of H, initial second moments s_i, batch size B,
/// kurtosis m4 = E z⁴ and label-noise variance σ². Validated once, here.
/// </summary>
public sealed class Problem
{
    private readonly double[] _initial;

    /// <param name="spectrum">Eigenvalues of H.</param>
    /// <param name="initial">s_i = E[(w_0 − w*)_i²], one per eigenvalue; null means isotropic (s_i = 1).</param>
    /// <param name="batch">Batch size B ≥ 1 (real values are allowed for the gap; the risk recursion uses it as given).</param>
    /// <param name="kurtosis">m4 = E z⁴ ≥ 1 (3 = Gaussian, 1 = Rademacher).</param>
    /// <param name="noise">σ² ≥ 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="spectrum"/> is null.</exception>
    /// <exception cref="InvalidInputException">The batch, kurtosis or noise is out of range, or <paramref name="initial"/> has
    /// the wrong length or an entry that is negative or not finite.</exception>
    public Problem(Spectrum spectrum, double[]? initial = null, double batch = 1, double kurtosis = 3, double noise = 0)
        : this(spectrum, batch, kurtosis, noise)
    {
        if (initial is null)
        {
            _initial = InitialCondition.Isotropic(spectrum.Dimension);
        }
        else
        {
            if (initial.Length != spectrum.Dimension)
                throw new InvalidInputException($"The initial condition has {initial.Length} values but the spectrum has {spectrum.Dimension} eigenvalues; they must match.");
            for (int i = 0; i < initial.Length; i++)
                if (!double.IsFinite(initial[i]) || initial[i] < 0)
                    throw new InvalidInputException($"Initial second moment number {i + 1} is {Spectrum.Fmt(initial[i])}; values must be finite and non-negative.");
            _initial = (double[])initial.Clone();
        }
    }

    /// <summary>A problem sharing a validated initial array (immutable, never exposed) with another.</summary>
    private Problem(Spectrum spectrum, double[] sharedInitial, double batch, double kurtosis, double noise, bool _)
        : this(spectrum, batch, kurtosis, noise)
    {
        _initial = sharedInitial;
    }

    private Problem(Spectrum spectrum, double batch, double kurtosis, double noise)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        Spectrum = spectrum;
        if (!double.IsFinite(batch))
            throw new InvalidInputException($"Batch size {Spectrum.Fmt(batch)} is not allowed; the batch must be a finite number of at least 1.");
        if (batch < 1)
            throw new InvalidInputException($"Batch size {Spectrum.Fmt(batch)} is not allowed; the batch must be at least 1.");
        if (kurtosis > MaxKurtosis)
            throw new InvalidInputException(
                $"Kurtosis {Spectrum.Fmt(kurtosis)} is not allowed; E z⁴ can be at most {MaxKurtosis.ToString("0e0", System.Globalization.CultureInfo.InvariantCulture)} (the kurtosis of n sample points is at most n, so a larger value describes no data set of practical size).");
        if (!double.IsFinite(kurtosis) || kurtosis < 1)
            throw new InvalidInputException($"Kurtosis {Spectrum.Fmt(kurtosis)} is not allowed; E z⁴ must be finite and at least 1 (3 = Gaussian, 1 = Rademacher).");
        if (!double.IsFinite(noise) || noise < 0)
            throw new InvalidInputException($"Noise variance {Spectrum.Fmt(noise)} is not allowed; σ² must be finite and at least 0.");
        Batch = batch;
        Kurtosis = kurtosis;
        Noise = noise;
        _initial = [];
    }

    /// <summary>
    /// The largest kurtosis accepted, 1e12: the kurtosis of n sample points is at most n, so no data set of practical
    /// size exceeds it, while far above it the fourth-moment term M4·η²λ²/B overflows double precision and ρ could only
    /// be printed as ∞ (docs/math.md#input-limits).
    /// </summary>
    public const double MaxKurtosis = 1e12;

    /// <summary>The eigenvalues λ_i of H.</summary>
    public Spectrum Spectrum { get; }

    /// <summary>s_i = E[(w_0 − w*)_i²].</summary>
    public ReadOnlySpan<double> Initial => _initial;

    /// <summary>The batch size B ≥ 1 (possibly real).</summary>
    public double Batch { get; }

    /// <summary>The kurtosis m4 = E z⁴ ≥ 1 of a whitened covariate coordinate.</summary>
    public double Kurtosis { get; }

    /// <summary>The label-noise variance σ² ≥ 0.</summary>
    public double Noise { get; }

    /// <summary>The same problem with another batch size (the spectrum and the initial condition are shared, not copied).</summary>
    public Problem WithBatch(double batch) => new(Spectrum, _initial, batch, Kurtosis, Noise, true);

    /// <summary>s_i as the problem's own array (read-only by convention: for the solver's passes, without a copy).</summary>
    internal double[] InitialArray => _initial;
}
