using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;
using Xunit.Abstractions;

namespace ExactDynamics.Validation.Tests;

/// <summary>
/// The simulator's tail average (<see cref="TailAverageOptimizer"/>, chosen by <see cref="SimulatedMethod"/> for
/// <c>average=tail:F</c>; docs/math.md#tail-averaging): path for path the literal port (the whole history, the mean of
/// the last ⌈F·t⌉ written as a loop), under the Monte Carlo consistency test against the exact curve (Bonferroni max-|z|
/// at α = 10⁻³, fixed seeds) with the off-by-one window rejected, independent of the thread count, and refused with one
/// sentence when its windows would exceed 1 GB.
/// </summary>
public class TailSimulationTests(ITestOutputHelper output)
{
    private static readonly Spectrum Small = Spectrum.FromValues([1, 0.5, 0.25, 0.125], "values:1,0.5,0.25,0.125");

    private static SimulationSettings Settings(int runs, long steps, ulong seed, int batch = 2) => new()
    {
        Spectrum = Small, Batch = batch, Noise = 0.2, Steps = steps, Every = 1, Runs = runs, Seed = seed,
    };

    private static ScheduledMethod Tail(MethodTemplate template, double f, Schedule? lr = null) =>
        new(template.With(new MethodModifiers(TailFraction: f)), lr);

    // dyadic F: F·t is then exact in floating point, where the literal's plain ceil agrees with the library's n_T
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.25)]
    [InlineData(0.375)]
    [InlineData(1.0)]
    public void The_two_stack_window_follows_the_literal_history_path_for_path(double f)
    {
        var s = Settings(2, 80, 71);
        var sim = SimulatedMethod.Create(Tail(MethodTemplate.HeavyBall(0.3, 0.5), f), 2, Small.Dimension, 80);
        sim.ShouldBeOfType<TailAverageOptimizer>();
        foreach (ulong run in new ulong[] { 0, 5 })
        {
            var a = MonteCarloSimulator.TracePath(s, sim, run);
            var b = MonteCarloSimulator.TracePath(s, new TailAverageLiteral(new HeavyBallLiteral(0.3, 0.5), f), run);
            for (int t = 0; t < a.Length; t++)
                for (int i = 0; i < a[t].Length; i++)
                    a[t][i].ShouldBe(b[t][i], 1e-12 * (1 + Math.Abs(b[t][i])), $"t = {t}, i = {i}");
        }
    }

    [Fact]
    public void Under_a_schedule_the_window_follows_the_literal_history_path_for_path()
    {
        var s = Settings(2, 60, 72, batch: 1);
        var lr = Schedule.Cosine(60);
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.6), lr);
        var sim = SimulatedMethod.Create(Tail(MethodTemplate.HeavyBall(0.3, 0.6), 0.25, lr), 2, Small.Dimension, 60);
        SimulatedMethod.OracleBatch(Tail(MethodTemplate.HeavyBall(0.3, 0.6), 0.25, lr), 2).ShouldBe(1);
        var literal = new TailAverageLiteral(new ScheduledHeavyBallLiteral(sm.LrAt, sm.MomentumAt, _ => 2, sm.Description), 0.25);
        var a = MonteCarloSimulator.TracePath(s, sim, 3);
        var b = MonteCarloSimulator.TracePath(s, literal, 3);
        for (int t = 0; t < a.Length; t++)
            for (int i = 0; i < a[t].Length; i++)
                a[t][i].ShouldBe(b[t][i], 1e-12 * (1 + Math.Abs(b[t][i])), $"t = {t}, i = {i}");
    }

    [Fact]
    public void Monte_Carlo_of_the_simulator_matches_the_exact_curve_and_the_off_by_one_window_is_rejected()
    {
        // the CLI's path: SimulatedMethod → TailAverageOptimizer over the base recursion, 3000 runs, every step to 40
        var s = Settings(3000, 40, 508);
        var tail = Tail(MethodTemplate.Sgd(0.4), 0.5);
        var exact = RiskRecursion.Trajectory(s.ToProblem(), tail, 40);
        Compare(s, SimulatedMethod.Create(tail, 2, Small.Dimension, 40), exact).Consistent.ShouldBeTrue();
        Compare(s, new TailAverageLiteral(new SgdLiteral(0.4), 0.5, offByOne: true), exact).Consistent.ShouldBeFalse();
    }

    [Fact]
    public void The_result_does_not_depend_on_the_thread_count()
    {
        var tail = Tail(MethodTemplate.HeavyBall(0.3, 0.5), 0.5);
        var opt = SimulatedMethod.Create(tail, 2, Small.Dimension, 50);
        var one = MonteCarloSimulator.Run(Settings(100, 50, 9) with { Every = 7, MaxDegreeOfParallelism = 1 }, opt);
        var three = MonteCarloSimulator.Run(Settings(100, 50, 9) with { Every = 7, MaxDegreeOfParallelism = 3 }, opt);
        three.Mean.ShouldBe(one.Mean);
        three.StdErr.ShouldBe(one.StdErr);
    }

    [Fact]
    public void Windows_beyond_one_gigabyte_are_refused_with_one_sentence()
    {
        // d = 10⁴, T = 10⁵, F = ½: 5·10⁴ iterates of 8·10⁴ bytes per run = 4 GB for one run
        TailAverageOptimizer.Bytes(10_000, 0.5, 100_000, 1).ShouldBe(8.0 * 10_000 * 50_003);
        var e = Should.Throw<InvalidInputException>(() =>
            SimulatedMethod.Create(Tail(MethodTemplate.Sgd(0.1), 0.5), 1, 10_000, 100_000, 1));
        e.Message.ShouldContain("1 GB");
        e.Message.ShouldContain("50000 iterates");
        e.Message.Split(". ").Length.ShouldBe(1);
        Should.NotThrow(() => SimulatedMethod.Create(Tail(MethodTemplate.Sgd(0.1), 0.5), 1, 10_000, 1000, 2));
    }

    private CurveComparison Compare(SimulationSettings s, ISimulatedOptimizer optimizer, double[] exact)
    {
        var sim = MonteCarloSimulator.Run(s, optimizer);
        var c = CurveComparer.Compare(sim.Steps, sim.Steps.Select(t => exact[t]).ToArray(), sim.Mean, sim.StdErr);
        output.WriteLine($"{optimizer.Name}: worst z = {c.WorstZ:F2} at t = {c.WorstStep} (threshold {c.Threshold:F2})");
        return c;
    }
}
