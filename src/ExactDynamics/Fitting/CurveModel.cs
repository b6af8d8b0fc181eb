namespace ExactDynamics.Fitting;

/// <summary>
/// A family of exact risk curves indexed by a few parameters (docs/math.md#fitting): given the parameter values and a
/// measured curve's method, batch and steps, the exact E L_t at those steps. <see cref="PowerLawCurveModel"/> (a
/// parametric power-law spectrum) and <see cref="DataCurveModel"/> (the user's data matrix) are the two models.
/// </summary>
public abstract class CurveModel
{
    /// <summary>A short description, e.g. <c>powerlaw:d=200</c>.</summary>
    public abstract string Description { get; }

    /// <summary>The model's parameters (the loss objective adds <see cref="FitParameter.Floor"/>).</summary>
    public abstract IReadOnlyList<FitParameter> Parameters { get; }

    /// <summary>The starting value of a parameter when neither fixed nor guessed.</summary>
    /// <param name="parameter">One of <see cref="Parameters"/>.</param>
    /// <param name="curves">The curves to fit (a scale can be set from a learning rate).</param>
    public abstract double DefaultValue(FitParameter parameter, IReadOnlyList<FitCurve> curves);

    /// <summary>
    /// The values of a non-linear parameter tried by the coarse scan before the Levenberg–Marquardt search (the
    /// amplitudes c, σ² and the floor are solved for instead). Default: the <see cref="DefaultValue"/> alone.
    /// </summary>
    public virtual IReadOnlyList<double> ScanValues(FitParameter parameter, IReadOnlyList<FitCurve> curves) => [DefaultValue(parameter, curves)];

    /// <summary>The exact E L_t at the steps of <paramref name="curve"/> with its method and batch (+∞ from where a
    /// divergent run overflows).</summary>
    /// <param name="values">A value for every parameter of <see cref="Parameters"/> (by name). The amplitude
    /// parameters (c, σ²) may be 0 here.</param>
    /// <param name="curve">The measured curve (its steps, method and batch).</param>
    /// <exception cref="InvalidInputException">The values describe no valid problem.</exception>
    public abstract double[] Risk(IReadOnlyDictionary<string, double> values, FitCurve curve);

    /// <summary>
    /// The model at the parameter values as the tuner sees it (docs/math.md#fit-answers): the rate model on which
    /// <see cref="Tradeoffs.CriticalBatch"/> and <see cref="Tradeoffs.Tuner"/> answer the usual questions — the
    /// spectral problem for the power law, the data's own rate under the fitted fourth-moment model for a data matrix
    /// (<see cref="Data.DataRates.For"/>, so every tuning stays inside that model's stable region). Its batch size is 1.
    /// </summary>
    /// <param name="values">A value for every parameter of <see cref="Parameters"/> (by name).</param>
    /// <exception cref="InvalidInputException">The values describe no valid problem.</exception>
    public abstract Tradeoffs.IRateModel Rates(IReadOnlyDictionary<string, double> values);

    /// <summary>The parameters the asymptotic rate depends on (the others — noise, start, floor — do not move the
    /// contraction gap, so neither the critical batch nor the tuned method); an answer carries the fit's uncertainty
    /// through these alone.</summary>
    public abstract IReadOnlyList<FitParameter> RateParameters { get; }

    /// <summary>Estimated seconds of one evaluation of <see cref="Risk"/> for <paramref name="curve"/>.</summary>
    public abstract double SecondsPerEvaluation(FitCurve curve);

    /// <summary>Whether the model has a parameter of this name.</summary>
    public bool Has(FitParameter parameter) => Parameters.Contains(parameter);

    /// <summary>Picks the values at the recorded steps from a trajectory t = 0..T.</summary>
    protected static double[] AtSteps(double[] trajectory, long[] steps)
    {
        var r = new double[steps.Length];
        for (int i = 0; i < steps.Length; i++) r[i] = trajectory[steps[i]];
        return r;
    }

    /// <summary>s_j = c·j^(−p), j = 1..d.</summary>
    protected static double[] PowerInit(int d, double c, double p)
    {
        var s = new double[d];
        for (int i = 0; i < d; i++) s[i] = c * Math.Pow(i + 1, -p);
        return s;
    }

    /// <summary>The largest horizon a fit evaluates (a whole trajectory is kept in memory per evaluation).</summary>
    public const long MaxSteps = 10_000_000;

    /// <summary>Throws when the curve's last step is beyond <see cref="MaxSteps"/>.</summary>
    protected static int Horizon(FitCurve curve)
    {
        if (curve.LastStep > MaxSteps)
            throw new InvalidInputException($"The curve {curve.Label} runs to t = {curve.LastStep}; a fit evaluates whole trajectories and takes curves of at most {MaxSteps} steps (keep the earlier part).");
        return (int)curve.LastStep;
    }
}
