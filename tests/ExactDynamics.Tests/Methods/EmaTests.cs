using ExactDynamics.Cli.Parsing;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using static ExactDynamics.Tests.TestSupport;
using Rule = ExactDynamics.Tests.Averaging.PlainJointMoments.Rule;

namespace ExactDynamics.Tests.Averaging;

/// <summary>
/// docs/math.md#weight-averaging: the EMA of the weights as a (k+1)-state method, against (a) a plain recursion of the
/// joint second moments of (w, w_prev, w̄) written from the update rules, (b) the average written out as an explicit
/// sum over past iterates with the cross moments E[X_r X_sᵀ] = M^{r−s} E[X_s X_sᵀ], (c) the base method at τ = 0.
/// </summary>
public class EmaTests
{
    private static readonly double[] Lam = [1.0, 0.45, 0.12, 0.03];
    private static readonly double[] S0 = [1.0, 0.7, 1.3, 0.4];

    private static Problem MakeProblem(double batch = 2, double m4 = 2.2, double sigma2 = 0.05) =>
        new(Spectrum.FromValues(Lam), S0, batch, m4, sigma2);

    private static Rule HeavyBallEma(double eta, double beta, double tau) => new(l => new double[,]
    {
        { 1 + beta - eta * l, -beta, 0 },
        { 1, 0, 0 },
        { (1 - tau) * (1 + beta - eta * l), -(1 - tau) * beta, tau },
    }, [-eta, 0, -(1 - tau) * eta], [1, 0, 0]);

    [Theory]
    [InlineData(0.4, 0.7, 0.9)]
    [InlineData(0.9, 0.3, 0.5)]
    [InlineData(0.2, 0.95, 0.99)]
    public void Heavy_ball_with_ema_matches_plain_joint_recursion(double eta, double beta, double tau)
    {
        var problem = MakeProblem();
        var method = Ema.Apply(HeavyBall.Create(eta, beta), tau);
        method.K.ShouldBe(3);
        const int T = 200;
        var mine = RiskRecursion.Trajectory(problem, method, T);
        var plain = PlainJointMoments.Risk(PlainJointMoments.Run(Lam, S0, [1, 1, 1], 2, 2.2, 0.05, T, _ => HeavyBallEma(eta, beta, tau)), Lam, 2);
        WorstRelErr(mine, plain).ShouldBeLessThan(1e-12);
    }

    /// <summary>w̄_T = τ^T w_0 + (1 − τ) Σ_{s=1..T} τ^{T−s} w_s, with E[e_r e_s] from the base recursion and the mean map.</summary>
    [Theory]
    [InlineData("sgd", 0.6, 0.8)]
    [InlineData("torch", 0.3, 0.5)]
    [InlineData("nesterov", 0.35, 0.95)]
    public void Ema_risk_equals_explicit_sum_over_past_iterates(string family, double tau, double mu)
    {
        const double eta = 0.5; const int T = 12;
        var (baseMethod, rule, shape) = family switch
        {
            "sgd" => (Sgd.Create(eta), new Rule(l => new double[,] { { 1 - eta * l } }, [-eta], [1]), new double[] { 1 }),
            "torch" => (TorchMomentum.Create(eta, mu),
                new Rule(l => new double[,] { { 1 - eta * l, -eta * mu }, { l, mu } }, [-eta, 1], [1, 0]), new double[] { 1, 0 }),
            // Sutskever form: v = w + μ(w − w_prev), w' = v − η g(v)
            _ => (Nesterov.Create(eta, mu),
                new Rule(l => new double[,] { { (1 - eta * l) * (1 + mu), -(1 - eta * l) * mu }, { 1, 0 } }, [-eta, 0], [1 + mu, -mu]), new double[] { 1, 1 }),
        };
        var problem = MakeProblem(batch: 3, m4: 3, sigma2: 0.2);
        var mine = RiskRecursion.Trajectory(problem, Ema.Apply(baseMethod, tau), T);
        var S = PlainJointMoments.Run(Lam, S0, shape, 3, 3, 0.2, T, _ => rule);
        for (int horizon = 0; horizon <= T; horizon++)
        {
            var coef = new double[horizon + 1];
            coef[0] = Math.Pow(tau, horizon);
            for (int s = 1; s <= horizon; s++) coef[s] = (1 - tau) * Math.Pow(tau, horizon - s);
            double risk = 0;
            for (int i = 0; i < Lam.Length; i++)
            {
                var M = rule.Mean(Lam[i]);
                double e2 = 0;
                for (int s = 0; s <= horizon; s++)
                {
                    // E[X_r X_sᵀ] = M^{r−s} S_s for r ≥ s: the noise after step s has mean zero given the past
                    var cross = (double[,])S[s][i].Clone();
                    for (int r = s; r <= horizon; r++)
                    {
                        double ers = cross[0, 0];
                        e2 += (r == s ? 1 : 2) * coef[r] * coef[s] * ers;
                        cross = Multiply(M, cross);
                    }
                }
                risk += 0.5 * Lam[i] * e2;
            }
            RelErr(mine[horizon], risk).ShouldBeLessThan(1e-12, $"T = {horizon}");
        }
    }

    [Fact]
    public void Tau_zero_is_the_base_method_and_the_augmented_form_agrees()
    {
        var hb = HeavyBall.Create(0.4, 0.8);
        Ema.Apply(hb, 0).ShouldBeSameAs(hb);
        var problem = MakeProblem();
        var augmented = Ema.Augment(hb, 0, () => "x");
        WorstRelErr(RiskRecursion.Trajectory(problem, augmented, 300), RiskRecursion.Trajectory(problem, hb, 300)).ShouldBeLessThan(1e-11);
    }

    [Fact]
    public void Gap_of_ema_is_the_slower_of_the_base_gap_and_the_average_itself()
    {
        // the mean map of the EMA state is block triangular: eigenvalues of T_i and τ; the second-moment operator
        // therefore has the base method's spectrum and τ·eig(T_i), τ² — the gap is the smaller of the base gap and 1 − τ·max
        var problem = new Problem(Spectrum.PowerLaw(1, 50), null, 4);
        var hb = HeavyBall.Create(0.3, 0.8);
        var baseGap = Spectral.ContractionGap.Compute(problem, hb);
        Spectral.ContractionGap.Compute(problem, Ema.Apply(hb, 0.5)).Gap.ShouldBe(baseGap.Gap, 1e-9 * baseGap.Gap);
        // τ = 0.999: τ² = 0.998 is slower than the base method (ρ ≈ 0.985)
        var slow = Spectral.ContractionGap.Compute(problem, Ema.Apply(hb, 0.999));
        slow.Rho.ShouldBeGreaterThanOrEqualTo(0.998 - 1e-12);
        slow.Rho.ShouldBeLessThan(0.9991);
    }

    [Fact]
    public void Timm_warmup_matches_plain_recursion_with_step_dependent_decay()
    {
        const double eta = 0.4, beta = 0.7, tau = 0.95;
        var problem = MakeProblem();
        var template = MethodTemplate.HeavyBall(eta, beta).With(new MethodModifiers(EmaDecay: tau, EmaWarmup: true));
        var scheduled = new ScheduledMethod(template);
        scheduled.IsConstant.ShouldBeFalse();
        const int T = 300;
        var mine = RiskRecursion.Trajectory(problem, scheduled, T);
        var plain = PlainJointMoments.Risk(PlainJointMoments.Run(Lam, S0, [1, 1, 1], 2, 2.2, 0.05, T,
            t => HeavyBallEma(eta, beta, Math.Min(tau, (1.0 + t) / (10.0 + t)))), Lam, 2);
        WorstRelErr(mine, plain).ShouldBeLessThan(1e-12);
        // the warm-up ends when (1 + t)/(10 + t) ≥ τ: t ≥ (10τ − 1)/(1 − τ) = 170
        Ema.WarmupEnd(tau).ShouldBe(170);
        scheduled.Tail(problem.Batch).From.ShouldBe(170);
    }

    [Fact]
    public void Spec_modifiers_round_trip_through_the_template()
    {
        var (baseSpec, mods) = ModifierSpec.Split("hb:lr=0.3,ema=0.99,beta=0.8");
        baseSpec.ShouldBe("hb:lr=0.3,beta=0.8");
        mods.EmaDecay.ShouldBe(0.99);
        var m = mods.Apply(HeavyBall.Create(0.3, 0.8), 0.3);
        m.Spec.ShouldBe("hb:lr=0.3,beta=0.8,ema=0.99");
        var t = MethodTemplate.FromMethod(m);
        t.Family.ShouldBe(ExactDynamics.Methods.MethodFamily.HeavyBall);
        t.Modifiers.EmaDecay.ShouldBe(0.99);
        // a learning-rate schedule keeps the EMA at every step
        t.At(0.15, 0.8).Spec.ShouldBe("hb:lr=0.15,beta=0.8,ema=0.99");
        Should.Throw<InvalidInputException>(() => ModifierSpec.Split("sgd:lr=0.1,ema=1")).Message.ShouldContain("EMA decay");
        Should.Throw<InvalidInputException>(() => ModifierSpec.Split("sgd:lr=0.1,ema=x")).Message.ShouldContain("EMA decay");
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0);
        var c = new double[n, n];
        for (int p = 0; p < n; p++) for (int q = 0; q < n; q++) { double s = 0; for (int r = 0; r < n; r++) s += a[p, r] * b[r, q]; c[p, q] = s; }
        return c;
    }
}

/// <summary>The gap of an EMA method against the dense second-moment operator's spectral radius.</summary>
public class EmaGapDenseTests
{
    [Theory]
    [InlineData("sgd", 0.9)]
    [InlineData("hb", 0.6)]
    [InlineData("hb", 0.995)]
    [InlineData("torch", 0.8)]
    public void Ema_gap_matches_dense_operator(string family, double tau)
    {
        double[] lam = [1.0, 0.4, 0.1, 0.02];
        var baseMethod = family switch
        {
            "sgd" => Sgd.Create(0.9),
            "hb" => HeavyBall.Create(0.3, 0.7),
            _ => TorchMomentum.Create(0.2, 0.6),
        };
        var method = Ema.Apply(baseMethod, tau);
        var problem = new Problem(Spectrum.FromValues(lam), null, 2, 3);
        var tuple = new Oracles.MethodTuple(method.MatrixA, method.B.ToArray(), method.C.ToArray(), method.O.ToArray(), method.U.ToArray());
        double rho = Oracles.DenseOperator.Rho(lam, tuple, 2, 3);
        RelErr(Spectral.ContractionGap.Compute(problem, method).Rho, rho).ShouldBeLessThan(1e-9);
    }
}

/// <summary>docs/math.md#weight-averaging: the uniform (Polyak–Ruppert) average of w_S, …, w_T as an EMA with
/// τ_t = (t + 1 − S)/(t + 2 − S), against the average written out over past iterates.</summary>
public class UniformAverageTests
{
    private static readonly double[] Lam = [1.0, 0.45, 0.12, 0.03];
    private static readonly double[] S0 = [1.0, 0.7, 1.3, 0.4];

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Uniform_average_of_torch_iterates_equals_the_explicit_mean(long from)
    {
        const double eta = 0.4, mu = 0.5; const int T = 14;
        var problem = new Problem(Spectrum.FromValues(Lam), S0, 2, 3, 0.3);
        var (baseSpec, mods) = ModifierSpec.Split(from == 0 ? "torch:lr=0.4,momentum=0.5,average=uniform" : $"torch:lr=0.4,momentum=0.5,average=uniform:from={from}");
        baseSpec.ShouldBe("torch:lr=0.4,momentum=0.5");
        mods.UniformFrom.ShouldBe(from);
        var scheduled = new ScheduledMethod(MethodTemplate.Torch(eta, mu).With(mods));
        scheduled.Tail(2).Method.ShouldBeNull();
        var mine = RiskRecursion.Trajectory(problem, scheduled, T);
        var rule = new Rule(l => new double[,] { { 1 - eta * l, -eta * mu }, { l, mu } }, [-eta, 1], [1, 0]);
        var S = PlainJointMoments.Run(Lam, S0, [1, 0], 2, 3, 0.3, T, _ => rule);
        for (int horizon = 0; horizon <= T; horizon++)
        {
            int first = horizon < from ? horizon : (int)from;
            int n = horizon - first + 1;
            double risk = 0;
            for (int i = 0; i < Lam.Length; i++)
            {
                var M = rule.Mean(Lam[i]);
                double e2 = 0;
                for (int s = first; s <= horizon; s++)
                {
                    var cross = (double[,])S[s][i].Clone();
                    for (int r = s; r <= horizon; r++)
                    {
                        e2 += (r == s ? 1 : 2) * cross[0, 0];
                        var next = new double[2, 2];
                        for (int p = 0; p < 2; p++) for (int q = 0; q < 2; q++) next[p, q] = M[p, 0] * cross[0, q] + M[p, 1] * cross[1, q];
                        cross = next;
                    }
                }
                risk += 0.5 * Lam[i] * e2 / ((double)n * n);
            }
            RelErr(mine[horizon], risk).ShouldBeLessThan(1e-12, $"T = {horizon}");
        }
    }

    [Fact]
    public void Tail_average_and_ema_with_uniform_are_refused_with_a_sentence()
    {
        Should.Throw<InvalidInputException>(() => ModifierSpec.Split("sgd:lr=0.1,average=tail")).Message.ShouldContain("average=tail:F");
        Should.Throw<InvalidInputException>(() => ModifierSpec.Split("sgd:lr=0.1,average=uniform,ema=0.9")).Message.ShouldContain("both");
    }
}

/// <summary>The classical variance rate of averaged least-squares SGD: the mean of n iterates of constant-step SGD
/// has E L ≈ σ² d/(2 B n) (√n (x̄ − w*) → N(0, H⁻¹ΣH⁻¹), Σ = σ²H/B, and L = ½ eᵀHe), up to O(η tr H) and
/// O(1/(η λ_min n)) corrections.</summary>
public class PolyakRuppertRateTests
{
    [Fact]
    public void Tail_averaged_sgd_reaches_the_least_squares_variance_rate()
    {
        double[] lam = [1, 0.5, 0.25, 0.125];
        const long T = 60_000, from = 30_000;
        var problem = new Problem(Spectrum.FromValues(lam), null, 1, 3, 1.0);
        var (_, mods) = ModifierSpec.Split($"sgd:lr=0.01,average=uniform:from={from}");
        double risk = RiskRecursion.FinalRisk(problem, new ScheduledMethod(MethodTemplate.Sgd(0.01).With(mods)), T);
        double classical = 1.0 * lam.Length / (2.0 * (T - from + 1));
        RelErr(risk, classical).ShouldBeLessThan(0.01, $"risk {risk}, classical {classical}");
    }
}
