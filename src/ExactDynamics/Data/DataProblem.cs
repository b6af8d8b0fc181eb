namespace ExactDynamics.Data;

/// <summary>
/// Minibatch training on a finite dataset (docs/math.md#the-empirical-model): each step draws B rows uniformly with
/// replacement; the gradient is g(w) = (1/B) Σ_b x_b(x_bᵀw − y_b). In the eigenbasis of H the initial error e₀ = w₀ − w*
/// has mean <see cref="InitialMean"/> and covariance diag(<see cref="InitialVariance"/>) (a fixed start has zero
/// covariance; a random isotropic start zero mean). Labels are the data's own target (residuals r_i) when it has one,
/// otherwise a planted teacher y = xᵀw* plus independent noise of variance <see cref="Noise"/>.
/// </summary>
public sealed class DataProblem
{
    /// <param name="data">The analysed data.</param>
    /// <param name="batch">Batch size B ≥ 1 (a whole number).</param>
    /// <param name="initialMean">E e₀ in the eigenbasis (length <see cref="DataSet.Dimension"/>); null = 0.</param>
    /// <param name="initialVariance">Var e₀ per eigendirection (diagonal covariance); null = 0.</param>
    /// <param name="noise">Independent label-noise variance σ² ≥ 0 (only without a target; with a target the residuals are the noise).</param>
    public DataProblem(DataSet data, double batch, double[]? initialMean, double[]? initialVariance, double noise = 0)
        : this(data, batch, initialMean, initialVariance, noise, true) { }

    private DataProblem(DataSet data, double batch, double[]? initialMean, double[]? initialVariance, double noise, bool withResiduals,
        bool wholeBatch = true)
    {
        WithResiduals = withResiduals;
        ArgumentNullException.ThrowIfNull(data);
        int r = data.Dimension;
        if (!double.IsFinite(batch) || batch < 1 || (wholeBatch && batch != Math.Floor(batch)))
            throw new InvalidInputException($"Batch size {batch} is not allowed; sampling rows from the data needs a whole number B ≥ 1.");
        if (!double.IsFinite(noise) || noise < 0)
            throw new InvalidInputException($"Noise variance {noise} is not allowed; σ² must be finite and at least 0.");
        if (noise > 0 && data.HasTarget)
            throw new InvalidInputException("An independent label-noise variance cannot be combined with a target; the target's residuals are the noise.");
        InitialMean = Check(initialMean, r, "initial mean error", allowNegative: true);
        InitialVariance = Check(initialVariance, r, "initial error variance", allowNegative: false);
        Data = data;
        Batch = batch;
        Noise = noise;
    }

    private static double[] Check(double[]? v, int r, string what, bool allowNegative)
    {
        if (v is null) return new double[r];
        if (v.Length != r)
            throw new InvalidInputException($"The {what} has {v.Length} values but the data has {r} directions; they must match.");
        foreach (var x in v)
            if (!double.IsFinite(x) || (!allowNegative && x < 0))
                throw new InvalidInputException($"The {what} has the value {x}; values must be finite{(allowNegative ? "" : " and non-negative")}.");
        return (double[])v.Clone();
    }

    /// <summary>The data.</summary>
    public DataSet Data { get; }

    /// <summary>B.</summary>
    public double Batch { get; }

    /// <summary>Independent label noise σ² (planted teacher only).</summary>
    public double Noise { get; }

    /// <summary>E e₀ in the eigenbasis.</summary>
    public double[] InitialMean { get; }

    /// <summary>Var e₀ per eigendirection.</summary>
    public double[] InitialVariance { get; }

    /// <summary>The per-direction second moments s_j = E e₀ⱼ² = mean² + variance (what the diagonal models see).</summary>
    public double[] SecondMoments()
    {
        var s = new double[InitialMean.Length];
        for (int j = 0; j < s.Length; j++) s[j] = InitialMean[j] * InitialMean[j] + InitialVariance[j];
        return s;
    }

    /// <summary>Whether the target's residuals drive the noise (false for <see cref="Homogeneous"/>).</summary>
    public bool WithResiduals { get; }

    /// <summary>The same problem with another batch size.</summary>
    public DataProblem WithBatch(double batch) => new(Data, batch, InitialMean, InitialVariance, Noise, WithResiduals);

    /// <summary>The same problem at a real batch size B ≥ 1: the second-moment maps and their rates
    /// (docs/math.md#data-rates) are defined for real B, as the gap on a spectrum is; only sampling rows needs a whole B.</summary>
    public DataProblem WithRealBatch(double batch) => new(Data, batch, InitialMean, InitialVariance, Noise, WithResiduals, false);

    /// <summary>The noiseless problem with a random isotropic start (zero mean, unit variance per direction): its second
    /// moments follow the homogeneous linear map whose Perron root is the asymptotic rate (<see cref="StabilityEdge"/>).</summary>
    public DataProblem Homogeneous()
    {
        var ones = new double[Data.Dimension];
        Array.Fill(ones, 1.0);
        return new DataProblem(Data, Batch, null, ones, 0, false, false);
    }
}
