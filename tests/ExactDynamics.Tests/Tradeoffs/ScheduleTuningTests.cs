using ExactDynamics.Cli.Parsing;
using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Schedules;

/// <summary>Base-learning-rate tuning for a schedule (the search behind tables/T6).</summary>
public class ScheduleTuningTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("cosine:steps=300")]
    [InlineData("wsd:warmup=0,stable=240,decay=60")]
    public void Tuned_base_lr_is_at_least_as_good_as_a_fine_grid(string? spec)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, 60), null, 4, 3, 0.05);
        var schedule = spec is null ? null : ScheduleSpec.Parse(spec);
        Func<double, MethodTemplate> hb = lr => MethodTemplate.HeavyBall(lr, 0.8);
        var tuned = ScheduleTuning.TuneBaseLr(problem, hb, schedule, 300, 1e-3, 4, grid: 20);
        tuned.FinalRisk.ShouldBe(RiskRecursion.FinalRisk(problem, new ScheduledMethod(hb(tuned.BaseLr), schedule), 300), 1e-12 * tuned.FinalRisk);
        double bestGrid = Enumerable.Range(0, 200).Select(i => Math.Exp(Math.Log(1e-3) + i * (Math.Log(4) - Math.Log(1e-3)) / 199))
            .Select(lr => RiskRecursion.FinalRisk(problem, new ScheduledMethod(hb(lr), schedule), 300))
            .Where(double.IsFinite).Min();
        tuned.FinalRisk.ShouldBeLessThanOrEqualTo(bestGrid * (1 + 1e-6));
    }

    [Fact]
    public void A_range_that_only_diverges_is_refused()
    {
        var problem = new Problem(Spectrum.PowerLaw(1, 20), null, 1);
        Should.Throw<InvalidInputException>(() => ScheduleTuning.TuneBaseLr(problem, lr => MethodTemplate.Sgd(lr), null, 2000, 50, 100))
            .Message.ShouldContain("diverges");
    }
}
