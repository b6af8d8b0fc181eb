using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Data;

/// <summary>
/// The settings a data recursion (<see cref="MatrixMoments"/>, <see cref="EmpiricalMoments"/>) steps through under
/// schedules (docs/math.md#scheduled-data-recursion): update t's method and B_t, and update t + 1's method, whose o
/// reads out the risk after the update. The method of update 0 sets up the state (k, the state shape u, the working
/// basis), and every later step must keep k and u.
/// </summary>
internal sealed class ScheduledSteps
{
    private readonly ScheduledMethod _scheduled;
    private readonly double _baseBatch;
    private StepSettings _current;

    private ScheduledSteps(ScheduledMethod scheduled, double baseBatch)
    {
        _scheduled = scheduled;
        _baseBatch = baseBatch;
        _current = scheduled.At(0, baseBatch);
    }

    /// <summary>The steps of <paramref name="scheduled"/> from the problem's batch; null for constant settings (the
    /// recursion then keeps the constant method's coefficients).</summary>
    public static ScheduledSteps? For(DataProblem problem, ScheduledMethod scheduled) =>
        scheduled.IsConstant ? null : new ScheduledSteps(scheduled, problem.Batch);

    /// <summary>Update 0's method; a tail average (no single recursion) is refused.</summary>
    public static LinearMethod FirstMethod(DataProblem problem, ScheduledMethod scheduled)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (scheduled.TailFraction is not null) MethodModifiers.RefuseTail(scheduled.Template.Base, "the exact risk on a data matrix");
        return scheduled.At(0, problem.Batch).Method;
    }

    /// <summary>The settings of update <paramref name="time"/> and of the next one, advancing to the next.</summary>
    /// <exception cref="InvalidInputException">The next step's method has another number of states or state shape.</exception>
    public (StepSettings Current, StepSettings Next) Advance(long time)
    {
        var current = _current;
        var next = _scheduled.At(time + 1, _baseBatch, current);
        if (next.Method.K != current.Method.K)
            throw new InvalidInputException($"A schedule cannot change the number of states k (from {current.Method.K} to {next.Method.K}).");
        if (!next.Method.U.SequenceEqual(current.Method.U))
            throw new InvalidInputException($"A schedule cannot change the state shape u of the method (from {next.Method.Spec} on).");
        _current = next;
        return (current, next);
    }
}
