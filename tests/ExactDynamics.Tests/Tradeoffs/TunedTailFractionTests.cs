using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Tradeoffs;

/// <summary>
/// docs/math.md#tuned-tail-fraction: the tuner with <c>average=tail:F</c> on the family (F fixed or tuned jointly with
/// the step, final-risk objective) against brute-force grids over the window n = n_T(F) and the learning rate of tail
/// averages written out here — per-direction second moments of plain SGD (scalars) and heavy ball (dense 2 × 2 matrices
/// propagated by the mean map), the cross moments E[e_r e_s] by explicit powers of the mean map, and the window's double
/// sum Σ_{r,s} E[e_r e_s]/n² — no library method matrices, recursion or tail algorithm. F = 1 is the uniform average
/// from step 1.
/// </summary>
public class TunedTailFractionTests
{
    // λ_max = 4: the tuner works on the normalised problem and carries the step back to these units
    private static readonly double[] Lam = [4, 1.6, 0.4];
    private const double Batch = 2, M4 = 3, Noise = 0.3;
    private const int T = 30;

    private static Problem Problem() => new(Spectrum.FromValues(Lam), [1, 1, 1], Batch, M4, Noise);

    /// <summary>E L of the mean of the last n heavy-ball iterates after <paramref name="steps"/> steps, for every
    /// n = 1..steps (index n; β = 0 is SGD): per direction the 2 × 2 second moment of (e_t, e_{t−1}), the gradient
    /// noise v = η²(λ Σ_j λ_j E e_j² + (m4 − 2) λ² E e² + σ² λ)/B entering e only, and E[e_r e_s] = [T^{r−s} S_s]₀₀.</summary>
    internal static double[] WindowRisks(double eta, double beta, int steps)
    {
        int d = Lam.Length;
        var s = new double[steps + 1][]; // S_t per direction: (s00, s01, s11)
        s[0] = new double[3 * d];
        for (int i = 0; i < d; i++) { s[0][3 * i] = 1; s[0][3 * i + 1] = 1; s[0][3 * i + 2] = 1; }
        for (int t = 0; t < steps; t++)
        {
            double mu = 0;
            for (int j = 0; j < d; j++) mu += Lam[j] * s[t][3 * j];
            s[t + 1] = new double[3 * d];
            for (int i = 0; i < d; i++)
            {
                double l = Lam[i], a = 1 + beta - eta * l, b = -beta;
                double s00 = s[t][3 * i], s01 = s[t][3 * i + 1], s11 = s[t][3 * i + 2];
                double v = eta * eta * (l * mu + (M4 - 2) * l * l * s00 + Noise * l) / Batch;
                // x' = (a e + b e_prev, e): S' = T S Tᵀ + v e₁e₁ᵀ
                s[t + 1][3 * i] = a * a * s00 + 2 * a * b * s01 + b * b * s11 + v;
                s[t + 1][3 * i + 1] = a * s00 + b * s01;
                s[t + 1][3 * i + 2] = s00;
            }
        }
        // c[r][s] = Σ_i λ_i E[e_r e_s] for s ≤ r, by propagating the columns of S_s with the mean map
        var c = new double[steps + 1, steps + 1];
        for (int i = 0; i < d; i++)
        {
            double l = Lam[i], a = 1 + beta - eta * l, b = -beta;
            for (int s0 = 0; s0 <= steps; s0++)
            {
                // first row of T^{r−s} S_s: u = (E[e_r e_s], E[e_{r−1} e_s]) starting at r = s with (s00, s01)
                double x = s[s0][3 * i], y = s[s0][3 * i + 1];
                for (int r = s0; r <= steps; r++)
                {
                    c[r, s0] += l * x;
                    (x, y) = (a * x + b * y, x);
                }
            }
        }
        var risk = new double[steps + 1];
        for (int n = 1; n <= steps; n++)
        {
            int first = steps - n + 1;
            double w = 0;
            for (int r = first; r <= steps; r++)
                for (int q = first; q <= steps; q++) w += c[Math.Max(r, q), Math.Min(r, q)];
            risk[n] = 0.5 * w / ((double)n * n);
        }
        return risk;
    }

    /// <summary>The best (risk, lr, n) on a log grid of the step (and a β grid), every window n (or only
    /// <paramref name="onlyN"/>), then a golden-section polish of the step at the best (β, n).</summary>
    private static (double Risk, double Lr, int N, double SecondBestN) Brute(double[] betas, int? onlyN = null)
    {
        double best = double.PositiveInfinity, bestLr = 0, bestBeta = 0;
        int bestN = 0;
        var byN = new double[T + 1];
        Array.Fill(byN, double.PositiveInfinity);
        foreach (double beta in betas)
            for (int j = 0; j <= 240; j++)
            {
                double lr = Math.Exp(Math.Log(0.005) + j * (Math.Log(1.0) - Math.Log(0.005)) / 240);
                var r = WindowRisks(lr, beta, T);
                for (int n = 1; n <= T; n++)
                {
                    if (onlyN is int m && n != m || !double.IsFinite(r[n])) continue;
                    byN[n] = Math.Min(byN[n], r[n]);
                    if (r[n] < best) { best = r[n]; bestLr = lr; bestN = n; bestBeta = beta; }
                }
            }
        // polish the step at the best (β, n): golden section over one grid cell either side
        double lo = bestLr / Math.Exp(2 * Math.Log(200) / 240), hi = bestLr * Math.Exp(2 * Math.Log(200) / 240);
        double g = (Math.Sqrt(5) - 1) / 2;
        double Risk(double lr) { var r = WindowRisks(lr, bestBeta, T)[bestN]; return double.IsFinite(r) ? r : double.MaxValue; }
        for (int it = 0; it < 80; it++)
        {
            double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
            if (Risk(a) < Risk(b)) hi = b; else lo = a;
        }
        double polished = Risk(0.5 * (lo + hi));
        if (polished < best) { best = polished; bestLr = 0.5 * (lo + hi); }
        double second = byN.Where((x, n) => n != bestN).Min();
        return (best, bestLr, bestN, second);
    }

    private static TuneResult Tune(MethodFamily family, TuneModifiers mods) =>
        Tuner.Tune(Problem(), family, new TuneOptions { Objective = TuneObjective.FinalRisk, Steps = T, Modifiers = mods });

    [Fact]
    public void Tuned_fraction_and_step_of_sgd_match_a_brute_force_grid_over_the_window_and_the_step()
    {
        var brute = Brute([0]);
        var r = Tune(MethodFamily.Sgd, new TuneModifiers(TuneTail: true));
        double f = r.Parameters["tail"];
        TailAverage.WindowLength(f, T).ShouldBe(brute.N);
        (brute.SecondBestN / brute.Risk - 1).ShouldBeGreaterThan(1e-4); // the best window is well separated
        f.ShouldBe((double)brute.N / T, 1e-12);
        r.FinalRisk!.Value.ShouldBe(brute.Risk, 1e-7 * brute.Risk);
        r.Parameters["lr"].ShouldBe(brute.Lr, 2e-3 * brute.Lr);
        // the written-out risk of the returned spec, and the tail average beats the plain last iterate
        WindowRisks(r.Parameters["lr"], 0, T)[brute.N].ShouldBe(r.FinalRisk.Value, 1e-10 * r.FinalRisk.Value);
        r.Method.Spec.ShouldContain(",average=tail:");
        Tune(MethodFamily.Sgd, TuneModifiers.None).FinalRisk!.Value.ShouldBeGreaterThan(r.FinalRisk.Value * 1.2);
    }

    [Fact]
    public void Tuned_fraction_of_heavy_ball_is_at_least_as_good_as_a_brute_force_grid_over_window_step_and_momentum()
    {
        var betas = Enumerable.Range(0, 10).Select(j => 0.1 * j).ToArray();
        var brute = Brute(betas);
        var r = Tune(MethodFamily.HeavyBall, new TuneModifiers(TuneTail: true));
        double lr = r.Parameters["lr"], beta = r.Parameters["beta"];
        int n = (int)TailAverage.WindowLength(r.Parameters["tail"], T);
        // the reported final risk is the written-out one of the returned (lr, β, n) ...
        WindowRisks(lr, beta, T)[n].ShouldBe(r.FinalRisk!.Value, 1e-10 * r.FinalRisk.Value);
        // ... and no grid point (polished in the step) beats it by more than the search tolerance
        r.FinalRisk.Value.ShouldBeLessThanOrEqualTo(brute.Risk * (1 + 1e-6));
    }

    [Fact]
    public void A_fixed_fraction_tunes_the_step_for_that_window()
    {
        var brute = Brute([0], onlyN: 8);
        var r = Tune(MethodFamily.Sgd, new TuneModifiers(Tail: 0.25)); // n_30 = ⌈7.5⌉ = 8
        r.Parameters["tail"].ShouldBe(0.25);
        r.FinalRisk!.Value.ShouldBe(brute.Risk, 1e-7 * brute.Risk);
        r.Parameters["lr"].ShouldBe(brute.Lr, 2e-3 * brute.Lr);
    }

    [Fact]
    public void Fraction_one_is_the_uniform_average_from_step_one()
    {
        var r = Tune(MethodFamily.HeavyBall, new TuneModifiers(Tail: 1));
        double lr = r.Parameters["lr"], beta = r.Parameters["beta"];
        var uniform = new ScheduledMethod(MethodTemplate.HeavyBall(lr, beta).With(new MethodModifiers(UniformFrom: 1)));
        RiskRecursion.FinalRisk(Problem(), uniform, T).ShouldBe(r.FinalRisk!.Value, 1e-10 * r.FinalRisk.Value);
        WindowRisks(lr, beta, T)[T].ShouldBe(r.FinalRisk.Value, 1e-10 * r.FinalRisk.Value);
    }

    [Theory]
    [InlineData(TuneObjective.Gap)]
    [InlineData(TuneObjective.Iterations)]
    public void The_gap_and_iterations_objectives_refuse_a_tail_average_with_one_sentence(TuneObjective objective)
    {
        var e = Should.Throw<InvalidInputException>(() => Tuner.Tune(Problem(), MethodFamily.Sgd,
            new TuneOptions { Objective = objective, Target = 0.1, Modifiers = new TuneModifiers(TuneTail: true) }));
        e.Message.ShouldBe(ModifiedTuning.TailNeedsBudget);
        e.Message.TrimEnd('.').ShouldNotContain(". ");
    }

    [Fact]
    public void A_tail_average_with_an_ema_or_a_fraction_outside_0_1_is_refused()
    {
        Should.Throw<InvalidInputException>(() => new TuneModifiers(Ema: 0.9, TuneTail: true).Validate()).Message.ShouldContain("give one of them");
        Should.Throw<InvalidInputException>(() => new TuneModifiers(Tail: 1.5).Validate()).Message.ShouldContain("(0, 1]");
        Should.Throw<InvalidInputException>(() => new TuneModifiers(Tail: -0.5).Validate()).Message.ShouldContain("(0, 1]");
    }
}
