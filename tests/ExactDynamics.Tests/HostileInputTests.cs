using System.Diagnostics;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;
using ExactDynamics.Tests.Oracles;

namespace ExactDynamics.Tests;

/// <summary>
/// Generated hostile and extreme inputs: noise floors and targets below them, counts at the edges, methods with many
/// states, and computations that must be refused up front (within a second) instead of running for hours.
/// </summary>
public class HostileInputTests
{
    private static Problem RandomNoisy(Random rng, out LinearMethod method, int kind)
    {
        int d = rng.Next(2, 12);
        var lam = TestSupport.RandomSpectrum(rng, d, 0.05, 1);
        double batch = rng.Next(1, 6), kurt = 1 + 4 * rng.NextDouble();
        var problem = TestSupport.MakeProblem(lam, null, batch, kurt, 0.01 + rng.NextDouble());
        double lr = (0.1 + 0.3 * rng.NextDouble()) * batch / (batch + kurt + d * 0.3);
        method = kind switch
        {
            0 => Sgd.Create(lr),
            1 => HeavyBall.Create(lr * 0.5, 0.5 * rng.NextDouble()),
            _ => CustomMethods.Qhm(lr * 0.5, 0.3 + 0.5 * rng.NextDouble(), 0.7).ToLibrary(),
        };
        return problem;
    }

    [Fact]
    public void NoiseFloorIsTheLimitOfTheLiteralRecursion()
    {
        var rng = new Random(1331);
        for (int trial = 0; trial < 9; trial++)
        {
            var problem = RandomNoisy(rng, out var method, trial % 3);
            var gap = ContractionGap.Compute(problem, method);
            gap.Diverges.ShouldBeFalse();
            // run the literal loop until ρ^t < 1e-14: the risk is then its limit to ~1e-13
            int steps = (int)Math.Min(200_000, Math.Ceiling(33 / gap.Gap));
            var risk = RiskRecursion.Reference(problem, method, steps);
            double floor = NoiseFloor.Compute(problem, method);
            TestSupport.RelErr(floor, risk[^1]).ShouldBeLessThan(1e-9, $"trial {trial} ({method.Spec})");
        }
    }

    [Fact]
    public void TargetsAtOrBelowTheFloorHaveNoCountAndCountsAreConsistentAtTheEdges()
    {
        var rng = new Random(1332);
        for (int trial = 0; trial < 9; trial++)
        {
            var problem = RandomNoisy(rng, out var method, trial % 3);
            double floor = NoiseFloor.Compute(problem, method);
            var below = IterationsToTarget.Compute(problem, method, floor * (0.2 + 0.8 * rng.NextDouble()), 5000);
            below.BelowFloor.ShouldBeTrue();
            below.Exact.ShouldBeNull();
            below.ClosedForm.ShouldBeNull();
            double.IsPositiveInfinity(below.Crude).ShouldBeTrue();
            // above the floor the exact count exists and the closed form is a count of at least 1
            double l0 = below.InitialRisk;
            double eps = floor + (l0 - floor) * Math.Pow(10, -1 - 2 * rng.NextDouble());
            var above = IterationsToTarget.Compute(problem, method, eps, 200_000);
            above.BelowFloor.ShouldBeFalse();
            above.Exact.ShouldNotBeNull();
            var brute = RiskRecursion.Reference(problem, method, (int)above.Exact!.Value);
            brute[^1].ShouldBeLessThanOrEqualTo(eps);
            brute[^2].ShouldBeGreaterThan(eps);
            above.ClosedForm!.Value.ShouldBeGreaterThanOrEqualTo(1);
            // a target at or above L₀: every count is 0
            var start = IterationsToTarget.Compute(problem, method, l0 * 1.0000001, 10);
            start.Exact.ShouldBe(0);
            start.ClosedForm.ShouldBe(0);
            start.Crude.ShouldBe(0);
        }
        // noiseless: the prefactor below the target while L₀ is above it gives a count of at least 1, not 0
        var p = new Problem(Spectrum.PowerLaw(1, 30), batch: 2);
        var m = Sgd.Create(0.3);
        var g = ContractionGap.Compute(p, m);
        double c = PerronPrefactor.Compute(p, m, g), l = new SecondMoments(p, m).Risk;
        if (c < l)
        {
            var r = IterationsToTarget.Compute(p, m, Math.Sqrt(c * l));
            r.ClosedForm!.Value.ShouldBeGreaterThanOrEqualTo(1);
        }
    }

    [Fact]
    public void MethodsWithManyStatesUseHeapScratchAndAgreeWithTheLiteralLoop()
    {
        var rng = new Random(1333);
        foreach (int k in new[] { 9, 11, 40 })
        {
            // a consistent k-state method: a random stochastic A (A·1 = 1), c = o = e₁, small steps
            var a = new double[k, k];
            for (int i = 0; i < k; i++)
            {
                double sum = 0;
                for (int j = 0; j < k; j++) { a[i, j] = rng.NextDouble() * (j == i ? 4 : 1); sum += a[i, j]; }
                for (int j = 0; j < k; j++) a[i, j] /= sum;
            }
            var b = Enumerable.Range(0, k).Select(_ => 0.05 * rng.NextDouble()).ToArray();
            var c = new double[k]; c[0] = 1;
            var method = new LinearMethod(a, b, c, c);
            var problem = TestSupport.MakeProblem([1, 0.3], batch: 2);
            var fused = RiskRecursion.Trajectory(problem, method, 6);
            TestSupport.WorstRelErr(fused, RiskRecursion.Reference(problem, method, 6)).ShouldBeLessThan(1e-12, $"k = {k}");
            if (k <= 11)
            {
                double dense = DenseOperator.Rho([1, 0.3], MethodTuple.From(method), 2, 3);
                TestSupport.RelErr(ContractionGap.Compute(problem, method).Rho, dense).ShouldBeLessThan(1e-9, $"k = {k}");
            }
        }
    }

    [Fact]
    public void ComputationsThatWouldTakeHoursOrTooMuchMemoryAreRefusedUpFront()
    {
        // refused up front: each call would otherwise run for hours or exhaust memory, so reaching the assertions at all
        // shows the refusal comes before the work (no wall-clock bound: tests do not depend on timing)
        var p = new Problem(Spectrum.PowerLaw(1, 200), batch: 4);
        Should.Throw<InvalidInputException>(() => RiskRecursion.Run(p, Sgd.Create(0.5), 1_000_000_000_000, 1_000_000_000))
            .Message.ShouldContain("would take about");
        // the general k-state gap: k = 3000 needs O(k⁴) memory and O(d·k⁶) time
        var k = 3000;
        var a = new double[k, k];
        for (int i = 0; i < k; i++) a[i, i] = 1;
        var e1 = new double[k]; e1[0] = 1;
        var big = new LinearMethod(a, Enumerable.Repeat(0.1, k).ToArray(), e1, e1);
        Should.Throw<InvalidInputException>(() => ContractionGap.Compute(p, big)).Message.ShouldContain("memory");
        // a spectrum beyond the memory of the process
        Should.Throw<InvalidInputException>(() => Spectrum.PowerLaw(1, int.MaxValue)).Message.ShouldContain("memory");
    }

    [Fact]
    public void TheCostModelGrowsWithTheWorkAndFlagsLongRuns()
    {
        var rng = new Random(1334);
        for (int trial = 0; trial < 50; trial++)
        {
            int k = rng.Next(1, 6), d = rng.Next(1, 1_000_000);
            double steps = Math.Pow(10, 8 * rng.NextDouble());
            CostEstimate.SteppingSeconds(k, d, 2 * steps).ShouldBeGreaterThan(CostEstimate.SteppingSeconds(k, d, steps));
            CostEstimate.SteppingSeconds(k + 1, d, steps).ShouldBeGreaterThanOrEqualTo(CostEstimate.SteppingSeconds(k, d, steps));
            CostEstimate.GapSeconds(k + 3, d).ShouldBeGreaterThan(CostEstimate.GapSeconds(k + 2, d));
        }
        var notes = new List<string>();
        CostEstimate.Require(11, "a test computation", "nothing", notes.Add);
        notes.Count.ShouldBe(1);
        CostEstimate.Require(1, "a test computation", "nothing", notes.Add);
        notes.Count.ShouldBe(1);
        Should.Throw<InvalidInputException>(() => CostEstimate.Require(1e6, "a test computation", "do less"))
            .Message.ShouldBe("A test computation would take about 12 days (more than 300 s); do less.");
    }
}

/// <summary>The iterations objective of the tuner when the gap optimum levels off above the target.</summary>
public class TunerReachabilityTests
{
    [Fact]
    public void IterationsObjectiveReturnsASettingThatReachesTheTargetWhenOneExists()
    {
        // heavy kurtosis, B = 1, label noise: the gap-optimal step's noise floor lies above ε, smaller steps go below it
        var problem = new Problem(Spectrum.PowerLaw(1, 30), batch: 1, kurtosis: 83, noise: 0.01);
        var gapTuned = ExactDynamics.Tradeoffs.Tuner.Tune(problem, ExactDynamics.Methods.MethodFamily.Sgd);
        double floor = NoiseFloor.Compute(problem, gapTuned.Method);
        double eps = 0.7 * floor;
        var tuned = ExactDynamics.Tradeoffs.Tuner.Tune(problem, ExactDynamics.Methods.MethodFamily.Sgd,
            new ExactDynamics.Tradeoffs.TuneOptions { Objective = ExactDynamics.Tradeoffs.TuneObjective.Iterations, Target = eps, MaxSteps = 200_000 });
        tuned.Iterations!.Exact.ShouldNotBeNull();
        long count = tuned.Iterations.Exact!.Value;
        // independent: the literal recursion reaches ε exactly there
        var risk = RiskRecursion.Reference(problem, tuned.Method, (int)count);
        risk[^1].ShouldBeLessThanOrEqualTo(eps);
        risk[^2].ShouldBeGreaterThan(eps);
        // and no step on a grid below the gap optimum does better (beyond the grid's resolution)
        double lr = gapTuned.Parameters["lr"];
        for (double f = 0.3; f < 1; f += 0.05)
        {
            var other = IterationsToTarget.Compute(problem, Sgd.Create(f * lr), eps, 200_000);
            if (other.Exact is long e) e.ShouldBeGreaterThanOrEqualTo((long)(0.995 * count), $"lr = {f} × the gap optimum");
        }
    }
}
