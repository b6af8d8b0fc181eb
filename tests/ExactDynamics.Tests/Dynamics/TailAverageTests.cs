using ExactDynamics.Cli.Parsing;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tests.Averaging;
using static ExactDynamics.Tests.TestSupport;
using Rule = ExactDynamics.Tests.Averaging.PlainJointMoments.Rule;

namespace ExactDynamics.Tests.Dynamics;

/// <summary>
/// docs/math.md#tail-averaging: the tail average x̄_T = mean of w_{T−n_T+1}, …, w_T with n_T = max(1, ⌈F·T⌉), against
/// (a) a brute force written here: the plain per-direction second moments of the update rule (no library matrices)
/// and the average written out as the double sum over the window of E[e_r e_s] = (M_{r−1}⋯M_s S_s)[0,0];
/// (b) F = 1 against the library's uniform average from step 1 (a different algorithm: an augmented state);
/// (c) at long horizons, tail(T) against average=uniform:from=S_T read at T, over many blocks;
/// (d) the least-squares variance rate σ² d/(2 B n) of averaged constant-step SGD.
/// </summary>
public class TailAverageTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly double[] Lam = [1.0, 0.45, 0.12, 0.03];
    private static readonly double[] S0 = [1.0, 0.7, 1.3, 0.4];
    private const double Batch = 2, M4 = 2.6, Sigma2 = 0.15;

    private static Problem MakeProblem() => new(Spectrum.FromValues(Lam), S0, Batch, M4, Sigma2);

    /// <summary>A case: the library's scheduled method and the same optimizer written as a plain rule per step
    /// (state shape, and the rule of update t).</summary>
    private sealed record Case(ScheduledMethod Method, double[] Shape, Func<int, Rule> RuleAt);

    private static Case Make(string name, double? tail)
    {
        var mods = tail is double f ? new MethodModifiers(TailFraction: f) : MethodModifiers.None;
        switch (name)
        {
            case "sgd":
            {
                const double eta = 0.7;
                return new(new ScheduledMethod(MethodTemplate.Sgd(eta).With(mods)), [1],
                    _ => new Rule(l => new double[,] { { 1 - eta * l } }, [-eta], [1]));
            }
            case "hb-cosine":
            {
                // heavy ball w' = w − η_t g(w) + β(w − w_prev) with a cosine learning-rate schedule over 12 steps
                const double eta = 0.5, beta = 0.6;
                var cosine = Schedule.Cosine(12, 0.1);
                return new(new ScheduledMethod(MethodTemplate.HeavyBall(eta, beta).With(mods), cosine), [1, 1],
                    t =>
                    {
                        double lr = eta * cosine.Value(t);
                        return new Rule(l => new double[,] { { 1 + beta - lr * l, -beta }, { 1, 0 } }, [-lr, 0], [1, 0]);
                    });
            }
            case "torch":
            {
                // PyTorch: v ← μ v + g, w ← w − η v; state (w, v)
                const double eta = 0.3, mu = 0.5;
                return new(new ScheduledMethod(MethodTemplate.Torch(eta, mu).With(mods)), [1, 0],
                    _ => new Rule(l => new double[,] { { 1 - eta * l, -eta * mu }, { l, mu } }, [-eta, 1], [1, 0]));
            }
            case "nesterov":
            {
                // v = w + β(w − w_prev), w' = v − η g(v)
                const double eta = 0.45, beta = 0.7;
                return new(new ScheduledMethod(MethodTemplate.Nesterov(eta, beta).With(mods)), [1, 1],
                    _ => new Rule(l => new double[,] { { (1 - eta * l) * (1 + beta), -(1 - eta * l) * beta }, { 1, 0 } }, [-eta, 0], [1 + beta, -beta]));
            }
            case "hb-wd":
            {
                // heavy ball with coupled decay (k = 3): state (e, e_prev, w*), gradient g + λ_wd (e + w*)
                const double eta = 0.4, beta = 0.5, wd = 0.1;
                return new(new ScheduledMethod(MethodTemplate.HeavyBall(eta, beta).With(mods with { WeightDecay = wd })), [1, 1, -1],
                    _ => new Rule(l => new double[,] { { 1 + beta - eta * l - eta * wd, -beta, -eta * wd }, { 1, 0, 0 }, { 0, 0, 1 } }, [-eta, 0, 0], [1, 0, 0]));
            }
            default: // "sgd-wd": coupled weight decay, w_0 = 0; state (e, w*) with e_0 = −w*
            {
                const double eta = 0.6, wd = 0.2;
                var withDecay = mods with { WeightDecay = wd };
                return new(new ScheduledMethod(MethodTemplate.Sgd(eta).With(withDecay)), [1, -1],
                    _ => new Rule(l => new double[,] { { 1 - eta * l - eta * wd, -eta * wd }, { 0, 1 } }, [-eta, 0], [1, 0]));
            }
        }
    }

    /// <summary>E L of the mean of w_first … w_T, written out: Σ_i ½ λ_i (1/n²) Σ_{r,s} E[e_r e_s], with
    /// E[e_r e_s] = (M_{r−1} ⋯ M_s S_s)[0,0] for r ≥ s (the plain rule's mean maps).</summary>
    private static double BruteForce(double[][][,] S, Func<int, Rule> ruleAt, int first, int horizon)
    {
        int n = horizon - first + 1;
        double risk = 0;
        for (int i = 0; i < Lam.Length; i++)
        {
            double e2 = 0;
            for (int s = first; s <= horizon; s++)
            {
                var cross = (double[,])S[s][i].Clone();
                for (int r = s; r <= horizon; r++)
                {
                    e2 += (r == s ? 1 : 2) * cross[0, 0];
                    cross = Multiply(ruleAt(r).Mean(Lam[i]), cross);
                }
            }
            risk += 0.5 * Lam[i] * e2 / ((double)n * n);
        }
        return risk;
    }

    /// <summary>n_T = max(1, ⌈p·T/q⌉) in integers, F = p/q.</summary>
    private static int Window(int p, int q, int horizon) => Math.Max(1, (p * horizon + q - 1) / q);

    [Theory]
    [InlineData("sgd", 1, 2)]
    [InlineData("sgd", 1, 3)]
    [InlineData("hb-cosine", 1, 2)]
    [InlineData("hb-cosine", 7, 10)]
    [InlineData("torch", 1, 4)]
    [InlineData("nesterov", 2, 3)]
    [InlineData("sgd-wd", 1, 2)]
    [InlineData("torch", 1, 1)]
    [InlineData("hb-wd", 3, 5)]
    public void Tail_average_equals_the_explicit_sum_over_the_window_at_every_horizon(string name, int p, int q)
    {
        const int T = 15;
        double f = (double)p / q;
        var c = Make(name, f);
        var problem = MakeProblem();
        var S = PlainJointMoments.Run(Lam, S0, c.Shape, Batch, M4, Sigma2, T, c.RuleAt);
        var mine = RiskRecursion.Trajectory(problem, c.Method, T);
        var run = RiskRecursion.Run(problem, c.Method, T, 4);
        var at = RiskRecursion.At(problem, c.Method, [3, 7, 15]);
        for (int horizon = 0; horizon <= T; horizon++)
        {
            int n = Window(p, q, horizon);
            TailAverage.WindowLength(f, horizon).ShouldBe(n, $"T = {horizon}");
            double expected = BruteForce(S, c.RuleAt, horizon - n + 1, horizon);
            RelErr(mine[horizon], expected).ShouldBeLessThan(1e-12, $"T = {horizon}");
        }
        run.Steps.ShouldBe([0, 4, 8, 12, 15]);
        for (int j = 0; j < run.Steps.Length; j++) RelErr(run.Risk[j], mine[run.Steps[j]]).ShouldBeLessThan(1e-13);
        for (int j = 0; j < 3; j++) RelErr(at.Risk[j], mine[at.Steps[j]]).ShouldBeLessThan(1e-13);
        RelErr(RiskRecursion.FinalRisk(problem, c.Method, 11), mine[11]).ShouldBeLessThan(1e-13);
    }

    [Fact]
    public void Window_length_is_the_ceiling_of_f_t_and_w0_is_only_in_the_window_at_t_zero()
    {
        TailAverage.WindowLength(0.1, 30).ShouldBe(3); // 0.1·30 = 3.0000000000000004 in floating point
        TailAverage.WindowLength(0.5, 7).ShouldBe(4);
        TailAverage.WindowLength(0.5, 0).ShouldBe(1);
        TailAverage.WindowLength(0.01, 5).ShouldBe(1);
        TailAverage.WindowLength(1, 9).ShouldBe(9);
        TailAverage.WindowStart(1, 9).ShouldBe(1);
        TailAverage.WindowStart(1, 0).ShouldBe(0);
        for (long t = 1; t < 200; t++) TailAverage.WindowStart(0.999, t).ShouldBeGreaterThanOrEqualTo(1);
        Should.Throw<InvalidInputException>(() => TailAverage.WindowLength(0, 3)).Message.ShouldContain("tail fraction");
        Should.Throw<InvalidInputException>(() => TailAverage.WindowLength(1.5, 3)).Message.ShouldContain("tail fraction");
    }

    [Theory]
    [InlineData("hb-cosine")]
    [InlineData("torch")]
    [InlineData("sgd-wd")]
    public void Fraction_one_is_the_uniform_average_from_step_one_at_every_horizon(string name)
    {
        const int T = 300;
        var problem = MakeProblem();
        var tail = RiskRecursion.Trajectory(problem, Make(name, 1).Method, T);
        var lr = Make(name, null).Method.LrSchedule;
        ScheduledMethod Uniform(long from) => new(name == "sgd-wd"
            ? MethodTemplate.Sgd(0.6).With(new MethodModifiers(WeightDecay: 0.2, UniformFrom: from))
            : Unmodified(name).With(new MethodModifiers(UniformFrom: from)), lr);
        WorstRelErr(tail, RiskRecursion.Trajectory(problem, Uniform(1), T)).ShouldBeLessThan(1e-11);
        // from step 0 it is another average (w_0 in the window): they differ at T = 1
        RelErr(RiskRecursion.Trajectory(problem, Uniform(0), 2)[1], tail[1]).ShouldBeGreaterThan(1e-3);
    }

    private static MethodTemplate Unmodified(string name) => name switch
    {
        "hb-cosine" => MethodTemplate.HeavyBall(0.5, 0.6),
        "torch" => MethodTemplate.Torch(0.3, 0.5),
        "nesterov" => MethodTemplate.Nesterov(0.45, 0.7),
        _ => MethodTemplate.Sgd(0.7),
    };

    /// <summary>At long horizons over many blocks (and with blocks narrowed to force many left sweeps), tail(T) equals
    /// the uniform average from S_T read at T, which the library computes as an augmented state.</summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.2)]
    [InlineData(0.93)]
    public void Long_horizons_match_the_uniform_average_from_the_window_start(double f)
    {
        var problem = new Problem(Spectrum.PowerLaw(1.3, 12), null, 3, 3, 0.05);
        var template = MethodTemplate.HeavyBall(0.4, 0.8);
        var lr = Schedule.Cosine(900, 0.05);
        var tail = new ScheduledMethod(template.With(new MethodModifiers(TailFraction: f)), lr);
        long[] horizons = [1, 2, 57, 400, 733, 900];
        var every = RiskRecursion.Trajectory(problem, tail, 900);
        var narrow = TailAverage.At(problem, tail, Enumerable.Range(0, 901).Select(t => (long)t), maxLeft: 7);
        narrow.Risk.Length.ShouldBe(901);
        WorstRelErr(narrow.Risk, every).ShouldBeLessThan(1e-11);
        foreach (var t in horizons)
        {
            long s = TailAverage.WindowStart(f, t);
            var uniform = new ScheduledMethod(template.With(new MethodModifiers(UniformFrom: s)), lr);
            double expected = RiskRecursion.FinalRisk(problem, uniform, t);
            RelErr(every[t], expected).ShouldBeLessThan(1e-10, $"T = {t}");
            RelErr(RiskRecursion.FinalRisk(problem, tail, t), expected).ShouldBeLessThan(1e-10, $"T = {t}");
        }
    }

    /// <summary>Without label noise the risk decays by orders of magnitude across the window: the result keeps its
    /// relative precision (no differences of prefix sums).</summary>
    [Fact]
    public void Decaying_risk_keeps_relative_precision()
    {
        var problem = new Problem(Spectrum.FromValues([1, 0.8, 0.6]), null, 4, 3, 0);
        var template = MethodTemplate.Sgd(0.9);
        const long T = 600;
        var tail = new ScheduledMethod(template.With(new MethodModifiers(TailFraction: 0.25)));
        double risk = RiskRecursion.FinalRisk(problem, tail, T);
        risk.ShouldBeLessThan(1e-60);
        risk.ShouldBeGreaterThan(0);
        var uniform = new ScheduledMethod(template.With(new MethodModifiers(UniformFrom: TailAverage.WindowStart(0.25, T))));
        RelErr(risk, RiskRecursion.FinalRisk(problem, uniform, T)).ShouldBeLessThan(1e-10);
    }

    /// <summary>
    /// The least-squares variance rate: the mean of n iterates of constant-step SGD with label noise σ² has
    /// E L → σ² d/(2 B n) (L = ½ eᵀHe; √n(x̄ − w*) → N(0, H⁻¹ΣH⁻¹) with Σ = σ²H/B). With F = ½ and n = T/2 this is σ² d/(B T).
    /// </summary>
    [Fact]
    public void Tail_averaged_sgd_approaches_the_variance_rate()
    {
        double[] lam = [1, 0.5, 0.25, 0.125];
        var problem = new Problem(Spectrum.FromValues(lam), null, 1, 3, 1.0);
        var tail = new ScheduledMethod(MethodTemplate.Sgd(0.01).With(new MethodModifiers(TailFraction: 0.5)));
        var risk = RiskRecursion.At(problem, tail, [2_000, 20_000, 200_000]);
        double Ratio(int j) => risk.Risk[j] / (1.0 * lam.Length / (2.0 * (risk.Steps[j] / 2)));
        for (int j = 0; j < 3; j++) output.WriteLine($"T = {risk.Steps[j]}: E L = {risk.Risk[j]:G6}, ratio to σ²d/(2n) = {Ratio(j):F5}");
        // far from the rate before the slowest direction has mixed (1/(ηλ_min) = 800 steps), within 1% at T = 200 000
        Ratio(0).ShouldBeGreaterThan(1.5);
        Math.Abs(Ratio(2) - 1).ShouldBeLessThan(0.01);
        Math.Abs(Ratio(1) - 1).ShouldBeGreaterThan(Math.Abs(Ratio(2) - 1));
    }

    [Fact]
    public void Spec_parses_and_what_is_not_one_recursion_refuses_with_a_sentence()
    {
        var (baseSpec, mods) = ModifierSpec.Split("hb:lr=0.3,average=tail:0.25,beta=0.8");
        baseSpec.ShouldBe("hb:lr=0.3,beta=0.8");
        mods.TailFraction.ShouldBe(0.25);
        var method = SpecParserMethod("hb:lr=0.3,beta=0.8,average=tail:0.25");
        method.Spec.ShouldBe("hb:lr=0.3,beta=0.8,average=tail:0.25");
        var scheduled = ScheduledMethod.Constant(method);
        scheduled.TailFraction.ShouldBe(0.25);
        scheduled.IsConstant.ShouldBeFalse();
        scheduled.Tail(1).Method.ShouldBeNull();
        scheduled.Tail(1).Reason!.ShouldContain("window moves");
        var problem = MakeProblem();
        // the LinearMethod entry points route to the tail average too
        var viaMethod = RiskRecursion.Trajectory(problem, method, 20);
        WorstRelErr(viaMethod, RiskRecursion.Trajectory(problem, scheduled, 20)).ShouldBeLessThan(1e-15);
        RelErr(viaMethod[20], RiskRecursion.Trajectory(problem, HeavyBall.Create(0.3, 0.8), 20)[20]).ShouldBeGreaterThan(1e-3);
        Should.Throw<InvalidInputException>(() => new SecondMoments(problem, method)).Message.ShouldContain("moves its window");
        Should.Throw<InvalidInputException>(() => new SecondMoments(problem, scheduled)).Message.ShouldContain("moves its window");
        Should.Throw<InvalidInputException>(() => Spectral.ContractionGap.Compute(problem, method)).Message.ShouldContain("contraction gap");
        Should.Throw<InvalidInputException>(() => ModifierSpec.Split("sgd:lr=0.1,average=tail:0")).Message.ShouldContain("tail fraction");
        Should.Throw<InvalidInputException>(() => ModifierSpec.Split("sgd:lr=0.1,average=tail:1.5")).Message.ShouldContain("tail fraction");
        Should.Throw<InvalidInputException>(() => ModifierSpec.Split("sgd:lr=0.1,average=tail:x")).Message.ShouldContain("tail fraction");
        Should.Throw<InvalidInputException>(() => ModifierSpec.Split("sgd:lr=0.1,average=tail:0.5,ema=0.9")).Message.ShouldContain("both");
    }

    [Fact]
    public void Custom_method_with_weight_decay_carries_the_tail_average()
    {
        var custom = new LinearMethod(new double[,] { { 1.5, -0.5 }, { 1, 0 } }, [0.4, 0], [1, 0], [1, 0]);
        var tailOnly = new MethodModifiers(TailFraction: 0.5).Apply(custom, double.NaN);
        var both = new MethodModifiers(WeightDecay: 0.1, TailFraction: 0.5).Apply(custom, double.NaN);
        var problem = MakeProblem();
        var a = RiskRecursion.Trajectory(problem, tailOnly, 30);
        var named = ScheduledMethod.Constant(tailOnly);
        named.TailFraction.ShouldBe(0.5);
        var plainHb = new ScheduledMethod(MethodTemplate.HeavyBall(0.4, 0.5).With(new MethodModifiers(TailFraction: 0.5)));
        WorstRelErr(a, RiskRecursion.Trajectory(problem, plainHb, 30)).ShouldBeLessThan(1e-12);
        var b = RiskRecursion.Trajectory(problem, both, 30);
        var hbDecay = new ScheduledMethod(MethodTemplate.HeavyBall(0.4, 0.5).With(new MethodModifiers(WeightDecay: 0.1, TailFraction: 0.5)));
        WorstRelErr(b, RiskRecursion.Trajectory(problem, hbDecay, 30)).ShouldBeLessThan(1e-12);
    }

    private static LinearMethod SpecParserMethod(string spec) => SpecParser.ParseMethod(spec);

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0);
        var c = new double[n, n];
        for (int p = 0; p < n; p++) for (int q = 0; q < n; q++) { double s = 0; for (int r = 0; r < n; r++) s += a[p, r] * b[r, q]; c[p, q] = s; }
        return c;
    }
}
