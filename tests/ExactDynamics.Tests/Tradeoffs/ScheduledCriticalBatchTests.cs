using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Tradeoffs;

/// <summary>
/// Schedule-aware batch-size tradeoffs (docs/math.md#schedule-aware-critical-batch): the tuned schedule at a batch size is
/// re-evaluated by a plain recursion written here, compared with a brute-force grid over the peak learning rate (and the
/// momentum), the fewest steps to a target are checked for minimality on that grid, and the critical batch is recomputed
/// by hand from the sweep's per-batch values.
/// </summary>
public class ScheduledCriticalBatchTests
{
    private static readonly double[] Lam = Enumerable.Range(1, 24).Select(i => 1.0 / i).ToArray();
    private static readonly double[] Init = Lam.Select((_, i) => 1.0 / Math.Sqrt(i + 1)).ToArray();
    private const double M4 = 2.6, Noise = 0.05;
    private static Problem At(double batch) => new(Spectrum.FromValues(Lam), Init, batch, M4, Noise);

    /// <summary>
    /// E L_T of SGD / heavy ball / Nesterov with per-step η_t and a fixed β, written out for the pair (e_t, e_{t−1}):
    /// e' = c₁ e + c₂ e_prev − η ζ with the gradient taken at y = d₁ e + d₂ e_prev (heavy ball y = e; Nesterov
    /// y = (1+β)e − βe_prev) and E ζ² = (λ Σ_j λ_j E y_j² + (m4 − 2) λ² E y² + σ² λ)/B.
    /// </summary>
    internal static double PlainRisk(double[] lam, double[] init, double batch, double m4, double noise, Func<int, double> lr, int steps,
        double beta, bool nesterov)
    {
        int d = lam.Length;
        var p = (double[])init.Clone();
        var r = (double[])init.Clone();
        var q = (double[])init.Clone();
        double d1 = nesterov ? 1 + beta : 1, d2 = nesterov ? -beta : 0;
        for (int t = 0; t < steps; t++)
        {
            double eta = lr(t), mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * (d1 * d1 * p[i] + 2 * d1 * d2 * r[i] + d2 * d2 * q[i]);
            for (int i = 0; i < d; i++)
            {
                double l = lam[i];
                double c1 = nesterov ? (1 - eta * l) * (1 + beta) : 1 + beta - eta * l;
                double c2 = nesterov ? -(1 - eta * l) * beta : -beta;
                double ey = d1 * d1 * p[i] + 2 * d1 * d2 * r[i] + d2 * d2 * q[i];
                double np = c1 * c1 * p[i] + 2 * c1 * c2 * r[i] + c2 * c2 * q[i] + eta * eta / batch * (l * mu + (m4 - 2) * l * l * ey + noise * l);
                double nr = c1 * p[i] + c2 * r[i];
                q[i] = p[i];
                p[i] = np;
                r[i] = nr;
            }
        }
        double risk = 0;
        for (int i = 0; i < d; i++) risk += lam[i] * p[i];
        return 0.5 * risk;
    }

    /// <summary>The multiplier of a shape at step t of a horizon T, written from docs/math.md#schedule-specs.</summary>
    private static double Shape(ScheduleShape shape, int t, int steps)
    {
        int decay = Math.Max(1, steps / 5), stable = steps - decay;
        return shape switch
        {
            ScheduleShape.Constant => 1,
            ScheduleShape.Cosine => 0.5 * (1 + Math.Cos(Math.PI * t / steps)),
            _ => t < stable ? 1 : 1 - (t - stable) / (double)decay,
        };
    }

    private static double Risk(MethodFamily family, double batch, double lr, double beta, ScheduleShape shape, int steps) =>
        PlainRisk(Lam, Init, batch, M4, Noise, t => lr * Shape(shape, t, steps), steps, beta, family == MethodFamily.Nesterov);

    [Theory]
    [InlineData(MethodFamily.Sgd, ScheduleShape.Constant)]
    [InlineData(MethodFamily.Sgd, ScheduleShape.Wsd)]
    [InlineData(MethodFamily.Sgd, ScheduleShape.Cosine)]
    [InlineData(MethodFamily.Sgd, ScheduleShape.Optimal)]
    [InlineData(MethodFamily.HeavyBall, ScheduleShape.Wsd)]
    [InlineData(MethodFamily.HeavyBall, ScheduleShape.Optimal)]
    [InlineData(MethodFamily.Nesterov, ScheduleShape.Cosine)]
    public void The_tuned_schedule_and_its_risk_agree_with_a_plain_recursion(MethodFamily family, ScheduleShape shape)
    {
        const int steps = 60;
        var r = BatchScheduleTuning.AtHorizon(At(4), family, steps,
            new TunedScheduleOptions { Shape = shape, Knots = 20, MaxIterations = 30 });
        r.Steps.ShouldBe(steps);
        r.Batch.ShouldBe(4);
        r.Gradients.ShouldBe(240);
        double beta = r.Momentum ?? 0;
        (family == MethodFamily.Sgd).ShouldBe(r.Momentum is null);
        var lr = Enumerable.Range(0, steps).Select(t => r.Method.LrAt(t)).ToArray();
        for (int t = 0; t < steps; t++) r.Method.MomentumAt(t).ShouldBe(family == MethodFamily.Sgd ? double.NaN : beta);
        if (shape != ScheduleShape.Optimal)
            for (int t = 0; t < steps; t++) lr[t].ShouldBe(r.PeakLr * Shape(shape, t, steps), 1e-15 * r.PeakLr);
        else r.Schedule.ShouldBe("optimal");
        r.PeakLr.ShouldBe(lr.Max());
        double plain = PlainRisk(Lam, Init, 4, M4, Noise, t => lr[t], steps, beta, family == MethodFamily.Nesterov);
        TestSupport.RelErr(r.FinalRisk, plain).ShouldBeLessThan(1e-12);
        TestSupport.RelErr(r.InitialRisk, 0.5 * Lam.Zip(Init, (l, s) => l * s).Sum()).ShouldBeLessThan(1e-14);
        if (shape == ScheduleShape.Optimal)
        {
            // never worse than the tuned WSD it starts from
            var wsd = BatchScheduleTuning.AtHorizon(At(4), family, steps, new TunedScheduleOptions { Shape = ScheduleShape.Wsd });
            r.FinalRisk.ShouldBeLessThanOrEqualTo(wsd.FinalRisk);
        }
    }

    [Theory]
    [InlineData(MethodFamily.Sgd, ScheduleShape.Constant, 1)]
    [InlineData(MethodFamily.Sgd, ScheduleShape.Wsd, 8)]
    [InlineData(MethodFamily.Sgd, ScheduleShape.Cosine, 2)]
    [InlineData(MethodFamily.HeavyBall, ScheduleShape.Wsd, 4)]
    [InlineData(MethodFamily.Nesterov, ScheduleShape.Wsd, 16)]
    public void The_tuned_schedule_is_never_worse_than_a_brute_force_grid(MethodFamily family, ScheduleShape shape, double batch)
    {
        const int steps = 40;
        var r = BatchScheduleTuning.AtHorizon(At(batch), family, steps, new TunedScheduleOptions { Shape = shape });
        // 400 peak learning rates, log-spaced over [1e-3, 4]/λ_max; for momentum families × β on 0, 0.05, …, 0.95
        var betas = family == MethodFamily.Sgd ? [0.0] : Enumerable.Range(0, 20).Select(j => j * 0.05).ToArray();
        double best = double.PositiveInfinity;
        foreach (var b in betas)
            for (int k = 0; k < 400; k++)
            {
                double lr = 1e-3 * Math.Pow(4000, k / 399.0);
                double risk = Risk(family, batch, lr, b, shape, steps);
                if (double.IsFinite(risk)) best = Math.Min(best, risk);
            }
        r.FinalRisk.ShouldBeLessThanOrEqualTo(best * (1 + 1e-9));
    }

    [Theory]
    [InlineData(MethodFamily.Sgd, ScheduleShape.Wsd, 2)]
    [InlineData(MethodFamily.HeavyBall, ScheduleShape.Constant, 8)]
    public void The_fewest_steps_to_a_target_reach_it_and_one_step_fewer_does_not(MethodFamily family, ScheduleShape shape, double batch)
    {
        const double eps = 0.02;
        var r = BatchScheduleTuning.ToTarget(At(batch), family, eps, new TunedScheduleOptions { Shape = shape })!;
        r.ShouldNotBeNull();
        int steps = checked((int)r.Steps);
        var lr = Enumerable.Range(0, steps).Select(t => r.Method.LrAt(t)).ToArray();
        PlainRisk(Lam, Init, batch, M4, Noise, t => lr[t], steps, r.Momentum ?? 0, false).ShouldBeLessThanOrEqualTo(eps);
        // with one step fewer no peak lr (nor momentum) on a fine grid reaches ε
        var betas = family == MethodFamily.Sgd ? [0.0] : Enumerable.Range(0, 20).Select(j => j * 0.05).ToArray();
        foreach (var b in betas)
            for (int k = 0; k < 400; k++)
                Risk(family, batch, 1e-3 * Math.Pow(4000, k / 399.0), b, shape, steps - 1).ShouldBeGreaterThan(eps);
        var p = ScheduledCriticalBatch.Point(At(1), family, batch, new ScheduledBatchOptions { Target = eps, Schedule = new TunedScheduleOptions { Shape = shape } });
        p.Efficiency.ShouldBe(1 / (batch * steps));
    }

    [Theory]
    [InlineData(MethodFamily.Sgd, 1024)]
    [InlineData(MethodFamily.HeavyBall, 256)]
    public void The_critical_batch_is_the_hand_crossing_of_the_sweeps_own_values(MethodFamily family, double g)
    {
        const double f = 0.5;
        // heavy ball at a fixed momentum here (its tuning is checked against the brute-force grid above)
        var options = new ScheduledBatchOptions
        {
            Budget = g, Fraction = f,
            Schedule = new TunedScheduleOptions { Shape = ScheduleShape.Wsd, Momentum = family == MethodFamily.Sgd ? null : 0.6 },
        };
        var result = ScheduledCriticalBatch.Compute(At(1), family, options);
        double bc = result.CriticalBatch!.Value;
        var grid = Enumerable.Range(0, (int)Math.Log2(g) + 1).Select(j => Math.Pow(2, j)).ToArray();
        var sweep = ScheduledCriticalBatch.Sweep(At(1), [family], [.. grid, bc], options);
        double l0 = 0.5 * Lam.Zip(Init, (l, s) => l * s).Sum();
        // CE by hand: ln(L_0/L_T)/(B·T), T = ⌊G/B⌋, with L_T re-evaluated by the plain recursion
        double Ce(ScheduledBatchPoint p)
        {
            var t = p.Tuned!;
            t.Steps.ShouldBe((long)Math.Floor(g / p.Batch));
            var lr = Enumerable.Range(0, (int)t.Steps).Select(s => t.Method.LrAt(s)).ToArray();
            double risk = PlainRisk(Lam, Init, p.Batch, M4, Noise, s => lr[s], (int)t.Steps, t.Momentum ?? 0, false);
            double ce = Math.Log(l0 / risk) / (p.Batch * t.Steps);
            TestSupport.RelErr(p.Efficiency, ce).ShouldBeLessThan(1e-9);
            return ce;
        }
        double ce1 = Ce(sweep.Single(p => p.Batch == 1));
        result.SmallBatchEfficiency.ShouldBe(sweep.Single(p => p.Batch == 1).Efficiency);
        // the first grid point at or below f·CE(1) brackets the critical batch with the point before it
        int k = Array.FindIndex(grid, b => Ce(sweep.Single(p => p.Batch == b)) <= f * ce1);
        k.ShouldBeGreaterThan(0);
        bc.ShouldBeGreaterThan(grid[k - 1]);
        bc.ShouldBeLessThanOrEqualTo(grid[k]);
        // and at the critical batch itself CE has fallen to f·CE(1) (up to T = ⌊G/B⌋ being whole)
        Math.Abs(Ce(sweep.Single(p => p.Batch == bc)) / ce1 - f).ShouldBeLessThan(0.02);
        result.AtCritical!.Batch.ShouldBe(bc);
        result.Curve.Select(p => p.Batch).ShouldBeInOrder();
    }

    [Fact]
    public void A_one_step_optimal_schedule_is_the_best_single_step()
    {
        // the target search starts at T = 1, where the optimal schedule has one knot
        var r = BatchScheduleTuning.AtHorizon(At(2), MethodFamily.Sgd, 1, new TunedScheduleOptions { Shape = ScheduleShape.Optimal });
        r.Steps.ShouldBe(1);
        TestSupport.RelErr(r.FinalRisk, PlainRisk(Lam, Init, 2, M4, Noise, _ => r.PeakLr, 1, 0, false)).ShouldBeLessThan(1e-12);
        double best = Enumerable.Range(0, 2000).Min(k => Risk(MethodFamily.Sgd, 2, 1e-3 * Math.Pow(4000, k / 1999.0), 0, ScheduleShape.Constant, 1));
        r.FinalRisk.ShouldBeLessThanOrEqualTo(best * (1 + 1e-9));
    }

    [Fact]
    public void Bad_settings_name_the_quantity()
    {
        Should.Throw<InvalidInputException>(() => ScheduledCriticalBatch.Compute(At(1), MethodFamily.Sgd, new ScheduledBatchOptions()))
            .Message.ShouldContain("gradient budget and a target risk");
        Should.Throw<InvalidInputException>(() => ScheduledCriticalBatch.Compute(At(1), MethodFamily.Asgd, new ScheduledBatchOptions { Budget = 100 }))
            .Message.ShouldContain("family must be sgd, hb or nesterov");
        Should.Throw<InvalidInputException>(() => ScheduledCriticalBatch.Point(At(1), MethodFamily.Sgd, 200, new ScheduledBatchOptions { Budget = 100 }))
            .Message.ShouldContain("budget must be at least one batch");
        Should.Throw<InvalidInputException>(() => BatchScheduleTuning.ToTarget(At(1), MethodFamily.Sgd, 100))
            .Message.ShouldContain("not below the initial risk");
        Should.Throw<InvalidInputException>(() => ScheduleShapes.Parse("step")).Message.ShouldContain("schedule shape must be");
    }
}
