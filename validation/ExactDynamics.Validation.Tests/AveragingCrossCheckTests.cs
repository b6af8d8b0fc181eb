using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;
using Xunit.Abstractions;

namespace ExactDynamics.Validation.Tests;

/// <summary>
/// docs/math.md#weight-averaging, #weight-decay, #schedule-free-sgd: the literal ports (timm EMA, torch SGD with
/// weight_decay, AdamW-style decoupled decay, the schedule-free reference) against the exact curves (Bonferroni max-|z|
/// test, fixed seeds), and power: the same test rejects each wrong variant (EMA before the step, decay through the
/// buffer when it should not be, c_t off by one). The short cases run by default; the long ones are [FullFact].
/// </summary>
public class AveragingCrossCheckTests(ITestOutputHelper output)
{
    private static readonly Spectrum Small = Spectrum.FromValues([1, 0.5, 0.25, 0.125], "values:1,0.5,0.25,0.125");

    private static SimulationSettings Settings(int runs, long steps, ulong seed) => new()
    {
        Spectrum = Small, Batch = 2, Noise = 0.2, Steps = steps, Every = 1, Runs = runs, Seed = seed,
    };

    private CurveComparison Compare(SimulationSettings s, ISimulatedOptimizer optimizer, double[] exact)
    {
        var sim = MonteCarloSimulator.Run(s, optimizer);
        var c = CurveComparer.Compare(sim.Steps, sim.Steps.Select(t => exact[t]).ToArray(), sim.Mean, sim.StdErr);
        output.WriteLine($"{optimizer.Name}: worst z = {c.WorstZ:F2} at t = {c.WorstStep} (threshold {c.Threshold:F2})");
        return c;
    }

    [Fact]
    public void Ema_literal_matches_exact_and_the_before_step_variant_is_rejected()
    {
        var s = Settings(3000, 30, 501);
        var exact = RiskRecursion.Trajectory(s.ToProblem(), Ema.Apply(HeavyBall.Create(0.3, 0.5), 0.8), 30);
        Compare(s, new EmaLiteral(new HeavyBallLiteral(0.3, 0.5), 0.8), exact).Consistent.ShouldBeTrue();
        Compare(s, new EmaLiteral(new HeavyBallLiteral(0.3, 0.5), 0.8, beforeStep: true), exact).Consistent.ShouldBeFalse();
    }

    [Fact]
    public void Ema_warmup_literal_matches_the_scheduled_exact_curve()
    {
        var s = Settings(3000, 40, 502);
        var template = MethodTemplate.Torch(0.2, 0.6).With(new MethodModifiers(EmaDecay: 0.9, EmaWarmup: true));
        var exact = RiskRecursion.Trajectory(s.ToProblem(), new ScheduledMethod(template), 40);
        Compare(s, new EmaLiteral(new TorchSgdLiteral(0.2, 0.6), 0.9, warmup: true), exact).Consistent.ShouldBeTrue();
        Compare(s, new EmaLiteral(new TorchSgdLiteral(0.2, 0.6), 0.9), exact).Consistent.ShouldBeFalse();
    }

    [Fact]
    public void Swa_literal_matches_the_uniform_average_and_the_wrong_start_is_rejected()
    {
        var s = Settings(3000, 30, 504);
        var mods = new MethodModifiers(UniformFrom: 5);
        var exact = RiskRecursion.Trajectory(s.ToProblem(), new ScheduledMethod(MethodTemplate.Sgd(0.4).With(mods)), 30);
        Compare(s, new SwaLiteral(new SgdLiteral(0.4), 5), exact).Consistent.ShouldBeTrue();
        Compare(s, new SwaLiteral(new SgdLiteral(0.4), 0), exact).Consistent.ShouldBeFalse();
    }

    [Fact]
    public void Tail_average_literal_matches_exact_and_the_off_by_one_window_is_rejected()
    {
        var s = Settings(3000, 30, 505);
        var template = MethodTemplate.HeavyBall(0.3, 0.5).With(new MethodModifiers(TailFraction: 0.5));
        var exact = RiskRecursion.Trajectory(s.ToProblem(), new ScheduledMethod(template), 30);
        Compare(s, new TailAverageLiteral(new HeavyBallLiteral(0.3, 0.5), 0.5), exact).Consistent.ShouldBeTrue();
        Compare(s, new TailAverageLiteral(new HeavyBallLiteral(0.3, 0.5), 0.5, offByOne: true), exact).Consistent.ShouldBeFalse();
    }

    [Fact]
    public void Tail_average_literal_under_a_schedule_matches_exact()
    {
        // batch 1 in the simulator: the scheduled literal draws B_t = 2 single samples per step
        var s = Settings(3000, 30, 506) with { Batch = 1 };
        var lr = Schedule.Cosine(30);
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.6), lr);
        var tail = new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.6).With(new MethodModifiers(TailFraction: 0.25)), lr);
        var exact = RiskRecursion.Trajectory(new Problem(Small, null, 2, 3, 0.2), tail, 30);
        var literal = new TailAverageLiteral(new ScheduledHeavyBallLiteral(sm.LrAt, sm.MomentumAt, _ => 2, sm.Description), 0.25);
        Compare(s, literal, exact).Consistent.ShouldBeTrue();
    }

    [Fact]
    public void Schedule_free_wrapper_literal_matches_exact_and_the_gradient_at_z_is_rejected()
    {
        var s = Settings(8000, 30, 507);
        var exact = RiskRecursion.Trajectory(s.ToProblem(), new ScheduledMethod(MethodTemplate.ScheduleFree(0.3, 0.9, 0.6)), 30);
        Compare(s, new ScheduleFreeWrapperLiteral(0.3, 0.9, 0.6), exact).Consistent.ShouldBeTrue();
        Compare(s, new ScheduleFreeWrapperLiteral(0.3, 0.9, 0.6, gradientAtZ: true), exact).Consistent.ShouldBeFalse();
    }

    [Fact]
    public void Schedule_free_literal_matches_exact_and_c_off_by_one_is_rejected()
    {
        var s = Settings(8000, 30, 503);
        var exact = RiskRecursion.Trajectory(s.ToProblem(), new ScheduledMethod(MethodTemplate.ScheduleFree(0.5, 0.9)), 30);
        Compare(s, new ScheduleFreeSgdLiteral(0.5, 0.9), exact).Consistent.ShouldBeTrue();
        Compare(s, new ScheduleFreeSgdLiteral(0.5, 0.9, offByOne: true), exact).Consistent.ShouldBeFalse();
    }

    [Fact]
    public void Torch_weight_decay_literals_match_exact_and_decay_through_the_buffer_is_rejected()
    {
        const double lr = 0.3, mu = 0.6, wd = 0.1;
        var problem = new Problem(Small, null, 2, 3, 0.2);
        var decoupled = RiskRecursion.Trajectory(problem, WeightDecay.Decoupled(TorchMomentum.Create(lr, mu), lr, wd), 40);
        var coupled = RiskRecursion.Trajectory(problem, WeightDecay.Coupled(TorchMomentum.Create(lr, mu), wd), 40);
        var coupledNesterov = RiskRecursion.Trajectory(problem, WeightDecay.Coupled(TorchMomentum.Create(lr, mu, nesterov: true), wd), 40);
        CompareRandomTarget(new TorchSgdWeightDecayLiteral(lr, mu, wd, decoupled: true), decoupled, 2500, 601).Consistent.ShouldBeTrue();
        CompareRandomTarget(new TorchSgdWeightDecayLiteral(lr, mu, wd), coupled, 2500, 602).Consistent.ShouldBeTrue();
        CompareRandomTarget(new TorchSgdWeightDecayLiteral(lr, mu, wd, nesterov: true), coupledNesterov, 2500, 603).Consistent.ShouldBeTrue();
        // the decay through the buffer (PyTorch's coupled rule) where AdamW-style decoupled decay was meant
        CompareRandomTarget(new TorchSgdWeightDecayLiteral(lr, mu, wd), decoupled, 2500, 604).Consistent.ShouldBeFalse();
    }

    [FullFact]
    [Trait("Category", "Full")]
    public void Full_long_runs_of_every_port()
    {
        var s = Settings(20000, 200, 701) with { Every = 5 };
        var p = s.ToProblem();
        Compare(s, new EmaLiteral(new NesterovLiteral(0.2, 0.7), 0.95),
            RiskRecursion.Trajectory(p, Ema.Apply(Nesterov.Create(0.2, 0.7), 0.95), 200)).Consistent.ShouldBeTrue();
        Compare(s, new ScheduleFreeSgdLiteral(0.4, 0.5),
            RiskRecursion.Trajectory(p, new ScheduledMethod(MethodTemplate.ScheduleFree(0.4, 0.5)), 200)).Consistent.ShouldBeTrue();
        CompareRandomTarget(new TorchSgdWeightDecayLiteral(0.2, 0.9, 0.05, nesterov: true, decoupled: true),
            RiskRecursion.Trajectory(p, WeightDecay.Decoupled(TorchMomentum.Create(0.2, 0.9, nesterov: true), 0.2, 0.05), 200), 20000, 702, 200)
            .Consistent.ShouldBeTrue();
    }

    /// <summary>
    /// Weight decay's convention (docs/math.md#weight-decay): every run starts at w_0 = 0 with its own target
    /// w* ~ N(0, diag s) (s_i = 1 here), so the simulator's fixed-w* runs do not apply; this loop draws them.
    /// </summary>
    private CurveComparison CompareRandomTarget(ISimulatedOptimizer optimizer, double[] exact, int runs, ulong seed, int steps = 40)
    {
        var lam = Small.ToArray();
        int d = lam.Length;
        var sum = new double[steps + 1];
        var sumSq = new double[steps + 1];
        var run = optimizer.CreateRun(d);
        var rng = new RunRandom(seed, 0);
        var wStar = new double[d];
        for (int r = 0; r < runs; r++)
        {
            rng.Reseed(seed, (ulong)r);
            for (int i = 0; i < d; i++) wStar[i] = rng.NextGaussian();
            var oracle = new GradientOracle(lam, wStar, 2, CovariateDistribution.Gaussian, 0.2, rng);
            run.Reset(new double[d]);
            for (int t = 0; t <= steps; t++)
            {
                if (t > 0) run.Step(oracle);
                double risk = 0;
                var w = run.Iterate;
                for (int i = 0; i < d; i++) risk += 0.5 * lam[i] * (w[i] - wStar[i]) * (w[i] - wStar[i]);
                sum[t] += risk;
                sumSq[t] += risk * risk;
            }
        }
        var mean = sum.Select(x => x / runs).ToArray();
        var stderr = sumSq.Select((q, t) => Math.Sqrt(Math.Max(0, q / runs - mean[t] * mean[t]) / (runs - 1))).ToArray();
        var c = CurveComparer.Compare(Enumerable.Range(0, steps + 1).Select(t => (long)t).ToArray(), exact.Take(steps + 1).ToArray(), mean, stderr);
        output.WriteLine($"{optimizer.Name}: worst z = {c.WorstZ:F2} at t = {c.WorstStep} (threshold {c.Threshold:F2})");
        return c;
    }
}
