using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Tradeoffs;

/// <summary><see cref="TunedCurve.Extend"/> and <see cref="CriticalBatchResult.CriticalTuning"/>.</summary>
public class TunedCurveTests
{
    private static readonly Problem Problem = new(Spectrum.PowerLaw(1, 30));

    [Fact]
    public void Extend_adds_fresh_tunings_at_the_powers_of_two_up_to_the_target()
    {
        var start = new[] { (1.0, 0.01), (3.0, 0.02) };
        var curve = TunedCurve.Extend(Problem, MethodFamily.Sgd, start, 20);
        curve.Select(p => p.Batch).ShouldBe([1, 3, 4, 8, 16, 32]); // up to the first power of two ≥ 20
        curve[0].ShouldBe(start[0]);
        curve[1].ShouldBe(start[1]);
        // each added point is the tuned gap there: equal to an independent global tuning (no warm start)
        foreach (var (b, g) in curve.Skip(2))
            g.ShouldBe(Tuner.Tune(Problem.WithBatch(b), MethodFamily.Sgd).Gap, 1e-6 * g);
        TunedCurve.Extend(Problem, MethodFamily.Sgd, start, 2).Count.ShouldBe(2); // already covered
    }

    [Fact]
    public void Critical_tuning_is_the_tuned_method_at_the_critical_batch()
    {
        var r = CriticalBatch.Compute(Problem, MethodFamily.HeavyBall);
        var t = r.CriticalTuning.ShouldNotBeNull();
        t.Batch.ShouldBe(r.CriticalBatch!.Value);
        // CE(B_crit) = f·CE(1) for the reported method, its gap recomputed from scratch by the gap solver
        double gap = ExactDynamics.Spectral.ContractionGap.Compute(Problem.WithBatch(t.Batch), t.Method).Gap;
        (gap / t.Batch).ShouldBe(r.Fraction * r.SmallBatchCe, 1e-3 * r.SmallBatchCe);
        // and it is as good as an independent global tuning at that batch size
        gap.ShouldBeGreaterThanOrEqualTo(Tuner.Tune(Problem.WithBatch(t.Batch), MethodFamily.HeavyBall).Gap * (1 - 1e-6));
    }
}
