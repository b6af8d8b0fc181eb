using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Validation.Statistics;

namespace ExactDynamics.Validation.UserCurves;

/// <summary>Where the standard errors of a validation came from.</summary>
public enum StdErrSource
{
    /// <summary>The file's stderr column.</summary>
    File,
    /// <summary>The proxy <see cref="CurveValidator.RunsProxyRelativeSd"/>·exact/√R from the number of runs.</summary>
    RunsProxy,
}

/// <summary>The result of validating a user's simulated curve against the exact expectation.</summary>
public sealed record CurveValidation(CurveComparison Comparison, double[] ExactRisk, double[] StdErr, StdErrSource Source, int? Runs)
{
    public bool Consistent => Comparison.Consistent;
    public string Verdict => Comparison.Verdict;
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
    /// the proxy independent of the data being tested.
    /// </summary>
    public const double RunsProxyRelativeSd = 4.0;

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
        return Against(ExactAt(problem, method, curve.Steps), curve, runs, alpha, source);
    }

    /// <summary>
    /// The comparison itself, for any exact curve at the file's steps: standard errors from the file's stderr column or,
    /// failing that, the proxy <see cref="RunsProxyRelativeSd"/>·exact/√R; then <see cref="CurveComparer.Compare"/>.
    /// </summary>
    internal static CurveValidation Against(double[] exact, SimulatedCurve curve, int? runs, double alpha, string source)
    {
        double[] se;
        StdErrSource origin;
        if (curve.StdErr is not null)
        {
            se = curve.StdErr;
            origin = StdErrSource.File;
        }
        else if (runs is int r)
        {
            se = exact.Select(e => RunsProxyRelativeSd * e / Math.Sqrt(r)).ToArray();
            origin = StdErrSource.RunsProxy;
        }
        else
        {
            throw new InvalidInputException($"{source} has no stderr column; add one (the standard error of the mean risk at each step) or give the number of runs averaged with --runs R.");
        }
        var cmp = CurveComparer.Compare(curve.Steps, exact, curve.Risk, se, alpha);
        return new CurveValidation(cmp, exact, se, origin, curve.StdErr is null ? runs : null);
    }

    /// <summary>E L_t at the given increasing steps (+∞ once a divergent method overflows).</summary>
    public static double[] ExactAt(Problem problem, LinearMethod method, IReadOnlyList<long> steps)
    {
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
