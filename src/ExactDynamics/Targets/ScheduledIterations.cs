using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectral;

namespace ExactDynamics.Targets;

/// <summary>
/// Iterations to a target under schedules. <see cref="Exact"/> follows the schedules step by step (exact recursion).
/// The asymptotic quantities (ρ, gap, prefactor C, closed form ⌈ln(C/ε)/ln(1/ρ)⌉, crude ln(L_0/ε)/gap) hold for constant
/// settings only, so they describe the schedules' constant <see cref="Tail"/> — the settings reached as t → ∞ — as if it
/// ran from the start; they are null when there is no tail (a learning rate decaying to 0, an unbounded batch ramp).
/// </summary>
public sealed record ScheduledIterationsResult(double Target, long? Exact, double InitialRisk, long MaxSteps, ScheduleTail Tail,
    GapResult? TailGap, double? ClosedForm, double? Crude, double? Prefactor);

/// <summary>Iterations to a target risk under schedules (docs/math.md#constant-tail, docs/math.md#iterations-to-target).</summary>
public static class ScheduledIterations
{
    /// <summary>The first t with E L_t ≤ ε under the schedules, and the closed forms of the constant tail.</summary>
    /// <param name="problem">The problem (its batch is the base batch).</param>
    /// <param name="scheduled">The method with its schedules.</param>
    /// <param name="target">ε, positive and at least <see cref="IterationsToTarget.SmallestTarget"/>.</param>
    /// <param name="maxSteps">Step limit of the exact search (≥ 0).</param>
    /// <returns>The exact count (null if not reached within <paramref name="maxSteps"/>) and the tail's asymptotic quantities (null without a tail).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="problem"/> or <paramref name="scheduled"/> is null.</exception>
    /// <exception cref="InvalidInputException">The target or the step limit is out of range, or a schedule leaves its allowed range.</exception>
    public static ScheduledIterationsResult Compute(Problem problem, ScheduledMethod scheduled, double target, long maxSteps = IterationsToTarget.DefaultMaxSteps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        IterationsToTarget.ValidateTarget(target);
        if (maxSteps < 0) throw new InvalidInputException($"Max steps {maxSteps} is not allowed; it must be at least 0.");
        var tail = scheduled.Tail(problem.Batch);
        GapResult? gap = null;
        double? closed = null, crude = null, prefactor = null;
        double l0 = new SecondMoments(problem, scheduled.At(0, problem.Batch).Method).Risk;
        if (tail.Method is not null)
        {
            var tailProblem = problem.WithBatch(tail.Batch);
            gap = ContractionGap.Compute(tailProblem, tail.Method);
            if (!gap.Diverges)
            {
                double c = PerronPrefactor.Compute(tailProblem, tail.Method, gap);
                prefactor = c;
                double lnInvRho = -IterationsToTarget.LogOnePlus(-gap.Gap);
                closed = c <= target ? 0 : Math.Ceiling((Math.Log(c) - Math.Log(target)) / lnInvRho);
                crude = l0 <= target ? 0 : (Math.Log(l0) - Math.Log(target)) / gap.Gap;
            }
        }
        long? exact = RiskRecursion.FirstBelow(problem, scheduled, target, maxSteps);
        return new ScheduledIterationsResult(target, exact, l0, maxSteps, tail, gap, closed, crude, prefactor);
    }
}
