using ExactDynamics.Validation.Sampling;

namespace ExactDynamics.Validation.Simulation;

/// <summary>
/// The stochastic minibatch gradient of docs/math.md#problem for one run, computed from explicit samples: each call draws B
/// fresh covariates x_b = H^{1/2} z_b (in the eigenbasis), labels y_b = ⟨x_b, w*⟩ + ε_b with ε_b ~ N(0, σ²), and
/// returns g(w) = (1/B) Σ_b x_b (⟨x_b, w⟩ − y_b). Works in parameter coordinates, exactly as a user's training loop.
/// On a dataset (<see cref="DataRows"/>) each sample is instead a row drawn uniformly with replacement, labelled
/// y_b = ⟨x_b, w*⟩ + r_b with its own residual (a real target) or plus N(0, σ²) noise (a planted teacher).
/// </summary>
public sealed class GradientOracle
{
    private readonly double[] _sqrtLambda;
    private readonly double[] _wStar;
    private readonly double[] _x;
    private readonly CovariateDistribution _covariates;
    private readonly double _noiseStd;
    private readonly DataRows? _rows;

    public GradientOracle(ReadOnlySpan<double> lambda, ReadOnlySpan<double> wStar, int batch, CovariateDistribution covariates, double noise, RunRandom rng)
    {
        ArgumentNullException.ThrowIfNull(covariates);
        ArgumentNullException.ThrowIfNull(rng);
        if (batch < 1) throw new InvalidInputException($"Batch size {batch} is not allowed; the batch must be at least 1.");
        if (wStar.Length != lambda.Length) throw new ArgumentException("w* and the spectrum must have the same length.");
        if (!(noise >= 0) || !double.IsFinite(noise)) throw new InvalidInputException($"Noise variance {noise} is not allowed; σ² must be finite and at least 0.");
        _sqrtLambda = new double[lambda.Length];
        for (int i = 0; i < lambda.Length; i++) _sqrtLambda[i] = Math.Sqrt(lambda[i]);
        _wStar = wStar.ToArray();
        _x = new double[lambda.Length];
        Batch = batch;
        _covariates = covariates;
        _noiseStd = Math.Sqrt(noise);
        Random = rng;
    }

    /// <summary>Rows of a dataset drawn uniformly with replacement (docs/math.md#the-empirical-model), in the eigenbasis of
    /// its H; <paramref name="wStar"/> in the same coordinates; <paramref name="noise"/> only without residuals.</summary>
    public GradientOracle(DataRows rows, ReadOnlySpan<double> wStar, int batch, double noise, RunRandom rng)
        : this(new double[(rows ?? throw new ArgumentNullException(nameof(rows))).Dimension], wStar, batch, CovariateDistribution.Gaussian, noise, rng)
    {
        _rows = rows;
    }

    /// <summary>The run's random stream (all samples of the run come from it).</summary>
    public RunRandom Random { get; }

    public int Batch { get; }
    public int Dimension => _sqrtLambda.Length;

    /// <summary>Number of gradient evaluations since construction.</summary>
    public long Calls { get; private set; }

    /// <summary>g ← (1/B) Σ_b x_b (⟨x_b, w⟩ − y_b) for B fresh samples.</summary>
    public void Gradient(ReadOnlySpan<double> w, Span<double> g)
    {
        int d = _sqrtLambda.Length;
        if (w.Length != d || g.Length != d) throw new ArgumentException("The point and the gradient buffer must have the dimension of the problem.");
        g.Clear();
        if (_rows is not null)
        {
            DataGradient(w, g);
            return;
        }
        var x = _x.AsSpan();
        for (int s = 0; s < Batch; s++)
        {
            _covariates.Fill(Random, x);
            double xw = 0, xs = 0;
            for (int i = 0; i < d; i++)
            {
                double xi = _sqrtLambda[i] * x[i];
                x[i] = xi;
                xw += xi * w[i];
                xs += xi * _wStar[i];
            }
            double y = _noiseStd > 0 ? xs + _noiseStd * Random.NextGaussian() : xs;
            double r = xw - y;
            for (int i = 0; i < d; i++) g[i] += r * x[i];
        }
        double inv = 1.0 / Batch;
        for (int i = 0; i < d; i++) g[i] *= inv;
        Calls++;
    }

    private void DataGradient(ReadOnlySpan<double> w, Span<double> g)
    {
        var rows = _rows!;
        int d = _wStar.Length;
        for (int s = 0; s < Batch; s++)
        {
            int i = Random.NextIndex(rows.Count);
            var x = rows.Row(i);
            double xw = 0, xs = 0;
            for (int a = 0; a < d; a++)
            {
                xw += x[a] * w[a];
                xs += x[a] * _wStar[a];
            }
            double y = rows.Residuals is { } r ? xs + r[i] : _noiseStd > 0 ? xs + _noiseStd * Random.NextGaussian() : xs;
            double e = xw - y;
            for (int a = 0; a < d; a++) g[a] += e * x[a];
        }
        double inv = 1.0 / Batch;
        for (int a = 0; a < d; a++) g[a] *= inv;
        Calls++;
    }
}
