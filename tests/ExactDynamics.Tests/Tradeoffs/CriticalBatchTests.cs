using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Tradeoffs;

/// <summary>
/// <see cref="CriticalBatch"/> against independent global tunings: the reported critical batch and deterministic scale
/// satisfy their defining equations when the tuned gap is recomputed there from scratch (no warm or local start), the
/// crossing is the first one on the doubling grid, and the answer does not depend on the thread count.
/// </summary>
public class CriticalBatchTests
{
    private static readonly Problem P = new(Spectrum.PowerLaw(1, 60));

    [Theory]
    [InlineData(MethodFamily.Sgd, 0.5)]
    [InlineData(MethodFamily.HeavyBall, 0.5)]
    [InlineData(MethodFamily.HeavyBall, 0.8)]
    [InlineData(MethodFamily.Nesterov, 0.5)]
    [InlineData(MethodFamily.Asgd, 0.5)]
    public void Critical_batch_and_scale_solve_their_equations_under_independent_tunings(MethodFamily family, double f)
    {
        var r = CriticalBatch.Compute(P, family, new CriticalBatchOptions { Fraction = f });
        double g1 = Tuner.Tune(P.WithBatch(1), family).Gap;
        r.SmallBatchCe.ShouldBe(g1, 1e-9 * g1);

        double bc = r.CriticalBatch!.Value;
        double ce = Tuner.Tune(P.WithBatch(bc), family).Gap / (bc * g1);
        ce.ShouldBe(f, 1e-3 * f, $"CE(B_c)/CE(1) at B_c = {bc}");
        // the first crossing on the doubling grid: CE is still above f at the grid point below B_c
        double below = Math.Pow(2, Math.Floor(Math.Log2(bc) - 1e-9));
        if (below >= 1 && below < bc) (Tuner.Tune(P.WithBatch(below), family).Gap / (below * g1)).ShouldBeGreaterThan(f);

        double bs = r.DeterministicScale!.Value;
        if (bs > 1) (Tuner.Tune(P.WithBatch(bs), family).Gap / r.DeterministicGap).ShouldBe(f, 1e-3 * f, $"gap(B_s)/gap(∞) at B_s = {bs}");
        else (g1 / r.DeterministicGap).ShouldBeGreaterThanOrEqualTo(f);
        r.Curve.Select(c => c.Batch).ShouldBeInOrder();
        r.Tunings.ShouldBe(r.Curve.Count);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.999999)]
    public void Sgd_on_three_equal_eigenvalues_has_the_closed_form_critical_batch(double f)
    {
        // λ = (1, 1, 1), Gaussian data, s_i = 1 (by hand): every block stays equal, s' = [(1 − η)² + 4η²/B] s, so the
        // tuned η = B/(B + 4), gap*(B) = B/(B + 4), gap*(∞) = 1; CE(B)/CE(1) = 5/(B + 4) = f at B = 5/f − 4, and
        // gap*(B) = f at B = 4f/(1 − f)
        var r = CriticalBatch.Compute(new Problem(Spectrum.FromValues([1.0, 1, 1])), MethodFamily.Sgd, new CriticalBatchOptions { Fraction = f });
        double critical = 5 / f - 4, scale = 4 * f / (1 - f);
        r.SmallBatchCe.ShouldBe(0.2, 1e-12);
        r.DeterministicGap.ShouldBe(1, 1e-12);
        r.CriticalBatch!.Value.ShouldBeGreaterThan(1);
        (r.CriticalBatch.Value - 1).ShouldBe(critical - 1, 1e-3 * (critical - 1)); // B − 1 resolved even when B ≈ 1
        r.DeterministicScale!.Value.ShouldBe(scale, 2e-4 * scale);
        // the same root inside a first bracket that is itself tiny (largest batch just above the root)
        if (critical < 1.0001)
        {
            var narrow = CriticalBatch.Compute(new Problem(Spectrum.FromValues([1.0, 1, 1])), MethodFamily.Sgd,
                new CriticalBatchOptions { Fraction = f, MaxBatch = 1 + 2 * (critical - 1) });
            (narrow.CriticalBatch!.Value - 1).ShouldBe(critical - 1, 1e-3 * (critical - 1));
        }
    }

    [Theory]
    [InlineData(MethodFamily.HeavyBall)]
    [InlineData(MethodFamily.Asgd)]
    public void The_result_does_not_depend_on_the_thread_count(MethodFamily family)
    {
        var one = CriticalBatch.Compute(P, family, new CriticalBatchOptions { MaxDegreeOfParallelism = 1 });
        var two = CriticalBatch.Compute(P, family, new CriticalBatchOptions { MaxDegreeOfParallelism = 2 });
        two.CriticalBatch.ShouldBe(one.CriticalBatch);
        two.DeterministicScale.ShouldBe(one.DeterministicScale);
        two.DeterministicGap.ShouldBe(one.DeterministicGap);
        two.Curve.ShouldBe(one.Curve);
    }

    [Fact]
    public void A_crossing_beyond_the_largest_batch_is_null_and_a_reached_scale_at_one_is_one()
    {
        var r = CriticalBatch.Compute(P, MethodFamily.HeavyBall, new CriticalBatchOptions { MaxBatch = 4 });
        r.CriticalBatch.ShouldBeNull();
        r.DeterministicScale.ShouldBeNull();
        r.Curve.Select(c => c.Batch).ShouldBe([1.0, 2, 4]);
        // a largest batch just above 1: B = 1 is still tuned at 1, then the largest batch itself
        var tiny = CriticalBatch.Compute(P, MethodFamily.Sgd, new CriticalBatchOptions { MaxBatch = 1 + 1e-13 });
        tiny.Curve[0].Batch.ShouldBe(1);
        tiny.CriticalBatch.ShouldBeNull();
        // f so small that gap*(1) already exceeds f·gap*(∞)
        var s = CriticalBatch.Compute(P, MethodFamily.Sgd, new CriticalBatchOptions { Fraction = 1e-3 });
        s.DeterministicScale.ShouldBe(1);
    }

    [Fact]
    public void Bad_options_are_refused_with_a_sentence()
    {
        Should.Throw<InvalidInputException>(() => CriticalBatch.Compute(P, MethodFamily.Sgd, new CriticalBatchOptions { MaxDegreeOfParallelism = 0 }))
            .Message.ShouldContain("at least 1");
    }
}
