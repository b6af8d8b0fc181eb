using ExactDynamics.Cli.Parsing;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using static ExactDynamics.Tests.TestSupport;
using Rule = ExactDynamics.Tests.Averaging.PlainJointMoments.Rule;

namespace ExactDynamics.Tests.Averaging;

/// <summary>
/// docs/math.md#schedule-free-sgd: schedule-free SGD through the schedule machinery, against a plain recursion of the
/// joint moments of (z, x) written from the reference optimizer's rule, and at β = 0 against SGD on z with the uniform
/// average x_T = (1/T) Σ_{s=1..T} z_s written out with cross moments.
/// </summary>
public class ScheduleFreeTests
{
    private static readonly double[] Lam = [1.0, 0.45, 0.12, 0.03];
    private static readonly double[] S0 = [1.0, 0.7, 1.3, 0.4];

    // z' = z − γ g(y), x' = (1 − c) x + c z', y = (1 − β) z + β x
    private static Rule Reference(double gamma, double beta, double c) => new(l => new double[,]
    {
        { 1 - gamma * l * (1 - beta), -gamma * l * beta },
        { c * (1 - gamma * l * (1 - beta)), 1 - c - c * gamma * l * beta },
    }, [-gamma, -c * gamma], [1 - beta, beta]);

    [Theory]
    [InlineData(0.5, 0.9)]
    [InlineData(0.8, 0.5)]
    [InlineData(0.3, 1.0)]
    public void Matches_plain_recursion_with_uniform_weights(double gamma, double beta)
    {
        var problem = new Problem(Spectrum.FromValues(Lam), S0, 2, 2.2, 0.05);
        var scheduled = new ScheduledMethod(MethodTemplate.FromMethod(ScheduleFree.Create(gamma, beta)));
        scheduled.IsConstant.ShouldBeFalse();
        scheduled.Template.Family.ShouldBe(ExactDynamics.Methods.MethodFamily.ScheduleFree);
        const int T = 300;
        var mine = RiskRecursion.Trajectory(problem, scheduled, T);
        var plain = PlainJointMoments.Risk(PlainJointMoments.Run(Lam, S0, [1, 1], 2, 2.2, 0.05, T, t => Reference(gamma, beta, 1.0 / (t + 1))), Lam, 1);
        WorstRelErr(mine, plain).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void Warmup_weights_follow_the_running_maximum_of_the_learning_rate_squared()
    {
        const double gamma = 0.6, beta = 0.9;
        var problem = new Problem(Spectrum.FromValues(Lam), S0, 3, 3, 0.1);
        var warmup = ScheduleSpec.Parse("linear-warmup:steps=20", "lr");
        var scheduled = new ScheduledMethod(MethodTemplate.ScheduleFree(gamma, beta), warmup);
        const int T = 120;
        var mine = RiskRecursion.Trajectory(problem, scheduled, T);
        // the reference code: lr_t = γ·sched(t), lr_max = max so far, weight = lr_max², c = weight / Σ weights
        double lrMax = 0, sum = 0;
        var rules = new Rule[T];
        for (int t = 0; t < T; t++)
        {
            double lr = gamma * warmup.Value(t);
            lrMax = Math.Max(lrMax, lr);
            sum += lrMax * lrMax;
            rules[t] = Reference(lr, beta, sum > 0 ? lrMax * lrMax / sum : 1);
        }
        var plain = PlainJointMoments.Risk(PlainJointMoments.Run(Lam, S0, [1, 1], 3, 3, 0.1, T, t => rules[t]), Lam, 1);
        WorstRelErr(mine, plain).ShouldBeLessThan(1e-12);
    }

    /// <summary>β = 0: the gradient is taken at z, which is plain SGD, and x_T is the uniform average of z_1..z_T.</summary>
    [Fact]
    public void Beta_zero_is_sgd_with_the_uniform_average_of_its_iterates()
    {
        const double gamma = 0.7; const int T = 15;
        var problem = new Problem(Spectrum.FromValues(Lam), S0, 2, 3, 0.3);
        var mine = RiskRecursion.Trajectory(problem, new ScheduledMethod(MethodTemplate.ScheduleFree(gamma, 0)), T);
        var S = PlainJointMoments.Run(Lam, S0, [1], 2, 3, 0.3, T, _ => new Rule(l => new double[,] { { 1 - gamma * l } }, [-gamma], [1]));
        for (int horizon = 1; horizon <= T; horizon++)
        {
            double risk = 0;
            for (int i = 0; i < Lam.Length; i++)
            {
                double m = 1 - gamma * Lam[i], e2 = 0;
                // E[z_r z_s] = m^{r−s} E[z_s²] for r ≥ s
                for (int s = 1; s <= horizon; s++)
                    for (int r = s; r <= horizon; r++)
                        e2 += (r == s ? 1 : 2) * Math.Pow(m, r - s) * S[s][i][0, 0];
                risk += 0.5 * Lam[i] * e2 / ((double)horizon * horizon);
            }
            RelErr(mine[horizon], risk).ShouldBeLessThan(1e-12, $"T = {horizon}");
        }
    }

    [Fact]
    public void Has_no_tail_and_refuses_bad_beta()
    {
        var scheduled = new ScheduledMethod(MethodTemplate.ScheduleFree(0.5, 0.9));
        var tail = scheduled.Tail(1);
        tail.Method.ShouldBeNull();
        tail.Reason!.ShouldContain("no constant tail");
        Should.Throw<InvalidInputException>(() => ScheduleFree.Create(0.5, 1.5)).Message.ShouldContain("β");
    }
}
