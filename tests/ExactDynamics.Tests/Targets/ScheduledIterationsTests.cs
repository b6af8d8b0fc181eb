using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Targets;

namespace ExactDynamics.Tests;

/// <summary>
/// Iterations to a target under schedules (docs/math.md#constant-tail): the tail's closed-form and crude counts follow
/// the same rules as a constant method's (0 exactly when L₀ ≤ ε, at least 1 otherwise; none below the noise floor).
/// </summary>
public class ScheduledIterationsTests
{
    private static ScheduledMethod WarmupHb() => new(MethodTemplate.HeavyBall(0.25, 0.85), Schedule.LinearWarmup(10));

    [Fact]
    public void A_target_below_the_tails_noise_floor_gets_no_tail_count()
    {
        var p = new Problem(Spectrum.PowerLaw(1, 50), null, 8, 3, 0.1);
        var r = IterationsToTarget.Compute(p, WarmupHb(), 1e-6, 3000);
        // independently: the literal reference recursion levels off far above the target
        RiskRecursion.Reference(p, WarmupHb(), 3000)[^1].ShouldBeGreaterThan(1e-3);
        r.Exact.ShouldBeNull();
        r.ClosedForm.ShouldBeNull();
        double.IsPositiveInfinity(r.Crude).ShouldBeTrue();
    }

    [Fact]
    public void The_tail_closed_form_is_at_least_one_step_when_the_initial_risk_is_above_the_target()
    {
        var p = new Problem(Spectrum.PowerLaw(1, 50), null, 8);
        var sched = WarmupHb();
        double l0 = RiskRecursion.Reference(p, sched, 0)[0];
        var tail = HeavyBall.Create(0.25, 0.85);
        double c = IterationsToTarget.Compute(p, tail, 1e-3).Prefactor;
        // a target between the tail's prefactor and L₀: the asymptotic count from C is below one step, but L₀ > ε
        c.ShouldBeLessThan(l0); // heavy ball's slow mode carries only part of the initial risk here
        double target = Math.Sqrt(c * l0);
        var r = IterationsToTarget.Compute(p, sched, target);
        r.ClosedForm!.Value.ShouldBeGreaterThanOrEqualTo(1);
        r.Crude.ShouldBeGreaterThan(0);
        // at L₀ itself every count is 0
        var atStart = IterationsToTarget.Compute(p, sched, l0);
        atStart.Exact.ShouldBe(0);
        atStart.ClosedForm.ShouldBe(0);
        atStart.Crude.ShouldBe(0);
    }
}
