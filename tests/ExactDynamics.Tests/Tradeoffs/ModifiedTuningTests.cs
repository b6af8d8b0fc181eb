using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;
using MathNet.Numerics.LinearAlgebra;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests.Tradeoffs;

/// <summary>
/// docs/math.md#tuning-modifiers: the tuner with an EMA and weight decay on the family, fixed or tuned, against brute-force
/// grid scans written here: the exact final risk, iteration count or gap evaluated on a fine grid with plain per-direction
/// recursions written from the update rules (no library method matrices, no library recursion).
/// </summary>
public class ModifiedTuningTests
{
    private static readonly double[] Lam = Enumerable.Range(1, 12).Select(i => 1.0 / i).ToArray();

    private static Problem Noisy(double batch = 1, double noise = 0.05) =>
        new(Spectrum.FromValues(Lam), Enumerable.Repeat(1.0, Lam.Length).ToArray(), batch, 3, noise);

    /// <summary>SGD with an EMA w̄ ← τw̄ + (1 − τ)w after each step: E L(w̄_T), from E e², E e ē, E ē² per direction.</summary>
    internal static double SgdEma(double[] lam, double[] s, double batch, double m4, double sigma2, double eta, double tau, int steps,
        double? target = null, List<double>? curve = null)
    {
        int d = lam.Length;
        var ee = (double[])s.Clone(); var ea = (double[])s.Clone(); var aa = (double[])s.Clone();
        double Risk() { double r = 0; for (int i = 0; i < d; i++) r += lam[i] * aa[i]; return 0.5 * r; }
        curve?.Add(Risk());
        for (int t = 1; t <= steps; t++)
        {
            double mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * ee[i];
            for (int i = 0; i < d; i++)
            {
                double l = lam[i], a = 1 - eta * l;
                double v = eta * eta * (l * mu + (m4 - 2) * l * l * ee[i] + sigma2 * l) / batch;
                double eeNew = a * a * ee[i] + v;         // E e'²
                double cross = a * ea[i];                 // E[e' ē]
                aa[i] = tau * tau * aa[i] + 2 * tau * (1 - tau) * cross + (1 - tau) * (1 - tau) * eeNew;
                ea[i] = tau * cross + (1 - tau) * eeNew;
                ee[i] = eeNew;
            }
            double r = Risk();
            curve?.Add(r);
            if (!double.IsFinite(r)) return double.PositiveInfinity;
            if (target is double eps && r <= eps) return t;
        }
        return target is null ? Risk() : double.PositiveInfinity;
    }

    /// <summary>SGD with coupled weight decay from w_0 = 0: e' = e − η(ĝ(e) + λ_wd(e + w*)); E L_T from E e², E e w*.</summary>
    internal static double SgdDecay(double[] lam, double[] s, double batch, double m4, double sigma2, double eta, double wd, int steps)
    {
        int d = lam.Length;
        var ee = (double[])s.Clone();
        var ew = s.Select(x => -x).ToArray();
        for (int t = 1; t <= steps; t++)
        {
            double mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * ee[i];
            for (int i = 0; i < d; i++)
            {
                double l = lam[i], a = 1 - eta * (l + wd), c = -eta * wd;
                double v = eta * eta * (l * mu + (m4 - 2) * l * l * ee[i] + sigma2 * l) / batch;
                double eeNew = a * a * ee[i] + 2 * a * c * ew[i] + c * c * s[i] + v;
                ew[i] = a * ew[i] + c * s[i];
                ee[i] = eeNew;
            }
        }
        double r = 0;
        for (int i = 0; i < d; i++) r += lam[i] * ee[i];
        return double.IsFinite(r) ? 0.5 * r : double.PositiveInfinity;
    }

    /// <summary>A grid over two log-coordinates, then three 11 × 11 zooms around the best point; returns (min, x, y).</summary>
    private static (double F, double X, double Y) GridMin(Func<double, double, double> f, double x0, double x1, double y0, double y1, int n)
    {
        double best = double.PositiveInfinity, bx = x0, by = y0;
        double hx = (x1 - x0) / (n - 1), hy = (y1 - y0) / (n - 1);
        void Visit(double x, double y)
        {
            double v = f(x, y);
            if (v < best) { best = v; bx = x; by = y; }
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) Visit(x0 + i * hx, y0 + j * hy);
        for (int z = 1; z <= 3; z++)
        {
            double cx = bx, cy = by, zx = hx / Math.Pow(5, z), zy = hy / Math.Pow(5, z);
            for (int i = -5; i <= 5; i++)
                for (int j = -5; j <= 5; j++)
                    Visit(Math.Clamp(cx + i * zx * 2.5, x0, x1), Math.Clamp(cy + j * zy * 2.5, y0, y1));
        }
        return (best, bx, by);
    }

    [Fact]
    public void Tuned_ema_for_the_final_risk_matches_a_grid_scan_of_sgd()
    {
        const int T = 150;
        var p = Noisy();
        var s = p.Initial.ToArray();
        var tuned = Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions
        {
            Objective = TuneObjective.FinalRisk, Steps = T, Modifiers = new TuneModifiers(TuneEma: true),
        });
        double eta = tuned.Parameters["lr"], tau = tuned.Parameters["ema"];
        // the reported risk is that of the reported method, by the plain recursion
        RelErr(tuned.FinalRisk!.Value, SgdEma(Lam, s, 1, 3, 0.05, eta, tau, T)).ShouldBeLessThan(1e-10);
        tuned.Spec.ShouldContain(",ema=");
        // grid over (ln η, ln(1 − τ)); η up to SGD's mean-square edge region
        var grid = GridMin((x, y) => SgdEma(Lam, s, 1, 3, 0.05, Math.Exp(x), 1 - Math.Exp(y), T), Math.Log(0.02), Math.Log(1.2), -Math.Log(2 * T), 0, 41);
        tuned.FinalRisk.Value.ShouldBeLessThanOrEqualTo(grid.F * (1 + 1e-6));
        tuned.FinalRisk.Value.ShouldBeGreaterThan(grid.F * (1 - 1e-3));
        tau.ShouldBeGreaterThan(0.5); // averaging helps with label noise
        Math.Abs(Math.Log(1 - tau) - grid.Y).ShouldBeLessThan(0.3);
        Math.Abs(Math.Log(eta) - grid.X).ShouldBeLessThan(0.3);
    }

    [Fact]
    public void Tuned_weight_decay_for_the_final_risk_matches_a_grid_scan_of_sgd()
    {
        const int T = 200;
        var p = Noisy(batch: 2, noise: 0.5);
        var s = p.Initial.ToArray();
        var tuned = Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions
        {
            Objective = TuneObjective.FinalRisk, Steps = T, Modifiers = new TuneModifiers(TuneWeightDecay: true),
        });
        double eta = tuned.Parameters["lr"], wd = tuned.Parameters["wd"];
        RelErr(tuned.FinalRisk!.Value, SgdDecay(Lam, s, 2, 3, 0.5, eta, wd, T)).ShouldBeLessThan(1e-10);
        var grid = GridMin((x, y) => SgdDecay(Lam, s, 2, 3, 0.5, Math.Exp(x), Math.Exp(y), T), Math.Log(0.02), Math.Log(1.5), Math.Log(1e-4), Math.Log(1), 41);
        double none = GridMin((x, _) => SgdDecay(Lam, s, 2, 3, 0.5, Math.Exp(x), 0, T), Math.Log(0.02), Math.Log(1.5), 0, 0, 41).F;
        double best = Math.Min(grid.F, none);
        tuned.FinalRisk.Value.ShouldBeLessThanOrEqualTo(best * (1 + 1e-6));
        tuned.FinalRisk.Value.ShouldBeGreaterThan(best * (1 - 1e-3));
        if (grid.F < none * (1 - 1e-3)) Math.Abs(Math.Log(wd) - grid.Y).ShouldBeLessThan(0.5);
    }

    [Fact]
    public void Tuned_ema_for_the_iterations_matches_a_grid_scan_of_sgd()
    {
        var p = Noisy(noise: 0.05);
        var s = p.Initial.ToArray();
        double eps = 0.03;
        var tuned = Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions
        {
            Objective = TuneObjective.Iterations, Target = eps, MaxSteps = 20000, Modifiers = new TuneModifiers(TuneEma: true),
        });
        double eta = tuned.Parameters["lr"], tau = tuned.Parameters["ema"];
        long its = tuned.Iterations!.Exact!.Value;
        SgdEma(Lam, s, 1, 3, 0.05, eta, tau, 20000, eps).ShouldBe(its);
        var grid = GridMin((x, y) => SgdEma(Lam, s, 1, 3, 0.05, Math.Exp(x), 1 - Math.Exp(y), 5000, eps), Math.Log(0.01), Math.Log(1.2), -Math.Log(2000), 0, 31);
        ((double)its).ShouldBeLessThanOrEqualTo(grid.F);
        ((double)its).ShouldBeGreaterThan(0.97 * grid.F);
        // EMA helps near the noise floor: fewer steps than the best unaveraged SGD
        var plain = Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions { Objective = TuneObjective.Iterations, Target = eps, MaxSteps = 20000 });
        its.ShouldBeLessThan(plain.Iterations!.Exact!.Value);
    }

    [Fact]
    public void Fixed_ema_under_the_gap_objective_matches_the_dense_operator_spectrum()
    {
        // SGD + EMA: the second-moment operator is block triangular with the SGD operator (dense d×d), the cross
        // moments τ(1 − ηλ_i) and τ²; its gap is 1 − max(ρ_SGD(η), τ|1 − ηλ_i|, τ²)
        var p = Noisy(batch: 4, noise: 0);
        double tau = 0.999;
        double GapAt(double eta)
        {
            int d = Lam.Length;
            var m = Matrix<double>.Build.Dense(d, d, (i, j) =>
                (i == j ? (1 - eta * Lam[i]) * (1 - eta * Lam[i]) + eta * eta * Lam[i] * Lam[i] / 4 : 0) + eta * eta * Lam[i] * Lam[j] / 4);
            double rho = m.Evd().EigenValues.Max(z => z.Magnitude);
            foreach (var l in Lam) rho = Math.Max(rho, tau * Math.Abs(1 - eta * l));
            return 1 - Math.Max(rho, tau * tau);
        }
        double gridBest = Enumerable.Range(0, 400).Select(j => GapAt(0.01 + 1.6 * j / 399)).Max();
        var tuned = Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions { Modifiers = new TuneModifiers(Ema: tau) });
        tuned.Method.K.ShouldBe(2);
        RelErr(tuned.Gap, GapAt(tuned.Parameters["lr"])).ShouldBeLessThan(1e-8);
        tuned.Gap.ShouldBeGreaterThanOrEqualTo(gridBest * (1 - 1e-9));
        // the EMA caps the gap at 1 − τ², below the unaveraged optimum
        var plain = Tuner.Tune(p, MethodFamily.Sgd);
        tuned.Gap.ShouldBeLessThan(plain.Gap);
        RelErr(tuned.Gap, 1 - tau * tau).ShouldBeLessThan(1e-9);
    }

    [Theory]
    [InlineData(MethodFamily.Sgd, TuneObjective.Gap)]
    [InlineData(MethodFamily.HeavyBall, TuneObjective.Gap)]
    [InlineData(MethodFamily.HeavyBall, TuneObjective.Iterations)]
    public void Zero_ema_and_zero_decay_give_the_unmodified_tuning_bit_for_bit(MethodFamily family, TuneObjective objective)
    {
        var p = Noisy(batch: 4, noise: 0);
        var options = new TuneOptions { Objective = objective, Target = objective == TuneObjective.Iterations ? 1e-3 : null };
        var plain = Tuner.Tune(p, family, options);
        var zero = Tuner.Tune(p, family, options with { Modifiers = new TuneModifiers(Ema: 0, WeightDecay: 0) });
        zero.Spec.ShouldBe(plain.Spec);
        BitConverter.DoubleToInt64Bits(zero.Gap).ShouldBe(BitConverter.DoubleToInt64Bits(plain.Gap));
        zero.Iterations?.Exact.ShouldBe(plain.Iterations?.Exact);
        zero.Parameters.Keys.ShouldBe(plain.Parameters.Keys);
    }

    [Fact]
    public void Heavy_ball_with_tuned_ema_reports_a_risk_the_plain_recursion_reproduces()
    {
        const int T = 120;
        var p = Noisy(batch: 2, noise: 0.1);
        var tuned = Tuner.Tune(p, MethodFamily.HeavyBall, new TuneOptions
        {
            Objective = TuneObjective.FinalRisk, Steps = T, Modifiers = new TuneModifiers(TuneEma: true),
        });
        double eta = tuned.Parameters["lr"], beta = tuned.Parameters["beta"], tau = tuned.Parameters["ema"];
        // state (w, w_prev, w̄) written from the update rules
        var rule = new Averaging.PlainJointMoments.Rule(l => new double[,]
        {
            { 1 + beta - eta * l, -beta, 0 },
            { 1, 0, 0 },
            { (1 - tau) * (1 + beta - eta * l), -(1 - tau) * beta, tau },
        }, [-eta, 0, -(1 - tau) * eta], [1, 0, 0]);
        var moments = Averaging.PlainJointMoments.Run(Lam, p.Initial.ToArray(), [1, 1, 1], 2, 3, 0.1, T, _ => rule);
        RelErr(tuned.FinalRisk!.Value, Averaging.PlainJointMoments.Risk(moments, Lam, 2)[T]).ShouldBeLessThan(1e-9);
        // at least as good as the same heavy ball tuned without averaging
        var plain = Tuner.Tune(p, MethodFamily.HeavyBall, new TuneOptions { Objective = TuneObjective.FinalRisk, Steps = T });
        tuned.FinalRisk.Value.ShouldBeLessThanOrEqualTo(plain.FinalRisk!.Value * (1 + 1e-9));
    }

    [Fact]
    public void Weight_decay_is_carried_to_the_users_units()
    {
        // λ → 4λ (a power of two: the internal rescaling is exact): lr/4, wd·4, the risk unchanged
        const int T = 100;
        var p = Noisy(batch: 2, noise: 0.5);
        var p4 = new Problem(Spectrum.FromValues(Lam.Select(l => 4 * l).ToArray()), p.Initial.ToArray(), 2, 3, 2.0);
        var o = new TuneOptions { Objective = TuneObjective.FinalRisk, Steps = T, Modifiers = new TuneModifiers(WeightDecay: 0.01) };
        var a = Tuner.Tune(p, MethodFamily.Sgd, o);
        var b = Tuner.Tune(p4, MethodFamily.Sgd, o with { Modifiers = new TuneModifiers(WeightDecay: 0.04) });
        RelErr(b.Parameters["lr"], a.Parameters["lr"] / 4).ShouldBeLessThan(1e-12);
        b.Parameters["wd"].ShouldBe(0.04);
        RelErr(b.FinalRisk!.Value, 4 * a.FinalRisk!.Value).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void Meaningless_combinations_are_refused_with_a_sentence()
    {
        var p = Noisy();
        Should.Throw<InvalidInputException>(() => Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions { Modifiers = new TuneModifiers(TuneEma: true) }))
            .Message.ShouldContain("never increases the contraction gap");
        Should.Throw<InvalidInputException>(() => Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions { Modifiers = new TuneModifiers(WeightDecay: 0.1) }))
            .Message.ShouldContain("weight decay");
        Should.Throw<InvalidInputException>(() => Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions { Objective = TuneObjective.FinalRisk }))
            .Message.ShouldContain("budget");
        Should.Throw<InvalidInputException>(() => Tuner.Tune(p, MethodFamily.Sgd, new TuneOptions { Modifiers = new TuneModifiers(Ema: 1) }))
            .Message.ShouldContain("EMA decay");
    }
}
