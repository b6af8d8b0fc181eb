using ExactDynamics.Methods;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;
using ExactDynamics.Tests.Oracles;
using Xunit.Abstractions;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests;

/// <summary>docs/math.md#iterations-to-target against the independent full-covariance trajectory.</summary>
public class IterationsToTargetTests(ITestOutputHelper output)
{
    private static readonly double[] Lambdas = [1.0, 0.5, 0.1, 0.02];
    private static readonly double[] S0 = [1.0, 2.0, 0.5, 1.0];

    public static IEnumerable<object[]> Cases() =>
    [
        ["sgd", 1e-10], ["sgd", 1e-3], ["sgd", 1e-6],
        ["hb", 1e-10], ["hb", 1e-3], ["hb", 1e-6],
        ["asgd", 1e-8], ["nesterov", 1e-8], ["torch", 1e-8],
    ];

    private static (LinearMethod, double batch, double m4) Setup(string name) => name switch
    {
        "sgd" => (Sgd.Create(0.9), 4.0, 3.0),
        "hb" => (HeavyBall.Create(0.5, 0.7), 8.0, 3.0),
        "asgd" => (Asgd.Create(0.3, 50, 5), 2.0, 3.0),
        "nesterov" => (Nesterov.Create(0.5, 0.6), 4.0, 1.0),
        "torch" => (TorchMomentum.Create(0.3, 0.6), 4.0, 5.0),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The first t with risk ≤ ε, from the oracle; asserts the crossing is not a rounding tie.</summary>
    private static int FirstHit(double[] risk, double eps)
    {
        for (int t = 0; t < risk.Length; t++)
        {
            RelErr(risk[t], eps).ShouldBeGreaterThan(1e-9, "test design: ε must not tie with a risk value");
            if (risk[t] <= eps) return t;
        }
        return -1;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exact_count_is_first_step_of_independent_trajectory_below_target(string name, double relTarget)
    {
        var (method, batch, m4) = Setup(name);
        var problem = MakeProblem(Lambdas, S0, batch, m4);
        double l0 = 0.5 * Lambdas.Zip(S0, (a, b) => a * b).Sum();
        double eps = relTarget * l0;
        var res = IterationsToTarget.Compute(problem, method, eps, 100_000);

        var oracle = FullCovarianceRecursion.Trajectory(Lambdas, S0, MethodTuple.From(method), batch, m4, 0, 3000);
        int first = FirstHit(oracle, eps);
        first.ShouldBeGreaterThan(0, "test design: the oracle horizon must reach the target");

        var gap = ContractionGap.Compute(problem, method);
        double c = PerronPrefactor.Compute(problem, method, gap);
        output.WriteLine($"{method.Spec} B={batch} ε={relTarget:E0}·L0: exact {res.Exact} (oracle {first}), closed form {res.ClosedForm}, crude {res.Crude:G6}, C={res.Prefactor:G6}, gap={res.Gap:G6}");

        res.Exact.ShouldBe(first);
        res.Target.ShouldBe(eps);
        RelErr(res.InitialRisk, l0).ShouldBeLessThan(1e-15);
        res.Rho.ShouldBe(gap.Rho);
        res.Gap.ShouldBe(gap.Gap);
        RelErr(res.Prefactor, c).ShouldBeLessThan(1e-12);
        RelErr(res.Crude, Math.Log(l0 / eps) / gap.Gap).ShouldBeLessThan(1e-12);

        // closed form: ⌈ln(C/ε)/ln(1/ρ)⌉, computed here from the library's C and ρ ...
        double cf = Math.Ceiling(Math.Log(c / eps) / -Math.Log(gap.Rho));
        res.ClosedForm.ShouldNotBeNull();
        Math.Abs(res.ClosedForm!.Value - cf).ShouldBeLessThanOrEqualTo(1.0);
        // ... and asymptotically it is the exact count: within 3 % or 3 steps for small ε
        if (relTarget <= 1e-6 && name is "sgd" or "hb")
            Math.Abs(res.ClosedForm.Value - first).ShouldBeLessThanOrEqualTo(Math.Max(3, 0.03 * first));
    }

    [Fact]
    public void Exact_is_null_when_max_steps_is_too_small_but_closed_form_is_still_given()
    {
        var (method, batch, m4) = Setup("hb");
        var problem = MakeProblem(Lambdas, S0, batch, m4);
        double eps = 1e-8;
        var full = IterationsToTarget.Compute(problem, method, eps, 100_000);
        full.Exact.ShouldNotBeNull();
        var cut = IterationsToTarget.Compute(problem, method, eps, full.Exact!.Value - 1);
        cut.Exact.ShouldBeNull();
        cut.MaxSteps.ShouldBe(full.Exact.Value - 1);
        cut.ClosedForm.ShouldBe(full.ClosedForm);
        var exactly = IterationsToTarget.Compute(problem, method, eps, full.Exact.Value);
        exactly.Exact.ShouldBe(full.Exact);
    }

    [Fact]
    public void Target_at_or_above_initial_risk_takes_zero_steps()
    {
        var problem = MakeProblem(Lambdas, S0, 4);
        double l0 = 0.5 * Lambdas.Zip(S0, (a, b) => a * b).Sum();
        IterationsToTarget.Compute(problem, Sgd.Create(0.9), l0, 1000).Exact.ShouldBe(0);
        IterationsToTarget.Compute(problem, Sgd.Create(0.9), 2 * l0, 1000).Exact.ShouldBe(0);
    }

    [Fact]
    public void Diverging_method_has_no_closed_form_and_no_exact_count()
    {
        var problem = MakeProblem(Lambdas, S0, 1);
        var res = IterationsToTarget.Compute(problem, Sgd.Create(2.5), 1e-6, 10_000);
        output.WriteLine($"{res}");
        res.ClosedForm.ShouldBeNull();
        res.Exact.ShouldBeNull();
        res.Gap.ShouldBeLessThan(0);
        double.IsNaN(res.Gap).ShouldBeFalse();
        double.IsPositiveInfinity(res.Crude).ShouldBeTrue();
    }

    /// <summary>
    /// "First t" must mean first: a deterministic heavy-ball mode (d = 1, m4 = 1, so x² = λ exactly) has a
    /// risk ½λ w_t² that oscillates; a target just above the first local minimum is hit there, then the risk
    /// rises above it again. A search that assumes monotonicity (doubling/bisection) would report a later t.
    /// </summary>
    [Fact]
    public void Exact_count_is_the_first_hit_even_when_the_risk_oscillates()
    {
        double[] l = [1.0, 0.001];
        double[] s = [1.0, 1e-6];
        var method = HeavyBall.Create(0.9, 0.9);
        var oracle = FullCovarianceRecursion.Trajectory(l, s, MethodTuple.From(method), 1e6, 1, 0, 400);
        // first strict local minimum after t = 2 that is followed by a value at least 100x larger
        int tMin = -1;
        for (int t = 2; t < 300 && tMin < 0; t++)
            if (oracle[t] < oracle[t - 1] && oracle[t] < oracle[t + 1] && oracle.Skip(t + 1).Take(40).Max() > 100 * oracle[t]) tMin = t;
        tMin.ShouldBeGreaterThan(0, "test design: an oscillating trajectory");
        double eps = oracle[tMin] * (1 + 1e-6);
        int first = FirstHit(oracle, eps);
        var res = IterationsToTarget.Compute(MakeProblem(l, s, 1e6, 1), method, eps, 100_000);
        output.WriteLine($"oscillating HB: local min at t={tMin}, first hit {first}, library exact {res.Exact}, closed form {res.ClosedForm}");
        res.Exact.ShouldBe(first);
    }

    /// <summary>
    /// On problems large enough for the renewal form (the whole trajectory to a horizon guessed from the closed form,
    /// doubled on a miss), the count equals the first hit found by stepping the fused pass by hand.
    /// </summary>
    [Theory]
    [InlineData("hb", 1e-2)]
    [InlineData("hb", 1e-5)]
    [InlineData("sgd", 1e-3)]
    [InlineData("asgd", 1e-4)]
    [InlineData("nesterov", 1e-3)]
    public void Long_counts_by_the_renewal_form_equal_plain_stepping(string family, double relTarget)
    {
        var problem = new Problem(ExactDynamics.Spectra.Spectrum.PowerLaw(1, 3000), null, 8, 3, 0);
        LinearMethod m = family switch
        {
            "hb" => HeavyBall.Create(0.05, 0.9),
            "sgd" => Sgd.Create(0.5),
            "asgd" => Asgd.Create(0.3, 50, 5),
            _ => Nesterov.Create(0.05, 0.9),
        };
        var state = new ExactDynamics.Dynamics.SecondMoments(problem, m);
        double eps = relTarget * state.Risk;
        long? stepped = null;
        for (long t = 1; t <= 200_000; t++)
        {
            state.Step();
            if (state.Risk <= eps) { stepped = t; break; }
        }
        stepped.ShouldNotBeNull("test design: the target is reached");
        (stepped!.Value * 3000.0).ShouldBeGreaterThan(1e6, "test design: large enough for the renewal form");
        IterationsToTarget.Compute(problem, m, eps, 200_000).Exact.ShouldBe(stepped);
        // a step limit just below the hit: not reached
        IterationsToTarget.Compute(problem, m, eps, stepped.Value - 1).Exact.ShouldBeNull();
    }
}
