using System.Globalization;

namespace ExactDynamics.Spectra;

/// <summary>
/// The exponents a power law λ_i = S·i^(−a), i = 1..d, can take in double precision: λ_d = S·d^(−a) must stay at or
/// above the smallest normal double 2.2e-308 (a ≤ ln(S/2.2e-308)/ln d) and λ_1 … λ_d at or below 1.8e308
/// (a ≥ −ln(1.8e308/S)/ln d). Outside, an eigenvalue underflows to 0 or overflows to ∞, and the message says so with
/// the limit for the given d and S instead of reporting an eigenvalue of 0 (docs/math.md#input-limits).
/// </summary>
internal static class PowerLawRange
{
    private const double SmallestNormal = 2.2250738585072014E-308;

    /// <summary>Throws when an eigenvalue of the power law in <paramref name="values"/> underflowed to 0 or overflowed.</summary>
    /// <exception cref="InvalidInputException">An eigenvalue is 0 or ∞.</exception>
    public static void Check(double[] values, double a, int d, double scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] > 0 && double.IsFinite(values[i])) continue;
            string lambda = $"λ_{i + 1} = {(scale == 1 ? "" : F(scale) + "·")}{i + 1}^({F(-a)})";
            double logD = Math.Log(d);
            if (values[i] == 0)
            {
                double aMax = Math.Floor(Math.Log(scale / SmallestNormal) / logD * 100) / 100;
                throw new InvalidInputException(
                    $"Power law a={F(a)}, d={d}: {lambda} underflows to 0 (doubles stop near 2.2e-308); with d = {d} the exponent a can be at most {F(aMax)}.");
            }
            double aMin = Math.Ceiling(-Math.Log(double.MaxValue / scale) / logD * 100) / 100;
            throw new InvalidInputException(
                $"Power law a={F(a)}, d={d}: {lambda} overflows to ∞ (doubles stop near 1.8e308); with d = {d} the exponent a must be at least {F(aMin)}.");
        }
    }

    private static string F(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
}
