using ExactDynamics.Schedules;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The exact expected risk under learning-rate, momentum and batch-size schedules (docs/math.md#scheduled-recursion). The recursion stays exact when A, b, c,
/// o and B change from step to step: update t → t + 1 uses step t's values,
/// S_{t+1,i} = T_{t,i} S_{t,i} T_{t,i}ᵀ + (1/B_t) b_t b_tᵀ [λ_i Σ_j λ_j c_tᵀS_{t,j}c_t + (m4 − 2) λ_i² c_tᵀS_{t,i}c_t + σ² λ_i],
/// T_{t,i} = A_t − λ_i b_t c_tᵀ, and E L_t = ½ Σ_i λ_i o_tᵀ S_{t,i} o_t.
/// <para>Without schedules (<see cref="ScheduledMethod.IsConstant"/>) every entry point hands over to
/// <see cref="RiskRecursion"/> itself, so constant settings give the constant-method numbers whatever kernel that uses;
/// otherwise the fused kernel is <see cref="ScheduledSecondMoments"/>, tested against <see cref="Reference"/>.</para>
/// </summary>
public static class ScheduledRecursion
{
    /// <summary>
    /// One step at a time: the constant-method kernel <see cref="SecondMoments"/> when nothing is scheduled (so that
    /// constant settings give the constant-method numbers bit for bit, whatever that kernel does), otherwise
    /// <see cref="ScheduledSecondMoments"/>. Used by every scheduled computation (risk, iterations, ramps, validation).
    /// </summary>
    public sealed class Stepper
    {
        private readonly SecondMoments? _constant;
        private readonly ScheduledSecondMoments? _scheduled;
        private readonly double _batch;

        /// <summary>A stepper at t = 0: the constant-method pass when every schedule keeps its base value, the scheduled pass otherwise.</summary>
        /// <param name="problem">The problem (its batch is the base batch of a batch schedule).</param>
        /// <param name="scheduled">The method with its schedules.</param>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="InvalidInputException">The method's k does not fit the problem, or a schedule leaves its allowed range.</exception>
        public Stepper(Problem problem, ScheduledMethod scheduled)
        {
            ArgumentNullException.ThrowIfNull(problem);
            ArgumentNullException.ThrowIfNull(scheduled);
            if (scheduled.IsConstant) { _constant = new SecondMoments(problem, scheduled.Template.Base); _batch = problem.Batch; }
            else _scheduled = new ScheduledSecondMoments(problem, scheduled);
        }

        /// <summary>E L_t at the current step.</summary>
        public double Risk => _constant?.Risk ?? _scheduled!.Risk;

        /// <summary>Steps taken.</summary>
        public long Time => _constant?.Time ?? _scheduled!.Time;

        /// <summary>The batch size of the next update.</summary>
        public double NextBatch => _constant is not null ? _batch : _scheduled!.Current.Batch;

        /// <summary>Advances one update, t → t + 1, with update t's settings.</summary>
        /// <exception cref="InvalidInputException">A schedule leaves its allowed range at this step.</exception>
        public void Step()
        {
            if (_constant is not null) _constant.Step();
            else _scheduled!.Step();
        }
    }

    /// <summary>E L_t at t = 0, every, 2·every, … and always the last step; stops early (and says so) on overflow.</summary>
    public static RiskTrajectory Run(Problem problem, ScheduledMethod scheduled, long steps, long every = 1)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (scheduled.IsConstant) return RiskRecursion.Run(problem, scheduled.Template.Base, steps, every);
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        if (every < 1) throw new InvalidInputException($"--every {every} is not allowed; it must be at least 1.");
        var state = new ScheduledSecondMoments(problem, scheduled);
        var ts = new List<long> { 0 };
        var rs = new List<double> { state.Risk };
        bool overflow = false;
        for (long t = 1; t <= steps; t++)
        {
            state.Step();
            if (!double.IsFinite(state.Risk)) { overflow = true; break; }
            if (t % every == 0 || t == steps) { ts.Add(t); rs.Add(state.Risk); }
        }
        return new RiskTrajectory(ts.ToArray(), rs.ToArray(), overflow);
    }

    /// <summary>E L_t for every t = 0..steps; once the risk overflows, the rest is +∞ (never NaN).</summary>
    public static double[] Trajectory(Problem problem, ScheduledMethod scheduled, int steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (scheduled.IsConstant) return RiskRecursion.Trajectory(problem, scheduled.Template.Base, steps);
        return Fused(problem, scheduled, steps);
    }

    /// <summary>The fused kernel's trajectory even for constant settings (for tests of the kernel itself).</summary>
    internal static double[] Fused(Problem problem, ScheduledMethod scheduled, int steps)
    {
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        var state = new ScheduledSecondMoments(problem, scheduled);
        var r = new double[steps + 1];
        r[0] = state.Risk;
        for (int t = 1; t <= steps; t++)
        {
            state.Step();
            if (!double.IsFinite(state.Risk)) { Array.Fill(r, double.PositiveInfinity, t, steps + 1 - t); break; }
            r[t] = state.Risk;
        }
        return r;
    }

    /// <summary>The risk after exactly <paramref name="steps"/> steps (+∞ if it overflowed).</summary>
    public static double FinalRisk(Problem problem, ScheduledMethod scheduled, long steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        var state = new Stepper(problem, scheduled);
        for (long t = 0; t < steps; t++) { state.Step(); if (!double.IsFinite(state.Risk)) return double.PositiveInfinity; }
        return state.Risk;
    }

    /// <summary>The first t ≤ <paramref name="maxSteps"/> with E L_t ≤ <paramref name="target"/>, or null.</summary>
    public static long? FirstBelow(Problem problem, ScheduledMethod scheduled, double target, long maxSteps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        var state = new Stepper(problem, scheduled);
        if (state.Risk <= target) return 0;
        for (long t = 1; t <= maxSteps; t++)
        {
            state.Step();
            if (!double.IsFinite(state.Risk)) return null;
            if (state.Risk <= target) return t;
        }
        return null;
    }

    /// <summary>
    /// The reference: docs/math.md#scheduled-recursion with step t's settings, written as literally as possible (one full k×k block per
    /// direction, μ_t recomputed from the blocks with c_t at every step). Slow; for tests.
    /// </summary>
    public static double[] Reference(Problem problem, ScheduledMethod scheduled, int steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        return RiskRecursion.ReferenceLoop(problem, steps, t =>
        {
            var settings = scheduled.At(t, problem.Batch);
            return (settings.Method, settings.Batch);
        });
    }
}
