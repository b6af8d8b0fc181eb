using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;
using ExactDynamics.Validation.UserCurves;
using Xunit.Abstractions;

namespace ExactDynamics.Validation.Tests;

/// <summary>
/// Schedules (docs/schedules.md) against Monte Carlo with the statistics of the cross-check suite: the
/// Bonferroni max-|z| test at α = 1e-3 over 41 recorded steps, 2000 runs, fixed seeds. The Monte Carlo side is a
/// literal heavy-ball loop with per-step lr_t, β_t and B_t (SGD when β ≡ 0) or the generic scheduled tuple simulator;
/// the exact side is the scheduled recursion. Plus: the scheduled tuple reproduces the literal loop path by path, a
/// B-sample minibatch drawn as B single samples is the same minibatch, and the test rejects the curves it should.
/// </summary>
public class ScheduleCrossCheckTests(ITestOutputHelper output)
{
    private const int Runs = 2000;
    private const long Steps = 80, Every = 2; // 41 recorded steps, as in the cross-check grid

    private static readonly Spectrum Spec = Spectrum.PowerLaw(1, 20);

    /// <summary>The grid's learning rate: η0 = 0.5/(λ_max + (tr H + max(m4 − 2, 0) λ_max)/B).</summary>
    private static double Eta0(double batch, double m4 = 3) => 0.5 / (Spec.Max + (Spec.Trace + Math.Max(m4 - 2, 0) * Spec.Max) / batch);

    private static SimulationSettings Settings(CovariateDistribution law, double noise, ulong seed) => new()
    {
        // batch 1: the scheduled optimizers draw B_t single samples per step (docs/schedules.md#what-a-schedule-is)
        Spectrum = Spec, Batch = 1, Covariates = law, Noise = noise, Steps = Steps, Every = Every, Runs = Runs, Seed = seed,
    };

    private static ISimulatedOptimizer Literal(ScheduledMethod sm, double baseBatch) => new ScheduledHeavyBallLiteral(
        sm.LrAt, t => sm.Template.HasMomentum ? sm.MomentumAt(t) : 0, t => sm.BatchAt(t, baseBatch), sm.Description);

    private CurveComparison Check(string name, ScheduledMethod sm, double baseBatch, CovariateDistribution law, double noise, ulong seed,
        ISimulatedOptimizer? simulated = null)
    {
        var settings = Settings(law, noise, seed);
        var sim = MonteCarloSimulator.Run(settings, simulated ?? Literal(sm, baseBatch));
        var problem = new Problem(Spec, null, baseBatch, law.Kurtosis, noise);
        var exact = ScheduledCurveValidator.ExactAt(problem, sm, sim.Steps);
        var cmp = CurveComparer.Compare(sim.Steps, exact, sim.Mean, sim.StdErr);
        output.WriteLine($"{name}: worst z = {cmp.WorstZ:F2} at t = {cmp.WorstStep}, threshold {cmp.Threshold:F2}, rms z {cmp.RmsZ:F2}");
        cmp.StepsCompared.ShouldBe(41);
        return cmp;
    }

    [Theory]
    [InlineData("gaussian", 0.0)]
    [InlineData("gaussian", 0.1)]
    [InlineData("rademacher", 0.1)]
    public void Sgd_with_warmup_and_cosine_agrees_with_Monte_Carlo(string law, double noise)
    {
        var sm = new ScheduledMethod(MethodTemplate.Sgd(1.5 * Eta0(2)), Schedule.WarmupThen(10, Schedule.Cosine(70)), null, Schedule.Constant);
        var cmp = Check($"sgd warmup+cosine {law} σ²={noise}", sm, 2, CovariateDistribution.Parse(law), noise, 11);
        cmp.Consistent.ShouldBeTrue(cmp.Verdict);
    }

    [Theory]
    [InlineData("gaussian", 0.0)]
    [InlineData("gaussian", 0.1)]
    [InlineData("mixture:m4=6,p=0.5", 0.1)]
    public void Heavy_ball_with_warmup_cosine_and_a_momentum_warmup_agrees_with_Monte_Carlo(string law, double noise)
    {
        var l = CovariateDistribution.Parse(law);
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(Eta0(2, l.Kurtosis), 0.7), Schedule.WarmupThen(10, Schedule.Cosine(70, 0.1)),
            Schedule.LinearWarmup(20));
        var cmp = Check($"hb warmup+cosine {law} σ²={noise}", sm, 2, l, noise, 12);
        cmp.Consistent.ShouldBeTrue(cmp.Verdict);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("hb")]
    public void A_batch_size_doubling_ramp_agrees_with_Monte_Carlo(string family)
    {
        var t = family == "sgd" ? MethodTemplate.Sgd(Eta0(1)) : MethodTemplate.HeavyBall(0.5 * Eta0(1), 0.6);
        var sm = new ScheduledMethod(t, null, null, Schedule.Step(20, 2, 8));
        var cmp = Check($"{family} batch ramp 1→8", sm, 1, CovariateDistribution.Gaussian, 0.2, 13);
        cmp.Consistent.ShouldBeTrue(cmp.Verdict);
    }

    [Fact]
    public void Nesterov_with_a_momentum_schedule_agrees_with_Monte_Carlo_through_the_tuple_simulator()
    {
        // c = [1 + β, −β] changes every step: the exact recursion must weight the coupling with each step's c
        var sm = new ScheduledMethod(MethodTemplate.Nesterov(Eta0(4), 0.8), Schedule.Wsd(5, 40, 35, 0.2),
            Schedule.FromValues([0.0, 0.3, 0.6, 0.9, 0.5, 0.8], absolute: true), Schedule.Step(30, 2, double.PositiveInfinity));
        var cmp = Check("nesterov momentum schedule", sm, 2, CovariateDistribution.Gaussian, 0.1, 14, new ScheduledMethodOptimizer(sm, 2));
        cmp.Consistent.ShouldBeTrue(cmp.Verdict);
    }

    [Fact]
    public void The_test_rejects_the_constant_curve_and_a_schedule_read_one_step_late()
    {
        // the Monte Carlo curve of a warmup+cosine run, compared with curves it must NOT match
        var template = MethodTemplate.HeavyBall(Eta0(2), 0.7);
        var sm = new ScheduledMethod(template, Schedule.WarmupThen(10, Schedule.Cosine(70)));
        var sim = MonteCarloSimulator.Run(Settings(CovariateDistribution.Gaussian, 0.1, 15), Literal(sm, 2));
        var problem = new Problem(Spec, null, 2, 3, 0.1);
        var right = CurveComparer.Compare(sim.Steps, ScheduledCurveValidator.ExactAt(problem, sm, sim.Steps), sim.Mean, sim.StdErr);
        right.Consistent.ShouldBeTrue(right.Verdict);
        var constant = CurveComparer.Compare(sim.Steps, ScheduledCurveValidator.ExactAt(problem, new ScheduledMethod(template), sim.Steps), sim.Mean, sim.StdErr);
        constant.Consistent.ShouldBeFalse();
        // off by one: lr(t + 1) used for the update t → t + 1 (a warmup that starts one step ahead)
        var values = Enumerable.Range(1, 200).Select(t => sm.LrAt(t) / template.Lr).ToArray();
        var late = new ScheduledMethod(template, Schedule.FromValues(values, absolute: false));
        var shifted = CurveComparer.Compare(sim.Steps, ScheduledCurveValidator.ExactAt(problem, late, sim.Steps), sim.Mean, sim.StdErr);
        output.WriteLine($"right: z {right.WorstZ:F2}; constant: z {constant.WorstZ:F2}; one step late: z {shifted.WorstZ:F2} (threshold {right.Threshold:F2})");
        shifted.Consistent.ShouldBeFalse();
    }

    [Fact]
    public void The_scheduled_tuple_reproduces_the_literal_loop_path_by_path()
    {
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.2, 0.6), Schedule.WarmupThen(5, Schedule.Cosine(40)),
            Schedule.LinearWarmup(10), Schedule.Step(15, 2, double.PositiveInfinity));
        var s = Settings(CovariateDistribution.Gaussian, 0.2, 2024) with { Steps = 45, Runs = 2 };
        for (ulong run = 0; run < 3; run++)
        {
            var a = MonteCarloSimulator.TracePath(s, Literal(sm, 3), run);
            var b = MonteCarloSimulator.TracePath(s, new ScheduledMethodOptimizer(sm, 3), run);
            double worst = 0;
            for (int t = 0; t < a.Length; t++)
                for (int i = 0; i < a[t].Length; i++) worst = Math.Max(worst, Math.Abs(a[t][i] - b[t][i]) / (1 + Math.Abs(a[t][i])));
            worst.ShouldBeLessThan(1e-10);
            Math.Abs(a[^1][0] - a[0][0]).ShouldBeGreaterThan(1e-3);
        }
    }

    [Fact]
    public void B_single_samples_averaged_are_the_B_sample_minibatch()
    {
        // the scheduled simulators draw B_t single samples; with a constant B this is the simulator's own B-sample minibatch
        var hb = HeavyBall.Create(0.2, 0.6);
        var s1 = Settings(CovariateDistribution.Gaussian, 0.2, 7) with { Steps = 30, Runs = 2 };
        var s4 = s1 with { Batch = 4 };
        var a = MonteCarloSimulator.TracePath(s1, new ScheduledMethodOptimizer(ScheduledMethod.Constant(hb), 4), 1);
        var b = MonteCarloSimulator.TracePath(s4, new LinearMethodOptimizer(hb), 1);
        for (int t = 0; t < a.Length; t++)
            for (int i = 0; i < a[t].Length; i++) a[t][i].ShouldBe(b[t][i], 1e-12 * (1 + Math.Abs(b[t][i])));
    }

    [Fact]
    public void Real_batch_sizes_are_rounded_to_the_nearest_whole_number_of_samples()
    {
        ScheduledSimulation.SimulatedBatch(1).ShouldBe(1);
        ScheduledSimulation.SimulatedBatch(2.5).ShouldBe(3);
        ScheduledSimulation.SimulatedBatch(2.49).ShouldBe(2);
        ScheduledSimulation.SimulatedBatch(7.0000001).ShouldBe(7);
        Should.Throw<InvalidInputException>(() => ScheduledSimulation.SimulatedBatch(0.5));
    }
}
