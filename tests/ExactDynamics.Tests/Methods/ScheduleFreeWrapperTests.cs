using ExactDynamics.Cli.Parsing;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using static ExactDynamics.Tests.TestSupport;
using Rule = ExactDynamics.Tests.Averaging.PlainJointMoments.Rule;

namespace ExactDynamics.Tests.Averaging;

/// <summary>
/// docs/math.md#schedule-free-sgd: schedule-free SGD around a base optimizer with momentum (the reference code's
/// ScheduleFreeWrapper of torch.optim.SGD(lr=γ, momentum=μ), wrapper momentum β), against a plain recursion of the joint
/// moments of (z, v, x) written here from the wrapper's step; μ = 0 against the plain method; β = 0 against PyTorch's
/// momentum rule on z with the average of z_1 … z_T (the tail average with F = 1).
/// </summary>
public class ScheduleFreeWrapperTests
{
    private static readonly double[] Lam = [1.0, 0.45, 0.12, 0.03];
    private static readonly double[] S0 = [1.0, 0.7, 1.3, 0.4];

    // g = λ y + ζ at y = (1 − β) z + β x;  v' = μ v + g;  z' = z − γ v';  x' = (1 − c) x + c z'
    private static Rule Wrapper(double gamma, double beta, double mu, double c) => new(l => new double[,]
    {
        { 1 - gamma * l * (1 - beta), -gamma * mu, -gamma * l * beta },
        { l * (1 - beta), mu, l * beta },
        { c * (1 - gamma * l * (1 - beta)), -c * gamma * mu, 1 - c - c * gamma * l * beta },
    }, [-gamma, 1, -c * gamma], [1 - beta, 0, beta]);

    [Theory]
    [InlineData(0.4, 0.9, 0.5)]
    [InlineData(0.2, 0.5, 0.9)]
    [InlineData(0.6, 1.0, 0.3)]
    public void Matches_plain_recursion_of_the_wrapper(double gamma, double beta, double mu)
    {
        var problem = new Problem(Spectrum.FromValues(Lam), S0, 2, 2.4, 0.05);
        var method = SpecParser.ParseMethod($"sfsgd:lr={gamma},beta={beta},momentum={mu}");
        method.K.ShouldBe(3);
        var scheduled = ScheduledMethod.Constant(method);
        scheduled.Template.BaseMomentum.ShouldBe(mu);
        const int T = 200;
        var mine = RiskRecursion.Trajectory(problem, scheduled, T);
        var plain = PlainJointMoments.Risk(PlainJointMoments.Run(Lam, S0, [1, 0, 1], 2, 2.4, 0.05, T, t => Wrapper(gamma, beta, mu, 1.0 / (t + 1))), Lam, 2);
        WorstRelErr(mine, plain).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void Warmup_weights_follow_the_running_maximum_with_a_momentum_base()
    {
        const double gamma = 0.5, beta = 0.8, mu = 0.6;
        var problem = new Problem(Spectrum.FromValues(Lam), S0, 3, 3, 0.1);
        var warmup = ScheduleSpec.Parse("linear-warmup:steps=15", "lr");
        var mine = RiskRecursion.Trajectory(problem, new ScheduledMethod(MethodTemplate.ScheduleFree(gamma, beta, mu), warmup), 80);
        double lrMax = 0, sum = 0;
        var rules = new Rule[80];
        for (int t = 0; t < 80; t++)
        {
            double lr = gamma * warmup.Value(t);
            lrMax = Math.Max(lrMax, lr);
            sum += lrMax * lrMax;
            rules[t] = Wrapper(lr, beta, mu, sum > 0 ? lrMax * lrMax / sum : 1);
        }
        var plain = PlainJointMoments.Risk(PlainJointMoments.Run(Lam, S0, [1, 0, 1], 3, 3, 0.1, 80, t => rules[t]), Lam, 2);
        WorstRelErr(mine, plain).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void Momentum_zero_is_the_plain_method_and_beta_zero_averages_pytorch_momentum()
    {
        var problem = new Problem(Spectrum.FromValues(Lam), S0, 2, 3, 0.2);
        var plain = RiskRecursion.Trajectory(problem, new ScheduledMethod(MethodTemplate.ScheduleFree(0.5, 0.7)), 100);
        var zero = RiskRecursion.Trajectory(problem, new ScheduledMethod(MethodTemplate.ScheduleFree(0.5, 0.7, 0)), 100);
        zero.ShouldBe(plain);
        // β = 0: the gradient is taken at z, which runs torch:lr=γ,momentum=μ; x_T is the mean of z_1 … z_T
        var wrapped = RiskRecursion.Trajectory(problem, new ScheduledMethod(MethodTemplate.ScheduleFree(0.3, 0, 0.7)), 100);
        var averaged = RiskRecursion.Trajectory(problem, new ScheduledMethod(MethodTemplate.Torch(0.3, 0.7).With(new MethodModifiers(TailFraction: 1))), 100);
        WorstRelErr(wrapped, averaged).ShouldBeLessThan(1e-11);
    }

    [Fact]
    public void Spec_round_trips_and_bad_momentum_is_refused()
    {
        SpecParser.ParseMethod("sfsgd:lr=0.3,beta=0.9,momentum=0.5").Spec.ShouldBe("sfsgd:lr=0.3,beta=0.9,momentum=0.5");
        SpecParser.ParseMethod("sfsgd:lr=0.3,beta=0.9,momentum=0").K.ShouldBe(2);
        Should.Throw<InvalidInputException>(() => SpecParser.ParseMethod("sfsgd:lr=0.3,beta=0.9,momentum=1")).Message.ShouldContain("momentum");
        Should.Throw<InvalidInputException>(() => ScheduleFree.Create(0.3, 0.9, -0.1)).Message.ShouldContain("μ");
    }
}
