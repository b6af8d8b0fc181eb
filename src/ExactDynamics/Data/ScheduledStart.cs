using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Data;

/// <summary>
/// What the data recursions (<see cref="MatrixMoments"/>, <see cref="EmpiricalMoments"/>) need of a
/// <see cref="ScheduledMethod"/> (docs/math.md#scheduled-data-recursion): the method of update 0, which sets up the
/// state (k, the state shape u, the working basis), and the check that a later step keeps them.
/// </summary>
internal static class ScheduledStart
{
    /// <summary>Update 0's method; a tail average (no single recursion) is refused.</summary>
    public static LinearMethod FirstMethod(DataProblem problem, ScheduledMethod scheduled)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        var first = scheduled.At(0, problem.Batch).Method;
        if (scheduled.TailFraction is not null) MethodModifiers.RefuseTail(scheduled.Template.Base, "the exact risk on a data matrix");
        return first;
    }

    /// <summary>Refuses a step whose method has another number of states or state shape than the previous one.</summary>
    public static void RequireSameShape(LinearMethod current, LinearMethod next)
    {
        if (next.K != current.K)
            throw new InvalidInputException($"A schedule cannot change the number of states k (from {current.K} to {next.K}).");
        if (!next.U.SequenceEqual(current.U))
            throw new InvalidInputException($"A schedule cannot change the state shape u of the method (from {next.Spec} on).");
    }
}
