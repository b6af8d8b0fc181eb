using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Schedules;

/// <summary>Batch-size doubling ramps against a constant batch at equal gradient budget.</summary>
public class BatchRampTests
{
    private static readonly Spectrum Spec = Spectrum.PowerLaw(1, 100);

    [Fact]
    public void Budget_accounting_is_exact()
    {
        var problem = new Problem(Spec, null, 2);
        var r = BatchRamp.Compare(problem, Sgd.Create(0.5), 50, 3, 4);
        // constant: ⌊50/2⌋ = 25 steps; ramp B_t = 2,2,2,4,4,4,8,8,8,8 → Σ = 50 after 10 steps; constant-max 8: 6 steps
        r.Constant.Steps.ShouldBe(25);
        r.Constant.GradientCost.ShouldBe(50);
        r.Ramp.Steps.ShouldBe(10);
        r.Ramp.GradientCost.ShouldBe(50);
        r.ConstantMax!.Steps.ShouldBe(6);
        r.ConstantMax.GradientCost.ShouldBe(48);
        var sm = new ScheduledMethod(MethodTemplate.Sgd(0.5), null, null, Schedule.Step(3, 2, 4));
        r.Ramp.FinalRisk.ShouldBe(RiskRecursion.FinalRisk(problem, sm, 10));
        r.Constant.FinalRisk.ShouldBe(RiskRecursion.FinalRisk(problem, ScheduledMethod.Constant(Sgd.Create(0.5)), 25));
        r.Constant.FinalRisk.ShouldBe(RiskRecursion.Trajectory(problem, Sgd.Create(0.5), 25)[25], 1e-13 * r.Constant.FinalRisk);
        r.SerialSavingAtEqualBudget!.Value.ShouldBe(1 - 10 / 25.0, 1e-15);
        BatchRamp.Compare(problem, Sgd.Create(0.5), 50, 3).ConstantMax.ShouldBeNull(); // uncapped
    }

    [Fact]
    public void Steps_to_match_are_the_first_hit_of_the_constant_final_risk()
    {
        var problem = new Problem(Spec, null, 4, 3, 0.05);
        var r = BatchRamp.Compare(problem, HeavyBall.Create(0.2, 0.8), 40_000, 300, 64);
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.2, 0.8), null, null, Schedule.Step(300, 2, 64));
        r.Ramp.StepsToMatch.ShouldBe(RiskRecursion.FirstBelow(problem, sm, r.Constant.FinalRisk, r.Ramp.Steps));
        // with label noise and a fixed learning rate the constant batch stalls at its noise floor; the ramp lowers it
        r.SerialSavingAtEqualBudget!.Value.ShouldBeGreaterThan(0.5);
        r.RiskRatioAtEqualBudget!.Value.ShouldBeLessThan(0.5);
        r.SerialSavingAtEqualRisk!.Value.ShouldBeGreaterThan(r.SerialSavingAtEqualBudget.Value);
    }

    [Fact]
    public void Without_noise_the_small_constant_batch_ends_lower_at_equal_budget()
    {
        // consistent regression: no noise floor, so the small batch's extra steps win (the ramp still saves serial steps)
        var r = BatchRamp.Compare(new Problem(Spec, null, 4), Sgd.Create(0.5), 20_000, 200, 32);
        r.RiskRatioAtEqualBudget!.Value.ShouldBeGreaterThan(1);
        r.SerialSavingAtEqualBudget!.Value.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_diverging_run_gives_no_savings()
    {
        var r = BatchRamp.Compare(new Problem(Spec, null, 1), Sgd.Create(3), 10_000, 100, 16);
        r.Diverges.ShouldBeTrue();
        r.SerialSavingAtEqualBudget.ShouldBeNull();
        r.RiskRatioAtEqualBudget.ShouldBeNull();
        r.Ramp.StepsToMatch.ShouldBeNull();
    }

    [Theory]
    [InlineData(0.5, 10, 4, "Budget 0.5")]
    [InlineData(1e12, 10, 4, "more than the")]
    [InlineData(100, 0, 4, "Doubling interval 0")]
    [InlineData(100, 10, 0.5, "multiplier 0.5")]
    public void Bad_inputs_are_refused(double budget, long every, double cap, string fragment)
    {
        Should.Throw<InvalidInputException>(() => BatchRamp.Compare(new Problem(Spec, null, 1), Sgd.Create(0.5), budget, every, cap))
            .Message.ShouldContain(fragment);
    }
}
