using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;

namespace ExactDynamics.Validation.Tests;

/// <summary>
/// The (A, b, c, o, u) tuples of docs/math.md#methods reproduce the literal optimizer code path by path: fed the same samples
/// (same seed and run), the generic tuple simulator and the literal port produce the same iterates at every step, to
/// rounding. (The Monte Carlo agreement in expectation is in the cross-check suite.)
/// </summary>
public class LiteralPortTests
{
    private static SimulationSettings Settings(CovariateDistribution? law = null) => new()
    {
        Spectrum = Spectrum.PowerLaw(1, 6), Batch = 3, Covariates = law ?? CovariateDistribution.Gaussian, Noise = 0.2,
        Steps = 60, Runs = 2, Seed = 2024, WStar = [0.3, -1, 2, 0.5, 0, 1.5],
    };

    public static TheoryData<string> Pairs => new() { "sgd", "hb", "nesterov", "torch", "torch-nesterov", "accsgd", "accsgd-small" };

    private static (ISimulatedOptimizer Literal, LinearMethod Tuple) Pair(string name) => name switch
    {
        "sgd" => (new SgdLiteral(0.3), Sgd.Create(0.3)),
        "hb" => (new HeavyBallLiteral(0.2, 0.6), HeavyBall.Create(0.2, 0.6)),
        "nesterov" => (new NesterovLiteral(0.2, 0.6), Nesterov.Create(0.2, 0.6)),
        "torch" => (new TorchSgdLiteral(0.1, 0.8), TorchMomentum.Create(0.1, 0.8)),
        "torch-nesterov" => (new TorchSgdLiteral(0.1, 0.7, nesterov: true), TorchMomentum.Create(0.1, 0.7, nesterov: true)),
        "accsgd" => (new AccSgdLiteral(0.1, 10, 2), Asgd.Create(0.1, 10, 2)),
        "accsgd-small" => (new AccSgdLiteral(0.05, 100, 5, 0.5), Asgd.Create(0.05, 100, 5, 0.5)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static double MaxRelativeDifference(double[][] p, double[][] q)
    {
        double worst = 0;
        for (int t = 0; t < p.Length; t++)
            for (int i = 0; i < p[t].Length; i++)
                worst = Math.Max(worst, Math.Abs(p[t][i] - q[t][i]) / (1 + Math.Abs(p[t][i])));
        return worst;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Tuple_reproduces_the_literal_update_path_by_path(string name)
    {
        var (literal, tuple) = Pair(name);
        foreach (var law in new[] { CovariateDistribution.Gaussian, CovariateDistribution.Rademacher })
            for (ulong run = 0; run < 3; run++)
            {
                var s = Settings(law);
                var a = MonteCarloSimulator.TracePath(s, literal, run);
                var b = MonteCarloSimulator.TracePath(s, new LinearMethodOptimizer(tuple), run);
                a.Length.ShouldBe(61);
                a[^1].All(double.IsFinite).ShouldBeTrue();
                MaxRelativeDifference(a, b).ShouldBeLessThan(1e-10, $"{name}, {law}, run {run}");
                // and the path really moves: it is not a trivial agreement
                Math.Abs(a[^1][0] - a[0][0]).ShouldBeGreaterThan(1e-3);
            }
    }

    [Fact]
    public void The_path_check_can_fail_wrong_mappings_are_visible()
    {
        var s = Settings();
        double Diff(ISimulatedOptimizer lit, LinearMethod m) =>
            MaxRelativeDifference(MonteCarloSimulator.TracePath(s, lit, 0), MonteCarloSimulator.TracePath(s, new LinearMethodOptimizer(m), 0));
        // Nesterov's literal update is not the heavy-ball tuple.
        Diff(new NesterovLiteral(0.2, 0.6), HeavyBall.Create(0.2, 0.6)).ShouldBeGreaterThan(1e-3);
        // PyTorch with dampening ≠ 0 treats the first step specially: no time-invariant tuple reproduces it.
        Diff(new TorchSgdLiteral(0.1, 0.8, dampening: 0.1), TorchMomentum.Create(0.1, 0.8)).ShouldBeGreaterThan(1e-3);
        // torch's nesterov=True is not its plain momentum tuple.
        Diff(new TorchSgdLiteral(0.1, 0.7, nesterov: true), TorchMomentum.Create(0.1, 0.7)).ShouldBeGreaterThan(1e-3);
        // AccSGD with another small constant.
        Diff(new AccSgdLiteral(0.1, 10, 2, 0.7), Asgd.Create(0.1, 10, 2, 0.6)).ShouldBeGreaterThan(1e-3);
    }

    [Fact]
    public void Torch_with_plain_momentum_is_heavy_ball_on_the_iterates()
    {
        // v ← μv + g; w ← w − lr·v gives w' = w − lr·g + μ(w − w_prev): the same iterates as heavy ball (β = μ, η = lr),
        // from a different state (w, v) with v_0 = 0, i.e. u = (1, 0).
        var s = Settings();
        var a = MonteCarloSimulator.TracePath(s, new TorchSgdLiteral(0.1, 0.8), 1);
        var b = MonteCarloSimulator.TracePath(s, new HeavyBallLiteral(0.1, 0.8), 1);
        MaxRelativeDifference(a, b).ShouldBeLessThan(1e-10);
    }

    [Fact]
    public void The_torch_tuple_needs_its_velocity_shape_u_equal_1_0()
    {
        // A tuple with velocity states is only consistent with u = (1, 0): u = 1 (velocity started at w_0) is refused.
        Should.Throw<InvalidInputException>(() =>
            new LinearMethod(new double[,] { { 1, -0.08 }, { 0, 0.8 } }, [0.1, -1], [1, 0], [1, 0], [1, 1]));
    }
}
