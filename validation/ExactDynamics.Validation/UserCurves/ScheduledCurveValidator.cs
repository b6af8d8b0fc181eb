using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;
using ExactDynamics.Validation.Statistics;

namespace ExactDynamics.Validation.UserCurves;

/// <summary>
/// <see cref="CurveValidator"/> for a method with schedules (docs/schedules.md): the same Bonferroni max-|z| test and the
/// same standard errors (the file's stderr column, or the proxy <see cref="CurveValidator.RunsProxyRelativeSd"/>·exact/√R),
/// against the exact scheduled curve.
/// </summary>
public static class ScheduledCurveValidator
{
    public static CurveValidation Validate(Problem problem, ScheduledMethod scheduled, SimulatedCurve curve, int? runs = null,
        double alpha = CurveComparer.DefaultAlpha, string source = "the simulation file")
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(curve);
        if (scheduled.IsConstant) return CurveValidator.Validate(problem, scheduled.Template.Base, curve, runs, alpha, source);
        if (runs is < 2) throw new InvalidInputException($"--runs {runs} is not allowed; the number of runs averaged must be at least 2.");
        var exact = ExactAt(problem, scheduled, curve.Steps);
        double[] se;
        StdErrSource origin;
        if (curve.StdErr is not null)
        {
            se = curve.StdErr;
            origin = StdErrSource.File;
        }
        else if (runs is int r)
        {
            se = exact.Select(e => CurveValidator.RunsProxyRelativeSd * e / Math.Sqrt(r)).ToArray();
            origin = StdErrSource.RunsProxy;
        }
        else
        {
            throw new InvalidInputException($"{source} has no stderr column; add one (the standard error of the mean risk at each step) or give the number of runs averaged with --runs R.");
        }
        var cmp = CurveComparer.Compare(curve.Steps, exact, curve.Risk, se, alpha);
        return new CurveValidation(cmp, exact, se, origin, curve.StdErr is null ? runs : null);
    }

    /// <summary>The exact scheduled E L_t at the given increasing steps (+∞ once a divergent run overflows).</summary>
    public static double[] ExactAt(Problem problem, ScheduledMethod scheduled, IReadOnlyList<long> steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(steps);
        if (scheduled.IsConstant) return CurveValidator.ExactAt(problem, scheduled.Template.Base, steps);
        var state = new ScheduledRecursion.Stepper(problem, scheduled);
        var result = new double[steps.Count];
        long t = 0;
        bool overflow = false;
        for (int i = 0; i < steps.Count; i++)
        {
            while (!overflow && t < steps[i])
            {
                state.Step();
                t++;
                if (!double.IsFinite(state.Risk)) overflow = true;
            }
            result[i] = overflow ? double.PositiveInfinity : state.Risk;
        }
        return result;
    }
}
