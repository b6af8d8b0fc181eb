using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Validation.Statistics;

namespace ExactDynamics.Validation.UserCurves;

/// <summary>Where the standard errors of a validation came from.</summary>
public enum StdErrSource
{
    /// <summary>The file's stderr column.</summary>
    File,
    /// <summary>Estimated by the project's own Monte Carlo simulation of the same problem and method with the same
    /// number of runs R (<c>CurveValidator.MonteCarloStdErr</c>).</summary>
    MonteCarlo,
}

/// <summary>The result of validating a user's simulated curve against the exact expectation.</summary>
public sealed record CurveValidation(CurveComparison Comparison, double[] ExactRisk, double[] StdErr, StdErrSource Source, int? Runs)
{
    public bool Consistent => Comparison.Consistent;

    /// <summary>The comparison's verdict; a consistent one says when the test has little power (<see cref="PowerWarning"/>).</summary>
    public string Verdict => Consistent && PowerWarning is not null ? $"{Comparison.Verdict}, but {PowerWarning}" : Comparison.Verdict;

    /// <summary>Set when the per-run spread (stderr·√R) exceeds <see cref="CurveValidator.HeavyTailRelativeSd"/> times the
    /// exact risk at some step: the mean is then carried by a few extreme runs and the test has almost no power there.</summary>
    public string? PowerWarning { get; init; }
}

/// <summary>
/// Checks a simulated mean-risk curve (e.g. from a user's PyTorch loop) against the exact E L_t for the problem and
/// method it claims to simulate (docs/cli.md#validate): the Bonferroni max-|z| test of <see cref="CurveComparer"/>.
/// </summary>
public static class CurveValidator
{
    /// <summary>
    /// With no stderr column, the standard deviation of one run's risk is taken as this multiple of the exact risk:
    /// stderr_t = 4·E L_t/√R. For Gaussian errors the risk is a weighted sum of χ²₁ variables, whose standard
    /// deviation is at most √2 times its mean (one dominant direction); multiplicative gradient noise makes the errors
    /// heavier-tailed than Gaussian — in the validation grid the ratio reached 3.56 (noiseless, heavy-tailed covariates,
    /// B = 64, after the risk fell by orders of magnitude; see validation/REPORT.md) — so the proxy allows 4. It is a
    /// proxy, not a bound: a stderr column is always better. Using the exact risk rather than the simulated one keeps
    /// the proxy independent of the data being tested. No longer used by <see cref="Validate"/> (a halved batch passed
    /// it); kept as the cross-check report's yardstick of per-run spread.
    /// </summary>
    public const double RunsProxyRelativeSd = 4.0;

    /// <summary>Per-run sd/mean above which a consistent verdict is qualified: heavy tails (the mean carried by a few
    /// exploding runs) leave the max-|z| test without power.</summary>
    public const double HeavyTailRelativeSd = 10;

    /// <param name="problem">The problem the simulation claims to simulate.</param>
    /// <param name="method">The method it claims to run.</param>
    /// <param name="curve">The simulated mean curve.</param>
    /// <param name="runs">Number of runs averaged; used only when the curve has no standard errors.</param>
    /// <param name="alpha">Family-wise false-alarm probability over the compared steps.</param>
    /// <param name="source">Names the curve in error messages (e.g. its file name).</param>
    public static CurveValidation Validate(Problem problem, LinearMethod method, SimulatedCurve curve, int? runs = null, double alpha = CurveComparer.DefaultAlpha,
        string source = "the simulation file")
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(curve);
        if (runs is < 2) throw new InvalidInputException($"--runs {runs} is not allowed; the number of runs averaged must be at least 2.");
        return Against(ExactAt(problem, method, curve.Steps), curve, runs, alpha, source,
            r => MonteCarloStdErr(problem, new Simulation.LinearMethodOptimizer(method), method.K, (int)problem.Batch, curve.Steps, r));
    }

    /// <summary>
    /// Standard errors of a mean of <paramref name="runs"/> runs at <paramref name="steps"/>, estimated by the project's
    /// own simulator (Gaussian-family covariates of the problem's kurtosis, seed 1) with the same number of runs: the
    /// quantity a stderr column would have held. Refused (with what to do instead) when it would take minutes.
    /// </summary>
    internal static double[] MonteCarloStdErr(Problem problem, Simulation.ISimulatedOptimizer optimizer, int k, int batch, IReadOnlyList<long> steps, int runs) =>
        MonteCarloStdErr(new Simulation.SimulationSettings
        {
            Spectrum = problem.Spectrum, Initial = problem.Initial.ToArray(), Batch = batch,
            Covariates = Sampling.CovariateDistribution.ForKurtosis(problem.Kurtosis), Noise = problem.Noise,
        }, optimizer, k, steps, runs);

    /// <summary>The same for any simulated setting (e.g. rows of a dataset): <paramref name="setting"/> gives the
    /// problem; its steps, runs and seed are set here.</summary>
    internal static double[] MonteCarloStdErr(Simulation.SimulationSettings setting, Simulation.ISimulatedOptimizer optimizer, int k, IReadOnlyList<long> steps, int runs)
    {
        long last = steps.Count == 0 ? 0 : steps[^1];
        long every = 0;
        foreach (var t in steps) every = Gcd(every, t);
        if (every == 0) every = Math.Max(1, last);
        int d = setting.Spectrum.Dimension;
        CostEstimate.Require(CostEstimate.SimulationSeconds(k, d, setting.Batch, last, runs),
            $"estimating the standard errors by simulating {runs} runs to t = {last} at d = {d}",
            "add a stderr column to the file (the standard error of the mean risk at each step)");
        CostEstimate.RequireMemory(32.0 * (last / every + 1), $"simulating {last / every + 1} recorded steps");
        var settings = setting with { Steps = last, Every = every, Runs = runs, Seed = 1 };
        var sim = Simulation.MonteCarloSimulator.Run(settings, optimizer);
        var index = new Dictionary<long, int>();
        for (int i = 0; i < sim.Steps.Length; i++) index[sim.Steps[i]] = i;
        return steps.Select(t => sim.StdErr[index[t]]).ToArray();
    }

    private static long Gcd(long a, long b) { while (b != 0) (a, b) = (b, a % b); return a; }

    /// <summary>
    /// The comparison itself, for any exact curve at the file's steps: standard errors from the file's stderr column or,
    /// failing that, the proxy <see cref="RunsProxyRelativeSd"/>·exact/√R; then <see cref="CurveComparer.Compare"/>.
    /// </summary>
    internal static CurveValidation Against(double[] exact, SimulatedCurve curve, int? runs, double alpha, string source,
        Func<int, double[]> monteCarloStdErr)
    {
        double[] se;
        StdErrSource origin;
        if (curve.StdErr is not null)
        {
            se = curve.StdErr;
            origin = StdErrSource.File;
            for (int i = 0; i < se.Length; i++)
                if (!(se[i] > 0) || !double.IsFinite(se[i]))
                    throw new InvalidInputException(
                        $"{source}: the stderr at t = {curve.Steps[i]} is {se[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; a standard error must be positive and finite (a z-score needs it), so fix or remove that row.");
        }
        else if (runs is int r)
        {
            se = monteCarloStdErr(r);
            origin = StdErrSource.MonteCarlo;
        }
        else
        {
            throw new InvalidInputException($"{source} has no stderr column; add one (the standard error of the mean risk at each step) or give the number of runs averaged with --runs R.");
        }
        var cmp = CurveComparer.Compare(curve.Steps, exact, curve.Risk, se, alpha);
        // heavy tails: the per-run spread sd = stderr·√R against the exact mean
        string? warning = null;
        if (runs is int rr)
        {
            double worst = 0; long at = 0;
            for (int i = 0; i < se.Length; i++)
            {
                double rel = se[i] * Math.Sqrt(rr) / exact[i];
                if (double.IsFinite(exact[i]) && exact[i] > 0 && rel > worst) { worst = rel; at = curve.Steps[i]; }
            }
            if (worst > HeavyTailRelativeSd)
                warning = $"the test has almost no power: the per-run sd/mean (stderr·√R/exact) reaches {worst:G3} at t = {at} (heavy tails: the mean is carried by a few extreme runs)";
        }
        return new CurveValidation(cmp, exact, se, origin, runs) { PowerWarning = warning };
    }

    /// <summary>E L_t at the given increasing steps (+∞ once a divergent method overflows).</summary>
    public static double[] ExactAt(Problem problem, LinearMethod method, IReadOnlyList<long> steps)
    {
        if (steps.Count > 0)
            CostEstimate.Require(CostEstimate.SteppingSeconds(method.K, problem.Spectrum.Dimension, steps[^1]),
                $"the exact risk of {method.Spec} to t = {steps[^1]} at d = {problem.Spectrum.Dimension}",
                "compare fewer or earlier steps, or a smaller spectrum");
        var state = new SecondMoments(problem, method);
        return Sample(state.Step, () => state.Risk, steps);
    }

    /// <summary>The risk of a stepping recursion at the given increasing steps (+∞ from the first overflow on).</summary>
    internal static double[] Sample(Action step, Func<double> risk, IReadOnlyList<long> steps)
    {
        var result = new double[steps.Count];
        long t = 0;
        bool overflow = false;
        for (int i = 0; i < steps.Count; i++)
        {
            while (!overflow && t < steps[i])
            {
                step();
                t++;
                if (!double.IsFinite(risk())) overflow = true;
            }
            result[i] = overflow ? double.PositiveInfinity : risk();
        }
        return result;
    }
}
