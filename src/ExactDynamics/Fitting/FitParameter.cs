using System.Globalization;

namespace ExactDynamics.Fitting;

/// <summary>How a fitted parameter is carried inside the least-squares search (docs/math.md#fitting).</summary>
public enum ParameterTransform
{
    /// <summary>θ = v (any real value; the exponents).</summary>
    Identity,
    /// <summary>θ = ln v (v &gt; 0; scales and variances).</summary>
    Log,
    /// <summary>θ = ln(v − 1) (v &gt; 1; the kurtosis m4).</summary>
    LogAboveOne,
}

/// <summary>
/// One parameter of a fitted curve model (docs/math.md#fitting): its name on the command line, its symbol, what it
/// means, and the transform to the coordinates θ in which the Levenberg–Marquardt search runs and the standard errors
/// are computed (so that a positive quantity stays positive and its interval is asymmetric where it should be).
/// </summary>
/// <param name="Name">The name used by <c>--fix</c>, <c>--guess</c> and the outputs (e.g. <c>a</c>, <c>noise</c>).</param>
/// <param name="Symbol">The mathematical symbol (e.g. <c>σ²</c>).</param>
/// <param name="Meaning">A short description.</param>
/// <param name="Transform">θ as a function of the value.</param>
public sealed record FitParameter(string Name, string Symbol, string Meaning, ParameterTransform Transform)
{
    /// <summary>The power-law exponent a of λ_i = S·i^(−a).</summary>
    public static FitParameter Exponent { get; } = new("a", "a", "spectrum exponent, λ_i = S·i^(−a)", ParameterTransform.Identity);

    /// <summary>The power-law scale S = λ_1.</summary>
    public static FitParameter Scale { get; } = new("scale", "S", "spectrum scale λ_1", ParameterTransform.Log);

    /// <summary>The label-noise variance σ².</summary>
    public static FitParameter Noise { get; } = new("noise", "σ²", "label-noise variance", ParameterTransform.Log);

    /// <summary>The initial-condition exponent p of s_i = c·i^(−p).</summary>
    public static FitParameter InitExponent { get; } = new("init-exponent", "p", "initial-condition exponent, s_i = c·i^(−p)", ParameterTransform.Identity);

    /// <summary>The initial-condition scale c of s_i = c·i^(−p).</summary>
    public static FitParameter InitScale { get; } = new("init-scale", "c", "initial-condition scale c", ParameterTransform.Log);

    /// <summary>The kurtosis m4 = E z⁴ of the whitened covariates.</summary>
    public static FitParameter Kurtosis { get; } = new("kurtosis", "m4", "kurtosis E z⁴", ParameterTransform.LogAboveOne);

    /// <summary>The additive floor of a measured loss (the loss objective only): loss_t = E L_t + floor.</summary>
    public static FitParameter Floor { get; } = new("floor", "f", "loss floor, loss_t = E L_t + f", ParameterTransform.Log);

    /// <summary>Every parameter any model has, in output order.</summary>
    public static IReadOnlyList<FitParameter> All { get; } = [Exponent, Scale, Noise, InitExponent, InitScale, Kurtosis, Floor];

    /// <summary>θ for the value <paramref name="value"/>.</summary>
    /// <exception cref="InvalidInputException">The value is outside the parameter's domain.</exception>
    public double ToInternal(double value)
    {
        if (!double.IsFinite(value))
            throw new InvalidInputException($"The {Meaning} {Name} = {F(value)} is not allowed; it must be a finite number.");
        switch (Transform)
        {
            case ParameterTransform.Log:
                if (!(value > 0)) throw new InvalidInputException($"The {Meaning} {Name} = {F(value)} is not allowed; it must be positive.");
                return Math.Log(value);
            case ParameterTransform.LogAboveOne:
                if (!(value > 1)) throw new InvalidInputException($"The {Meaning} {Name} = {F(value)} is not allowed as a starting value; it must be above 1.");
                return Math.Log(value - 1);
            default:
                return value;
        }
    }

    /// <summary>The value for θ.</summary>
    public double FromInternal(double theta) => Transform switch
    {
        ParameterTransform.Log => Math.Exp(theta),
        ParameterTransform.LogAboveOne => 1 + Math.Exp(theta),
        _ => theta,
    };

    /// <summary>dv/dθ at θ (for the delta-method standard error in the parameter's own units).</summary>
    public double Derivative(double theta) => Transform switch
    {
        ParameterTransform.Log => Math.Exp(theta),
        ParameterTransform.LogAboveOne => Math.Exp(theta),
        _ => 1,
    };

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
