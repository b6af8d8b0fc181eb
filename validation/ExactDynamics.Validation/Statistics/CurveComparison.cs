using System.Globalization;
using MathNet.Numerics.Distributions;

namespace ExactDynamics.Validation.Statistics;

/// <summary>The evidence of one comparison of a simulated mean curve with an exact expectation.</summary>
/// <param name="Steps">The steps compared.</param>
/// <param name="Z">z_t = (mean_t − exact_t)/stderr_t at each step.</param>
/// <param name="WorstZ">The z of largest magnitude (signed).</param>
/// <param name="WorstStep">Where it occurs.</param>
/// <param name="Threshold">The Bonferroni bound Φ⁻¹(1 − α/(2n)) on |z|.</param>
/// <param name="Alpha">The family-wise false-alarm probability α for the n steps of this curve.</param>
/// <param name="Consistent">True when every |z_t| ≤ threshold.</param>
/// <param name="FirstExceedanceStep">The first step where |z| exceeds the threshold with the sign of the worst z (null when consistent).</param>
/// <param name="Verdict">"consistent with the exact expectation" or "inconsistent: simulated risk is systematically
/// above (below) the exact one from step t = …".</param>
public sealed record CurveComparison(long[] Steps, double[] Z, double WorstZ, long WorstStep, double Threshold, double Alpha,
    bool Consistent, long? FirstExceedanceStep, string Verdict)
{
    public int StepsCompared => Steps.Length;

    /// <summary>Root mean square of z over the steps (≈ 1 when the standard errors are honest; the steps are correlated,
    /// so one curve's value scatters widely, but its average over many curves should be near 1).</summary>
    public double RmsZ => Z.Length == 0 ? 0 : Math.Sqrt(Z.Where(double.IsFinite).Select(z => z * z).DefaultIfEmpty(0).Average());
}

/// <summary>
/// The statistical test of the whole project (docs/math.md#validation-test): a simulated mean curve is consistent with the exact expectation
/// when every standardised deviation z_t = (mean_t − exact_t)/stderr_t stays within the Bonferroni bound
/// |z_t| ≤ Φ⁻¹(1 − α/(2n)) over the n compared steps. Under the null hypothesis (and a normal approximation of each
/// mean, i.e. enough runs) the probability of a false alarm anywhere on the curve is at most α, whatever the
/// correlation between steps (Bonferroni is conservative for the strongly correlated steps of one trajectory).
/// </summary>
public static class CurveComparer
{
    /// <summary>Default family-wise α per curve.</summary>
    public const double DefaultAlpha = 1e-3;

    public const string ConsistentVerdict = "consistent with the exact expectation";

    /// <summary>Φ⁻¹(1 − α/(2n)), computed as −Φ⁻¹(α/(2n)) to keep its precision.</summary>
    public static double BonferroniThreshold(int n, double alpha = DefaultAlpha)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), "At least one step must be compared.");
        if (!(alpha > 0 && alpha < 1)) throw new InvalidInputException($"alpha={alpha.ToString("R", CultureInfo.InvariantCulture)} is not allowed; it must lie in (0, 1).");
        return -Normal.InvCDF(0, 1, alpha / (2.0 * n));
    }

    /// <summary>
    /// Compare <paramref name="mean"/> ± <paramref name="stderr"/> with <paramref name="exact"/> at <paramref name="steps"/>.
    /// A zero standard error counts as agreement only when mean and exact agree to 1e-9 relative (e.g. t = 0 of a
    /// simulation from a fixed start); otherwise z = ±∞.
    /// </summary>
    public static CurveComparison Compare(IReadOnlyList<long> steps, IReadOnlyList<double> exact, IReadOnlyList<double> mean, IReadOnlyList<double> stderr, double alpha = DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(steps);
        int n = steps.Count;
        if (exact.Count != n || mean.Count != n || stderr.Count != n)
            throw new ArgumentException("steps, exact, mean and stderr must have the same length.");
        double threshold = BonferroniThreshold(n, alpha);
        var z = new double[n];
        int worst = 0;
        for (int i = 0; i < n; i++)
        {
            z[i] = ZScore(mean[i], exact[i], stderr[i]);
            if (Math.Abs(z[i]) > Math.Abs(z[worst]) || double.IsNaN(z[i]) && !double.IsNaN(z[worst])) worst = i;
        }
        bool consistent = true;
        for (int i = 0; i < n; i++) if (!(Math.Abs(z[i]) <= threshold)) { consistent = false; break; }
        long? first = null;
        string verdict = ConsistentVerdict;
        if (!consistent)
        {
            double sign = double.IsNaN(z[worst]) ? 1 : Math.Sign(z[worst]);
            for (int i = 0; i < n; i++)
                if (!(Math.Abs(z[i]) <= threshold) && (double.IsNaN(z[i]) || Math.Sign(z[i]) == sign)) { first = steps[i]; break; }
            first ??= steps[worst];
            verdict = double.IsNaN(z[worst])
                ? $"inconsistent: simulated risk is not a finite number from step t = {first}"
                : $"inconsistent: simulated risk is systematically {(sign > 0 ? "above" : "below")} the exact one from step t = {first}";
        }
        return new CurveComparison(steps.ToArray(), z, z[worst], steps[worst], threshold, alpha, consistent, first, verdict);
    }

    /// <summary>z = (mean − exact)/stderr with the conventions above.</summary>
    public static double ZScore(double mean, double exact, double stderr)
    {
        if (double.IsPositiveInfinity(mean) && double.IsPositiveInfinity(exact)) return 0;
        if (double.IsNaN(mean) || double.IsNaN(exact)) return double.NaN;
        double diff = mean - exact;
        if (stderr > 0 && double.IsFinite(stderr)) return diff / stderr;
        if (double.IsPositiveInfinity(stderr)) return double.IsFinite(diff) ? 0 : Math.Sign(diff) * double.PositiveInfinity;
        // stderr == 0
        double scale = Math.Max(Math.Abs(mean), Math.Abs(exact));
        if (Math.Abs(diff) <= 1e-9 * scale) return 0;
        return diff > 0 ? double.PositiveInfinity : double.NegativeInfinity;
    }
}
