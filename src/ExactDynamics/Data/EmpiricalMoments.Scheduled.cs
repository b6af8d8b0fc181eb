using ExactDynamics.Schedules;
using ExactDynamics.Numerics;

namespace ExactDynamics.Data;

/// <summary>
/// The empirical model under schedules (docs/math.md#scheduled-data-recursion): update t → t + 1 runs the recursion of
/// docs/math.md#the-empirical-model with step t's (A_t, b_t, c_t) and B_t (the quadratic forms and the weighted Gram
/// matrix scaled by 1/(n B_t)), and the risk after it is read out with step t + 1's o. A constant method is the special
/// case: then every <see cref="Step"/> is the constant method's, bit for bit.
/// </summary>
public sealed partial class EmpiricalMoments
{
    private readonly ScheduledSteps? _scheduled;
    private Spectral.ConsistentBasis? _basis;

    /// <summary>Starts the recursion at t = 0 for a method with schedules (learning rate, momentum, batch, EMA warm-up);
    /// without schedules it is <see cref="EmpiricalMoments(DataProblem, Methods.LinearMethod, ExecutionOptions?)"/>.</summary>
    /// <exception cref="InvalidInputException">A schedule changes the number of states k or the state shape u.</exception>
    public EmpiricalMoments(DataProblem problem, ScheduledMethod scheduled, ExecutionOptions? options = null)
        : this(problem, ScheduledSteps.FirstMethod(problem, scheduled), options, referenceKernels: false)
    {
        _scheduled = ScheduledSteps.For(problem, scheduled);
    }

    /// <summary>Sets this update's coefficients (step t's method and batch) and the read-out o of step t + 1.</summary>
    private void UseSettingsOfThisStep()
    {
        var (current, next) = _scheduled!.Advance(Time);
        (_a, _b, _c, _) = Working(current.Method);
        (_, _, _, _o) = Working(next.Method);
        _invB = 1.0 / current.Batch;
        _scale = 1.0 / (_n * current.Batch);
    }

    /// <summary>A step's (A, b, c, o) in the working basis: the consistent basis of the first method for k = 2.</summary>
    private (double[,] A, double[] B, double[] C, double[] O) Working(Methods.LinearMethod m)
    {
        if (_basis is null) return (m.MatrixA, m.B.ToArray(), m.C.ToArray(), m.O.ToArray());
        var basis = new Spectral.ConsistentBasis(m, _basis);
        return (basis.Atilde, basis.Btilde, basis.Ctilde, basis.Otilde);
    }
}
