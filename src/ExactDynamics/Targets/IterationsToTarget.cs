using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectral;

namespace ExactDynamics.Targets;

/// <summary>Result of docs/math.md#iterations-to-target.</summary>
/// <param name="Target">ε.</param>
/// <param name="Exact">First t with E L_t ≤ ε from the exact recursion; null if not reached within the step limit
/// (or the risk overflowed first).</param>
/// <param name="ClosedForm">⌈ln(C/ε)/ln(1/ρ)⌉ (0 when C ≤ ε); null when the method diverges. A double because for
/// gaps near 1e-20 it exceeds the range of a 64-bit integer.</param>
/// <param name="Crude">ln(L_0/ε)/gap, the cruder estimate the papers quote (0 when L_0 ≤ ε, +∞ when diverging).</param>
/// <param name="Rho">ρ.</param>
/// <param name="Gap">1 − ρ.</param>
/// <param name="Prefactor">C in E L_t ≈ C ρ^t.</param>
/// <param name="InitialRisk">L_0 = E L_0.</param>
/// <param name="MaxSteps">The step limit used for the exact search.</param>
/// <param name="Floor">The limit risk L_∞ (<see cref="NoiseFloor"/>): 0 without label noise, +∞ when diverging. A
/// target at or below it (with L₀ above it) is never reached: every count is then absent (null, crude +∞).</param>
/// <param name="Limit">With weight decay (docs/math.md#weight-decay), the value E L_∞ the risk levels off at (targets
/// below it are never reached); null otherwise.</param>
/// <param name="Tail">Under schedules (docs/math.md#constant-tail), the constant settings the schedules reach: the
/// exact count follows the schedules, while ρ, the gap, the prefactor and the closed-form and crude counts describe this
/// tail run from the start (NaN and null when there is no valid tail). Null for a constant method.</param>
public sealed record IterationsResult(double Target, long? Exact, double? ClosedForm, double Crude, double Rho, double Gap,
    double Prefactor, double InitialRisk, long MaxSteps, double Floor = 0, double? Limit = null, ScheduleTail? Tail = null)
{
    /// <summary>True when the target lies at or below the noise floor L_∞ of a convergent method and L₀ is above it:
    /// the risk levels off above ε and never reaches it.</summary>
    public bool BelowFloor => InitialRisk > Target && double.IsFinite(Floor) && Floor >= Target;
}

/// <summary>docs/math.md#iterations-to-target: iterations to reach E L_t ≤ ε, exactly (first hit of the recursion) and in closed form.</summary>
public static class IterationsToTarget
{
    /// <summary>Default limit of the exact search.</summary>
    public const long DefaultMaxSteps = 1_000_000;

    /// <summary>The exact, closed-form and crude iteration counts to reach E L_t ≤ <paramref name="target"/>.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="method">The method.</param>
    /// <param name="target">ε, positive and at least <see cref="SmallestTarget"/>.</param>
    /// <param name="maxSteps">Step limit of the exact search (≥ 0).</param>
    /// <returns>The counts with ρ, the gap, C and L_0; <see cref="IterationsResult.Exact"/> is null when the target is not
    /// reached within <paramref name="maxSteps"/> (or the risk overflows first).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">The target or the step limit is out of range.</exception>
    public static IterationsResult Compute(Problem problem, LinearMethod method, double target, long maxSteps = DefaultMaxSteps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        ValidateTarget(target);
        if (maxSteps < 0)
            throw new InvalidInputException($"Max steps {maxSteps} is not allowed; it must be at least 0.");
        var gap = ContractionGap.Compute(problem, method);
        // weight decay (a constant coordinate): the risk tends to a non-zero limit, E L_t ≈ C ρ^t does not describe it
        bool levels = method.K > 1 && AffineGap.ConstantCoordinates(method).Length > 0;
        double floor = levels ? 0 : NoiseFloor.Compute(problem, method);
        var state = new SecondMoments(problem, method);
        double l0 = state.Risk;
        // refused before the prefactor's pass when the search would take minutes (the estimate uses L₀ for C)
        if (!levels && l0 > target && !(floor >= target)) RequireSearch(problem, method, target, maxSteps, gap, l0, l0, floor);
        double c = levels ? double.NaN : PerronPrefactor.Compute(problem, method, gap);

        if (l0 > target && double.IsFinite(floor) && floor >= target)
            // below the noise floor: the risk levels off at L_∞ ≥ ε, no count exists
            return new IterationsResult(target, null, null, double.PositiveInfinity, gap.Rho, gap.Gap, c, l0, maxSteps, floor);
        long? exact = null;
        double? limit = null;
        if (levels && !gap.Diverges)
        {
            // the risk approaches its limit as ρ^t: after 40/gap steps it is there to double precision (e^−40 ≈ 4e-18),
            // so a target not hit by then is never hit
            long horizon = (long)Math.Min(maxSteps, Math.Ceiling(40 / gap.Gap) + 1000);
            if (l0 <= target) exact = 0;
            for (long t = 1; t <= horizon; t++)
            {
                state.Step();
                if (exact is null && state.Risk <= target) exact = t;
            }
            limit = state.Risk;
        }
        else if (l0 <= target) exact = 0;
        else exact = FirstHit(problem, method, target, maxSteps, state, gap, c);

        double? closed = null;
        double crude;
        if (gap.Diverges || levels)
        {
            crude = l0 <= target ? 0 : double.PositiveInfinity;
        }
        else (closed, crude) = Counts(l0, c, floor, target, gap.Gap);
        return new IterationsResult(target, exact, closed, crude, gap.Rho, gap.Gap, c, l0, maxSteps, floor, limit);
    }

    /// <summary>
    /// The closed-form and crude counts of a convergent method with gap γ, prefactor C and limit risk L_∞ &lt; ε:
    /// E L_t − L_∞ ≈ C ρ^t (the noise floor, when there is one, is approached at the same rate), so
    /// ⌈ln(C/(ε − L_∞))/ln(1/ρ)⌉ and ln((L₀ − L_∞)/(ε − L_∞))/γ; both are 0 exactly when L₀ ≤ ε, and the closed form is
    /// at least 1 otherwise.
    /// </summary>
    private static (double? Closed, double Crude) Counts(double l0, double c, double floor, double target, double gap)
    {
        if (l0 <= target) return (0, 0);
        double lnInvRho = -LogOnePlus(-gap); // ln(1/ρ) = −ln(1 − γ), exact for tiny γ
        double excess = target - floor;
        return (Math.Max(1, Math.Ceiling((Math.Log(c) - Math.Log(excess)) / lnInvRho)), (Math.Log(l0 - floor) - Math.Log(excess)) / gap);
    }

    /// <summary>
    /// Refuses an exact search that would take more than a few minutes (<see cref="CostEstimate"/>): it runs to the
    /// predicted hit (1.5× the larger of the closed-form and crude counts) or, for a divergent method, a target that
    /// the asymptotics do not reach within the step limit, to the step limit.
    /// </summary>
    private static void RequireSearch(Problem problem, LinearMethod method, double target, long maxSteps, GapResult gap,
        double c, double l0, double floor)
    {
        double horizon = maxSteps;
        if (!gap.Diverges)
        {
            double lnInvRho = -LogOnePlus(-gap.Gap);
            double excess = target - floor;
            double predicted = 1.5 * Math.Max(Math.Log(Math.Max(c, excess) / excess), Math.Log((l0 - floor) / excess)) / lnInvRho + 64;
            if (predicted < horizon) horizon = predicted;
        }
        int d = problem.Spectrum.Dimension;
        CostEstimate.Require(Math.Min(RiskRecursion.TrajectorySeconds(problem, method, (long)horizon), CostEstimate.SteppingSeconds(method.K, d, horizon)),
            $"finding the first step with E L_t ≤ {target:G3} for {method.Spec} at d = {d} (up to {horizon:G3} steps)",
            "raise the target or lower the step limit (the closed-form count and ρ need no search: a run with a small step limit still reports them)");
    }

    /// <summary>
    /// Iterations to a target under schedules (docs/math.md#constant-tail); constant settings are the special case and
    /// give <see cref="Compute(Problem, LinearMethod, double, long)"/>'s result. The exact count follows the schedules
    /// step by step; the asymptotic quantities hold for constant settings only, so they describe the schedules'
    /// <see cref="IterationsResult.Tail"/> (the settings reached as t → ∞) as if it ran from the start, and are absent
    /// when there is no tail (a learning rate decaying to 0, an unbounded batch ramp).
    /// </summary>
    /// <returns>The counts; <see cref="IterationsResult.Tail"/> is set.</returns>
    /// <exception cref="InvalidInputException">The target or the step limit is not allowed.</exception>
    public static IterationsResult Compute(Problem problem, ScheduledMethod scheduled, double target, long maxSteps = DefaultMaxSteps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (scheduled.IsConstant)
            return Compute(problem, scheduled.Template.Base, target, maxSteps) with { Tail = scheduled.Tail(problem.Batch) };
        ValidateTarget(target);
        if (maxSteps < 0) throw new InvalidInputException($"Max steps {maxSteps} is not allowed; it must be at least 0.");
        var tail = scheduled.Tail(problem.Batch);
        double rho = double.NaN, gamma = double.NaN, prefactor = double.NaN, crude = double.PositiveInfinity, floor = 0;
        double? closed = null;
        double l0 = RiskRecursion.FinalRisk(problem, scheduled, 0);
        if (tail.Method is not null)
        {
            var tailProblem = problem.WithBatch(tail.Batch);
            var gap = ContractionGap.Compute(tailProblem, tail.Method);
            (rho, gamma) = (gap.Rho, gap.Gap);
            if (!gap.Diverges)
            {
                prefactor = PerronPrefactor.Compute(tailProblem, tail.Method, gap);
                floor = NoiseFloor.Compute(tailProblem, tail.Method);
                // the tail's counts as for a constant method; none when ε is at or below the tail's noise floor
                if (l0 <= target || floor < target) (closed, crude) = Counts(l0, prefactor, floor, target, gap.Gap);
            }
        }
        long? exact = RiskRecursion.FirstBelow(problem, scheduled, target, maxSteps);
        return new IterationsResult(target, exact, closed, crude, rho, gamma, prefactor, l0, maxSteps, Tail: tail);
    }

    /// <summary>
    /// The exact and crude counts of a recursion given only as a stepper with known rate ρ (docs/math.md#data-rates: the
    /// matrix and empirical models on data). The exact count is the first t with E L_t ≤ ε; a convergent run that has
    /// not hit ε after 40/γ + 1000 steps has reached its limit (E L_t − L_∞ shrinks like ρ^t, by e^−40 there), which is
    /// reported as <see cref="IterationsResult.Floor"/>, and ε is then never reached. The closed form needs the Perron
    /// prefactor, which only the spectral models have: it is null, and the prefactor NaN.
    /// </summary>
    /// <param name="initialRisk">E L_0.</param>
    /// <param name="step">Advances the recursion one step and returns E L_t.</param>
    /// <param name="rho">ρ of the recursion.</param>
    /// <param name="target">ε.</param>
    /// <param name="maxSteps">Step limit.</param>
    /// <exception cref="InvalidInputException">The target or the step limit is not allowed.</exception>
    /// <param name="limitIsZero">The recursion has no forcing (no label noise, no residuals, no constant coordinate),
    /// so a convergent risk tends to 0 and every target is reached: it is stepped to the first hit (at most
    /// <paramref name="maxSteps"/>), never stopped at 40/γ and reported as a floor.</param>
    public static IterationsResult Compute(double initialRisk, Func<double> step, double rho, double target, long maxSteps = DefaultMaxSteps,
        bool limitIsZero = false)
    {
        ArgumentNullException.ThrowIfNull(step);
        ValidateTarget(target);
        if (maxSteps < 0) throw new InvalidInputException($"Max steps {maxSteps} is not allowed; it must be at least 0.");
        double gap = 1 - rho;
        bool converges = rho < 1;
        long horizon = limitIsZero ? maxSteps : SteppingHorizon(rho, maxSteps);
        long? exact = initialRisk <= target ? 0 : null;
        double floor = converges ? 0 : double.PositiveInfinity, last = initialRisk;
        for (long t = 1; exact is null && t <= horizon; t++)
        {
            last = step();
            if (!double.IsFinite(last)) break;
            if (last <= target) exact = t;
        }
        if (exact is null && converges && horizon < maxSteps) floor = last; // the limit, reached to e^−40
        double crude = initialRisk <= target ? 0 : converges && floor < target ? (Math.Log(initialRisk - floor) - Math.Log(target - floor)) / gap : double.PositiveInfinity;
        return new IterationsResult(target, exact, null, crude, rho, gap, double.NaN, initialRisk, maxSteps, floor);
    }

    /// <summary>The number of steps <see cref="Compute(double, Func{double}, double, double, long, bool)"/> may take: the
    /// step limit, or for a convergent recursion 40/γ + 1000 (where its limit is reached) if smaller.</summary>
    public static long SteppingHorizon(double rho, long maxSteps) =>
        rho < 1 ? (long)Math.Min(maxSteps, Math.Ceiling(40 / (1 - rho)) + 1000) : maxSteps;

    /// <summary>The smallest target accepted: the smallest normal double (below it the recursion's values are
    /// subnormal, and <see cref="SecondMoments.Risk"/> reports them as 0).</summary>
    public const double SmallestTarget = 2.2250738585072014E-308;

    /// <summary>Refuses a target that is not positive and finite, or below <see cref="SmallestTarget"/>, with one sentence.</summary>
    public static void ValidateTarget(double target)
    {
        string t = target.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (!double.IsFinite(target) || !(target > 0))
            throw new InvalidInputException($"Target {t} is not allowed; the target risk ε must be positive and finite.");
        if (target < SmallestTarget)
            throw new InvalidInputException($"Target {t} is not allowed; risks below the smallest normal double (2.2e-308) cannot be resolved, so ε must be at least that.");
    }

    /// <summary>
    /// The first t ≤ maxSteps with E L_t ≤ ε (null if none). Where the renewal form is the faster exact path
    /// (<see cref="RiskRecursion"/>'s cost model: k ≤ 2, m4 ≥ 2, large d·T), the whole trajectory is computed to a
    /// horizon guessed from the closed form and the crude count (1.5·max(ln(C/ε), ln(L₀/ε))/ln(1/ρ) + 64), doubled while
    /// the target is not reached — for convergent methods without label noise only, where the target is always reached
    /// eventually; otherwise (divergence stops at the overflow, a noise floor may never be crossed) the fused pass is
    /// stepped from <paramref name="state"/> until the first hit. Both are the exact
    /// recursion (they agree to ~1e-13 relative; the trajectory is what <c>risk</c> prints).
    /// </summary>
    private static long? FirstHit(Problem problem, LinearMethod method, double target, long maxSteps, SecondMoments state,
        GapResult gap, double prefactor)
    {
        long horizon = maxSteps;
        bool renewal = !gap.Diverges && problem.Noise == 0 && double.IsFinite(prefactor);
        if (renewal)
        {
            // the asymptotic count (prefactor C) and the crude one (from L₀), whichever is later: the hit can come in
            // the transient when C ≤ ε < L₀
            double lnInvRho = -LogOnePlus(-gap.Gap);
            double asymptotic = prefactor > target ? (Math.Log(prefactor) - Math.Log(target)) / lnInvRho : 0;
            double crude = (Math.Log(state.Risk) - Math.Log(target)) / lnInvRho;
            double guess = 1.5 * Math.Max(asymptotic, crude) + 64;
            if (guess < maxSteps) horizon = (long)guess;
        }
        while (renewal && RiskRecursion.RenewalTrajectory(problem, method, horizon) is { } risk)
        {
            for (int t = 1; t <= horizon; t++)
            {
                if (!double.IsFinite(risk[t])) return null;
                if (risk[t] <= target) return t;
            }
            if (horizon >= maxSteps) return null;
            horizon = Math.Min(maxSteps, 2 * horizon);
        }
        for (long t = 1; t <= maxSteps; t++)
        {
            state.Step();
            double r = state.Risk;
            if (!double.IsFinite(r)) return null;
            if (r <= target) return t;
        }
        return null;
    }

    /// <summary>ln(1 + x), accurate for small |x|.</summary>
    internal static double LogOnePlus(double x)
    {
        double u = 1 + x;
        if (u == 1) return x;
        return Math.Log(u) * x / (u - 1);
    }
}
