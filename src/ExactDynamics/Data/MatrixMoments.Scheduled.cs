using ExactDynamics.Schedules;

namespace ExactDynamics.Data;

/// <summary>
/// The matrix model under schedules (docs/math.md#scheduled-data-recursion): update t → t + 1 uses step t's
/// (A_t, b_t, c_t) and 1/B_t in T_i = A_t − λ_i b_t c_tᵀ and the bracket, and the risk after it is read out with step
/// t + 1's o. A constant method is the special case: then every <see cref="Step"/> is the constant method's, bit for bit.
/// </summary>
public sealed partial class MatrixMoments
{
    private readonly ScheduledSteps? _scheduled;

    /// <summary>The model for a method with schedules, with the data's own fourth-moment matrix (or a given K, d×d
    /// row-major); without schedules it is <see cref="MatrixMoments(DataProblem, Methods.LinearMethod, double[])"/>.</summary>
    /// <exception cref="InvalidInputException">A schedule changes the number of states k or the state shape u.</exception>
    public MatrixMoments(DataProblem problem, ScheduledMethod scheduled, double[]? fourthMoments = null)
        : this(problem, ScheduledSteps.FirstMethod(problem, scheduled), fourthMoments)
    {
        _scheduled = ScheduledSteps.For(problem, scheduled);
    }

    /// <summary>Sets this update's coefficients (step t's method and batch) and the read-out o of step t + 1.</summary>
    private void UseSettingsOfThisStep()
    {
        var (current, next) = _scheduled!.Advance(Time);
        var m = current.Method;
        (_a, _b, _c) = (m.MatrixA, m.B.ToArray(), m.C.ToArray());
        _o = next.Method.O.ToArray();
        _invB = 1.0 / current.Batch;
    }
}
