using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Tradeoffs;

public class TunerTests
{
    private static readonly Spectrum Harmonic200 = Spectrum.PowerLaw(1, 200);

    [Theory]
    [InlineData(MethodFamily.Sgd, 1.0)]
    [InlineData(MethodFamily.HeavyBall, 64)]
    [InlineData(MethodFamily.Nesterov, 7.5)]
    [InlineData(MethodFamily.Asgd, 16)]
    public void The_method_spec_reproduces_the_gap_exactly(MethodFamily family, double b)
    {
        var p = new Problem(Spectrum.PowerLaw(1.5, 60), batch: b);
        var t = Tuner.Tune(p, family);
        t.Spec.ShouldStartWith(family.Name() + ":");
        var again = SpecStrings.Parse(t.Spec);
        again.Spec.ShouldBe(t.Spec);
        ContractionGap.Compute(p, again).Gap.ShouldBe(t.Gap);
        family.Create(t.Parameters).Spec.ShouldBe(t.Spec);
        t.Parameters.Keys.ShouldBe(family.ParameterNames(), ignoreOrder: true);
        t.Exact.Diverges.ShouldBeFalse();
        t.Gap.ShouldBeGreaterThan(0);
    }

    [Theory]
    [InlineData(1.0, 50)]
    [InlineData(2.0, 100)]
    [InlineData(1.0, 3000)]
    public void Large_batch_limits_are_the_deterministic_optima(double a, int d)
    {
        var sp = Spectrum.PowerLaw(a, d);
        double kappa = sp.Max / sp.Min, s = Math.Sqrt(kappa);
        double sgdInf = 1 - Math.Pow((kappa - 1) / (kappa + 1), 2);
        double hbInf = 1 - Math.Pow((s - 1) / (s + 1), 2);
        CriticalBatch.DeterministicGap(sp, MethodFamily.Sgd).ShouldBe(sgdInf, 1e-10 * sgdInf);
        CriticalBatch.DeterministicGap(sp, MethodFamily.HeavyBall).ShouldBe(hbInf, 1e-10 * hbInf);
        double prevSgd = 0, prevHb = 0;
        foreach (double b in new[] { 1024.0, 1 << 20, Math.Pow(2, 40) })
        {
            var p = new Problem(sp, batch: b);
            double gs = Tuner.Tune(p, MethodFamily.Sgd).Gap, gh = Tuner.Tune(p, MethodFamily.HeavyBall).Gap;
            gs.ShouldBeLessThanOrEqualTo(sgdInf * (1 + 1e-9));
            gh.ShouldBeLessThanOrEqualTo(hbInf * (1 + 1e-9));
            gs.ShouldBeGreaterThan(prevSgd);
            gh.ShouldBeGreaterThan(prevHb * (1 - 1e-6));
            prevSgd = gs; prevHb = gh;
        }
        prevSgd.ShouldBe(sgdInf, 1e-6 * sgdInf);
        prevHb.ShouldBe(hbInf, 1e-4 * hbInf);
    }

    [Theory]
    [InlineData(1.0, 200)]
    [InlineData(2.0, 100)]
    [InlineData(1.5, 500)]
    public void At_small_batch_heavy_ball_has_no_better_frontier_than_sgd(double a, int d)
    {
        var p = new Problem(Spectrum.PowerLaw(a, d), batch: 1);
        double sgd = Tuner.Tune(p, MethodFamily.Sgd).Gap, hb = Tuner.Tune(p, MethodFamily.HeavyBall).Gap;
        // β = 0 is SGD, so tuned HB ≥ tuned SGD; the claim is that it is not much better
        (hb / sgd).ShouldBeGreaterThanOrEqualTo(1 - 1e-6);
        (hb / sgd).ShouldBeLessThan(1.5);
    }

    /// <summary>docs/math.md#worked-check, pinned to more digits than the page gives.</summary>
    [Fact]
    public void The_worked_check_of_math_section_7()
    {
        Tuner.Tune(new Problem(Harmonic200, batch: 1), MethodFamily.Sgd).Gap.ShouldBe(2.0719585688e-3, 1e-12); // ≈ 2.1e-3
        double sgdBig = Tuner.Tune(new Problem(Harmonic200, batch: 4096), MethodFamily.Sgd).Gap;
        sgdBig.ShouldBe(0.0197911, 1e-6);                                                                          // ≈ 0.02
        foreach (double b in new[] { 1.0, 4, 16 })
            (Tuner.Tune(new Problem(Harmonic200, batch: b), MethodFamily.HeavyBall).Gap / b).ShouldBe(2e-3, 0.15e-3);
        Tuner.Tune(new Problem(Harmonic200, batch: 4096), MethodFamily.HeavyBall).Gap.ShouldBe(0.2265680, 1e-6);    // ≈ 0.23
    }

    [Fact]
    public void The_iterations_objective_never_needs_more_steps_than_the_gap_optimum_and_beats_a_grid()
    {
        var p = new Problem(Spectrum.PowerLaw(1, 30), batch: 4);
        double target = 1e-4;
        foreach (var family in new[] { MethodFamily.Sgd, MethodFamily.HeavyBall })
        {
            var byGap = Tuner.Tune(p, family, new TuneOptions { Target = target });
            var byIts = Tuner.Tune(p, family, new TuneOptions { Target = target, Objective = TuneObjective.Iterations });
            byGap.Iterations!.Exact.ShouldNotBeNull();
            byIts.Iterations!.Exact!.Value.ShouldBeLessThanOrEqualTo(byGap.Iterations.Exact!.Value);
            byIts.Iterations.Exact.ShouldBe(IterationsToTarget.Compute(p, SpecStrings.Parse(byIts.Spec), target).Exact);
            // brute force on a grid
            long best = long.MaxValue;
            double l = Math.Log(p.Spectrum.Max);
            var betas = family == MethodFamily.Sgd ? new[] { 0.0 } : Enumerable.Range(0, 20).Select(i => 1 - Math.Exp(-i * 0.2)).ToArray();
            foreach (double beta in betas)
                for (int j = 0; j < 90; j++)
                {
                    double lr = Math.Exp(-4 - l + j * 0.06);
                    var m = family == MethodFamily.Sgd ? Sgd.Create(lr) : HeavyBall.Create(lr, beta);
                    if (ContractionGap.Compute(p, m).Diverges) continue;
                    var e = IterationsToTarget.Compute(p, m, target, best == long.MaxValue ? 100000 : best).Exact;
                    if (e is long v && v < best) best = v;
                }
            byIts.Iterations.Exact!.Value.ShouldBeLessThanOrEqualTo(best, $"{family}: tuned {byIts.Spec}");
        }
    }

    [Fact]
    public void Warm_starts_keep_the_answer()
    {
        var sp = Spectrum.PowerLaw(2, 100);
        var cold = Tuner.Tune(new Problem(sp, batch: 128), MethodFamily.HeavyBall);
        var neighbour = Tuner.Tune(new Problem(sp, batch: 64), MethodFamily.HeavyBall);
        var warm = Tuner.Tune(new Problem(sp, batch: 128), MethodFamily.HeavyBall, new TuneOptions { WarmStart = neighbour });
        warm.Gap.ShouldBe(cold.Gap, 1e-6 * cold.Gap);
    }

    [Fact]
    public void Bad_options_are_rejected_with_a_clear_message()
    {
        var p = new Problem(Spectrum.PowerLaw(1, 10));
        Should.Throw<InvalidInputException>(() => Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions { Objective = TuneObjective.Iterations }))
            .Message.ShouldContain("target");
        Should.Throw<InvalidInputException>(() => Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions { Target = -1 }))
            .Message.ShouldContain("-1");
        Should.Throw<InvalidInputException>(() => Tuner.Tune(p, "adam")).Message.ShouldContain("sgd, hb, nesterov, asgd");
    }

    [Fact]
    public void A_single_eigenvalue_is_tuned_too()
    {
        var p = new Problem(Spectrum.FromValues([2.0]), batch: 1e6);
        var t = Tuner.Tune(p, MethodFamily.Sgd);
        // deterministic: lr = 1/λ kills the error in one step; the stochastic part keeps ρ tiny but positive
        t.Gap.ShouldBeGreaterThan(0.999);
        Tuner.Tune(p, MethodFamily.HeavyBall).Gap.ShouldBeGreaterThan(0.999);
    }
}
