using ExactDynamics.Spectra;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;

namespace ExactDynamics.Validation.Tests;

public class RandomStreamTests
{
    [Fact]
    public void Same_seed_and_run_give_the_same_stream_and_different_runs_or_seeds_differ()
    {
        var a = new RunRandom(42, 7);
        var b = new RunRandom(42, 7);
        var c = new RunRandom(42, 8);
        var e = new RunRandom(43, 7);
        var xa = Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToArray();
        Enumerable.Range(0, 100).Select(_ => b.NextUInt64()).ToArray().ShouldBe(xa);
        Enumerable.Range(0, 100).Select(_ => c.NextUInt64()).Intersect(xa).ShouldBeEmpty();
        Enumerable.Range(0, 100).Select(_ => e.NextUInt64()).Intersect(xa).ShouldBeEmpty();
        a.Reseed(42, 7);
        Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToArray().ShouldBe(xa);
    }

    [Fact]
    public void Uniforms_are_uniform_and_neighbouring_streams_are_uncorrelated()
    {
        const int n = 200_000;
        var r0 = new RunRandom(1, 0);
        var r1 = new RunRandom(1, 1);
        double s = 0, s2 = 0, cross = 0;
        for (int i = 0; i < n; i++)
        {
            double u = r0.NextDouble(), v = r1.NextDouble();
            s += u; s2 += u * u; cross += (u - 0.5) * (v - 0.5);
        }
        (s / n).ShouldBe(0.5, 5 * Math.Sqrt(1.0 / 12 / n));
        (s2 / n).ShouldBe(1.0 / 3, 5 * Math.Sqrt(4.0 / 45 / n));
        (cross / n).ShouldBe(0, 5 * (1.0 / 12) / Math.Sqrt(n));
    }

    [Fact]
    public void Simulation_is_bit_for_bit_identical_for_any_thread_count()
    {
        var settings = new SimulationSettings
        {
            Spectrum = Spectrum.PowerLaw(1, 8), Batch = 3, Covariates = new GaussianScaleMixture(6, 0.5), Noise = 0.3,
            Steps = 30, Every = 3, Runs = 300, Seed = 99,
        };
        var opt = new HeavyBallLiteral(0.1, 0.5);
        var one = MonteCarloSimulator.Run(settings with { MaxDegreeOfParallelism = 1 }, opt);
        var two = MonteCarloSimulator.Run(settings with { MaxDegreeOfParallelism = 2 }, opt);
        var many = MonteCarloSimulator.Run(settings with { MaxDegreeOfParallelism = 7 }, opt);
        two.Mean.ShouldBe(one.Mean);
        two.StdErr.ShouldBe(one.StdErr);
        many.Mean.ShouldBe(one.Mean);
        many.StdErr.ShouldBe(one.StdErr);
        var again = MonteCarloSimulator.Run(settings, opt);
        again.Mean.ShouldBe(one.Mean);
        var otherSeed = MonteCarloSimulator.Run(settings with { Seed = 100 }, opt);
        otherSeed.Mean[^1].ShouldNotBe(one.Mean[^1]);
    }

    [Fact]
    public void A_run_depends_only_on_seed_and_run_index()
    {
        var settings = new SimulationSettings { Spectrum = Spectrum.PowerLaw(1, 5), Batch = 2, Steps = 10, Runs = 10, Seed = 5 };
        var opt = new SgdLiteral(0.2);
        var p1 = MonteCarloSimulator.TracePath(settings, opt, 3);
        var p2 = MonteCarloSimulator.TracePath(settings with { Runs = 1000 }, opt, 3);
        p2.Length.ShouldBe(11);
        for (int t = 0; t <= 10; t++) p2[t].ShouldBe(p1[t]);
        MonteCarloSimulator.TracePath(settings, opt, 4)[5].ShouldNotBe(p1[5]);
    }

    [Fact]
    public void Progress_is_reported_per_block_up_to_all_runs()
    {
        var settings = new SimulationSettings { Spectrum = Spectrum.PowerLaw(1, 4), Steps = 5, Runs = 1000, Seed = 1 };
        var seen = new System.Collections.Concurrent.ConcurrentBag<int>();
        MonteCarloSimulator.Run(settings, new SgdLiteral(0.1), seen.Add);
        seen.Count.ShouldBe((1000 + MonteCarloSimulator.BlockSize - 1) / MonteCarloSimulator.BlockSize);
        seen.Sum().ShouldBe(1000);
        seen.Max().ShouldBe(MonteCarloSimulator.BlockSize);
    }

    [Fact]
    public void A_diverging_method_gives_infinite_means_never_NaN()
    {
        var settings = new SimulationSettings { Spectrum = Spectrum.PowerLaw(1, 4), Steps = 400, Every = 100, Runs = 20, Seed = 1 };
        var r = MonteCarloSimulator.Run(settings, new SgdLiteral(5));
        r.Mean[^1].ShouldBe(double.PositiveInfinity);
        r.Mean.Any(double.IsNaN).ShouldBeFalse();
        r.StdErr.Any(double.IsNaN).ShouldBeFalse();
    }

    [Fact]
    public void Recorded_steps_match_the_exact_solver_convention()
    {
        MonteCarloSimulator.RecordedSteps(10, 3).ShouldBe([0L, 3, 6, 9, 10]);
        MonteCarloSimulator.RecordedSteps(9, 3).ShouldBe([0L, 3, 6, 9]);
        MonteCarloSimulator.RecordedSteps(0, 1).ShouldBe([0L]);
        var exact = ExactDynamics.Dynamics.RiskRecursion.Run(new Problem(Spectrum.PowerLaw(1, 3)), ExactDynamics.Methods.Sgd.Create(0.1), 10, 3);
        exact.Steps.ShouldBe(MonteCarloSimulator.RecordedSteps(10, 3));
    }
}
