using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The second moments S_{t,i} of docs/math.md#scheduled-recursion under schedules: update t → t + 1 uses step t's (A, b, c) and B_t. The
/// coupling scalar μ_t = Σ_j λ_j c_tᵀ S_{t,j} c_t must be weighted with the c of the update that uses it, so the pass of
/// update t accumulates μ_{t+1} with c_{t+1} and the risk E L_{t+1} with o_{t+1} (the settings of the next update are
/// looked up one step ahead). The pass is <see cref="SecondMoments"/>' own (vectorised, both cores, the consistent
/// basis for k = 2, no allocation per pass), run with each update's coefficients; with constant settings it is bit for
/// bit the constant-method kernel (a test pins this).
/// </summary>
public sealed class ScheduledSecondMoments
{
    private readonly Problem _problem;
    private readonly ScheduledMethod _scheduled;
    private readonly SecondMoments _state;
    private StepSettings _current;

    /// <summary>The state S_{0,i} = s_i u uᵀ of <paramref name="problem"/> under <paramref name="scheduled"/> (docs/math.md#scheduled-recursion).</summary>
    /// <param name="problem">The problem (its batch is the base batch of a batch schedule).</param>
    /// <param name="scheduled">The method with its schedules.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">A schedule leaves its allowed range at step 0.</exception>
    public ScheduledSecondMoments(Problem problem, ScheduledMethod scheduled) : this(problem, scheduled, null) { }

    /// <summary>As <see cref="ScheduledSecondMoments(Problem, ScheduledMethod)"/> with explicit execution settings (threads,
    /// SIMD width); the results do not depend on them.</summary>
    public ScheduledSecondMoments(Problem problem, ScheduledMethod scheduled, ExecutionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        _problem = problem;
        _scheduled = scheduled;
        _current = scheduled.At(0, problem.Batch);
        _state = new SecondMoments(problem, _current.Method, options);
    }

    /// <summary>Number of steps taken.</summary>
    public long Time => _state.Time;

    /// <summary>E L_t = ½ Σ_i λ_i o_tᵀ S_{t,i} o_t at the current step.</summary>
    public double Risk => _state.Risk;

    /// <summary>μ_t = Σ_j λ_j c_tᵀ S_{t,j} c_t at the current step.</summary>
    public double Coupling => _state.Coupling;

    /// <summary>The settings of the next update (t → t + 1).</summary>
    public StepSettings Current => _current;

    /// <summary>Entry (p,q) of block i (in the method's own coordinates).</summary>
    public double Entry(int i, int p, int q) => _state.Entry(i, p, q);

    /// <summary>Advance one step with the current settings.</summary>
    public void Step()
    {
        var cur = _current;
        var next = _scheduled.At(Time + 1, _problem.Batch, cur);
        if (next.Method.K != cur.Method.K) throw new InvalidOperationException("A schedule cannot change the number of states k.");
        _state.StepScheduled(cur.Method, cur.Batch, next.Method);
        _current = next;
    }
}
