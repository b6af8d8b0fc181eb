using ExactDynamics.Dynamics;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;

namespace ExactDynamics.Fitting;

/// <summary>
/// The parametric model of docs/math.md#fitting: a power-law spectrum λ_i = S·i^(−a), i = 1..d (d fixed), initial
/// second moments s_i = c·i^(−p), label noise σ² and kurtosis m4; E L_t from the exact recursion
/// (<see cref="RiskRecursion.Trajectory(Problem, Methods.LinearMethod, int)"/>).
/// </summary>
public sealed class PowerLawCurveModel : CurveModel
{
    /// <param name="dimension">d ≥ 1, the number of eigenvalues.</param>
    /// <exception cref="InvalidInputException">d &lt; 1.</exception>
    public PowerLawCurveModel(int dimension)
    {
        if (dimension < 1) throw new InvalidInputException($"Dimension d={dimension} is not allowed; the power-law model needs d ≥ 1.");
        Dimension = dimension;
    }

    /// <summary>d.</summary>
    public int Dimension { get; }

    /// <inheritdoc/>
    public override string Description => $"powerlaw:d={Dimension}";

    /// <inheritdoc/>
    public override IReadOnlyList<FitParameter> Parameters { get; } =
        [FitParameter.Exponent, FitParameter.Scale, FitParameter.Noise, FitParameter.InitExponent, FitParameter.InitScale, FitParameter.Kurtosis];

    /// <inheritdoc/>
    public override double DefaultValue(FitParameter parameter, IReadOnlyList<FitCurve> curves)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter == FitParameter.Exponent) return 1;
        if (parameter == FitParameter.Scale) return 0.2 / ReferenceRate(curves);
        if (parameter == FitParameter.Kurtosis) return 3;
        if (parameter == FitParameter.InitExponent) return 0;
        return 1; // c and σ² are solved for from the curve before the search
    }

    /// <inheritdoc/>
    public override IReadOnlyList<double> ScanValues(FitParameter parameter, IReadOnlyList<FitCurve> curves)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter == FitParameter.Exponent) return [0.6, 1, 1.5, 2.2];
        if (parameter == FitParameter.Scale)
        {
            double r = ReferenceRate(curves);
            return [0.01 / r, 0.05 / r, 0.2 / r, 0.6 / r];
        }
        if (parameter == FitParameter.InitExponent) return [0, 1];
        return base.ScanValues(parameter, curves);
    }

    /// <summary>The largest learning rate of the curves' named methods (1 when none is named): λ_1 ≈ 1/lr is the
    /// natural unit of the scale.</summary>
    private static double ReferenceRate(IReadOnlyList<FitCurve> curves)
    {
        double lr = 0;
        foreach (var c in curves)
            if (c.Method.Parameters is { } p && double.IsFinite(p.Lr) && p.Lr > lr) lr = p.Lr;
        return lr > 0 ? lr : 1;
    }

    /// <summary>The problem at the given parameter values and batch.</summary>
    /// <exception cref="InvalidInputException">The values describe no valid problem.</exception>
    public Problem ProblemAt(IReadOnlyDictionary<string, double> values, double batch)
    {
        ArgumentNullException.ThrowIfNull(values);
        var spectrum = Spectrum.PowerLaw(values["a"], Dimension, values["scale"]);
        var initial = PowerInit(Dimension, values["init-scale"], values["init-exponent"]);
        return new Problem(spectrum, initial, batch, values["kurtosis"], values["noise"]);
    }

    /// <inheritdoc/>
    public override double[] Risk(IReadOnlyDictionary<string, double> values, FitCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        int steps = Horizon(curve);
        var problem = ProblemAt(values, curve.Batch);
        return AtSteps(RiskRecursion.Trajectory(problem, curve.Method, steps), curve.Steps);
    }

    /// <inheritdoc/>
    public override Tradeoffs.IRateModel Rates(IReadOnlyDictionary<string, double> values) => new Tradeoffs.SpectralRates(ProblemAt(values, 1));

    /// <inheritdoc/>
    public override IReadOnlyList<FitParameter> RateParameters { get; } = [FitParameter.Exponent, FitParameter.Scale, FitParameter.Kurtosis];

    /// <inheritdoc/>
    public override double SecondsPerEvaluation(FitCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        return CostEstimate.SteppingSeconds(curve.Method.K, Dimension, curve.LastStep);
    }
}
