using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Schedules;

/// <summary>
/// The schedule optimiser: its reported risks are checked against a plain SGD / heavy-ball recursion written here; it is
/// never worse than the tuned baselines; the search on a binned spectrum still reports exact risks; multiplicities in
/// the adjoint kernel equal repeated directions; the tail fit recovers a known exponent.
/// </summary>
public class ScheduleOptimizerTests
{
    /// <summary>E L_T of heavy ball (β = 0 is SGD) with per-step η_t, β_t: docs/math.md#scheduled-recursion written out for the state (w, w_prev).</summary>
    private static double PlainRisk(double[] lam, double[] init, int batch, double m4, double noise, double[] lr, double[]? beta, double fixedBeta)
    {
        int d = lam.Length;
        // blocks [[p, r], [r, q]] of (e_t, e_{t−1}); start e_0 = e_{−1}
        var p = (double[])init.Clone();
        var r = (double[])init.Clone();
        var q = (double[])init.Clone();
        for (int t = 0; t < lr.Length; t++)
        {
            double eta = lr[t], b = beta?[t] ?? fixedBeta;
            double mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * p[i];
            for (int i = 0; i < d; i++)
            {
                double l = lam[i], a = 1 + b - eta * l; // e' = a e − b e_prev − η ξ
                double noiseTerm = eta * eta / batch * (l * mu + (m4 - 2) * l * l * p[i] + noise * l);
                double np = a * a * p[i] - 2 * a * b * r[i] + b * b * q[i] + noiseTerm;
                double nr = a * p[i] - b * r[i];
                q[i] = p[i];
                p[i] = np;
                r[i] = nr;
            }
        }
        double risk = 0;
        for (int i = 0; i < d; i++) risk += lam[i] * p[i];
        return 0.5 * risk;
    }

    private static readonly Schedule?[] Baselines = [null, Schedule.Step(50, 0.5), Schedule.Cosine(200), Schedule.Wsd(0, 160, 40)];

    [Theory]
    [InlineData("sgd", 1000)]
    [InlineData("hb", 1000)]
    [InlineData("sgd", 12)]
    public void The_optimum_is_never_worse_than_the_tuned_baselines_and_its_risk_is_exact(string family, int bins)
    {
        var lam = Enumerable.Range(1, 40).Select(i => 1.0 / i).ToArray();
        var init = lam.Select((_, i) => 1.0 / Math.Sqrt(i + 1)).ToArray();
        var problem = new Problem(Spectrum.FromValues(lam), init, 4, 2.2, 0.1);
        Func<double, MethodTemplate> make = family == "sgd" ? lr => MethodTemplate.Sgd(lr) : lr => MethodTemplate.HeavyBall(lr, 0.8);
        double beta = family == "sgd" ? 0 : 0.8;
        var r = ScheduleOptimizer.Optimize(problem, make, 200, Baselines,
            new ScheduleOptimizationOptions(Knots: 40, SearchBins: bins, MaxIterations: 40, LrMin: 1e-3, LrMax: 4));
        if (bins >= 40) r.SearchBlocks.ShouldBe(40);
        else r.SearchBlocks.ShouldBeLessThanOrEqualTo(bins);
        r.Lr.Length.ShouldBe(200);
        TestSupport.RelErr(r.FinalRisk, PlainRisk(lam, init, 4, 2.2, 0.1, r.Lr, null, beta)).ShouldBeLessThan(1e-12);
        r.Baselines.Count.ShouldBe(4);
        foreach (var b in r.Baselines)
        {
            var m = new ScheduledMethod(make(b.BaseLr), b.Schedule);
            var lr = Enumerable.Range(0, 200).Select(t => m.LrAt(t)).ToArray();
            TestSupport.RelErr(b.FinalRisk, PlainRisk(lam, init, 4, 2.2, 0.1, lr, null, beta)).ShouldBeLessThan(1e-12);
            r.FinalRisk.ShouldBeLessThanOrEqualTo(b.FinalRisk);
        }
        // with label noise at a fixed budget a free schedule beats every family here by a visible margin
        r.UsedBaseline.ShouldBeFalse();
        r.FinalRisk.ShouldBeLessThan(0.99 * r.Baselines.Min(b => b.FinalRisk));
        if (bins >= 40)
        {
            // without compression the baselines are exactly the schedules command's tuning
            var cosine = ScheduleTuning.TuneBaseLr(problem, make, Baselines[2], 200, 1e-3, 4);
            r.Baselines[2].BaseLr.ShouldBe(cosine.BaseLr);
            TestSupport.RelErr(r.Baselines[2].FinalRisk, cosine.FinalRisk).ShouldBeLessThan(1e-15); // the tuner reports exp(log E L_T)
        }
    }

    [Fact]
    public void Optimising_the_momentum_too_keeps_it_in_range_and_does_at_least_as_well()
    {
        var lam = Enumerable.Range(1, 30).Select(i => Math.Pow(i, -1.5)).ToArray();
        var problem = new Problem(Spectrum.FromValues(lam), null, 2, 3, 0.05);
        Func<double, MethodTemplate> make = lr => MethodTemplate.HeavyBall(lr, 0.5);
        var options = new ScheduleOptimizationOptions(Knots: 30, MaxIterations: 40, LrMin: 1e-3, LrMax: 4);
        var lrOnly = ScheduleOptimizer.Optimize(problem, make, 200, Baselines, options);
        var both = ScheduleOptimizer.Optimize(problem, make, 200, Baselines, options with { Momentum = true });
        both.Momentum.ShouldNotBeNull();
        both.Momentum!.ShouldAllBe(b => b >= 0 && b < 1);
        TestSupport.RelErr(both.FinalRisk, PlainRisk(lam, Enumerable.Repeat(1.0, 30).ToArray(), 2, 3, 0.05, both.Lr, both.Momentum, 0))
            .ShouldBeLessThan(1e-12);
        both.FinalRisk.ShouldBeLessThanOrEqualTo(both.Baselines.Min(b => b.FinalRisk));
        // a larger search space from the same start: not worse than the learning rate alone by more than the search's slack
        both.FinalRisk.ShouldBeLessThan(1.02 * lrOnly.FinalRisk);
    }

    [Fact]
    public void Multiplicities_in_the_adjoint_kernel_equal_repeated_directions()
    {
        // directions repeated 1, 3 and 2 times (same λ, same s): one weighted block each
        double[] lam = [1.0, 0.3, 0.05], init = [0.7, 1.3, 2.0], weight = [1, 3, 2];
        var full = new List<double>();
        var fullInit = new List<double>();
        for (int i = 0; i < 3; i++) for (int n = 0; n < weight[i]; n++) { full.Add(lam[i]); fullInit.Add(init[i]); }
        var problem = new Problem(Spectrum.FromValues(full.ToArray()), fullInit.ToArray(), 3, 1.6, 0.2);
        var method = ExactDynamics.Methods.HeavyBall.Create(0.4, 0.7);
        var rng = new Random(3);
        var batches = Enumerable.Range(0, 31).Select(_ => 1 + 3 * rng.NextDouble()).ToArray();
        var expanded = StepGradients.Compute(problem, t => (method, batches[t]), 30);
        var weighted = StepGradients.Compute(WeightedDirections.From(lam, weight, init), 1.6, 0.2, t => (method, batches[t]), 30,
            StepGradients.StoredDoublesBudget, gradient: true);
        TestSupport.RelErr(weighted.Risk, expanded.Risk).ShouldBeLessThan(1e-13);
        for (int t = 0; t < 30; t++)
        {
            TestSupport.RelErr(weighted.DBatch(t), expanded.DBatch(t)).ShouldBeLessThan(1e-12);
            for (int p = 0; p < 2; p++)
            {
                TestSupport.RelErr(weighted.Db(t, p), expanded.Db(t, p)).ShouldBeLessThan(1e-12);
                Math.Abs(weighted.Dc(t, p) - expanded.Dc(t, p)).ShouldBeLessThan(1e-12 * Math.Abs(expanded.Dc(t, 0)) + 1e-300);
                for (int q = 0; q < 2; q++) TestSupport.RelErr(weighted.DA(t, p, q), expanded.DA(t, p, q)).ShouldBeLessThan(1e-12);
            }
        }
    }

    [Fact]
    public void Binning_keeps_the_initial_risk_and_every_direction()
    {
        var lam = Enumerable.Range(1, 500).Select(i => Math.Pow(i, -1.2)).ToArray();
        var init = lam.Select((_, i) => Math.Pow(i + 1, -0.5)).ToArray();
        var problem = new Problem(Spectrum.FromValues(lam), init, 1);
        var w = WeightedDirections.Compress(problem, 64);
        w.Count.ShouldBeLessThanOrEqualTo(64);
        w.Weight.Sum().ShouldBe(500);
        double risk0 = 0;
        for (int i = 0; i < w.Count; i++) risk0 += w.WeightedLambda[i] * w.Initial[i];
        TestSupport.RelErr(risk0, lam.Zip(init, (l, s) => l * s).Sum()).ShouldBeLessThan(1e-13);
        w.Lambda[0].ShouldBe(1.0);
    }

    [Fact]
    public void The_tail_fit_recovers_a_known_exponent()
    {
        const int T = 1000;
        var lr = Enumerable.Range(0, T).Select(t => 0.3 * Math.Pow(1 - t / (double)T, 1.7)).ToArray();
        var fit = TailFit.Of(lr, 0.2);
        fit.From.ShouldBe(800);
        fit.Exponent.ShouldBe(1.7, 1e-10);
        fit.RSquared.ShouldBe(1, 1e-12);
    }

    [Fact]
    public void Bad_settings_name_the_quantity()
    {
        var problem = new Problem(Spectrum.FromValues([1.0, 0.1]), null, 1);
        Should.Throw<InvalidInputException>(() => ScheduleOptimizer.Optimize(problem, lr => MethodTemplate.Sgd(lr), 10, Baselines,
            new ScheduleOptimizationOptions(Momentum: true))).Message.ShouldContain("momentum");
        Should.Throw<InvalidInputException>(() => ScheduleOptimizer.Optimize(problem, lr => MethodTemplate.Sgd(lr), 0, Baselines)).Message.ShouldContain("steps");
        Should.Throw<InvalidInputException>(() => ScheduleOptimizer.Optimize(problem, lr => MethodTemplate.Sgd(lr), 10, [])).Message.ShouldContain("baseline");
    }
}
