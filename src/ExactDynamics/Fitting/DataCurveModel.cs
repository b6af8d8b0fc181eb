using ExactDynamics.Data;
using ExactDynamics.Numerics;

namespace ExactDynamics.Fitting;

/// <summary>
/// The data-matrix model of docs/math.md#fitting: the spectrum and the fourth moments are the data's own (one of the
/// three models of docs/math.md#three-fourth-moment-models); what the data do not fix is fitted. With a target the
/// start w₀ and the residual noise are fixed too, so only the Gaussian model's kurtosis m4 is free. With a planted
/// teacher the label-noise variance σ² and the random start's second moments s_j = c·j^(−p) in the eigenbasis are
/// free, and m4 under the Gaussian model.
/// </summary>
public sealed class DataCurveModel : CurveModel
{
    private readonly double[]? _startError;

    /// <param name="data">The analysed data.</param>
    /// <param name="model">The fourth-moment model.</param>
    /// <param name="startError">With a target: the initial error e₀ = Vᵀ(w₀ − w*) in the eigenbasis (from
    /// <see cref="DataSet.InitialError(double[])"/>); null for a planted teacher with a random start.</param>
    /// <exception cref="InvalidInputException">A start error is given without a target, or the reverse.</exception>
    public DataCurveModel(DataSet data, MomentModel model, double[]? startError)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.HasTarget != startError is not null)
            throw new InvalidInputException(data.HasTarget
                ? "With a target the start is fixed; the initial error w₀ − w* is needed."
                : "Without a target there is no fixed start; the initial second moments are fitted instead.");
        Data = data;
        Moments = model;
        _startError = startError is null ? null : (double[])startError.Clone();
        var p = new List<FitParameter>();
        if (!data.HasTarget) p.AddRange([FitParameter.Noise, FitParameter.InitExponent, FitParameter.InitScale]);
        if (model == MomentModel.Gaussian) p.Add(FitParameter.Kurtosis);
        Parameters = p;
    }

    /// <summary>The data.</summary>
    public DataSet Data { get; }

    /// <summary>The fourth-moment model.</summary>
    public MomentModel Moments { get; }

    /// <inheritdoc/>
    public override string Description => $"data (n={Data.Samples}, d={Data.Features}, rank {Data.Dimension}), {MomentModels.Name(Moments)} moments";

    /// <inheritdoc/>
    public override IReadOnlyList<FitParameter> Parameters { get; }

    /// <inheritdoc/>
    public override double DefaultValue(FitParameter parameter, IReadOnlyList<FitCurve> curves)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter == FitParameter.Kurtosis) return 3;
        if (parameter == FitParameter.InitExponent) return 0;
        return 1;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<double> ScanValues(FitParameter parameter, IReadOnlyList<FitCurve> curves)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter == FitParameter.InitExponent) return [0, 1];
        if (parameter == FitParameter.Kurtosis) return [1.5, 3, 6];
        return base.ScanValues(parameter, curves);
    }

    /// <summary>The training problem at the parameter values and batch.</summary>
    public DataProblem ProblemAt(IReadOnlyDictionary<string, double> values, double batch)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (_startError is not null) return new DataProblem(Data, batch, _startError, null);
        var s = PowerInit(Data.Dimension, values["init-scale"], values["init-exponent"]);
        return new DataProblem(Data, batch, null, s, values["noise"]);
    }

    private double KurtosisOf(IReadOnlyDictionary<string, double> values) => values.TryGetValue("kurtosis", out var m4) ? m4 : 3;

    /// <inheritdoc/>
    public override double[] Risk(IReadOnlyDictionary<string, double> values, FitCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        int steps = Horizon(curve);
        var problem = ProblemAt(values, curve.Batch);
        return AtSteps(DataRisk.Trajectory(problem, curve.Method, steps, Moments, KurtosisOf(values)), curve.Steps);
    }

    /// <summary>The data's rate under the fourth-moment model (<see cref="DataRates.For"/>: the gaussian model's spectral
    /// problem with the fitted m4, or the Perron root of the matrix or empirical map), the one that
    /// <c>critical-batch --data</c> and <c>tune --data</c> use (docs/math.md#fit-answers).</summary>
    /// <inheritdoc/>
    public override Tradeoffs.IRateModel Rates(IReadOnlyDictionary<string, double> values) =>
        DataRates.For(ProblemAt(values, 1), Moments, KurtosisOf(values));

    /// <summary>The kurtosis under the gaussian model; nothing under the matrix and empirical models, whose rate is the
    /// data's alone.</summary>
    /// <inheritdoc/>
    public override IReadOnlyList<FitParameter> RateParameters => Moments == MomentModel.Gaussian ? [FitParameter.Kurtosis] : [];

    /// <summary>The same data, start and residuals under another fourth-moment model (e.g. the matrix model for answers
    /// whose empirical tuning is estimated too long); the parameters of the matrix and empirical models are the same.</summary>
    public DataCurveModel WithMoments(MomentModel model) => new(Data, model, _startError);

    /// <inheritdoc/>
    public override double SecondsPerEvaluation(FitCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        double d = Data.Dimension, t = curve.LastStep, k = curve.Method.K;
        return Moments switch
        {
            MomentModel.Gaussian => CostEstimate.SteppingSeconds(curve.Method.K, Data.Dimension, t),
            MomentModel.Matrix => (d * d + k * k * k * d) * t * 1e-9,
            _ => 1.5 * Data.Samples * d * d * k * t / 5e9,
        };
    }
}
