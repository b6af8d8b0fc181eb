using System.Globalization;

namespace ExactDynamics.Validation.Sampling;

/// <summary>
/// The law of one whitened covariate coordinate z (docs/math.md#problem): E z = 0, E z² = 1 and a stated fourth moment
/// <see cref="Kurtosis"/> = E z⁴, computed analytically. Coordinates are drawn independently, x = H^{1/2} z.
/// </summary>
public abstract class CovariateDistribution
{
    /// <summary>m4 = E z⁴ (exact, not estimated).</summary>
    public abstract double Kurtosis { get; }

    /// <summary>A spec string that <see cref="Parse"/> reads back, e.g. <c>mixture:m4=6,p=0.1</c>.</summary>
    public abstract string Spec { get; }

    /// <summary>Fill <paramref name="z"/> with independent draws.</summary>
    public abstract void Fill(RunRandom rng, Span<double> z);

    public override string ToString() => Spec;

    public static CovariateDistribution Gaussian { get; } = new GaussianCovariates();
    public static CovariateDistribution Rademacher { get; } = new RademacherCovariates();

    /// <summary>
    /// The distribution the simulator uses for a given m4 when the user names none: Gaussian for m4 = 3,
    /// Rademacher for m4 = 1, and otherwise the symmetric three-point law z ∈ {−a, 0, a} with P(z ≠ 0) = 1/m4
    /// (a² = m4), which reaches every m4 ≥ 1 with bounded support.
    /// </summary>
    public static CovariateDistribution ForKurtosis(double m4)
    {
        if (!double.IsFinite(m4) || m4 < 1)
            throw new InvalidInputException($"Kurtosis {F(m4)} is not allowed; E z⁴ must be finite and at least 1 (3 = Gaussian, 1 = Rademacher).");
        if (m4 == 3) return Gaussian;
        if (m4 == 1) return Rademacher;
        return new ThreePointCovariates(m4);
    }

    /// <summary>
    /// Reads <c>gaussian</c>, <c>rademacher</c>, <c>uniform</c> (m4 = 9/5), <c>threepoint:m4=M</c> (M ≥ 1),
    /// <c>mixture:m4=M[,p=P]</c> (a two-component Gaussian scale mixture, M &gt; 3, heavy component weight P ≤ 3/M,
    /// default min(0.1, 3/M)) and <c>student:nu=N</c> (Student-t scaled to unit variance, N &gt; 4, m4 = 3(N−2)/(N−4);
    /// the variance of a simulated risk is finite only for N &gt; 8).
    /// </summary>
    public static CovariateDistribution Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var s = spec.Trim();
        int colon = s.IndexOf(':');
        string name = (colon < 0 ? s : s[..colon]).Trim().ToLowerInvariant();
        var args = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        if (colon >= 0)
        {
            foreach (var part in s[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = part.IndexOf('=');
                if (eq < 0 || !double.TryParse(part[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw new InvalidInputException($"Covariate distribution '{spec}' has the malformed parameter '{part}'; write name=value, e.g. mixture:m4=6.");
                args[part[..eq].Trim()] = v;
            }
        }
        double Need(string key)
        {
            if (!args.TryGetValue(key, out double v))
                throw new InvalidInputException($"Covariate distribution '{spec}' needs the parameter {key}=…, e.g. {name}:{key}=6.");
            return v;
        }
        return name switch
        {
            "gaussian" or "normal" => Gaussian,
            "rademacher" => Rademacher,
            "uniform" => new UniformCovariates(),
            "threepoint" => new ThreePointCovariates(Need("m4")),
            "mixture" => args.TryGetValue("p", out double p) ? new GaussianScaleMixture(Need("m4"), p) : new GaussianScaleMixture(Need("m4")),
            "student" => new StudentTCovariates(Need("nu")),
            _ => throw new InvalidInputException($"Covariate distribution '{spec}' is not known; use gaussian, rademacher, uniform, threepoint:m4=M, mixture:m4=M[,p=P] or student:nu=N."),
        };
    }

    internal static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>z ~ N(0, 1), m4 = 3.</summary>
public sealed class GaussianCovariates : CovariateDistribution
{
    public override double Kurtosis => 3;
    public override string Spec => "gaussian";

    public override void Fill(RunRandom rng, Span<double> z)
    {
        for (int i = 0; i < z.Length; i++) z[i] = rng.NextGaussian();
    }
}

/// <summary>z = ±1 with probability ½ each, m4 = 1.</summary>
public sealed class RademacherCovariates : CovariateDistribution
{
    public override double Kurtosis => 1;
    public override string Spec => "rademacher";

    public override void Fill(RunRandom rng, Span<double> z)
    {
        // 64 signs per random word.
        int i = 0;
        while (i < z.Length)
        {
            ulong bits = rng.NextUInt64();
            int n = Math.Min(64, z.Length - i);
            for (int j = 0; j < n; j++, bits >>= 1) z[i++] = (bits & 1) == 0 ? 1.0 : -1.0;
        }
    }
}

/// <summary>z uniform on [−√3, √3], m4 = 9/5.</summary>
public sealed class UniformCovariates : CovariateDistribution
{
    private static readonly double Half = Math.Sqrt(3);
    public override double Kurtosis => 9.0 / 5.0;
    public override string Spec => "uniform";

    public override void Fill(RunRandom rng, Span<double> z)
    {
        for (int i = 0; i < z.Length; i++) z[i] = (2 * rng.NextDouble() - 1) * Half;
    }
}

/// <summary>
/// The symmetric three-point law z ∈ {−a, 0, a}, P(z = ±a) = 1/(2 m4), a = √m4: E z² = 1 and E z⁴ = m4 exactly,
/// any m4 ≥ 1 (m4 = 1 is Rademacher), bounded support.
/// </summary>
public sealed class ThreePointCovariates : CovariateDistribution
{
    private readonly double _a, _p;

    public ThreePointCovariates(double m4)
    {
        if (!double.IsFinite(m4) || m4 < 1)
            throw new InvalidInputException($"threepoint: m4={F(m4)} is not allowed; it must be finite and at least 1.");
        Kurtosis = m4;
        _a = Math.Sqrt(m4);
        _p = 1 / m4;
    }

    public override double Kurtosis { get; }
    public override string Spec => $"threepoint:m4={F(Kurtosis)}";

    public override void Fill(RunRandom rng, Span<double> z)
    {
        for (int i = 0; i < z.Length; i++)
        {
            double u = rng.NextDouble();
            z[i] = u < _p ? (u < 0.5 * _p ? _a : -_a) : 0.0;
        }
    }
}

/// <summary>
/// A symmetric two-component Gaussian scale mixture: z = √v·g, g ~ N(0, 1), with v = v_heavy with probability p and
/// v_light otherwise, chosen so that E v = 1 and E z⁴ = 3 E v² = m4 exactly (m4 &gt; 3): with K = m4/3,
/// Δ = √((K − 1)/(p(1 − p))), v_heavy = 1 + (1 − p)Δ, v_light = 1 − pΔ (needs p ≤ 1/K). Heavier tails than a
/// Gaussian, every moment finite (so the Monte Carlo statistics stay honest).
/// </summary>
public sealed class GaussianScaleMixture : CovariateDistribution
{
    private readonly double _p, _sHeavy, _sLight;

    public GaussianScaleMixture(double m4) : this(m4, Math.Min(0.1, 3 / m4)) { }

    public GaussianScaleMixture(double m4, double p)
    {
        if (!double.IsFinite(m4) || m4 <= 3)
            throw new InvalidInputException($"mixture: m4={F(m4)} is not allowed; a Gaussian scale mixture has m4 > 3 (use gaussian for 3).");
        double k = m4 / 3;
        if (!(p > 0) || !(p <= 1 / k))
            throw new InvalidInputException($"mixture: p={F(p)} is not allowed for m4={F(m4)}; the heavy-component weight must lie in (0, 3/m4].");
        double delta = Math.Sqrt((k - 1) / (p * (1 - p)));
        VarianceHeavy = 1 + (1 - p) * delta;
        VarianceLight = Math.Max(0, 1 - p * delta);
        _p = p;
        _sHeavy = Math.Sqrt(VarianceHeavy);
        _sLight = Math.Sqrt(VarianceLight);
        Kurtosis = m4;
    }

    public override double Kurtosis { get; }
    public double HeavyWeight => _p;
    public double VarianceHeavy { get; }
    public double VarianceLight { get; }
    public override string Spec => $"mixture:m4={F(Kurtosis)},p={F(_p)}";

    public override void Fill(RunRandom rng, Span<double> z)
    {
        for (int i = 0; i < z.Length; i++)
        {
            double scale = rng.NextDouble() < _p ? _sHeavy : _sLight;
            z[i] = scale * rng.NextGaussian();
        }
    }
}

/// <summary>
/// Student-t with ν degrees of freedom scaled to unit variance: z = √((ν−2)/ν) · t_ν, m4 = 3(ν − 2)/(ν − 4) for ν &gt; 4.
/// Only moments below ν exist: the variance of a simulated risk (8th moments of z) is finite only for ν &gt; 8.
/// </summary>
public sealed class StudentTCovariates : CovariateDistribution
{
    private readonly double _scale;

    public StudentTCovariates(double nu)
    {
        if (!double.IsFinite(nu) || nu <= 4)
            throw new InvalidInputException($"student: nu={F(nu)} is not allowed; the fourth moment exists only for nu > 4.");
        Nu = nu;
        Kurtosis = 3 * (nu - 2) / (nu - 4);
        _scale = Math.Sqrt((nu - 2) / nu);
    }

    public double Nu { get; }
    public override double Kurtosis { get; }
    public override string Spec => $"student:nu={F(Nu)}";

    public override void Fill(RunRandom rng, Span<double> z)
    {
        for (int i = 0; i < z.Length; i++)
        {
            double chi2 = 2 * rng.NextGamma(Nu / 2);
            z[i] = _scale * rng.NextGaussian() / Math.Sqrt(chi2 / Nu);
        }
    }
}
