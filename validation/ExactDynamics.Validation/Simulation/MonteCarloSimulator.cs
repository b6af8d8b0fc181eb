using ExactDynamics.Spectra;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Statistics;

namespace ExactDynamics.Validation.Simulation;

/// <summary>What to simulate (the stochastic counterpart of <see cref="Problem"/>) and how much.</summary>
public sealed record SimulationSettings
{
    /// <summary>Eigenvalues of H (the simulation works in the eigenbasis, x = H^{1/2} z).</summary>
    public required Spectrum Spectrum { get; init; }

    /// <summary>s_i = E[(w_0 − w*)_i²]; null = isotropic (s_i = 1). w_0 − w* is drawn N(0, diag(s)) per run.</summary>
    public double[]? Initial { get; init; }

    /// <summary>Integer batch size B ≥ 1.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Law of the whitened covariate coordinates; its <see cref="CovariateDistribution.Kurtosis"/> is the m4 of the exact problem.</summary>
    public CovariateDistribution Covariates { get; init; } = CovariateDistribution.Gaussian;

    /// <summary>Label-noise variance σ² (ε ~ N(0, σ²)).</summary>
    public double Noise { get; init; }

    /// <summary>Last step T.</summary>
    public long Steps { get; init; } = 100;

    /// <summary>Record t = 0, every, 2·every, … and always T (as the exact <c>RiskRecursion.Run</c>).</summary>
    public long Every { get; init; } = 1;

    /// <summary>Number of independent runs R ≥ 2.</summary>
    public int Runs { get; init; } = 1000;

    /// <summary>Run r uses the random stream (Seed, r).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Threads to use; null = all cores. The result does not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>The true parameter w*; null = all ones. (The risk's law does not depend on it; it is there so that the
    /// optimizers run in parameter coordinates exactly as a training loop does.)</summary>
    public double[]? WStar { get; init; }

    /// <summary>A dataset whose rows are the samples (drawn uniformly with replacement; docs/math.md#the-empirical-model)
    /// instead of x = H^{1/2} z: <see cref="Spectrum"/> must then hold its eigenvalues (the risk is ½ Σ λ_i e_i² in its
    /// eigenbasis) and <see cref="Covariates"/> is not used. Null: sampled covariates.</summary>
    public DataRows? Rows { get; init; }

    /// <summary>E(w_0 − w*) per coordinate (a fixed start has this and <see cref="Initial"/> = 0); null = 0.</summary>
    public double[]? InitialMean { get; init; }

    /// <summary>The exact problem these settings simulate: same spectrum, s_i, B, m4 = E z⁴ of the covariates, σ².</summary>
    public Problem ToProblem() => new(Spectrum, Initial, Batch, Covariates.Kurtosis, Noise);
}

/// <summary>Monte Carlo mean and standard error of the risk ½ Σ λ_i (w_t − w*)_i² at the recorded steps.</summary>
public sealed record SimulationResult(long[] Steps, double[] Mean, double[] StdErr, double[] StdDev, int Runs, ulong Seed, string Optimizer);

/// <summary>
/// Runs an optimizer on explicit samples many times and averages the risk (docs/math.md#monte-carlo).
/// <para>Reproducibility: run r draws w_0 and every minibatch from its own xoshiro256** stream keyed by (seed, r).
/// Runs are grouped in fixed blocks of <see cref="BlockSize"/>; a block accumulates its runs in run order, and blocks
/// are merged in block order, so the result is bit-for-bit the same for any thread count.</para>
/// </summary>
public static class MonteCarloSimulator
{
    /// <summary>Runs per block (the unit of parallel work).</summary>
    public const int BlockSize = 16;

    private const int BlocksPerWave = 64;

    /// <summary>The recorded steps: 0, every, 2·every, …, and always the last step.</summary>
    public static long[] RecordedSteps(long steps, long every)
    {
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        if (every < 1) throw new InvalidInputException($"--every {every} is not allowed; it must be at least 1.");
        var list = new List<long> { 0 };
        for (long t = every; t <= steps; t += every) list.Add(t);
        if (list[^1] != steps) list.Add(steps);
        return list.ToArray();
    }

    /// <summary>Simulate <paramref name="optimizer"/> under <paramref name="settings"/>.</summary>
    /// <param name="settings">The problem and the Monte Carlo budget.</param>
    /// <param name="optimizer">The algorithm to run.</param>
    /// <param name="cancellation">Stops between blocks of runs.</param>
    /// <param name="progress">Called after each block of runs with the number of runs that block finished (from worker
    /// threads, possibly at the same time); the calls add up to the number of runs.</param>
    public static SimulationResult Run(SimulationSettings settings, ISimulatedOptimizer optimizer, Action<int>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (settings.Runs < 2) throw new InvalidInputException($"--runs {settings.Runs} is not allowed; at least 2 runs are needed for a standard error.");
        if (settings.Batch < 1) throw new InvalidInputException($"Batch size {settings.Batch} is not allowed; the simulator needs an integer batch of at least 1.");
        var problem = settings.ToProblem(); // validates spectrum, s_i, noise
        var steps = RecordedSteps(settings.Steps, settings.Every);
        int d = settings.Spectrum.Dimension;
        var lambda = settings.Spectrum.ToArray();
        var sqrtS = problem.Initial.ToArray().Select(Math.Sqrt).ToArray();
        var wStar = settings.WStar ?? Enumerable.Repeat(1.0, d).ToArray();
        if (wStar.Length != d) throw new InvalidInputException($"w* has {wStar.Length} entries but the spectrum has {d} eigenvalues; they must match.");
        CheckData(settings, d);

        int runs = settings.Runs;
        int blocks = (runs + BlockSize - 1) / BlockSize;
        var total = new StepMoments(steps.Length);
        var options = new ParallelOptions { CancellationToken = cancellation };
        // at most one run per core in flight (a tail average's memory estimate counts on it)
        options.MaxDegreeOfParallelism = settings.MaxDegreeOfParallelism is int dop ? Math.Max(1, dop) : Environment.ProcessorCount;

        for (int waveStart = 0; waveStart < blocks; waveStart += BlocksPerWave)
        {
            int waveBlocks = Math.Min(BlocksPerWave, blocks - waveStart);
            var partial = new StepMoments[waveBlocks];
            Parallel.For(0, waveBlocks, options,
                () => new Worker(optimizer, lambda, wStar, sqrtS, settings, steps.Length),
                (j, _, worker) =>
                {
                    int block = waveStart + j;
                    var acc = new StepMoments(steps.Length);
                    int first = block * BlockSize, last = Math.Min(runs, first + BlockSize);
                    for (int r = first; r < last; r++)
                    {
                        worker.RunOnce((ulong)r, steps);
                        acc.Add(worker.Risks);
                    }
                    partial[j] = acc;
                    progress?.Invoke(last - first);
                    return worker;
                },
                _ => { });
            foreach (var p in partial) total.Merge(p);
        }

        return new SimulationResult(steps, total.Mean(), total.StandardError(), total.StandardDeviation(), runs, settings.Seed, optimizer.Name);
    }

    private static void CheckData(SimulationSettings s, int d)
    {
        if (s.Rows is { } rows && rows.Dimension != d)
            throw new InvalidInputException($"The data rows have {rows.Dimension} coordinates but the spectrum has {d} eigenvalues; they must match.");
        if (s.Rows?.Residuals is not null && s.Noise != 0)
            throw new InvalidInputException("Independent label noise cannot be added to a real target; its residuals are the noise.");
        if (s.InitialMean is { } m && m.Length != d)
            throw new InvalidInputException($"The initial mean error has {m.Length} entries but the spectrum has {d} eigenvalues; they must match.");
    }

    /// <summary>
    /// The iterates w_0, w_1, …, w_T of run <paramref name="run"/> (its stream under <see cref="SimulationSettings.Seed"/>),
    /// exactly as <see cref="Run"/> draws them: two optimizers that consume the oracle alike see the same samples, so
    /// their paths can be compared step by step.
    /// </summary>
    public static double[][] TracePath(SimulationSettings settings, ISimulatedOptimizer optimizer, ulong run)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(optimizer);
        var problem = settings.ToProblem();
        int d = settings.Spectrum.Dimension;
        var lambda = settings.Spectrum.ToArray();
        var sqrtS = problem.Initial.ToArray().Select(Math.Sqrt).ToArray();
        var wStar = settings.WStar ?? Enumerable.Repeat(1.0, d).ToArray();
        CheckData(settings, d);
        var worker = new Worker(optimizer, lambda, wStar, sqrtS, settings, 1);
        return worker.Trace(run, settings.Steps);
    }

    /// <summary>One worker's buffers, reused across the runs it executes (a run's result depends only on (seed, r)).</summary>
    private sealed class Worker
    {
        private readonly IOptimizerRun _run;
        private readonly GradientOracle _oracle;
        private readonly RunRandom _rng;
        private readonly double[] _lambda, _wStar, _sqrtS, _w0, _mean;
        private readonly ulong _seed;

        public Worker(ISimulatedOptimizer optimizer, double[] lambda, double[] wStar, double[] sqrtS, SimulationSettings s, int recorded)
        {
            _lambda = lambda;
            _wStar = wStar;
            _sqrtS = sqrtS;
            _seed = s.Seed;
            _rng = new RunRandom(s.Seed, 0);
            _oracle = s.Rows is { } rows
                ? new GradientOracle(rows, wStar, s.Batch, s.Noise, _rng)
                : new GradientOracle(lambda, wStar, s.Batch, s.Covariates, s.Noise, _rng);
            _mean = s.InitialMean ?? new double[lambda.Length];
            _run = optimizer.CreateRun(lambda.Length);
            _w0 = new double[lambda.Length];
            Risks = new double[recorded];
        }

        public double[] Risks { get; }

        public void RunOnce(ulong r, long[] steps)
        {
            Start(r);
            int next = 0;
            long last = steps[^1];
            bool overflow = false;
            for (long t = 0; ; t++)
            {
                if (t == steps[next])
                {
                    double risk = overflow ? double.PositiveInfinity : Risk(_run.Iterate);
                    if (!double.IsFinite(risk)) { risk = double.PositiveInfinity; overflow = true; }
                    Risks[next++] = risk;
                    if (next == steps.Length) break;
                }
                if (t == last) break;
                if (!overflow) _run.Step(_oracle);
            }
        }

        /// <summary>Run r's stream; w_0 = w* + m + diag(√s) ξ with ξ ~ N(0, I) drawn first; then the optimizer is reset.</summary>
        private void Start(ulong r)
        {
            _rng.Reseed(_seed, r);
            for (int i = 0; i < _w0.Length; i++) _w0[i] = _wStar[i] + _mean[i] + _sqrtS[i] * _rng.NextGaussian();
            _run.Reset(_w0);
        }

        public double[][] Trace(ulong r, long steps)
        {
            Start(r);
            var path = new double[steps + 1][];
            path[0] = _run.Iterate.ToArray();
            for (long t = 1; t <= steps; t++)
            {
                _run.Step(_oracle);
                path[t] = _run.Iterate.ToArray();
            }
            return path;
        }

        private double Risk(ReadOnlySpan<double> w)
        {
            double s = 0;
            for (int i = 0; i < w.Length; i++)
            {
                double e = w[i] - _wStar[i];
                s += _lambda[i] * e * e;
            }
            return 0.5 * s;
        }
    }
}
