using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tests.Oracles;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Schedules;

/// <summary>
/// Batch-size schedules at a fixed gradient budget (docs/math.md#optimal-batch-schedules), checked against computations
/// written here: the monotone ramp's formula; the gradient with respect to B_t and through the ramp's parameters against
/// forward-mode dual numbers through a plain heavy-ball recursion (1e-12) and central differences of it (1e-6); the
/// optimum's risk re-evaluated by that recursion and never worse than a constant batch with the learning rate tuned here.
/// </summary>
public class BatchScheduleTests
{
    /// <summary>E L_T of heavy ball (β = 0: SGD) with per-step η_t and B_t, blocks of (e_t, e_{t−1}), start e_0 = e_{−1}.</summary>
    private static Dual PlainRisk(double[] lam, double[] init, double m4, double noise, double beta, IReadOnlyList<double> lr, IReadOnlyList<Dual> batch)
    {
        int d = lam.Length;
        var p = init.Select(x => (Dual)x).ToArray();
        var r = init.Select(x => (Dual)x).ToArray();
        var q = init.Select(x => (Dual)x).ToArray();
        for (int t = 0; t < lr.Count; t++)
        {
            double eta = lr[t];
            Dual mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * p[i];
            for (int i = 0; i < d; i++)
            {
                double l = lam[i], a = 1 + beta - eta * l;
                Dual noiseTerm = eta * eta * (l * mu + (m4 - 2) * l * l * p[i] + noise * l) / batch[t];
                Dual np = a * a * p[i] - 2 * a * beta * r[i] + beta * beta * q[i] + noiseTerm;
                Dual nr = a * p[i] - beta * r[i];
                q[i] = p[i];
                p[i] = np;
                r[i] = nr;
            }
        }
        Dual risk = 0;
        for (int i = 0; i < d; i++) risk += lam[i] * p[i];
        return 0.5 * risk;
    }

    private static double PlainRisk(double[] lam, double[] init, double m4, double noise, double beta, IReadOnlyList<double> lr, IReadOnlyList<double> batch) =>
        PlainRisk(lam, init, m4, noise, beta, lr, batch.Select(b => (Dual)b).ToArray()).V;

    /// <summary>The ramp as docs/math.md#optimal-batch-schedules defines it, in dual numbers: knots τ_j = (T − 1) j/(K − 1),
    /// H_0 = 0, H_j = H_{j−1} + softplus(δ_{j−1}), h linear between knots, B_t = B_min + (G/T − B_min) e^{h_t}/mean(e^h).</summary>
    private static Dual[] Ramp(Dual[] delta, int steps, double budget, double minBatch)
    {
        int k = delta.Length + 1;
        var h = new Dual[k];
        h[0] = 0;
        for (int j = 1; j < k; j++) h[j] = h[j - 1] + Dual.Softplus(delta[j - 1]);
        var e = new Dual[steps];
        Dual sum = 0;
        for (int t = 0; t < steps; t++)
        {
            double pos = t * (k - 1) / (double)(steps - 1);
            int j = Math.Min((int)Math.Floor(pos), k - 2);
            double w = pos - j;
            e[t] = Dual.Exp((1 - w) * h[j] + w * h[j + 1]);
            sum += e[t];
        }
        Dual mean = sum / steps;
        return e.Select(x => minBatch + (budget / steps - minBatch) * x / mean).ToArray();
    }

    private static (double[] Lam, double[] Init, Problem Problem) Case(int d, int seed, double noise = 0.08, double m4 = 2.4)
    {
        var rng = new Random(seed);
        var lam = TestSupport.RandomSpectrum(rng, d, 0.01, 1);
        var init = lam.Select(_ => 0.3 + rng.NextDouble()).ToArray();
        return (lam, init, new Problem(Spectrum.FromValues(lam), init, 1, m4, noise));
    }

    [Fact]
    public void The_ramp_spends_the_budget_exactly_is_monotone_and_follows_its_formula()
    {
        var rng = new Random(4);
        foreach (var (steps, knots) in new[] { (50, 6), (7, 16), (1000, 16), (2, 2) })
        {
            var shape = new MonotoneBatchShape(steps, 900.0 * steps / 50, 2, knots);
            var delta = Enumerable.Range(0, shape.Parameters).Select(_ => 3 * rng.NextDouble() - 2.5).ToArray();
            var b = shape.Expand(delta);
            b.Length.ShouldBe(steps);
            TestSupport.RelErr(b.Sum(), 900.0 * steps / 50).ShouldBeLessThan(1e-12);
            b.ShouldAllBe(x => x >= 2);
            for (int t = 1; t < steps; t++) b[t].ShouldBeGreaterThanOrEqualTo(b[t - 1]);
            var expected = Ramp(delta.Select(x => (Dual)x).ToArray(), steps, 900.0 * steps / 50, 2);
            TestSupport.WorstRelErr(b, expected.Select(x => x.V).ToArray()).ShouldBeLessThan(1e-13);
        }
    }

    [Theory]
    [InlineData(0.0, 3)]
    [InlineData(0.6, 8)]
    public void The_gradient_through_the_batch_ramp_matches_dual_numbers_and_central_differences(double beta, int seed)
    {
        const int steps = 25;
        const double budget = 160, minBatch = 1.5;
        var (lam, init, problem) = Case(6, seed);
        var rng = new Random(seed + 1);
        var lr = Enumerable.Range(0, steps).Select(_ => 0.3 + 0.5 * rng.NextDouble()).ToArray();
        var template = beta == 0 ? MethodTemplate.Sgd(0.5) : MethodTemplate.HeavyBall(0.5, beta);
        double[]? mom = beta == 0 ? null : Enumerable.Repeat(beta, steps).ToArray();
        var shape = new MonotoneBatchShape(steps, budget, minBatch, 5);
        var delta = Enumerable.Range(0, shape.Parameters).Select(_ => 2 * rng.NextDouble() - 1.5).ToArray();
        var batch = shape.Expand(delta);
        var g = ScheduleGradient.Compute(problem, template, lr, mom, batch);
        TestSupport.RelErr(g.Risk, PlainRisk(lam, init, 2.4, 0.08, beta, lr, batch)).ShouldBeLessThan(1e-13);

        // ∂E L_T/∂B_t: dual numbers through the plain recursion (1e-12) and central differences of it (1e-6)
        for (int t = 0; t < steps; t++)
        {
            var seeded = batch.Select((b, s) => new Dual(b, s == t ? 1 : 0)).ToArray();
            TestSupport.RelErr(g.Batch[t], PlainRisk(lam, init, 2.4, 0.08, beta, lr, seeded).D).ShouldBeLessThan(1e-12);
            double h = 1e-5 * batch[t];
            var up = (double[])batch.Clone(); up[t] += h;
            var down = (double[])batch.Clone(); down[t] -= h;
            double fd = (PlainRisk(lam, init, 2.4, 0.08, beta, lr, up) - PlainRisk(lam, init, 2.4, 0.08, beta, lr, down)) / (2 * h);
            TestSupport.RelErr(g.Batch[t], fd).ShouldBeLessThan(1e-6);
        }

        // ∂E L_T/∂δ_i through the ramp: the library's chain rule against the test's ramp and recursion in dual numbers, and central differences
        var chained = new double[shape.Parameters];
        shape.Chain(delta, g.Batch, chained);
        for (int i = 0; i < shape.Parameters; i++)
        {
            var seeded = delta.Select((x, j) => new Dual(x, j == i ? 1 : 0)).ToArray();
            double dual = PlainRisk(lam, init, 2.4, 0.08, beta, lr, Ramp(seeded, steps, budget, minBatch)).D;
            TestSupport.RelErr(chained[i], dual).ShouldBeLessThan(1e-12);
            double Risk(double shift)
            {
                var x = delta.Select((v, j) => (Dual)(j == i ? v + shift : v)).ToArray();
                return PlainRisk(lam, init, 2.4, 0.08, beta, lr, Ramp(x, steps, budget, minBatch).Select(b => b.V).ToArray());
            }
            TestSupport.RelErr(chained[i], (Risk(1e-5) - Risk(-1e-5)) / 2e-5).ShouldBeLessThan(1e-6);
        }
    }

    /// <summary>The best E L_T of a constant learning rate at a constant batch, by a log grid and golden section written here.</summary>
    private static double TunedConstant(double[] lam, double[] init, double batch, int steps)
    {
        var b = Enumerable.Repeat(batch, steps).ToArray();
        double F(double logLr)
        {
            double r = PlainRisk(lam, init, 2.4, 0.08, 0, Enumerable.Repeat(Math.Exp(logLr), steps).ToArray(), b);
            return double.IsFinite(r) ? r : double.PositiveInfinity;
        }
        var grid = Enumerable.Range(0, 41).Select(i => Math.Log(1e-3) + i * (Math.Log(4e3) / 40)).ToArray();
        int best = Enumerable.Range(0, 41).MinBy(i => F(grid[i]));
        double lo = grid[Math.Max(0, best - 1)], hi = grid[Math.Min(40, best + 1)];
        for (int it = 0; it < 60; it++)
        {
            double m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3;
            if (F(m1) < F(m2)) hi = m2; else lo = m1;
        }
        return Math.Min(F(grid[best]), F((lo + hi) / 2));
    }

    [Fact]
    public void The_optimal_ramp_is_exact_spends_the_budget_and_is_never_worse_than_a_constant_batch()
    {
        var (lam, init, _) = Case(12, 21, noise: 0.2);
        var problem = new Problem(Spectrum.FromValues(lam), init, 1, 2.4, 0.2);
        const double budget = 800;
        var options = new BatchScheduleOptions(new ScheduleOptimizationOptions(Knots: 20, MaxIterations: 30), BatchKnots: 8);
        var r = BatchSchedules.Compare(problem, lr => MethodTemplate.Sgd(lr), budget, t => [null, Schedule.Wsd(0, t - t / 5, Math.Max(1, t / 5))], options);

        // every strategy's risk, re-evaluated by the plain recursion with its learning rates and batches
        foreach (var s in r.Constants.Concat(r.Ramps).Append(r.Optimal))
        {
            s.Batch.Length.ShouldBe(s.Steps);
            s.Schedule.Lr.Length.ShouldBe(s.Steps);
            TestSupport.RelErr(s.FinalRisk, PlainRisk(lam, init, 2.4, 0.2, 0, s.Schedule.Lr, s.Batch)).ShouldBeLessThan(1e-12);
            s.Batch.Sum().ShouldBeLessThanOrEqualTo(budget * (1 + 1e-12));
            s.Batch.ShouldAllBe(b => b >= 1);
            for (int t = 1; t < s.Steps; t++) s.Batch[t].ShouldBeGreaterThanOrEqualTo(s.Batch[t - 1]);
        }
        // constant batches 1, 2, 4, … for ⌊G/B⌋ steps; doubling ramps as the ramp command defines them
        for (int i = 0; i < r.Constants.Count; i++)
        {
            r.Constants[i].Steps.ShouldBe((int)(budget / Math.Pow(2, i)));
            r.Constants[i].Batch.ShouldAllBe(b => b == Math.Pow(2, i));
        }
        r.Ramps.Count.ShouldBe(3);
        foreach (var ramp in r.Ramps)
        {
            long n = long.Parse(ramp.Name.Split(' ')[3]);
            var expected = new List<double>();
            double cost = 0;
            for (int t = 0; cost + Math.Pow(2, t / n) <= budget; t++) { expected.Add(Math.Pow(2, t / n)); cost += expected[^1]; }
            ramp.Batch.ShouldBe(expected.ToArray());
        }
        // never worse than any constant batch with its learning rate tuned here, nor than the best constant batch's optimised schedule
        r.Optimal.FinalRisk.ShouldBeLessThanOrEqualTo(r.Constants.Min(c => c.FinalRisk));
        foreach (double b in new[] { 1.0, 2, 4, 8, 16, 32 })
            r.Optimal.FinalRisk.ShouldBeLessThanOrEqualTo(TunedConstant(lam, init, b, (int)(budget / b)));
        if (!r.OptimalIsConstant)
        {
            r.Optimal.Kind.ShouldBe("optimal");
            r.Optimal.FinalRisk.ShouldBeLessThan(r.BestConstant.FinalRisk);
            TestSupport.RelErr(r.Optimal.Batch.Sum(), budget).ShouldBeLessThan(1e-12); // the optimised ramp spends G exactly
        }
        else r.Optimal.ShouldBe(r.BestConstant);
    }

    [Fact]
    public void At_equal_steps_and_samples_the_optimised_ramp_beats_the_constant_batch_with_its_optimal_schedule()
    {
        var (lam, init, problem) = Case(12, 21, noise: 0.2);
        const int steps = 100;
        const double budget = 800; // mean batch 8
        var options = new ScheduleOptimizationOptions(Knots: 20, MaxIterations: 40);
        Func<double, MethodTemplate> sgd = lr => MethodTemplate.Sgd(lr);
        var flat = ScheduleOptimizer.Optimize(problem, sgd, steps, [null], options, BatchPlan.Of(Enumerable.Repeat(8.0, steps).ToArray()));
        var ramp = ScheduleOptimizer.Optimize(problem, sgd, steps, [null], options, BatchPlan.Ramp(budget, 1, 8));
        flat.Batch!.ShouldAllBe(b => b == 8);
        TestSupport.RelErr(flat.FinalRisk, PlainRisk(lam, init, 2.4, 0.2, 0, flat.Lr, flat.Batch!)).ShouldBeLessThan(1e-12);
        TestSupport.RelErr(ramp.FinalRisk, PlainRisk(lam, init, 2.4, 0.2, 0, ramp.Lr, ramp.Batch!)).ShouldBeLessThan(1e-12);
        TestSupport.RelErr(ramp.Batch!.Sum(), budget).ShouldBeLessThan(1e-12);
        ramp.Batch!.ShouldAllBe(b => b >= 1);
        for (int t = 1; t < steps; t++) ramp.Batch![t].ShouldBeGreaterThanOrEqualTo(ramp.Batch![t - 1]);
        ramp.UsedBaseline.ShouldBeFalse();
        ramp.Batch![^1].ShouldBeGreaterThan(2 * ramp.Batch![0], string.Join(",", ramp.Batch!));
        ramp.FinalRisk.ShouldBeLessThan(flat.FinalRisk, $"{ramp.FinalRisk} {flat.FinalRisk}");
    }

    [Theory]
    [InlineData(1e-150)]
    [InlineData(1e150)]
    public void Optimising_is_scale_invariant(double s)
    {
        var (lam, init, problem) = Case(10, 5, noise: 0.1);
        var scaled = new Problem(Spectrum.FromValues(lam.Select(l => l * s).ToArray()), init, 2, 2.4, 0.1 * s);
        var options = new ScheduleOptimizationOptions(Knots: 12, MaxIterations: 25, LrMin: 1e-3, LrMax: 4);
        Schedule?[] baselines = [null, Schedule.Cosine(80)];
        foreach (var (family, beta) in new[] { ("sgd", 0.0), ("hb", 0.7) })
        {
            Func<double, MethodTemplate> make = family == "sgd" ? lr => MethodTemplate.Sgd(lr) : lr => MethodTemplate.HeavyBall(lr, beta);
            var one = ScheduleOptimizer.Optimize(new Problem(Spectrum.FromValues(lam), init, 2, 2.4, 0.1), make, 80, baselines, options);
            var far = ScheduleOptimizer.Optimize(scaled, make, 80, baselines, options with { LrMin = 1e-3 / s, LrMax = 4 / s });
            far.UsedBaseline.ShouldBe(one.UsedBaseline);
            TestSupport.RelErr(far.FinalRisk / s, one.FinalRisk).ShouldBeLessThan(1e-9);
            TestSupport.WorstRelErr(far.Lr.Select(x => x * s).ToArray(), one.Lr).ShouldBeLessThan(1e-6);
            far.Tail.Exponent.ShouldBe(one.Tail.Exponent, 1e-6);
            // the reported risk is the scaled problem's own, by the plain recursion in the user's units
            var b = Enumerable.Repeat(2.0, 80).ToArray();
            TestSupport.RelErr(far.FinalRisk, PlainRisk(lam.Select(l => l * s).ToArray(), init, 2.4, 0.1 * s, beta, far.Lr, b)).ShouldBeLessThan(1e-12);

            // the gradient itself: E L' = s E L, ∂E L'/∂lr' = s² ∂E L/∂lr, ∂E L'/∂B = s ∂E L/∂B
            var lr = one.Lr;
            var g1 = ScheduleGradient.Compute(problem, make(1), lr, null, b);
            var gs = ScheduleGradient.Compute(scaled, make(1), lr.Select(x => x / s).ToArray(), null, b);
            TestSupport.RelErr(gs.Risk / s, g1.Risk).ShouldBeLessThan(1e-12);
            TestSupport.WorstScaledErr(gs.Lr!.Select(x => x / s / s).ToArray(), g1.Lr!, g1.Lr!.Select(x => 1e-9 * g1.Lr!.Max(Math.Abs)).ToArray()).ShouldBeLessThan(1e-9);
            TestSupport.WorstScaledErr(gs.Batch.Select(x => x / s).ToArray(), g1.Batch, g1.Batch.Select(x => 1e-9 * g1.Batch.Max(Math.Abs)).ToArray()).ShouldBeLessThan(1e-9);
        }

        // the joint search with an optimised batch ramp too
        var plan = BatchPlan.Ramp(400, 2, 6);
        var rampOne = ScheduleOptimizer.Optimize(new Problem(Spectrum.FromValues(lam), init, 2, 2.4, 0.1), lr => MethodTemplate.Sgd(lr), 80, [null], options, plan);
        var rampFar = ScheduleOptimizer.Optimize(scaled, lr => MethodTemplate.Sgd(lr), 80, [null], options with { LrMin = 1e-3 / s, LrMax = 4 / s }, plan);
        TestSupport.RelErr(rampFar.FinalRisk / s, rampOne.FinalRisk).ShouldBeLessThan(1e-9);
        TestSupport.WorstRelErr(rampFar.Batch!, rampOne.Batch!).ShouldBeLessThan(1e-6);
    }
}
