using ExactDynamics.Dynamics;
using ExactDynamics.Numerics;
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
        return CurveValidator.Against(ExactAt(problem, scheduled, curve.Steps), curve, runs, alpha, source,
            r => CurveValidator.MonteCarloStdErr(problem,
                Simulation.SimulatedMethod.Create(scheduled, problem.Batch, problem.Spectrum.Dimension, curve.Steps.Length == 0 ? 0 : curve.Steps[^1]),
                scheduled.Template.Base.K, Simulation.SimulatedMethod.OracleBatch(scheduled, problem.Batch), curve.Steps, r));
    }

    /// <summary>The exact scheduled E L_t at the given increasing steps (+∞ once a divergent run overflows).</summary>
    public static double[] ExactAt(Problem problem, ScheduledMethod scheduled, IReadOnlyList<long> steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(steps);
        if (scheduled.IsConstant) return CurveValidator.ExactAt(problem, scheduled.Template.Base, steps);
        if (scheduled.TailFraction is not null) return TailAt(problem, scheduled, steps);
        if (steps.Count > 0)
            CostEstimate.Require(CostEstimate.SteppingSeconds(scheduled.Template.Base.K, problem.Spectrum.Dimension, steps[^1]),
                $"the exact scheduled risk to t = {steps[^1]} at d = {problem.Spectrum.Dimension}", "compare fewer or earlier steps, or a smaller spectrum");
        var state = new SecondMoments(problem, scheduled);
        return CurveValidator.Sample(state.Step, () => state.Risk, steps);
    }

    /// <summary>The exact tail-averaged risk (docs/math.md#tail-averaging) at the steps, +∞ from an overflow on.</summary>
    private static double[] TailAt(Problem problem, ScheduledMethod scheduled, IReadOnlyList<long> steps)
    {
        var result = new double[steps.Count];
        if (steps.Count == 0) return result;
        Array.Fill(result, double.PositiveInfinity);
        var exact = RiskRecursion.At(problem, scheduled, steps.ToArray());
        Array.Copy(exact.Risk, result, exact.Risk.Length);
        return result;
    }
}
