using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using static ExactDynamics.Tests.TestSupport;
using Rule = ExactDynamics.Tests.Averaging.PlainJointMoments.Rule;

namespace ExactDynamics.Tests.Averaging;

/// <summary>
/// docs/math.md#weight-decay: coupled and decoupled weight decay as a method with a constant coordinate w*, against a
/// plain recursion of the joint moments of (e, buffer, w*) written from PyTorch's update rules (w_0 = 0, so e_0 = −w*),
/// and the limit against the closed-form ridge bias.
/// </summary>
public class WeightDecayTests
{
    private static readonly double[] Lam = [1.0, 0.45, 0.12, 0.03];
    private static readonly double[] S0 = [1.0, 0.7, 1.3, 0.4];

    private static Problem MakeProblem(double batch = 2, double m4 = 2.2, double sigma2 = 0.05) =>
        new(Spectrum.FromValues(Lam), S0, batch, m4, sigma2);

    [Theory]
    [InlineData(0.5, 0.8, 0.05, false)]
    [InlineData(0.5, 0.8, 0.05, true)]
    [InlineData(0.2, 0.5, 0.3, false)]
    [InlineData(0.2, 0.5, 0.3, true)]
    public void Torch_momentum_with_weight_decay_matches_plain_recursion(double eta, double mu, double wd, bool decoupled)
    {
        // state (e = w − w*, v, w*); g = Ĥe + ζ at w, e' = e − η v' (− ηλ w when decoupled)
        var rule = decoupled
            // v' = μv + g;  w' = w − η v' − η·wd·w
            ? new Rule(l => new double[,] { { 1 - eta * l - eta * wd, -eta * mu, -eta * wd }, { l, mu, 0 }, { 0, 0, 1 } }, [-eta, 1, 0], [1, 0, 0])
            // v' = μv + g + wd·w;  w' = w − η v'
            : new Rule(l => new double[,] { { 1 - eta * (l + wd), -eta * mu, -eta * wd }, { l + wd, mu, wd }, { 0, 0, 1 } }, [-eta, 1, 0], [1, 0, 0]);
        var baseMethod = TorchMomentum.Create(eta, mu);
        var method = decoupled ? WeightDecay.Decoupled(baseMethod, eta, wd) : WeightDecay.Coupled(baseMethod, wd);
        var problem = MakeProblem();
        const int T = 300;
        var mine = RiskRecursion.Trajectory(problem, method, T);
        var plain = PlainJointMoments.Risk(PlainJointMoments.Run(Lam, S0, [-1, 0, 1], 2, 2.2, 0.05, T, _ => rule), Lam, 0);
        WorstRelErr(mine, plain).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void Nesterov_coupled_decay_is_taken_at_the_look_ahead_point()
    {
        const double eta = 0.4, beta = 0.6, wd = 0.1;
        // v = w + β(w − w_prev); w' = v − η(g(v) + wd·v); state (e, e_prev, w*), v − w* = (1+β)e − βe_prev
        var rule = new Rule(l => new double[,]
        {
            { (1 - eta * (l + wd)) * (1 + beta), -(1 - eta * (l + wd)) * beta, -eta * wd },
            { 1, 0, 0 },
            { 0, 0, 1 },
        }, [-eta, 0, 0], [1 + beta, -beta, 0]);
        var problem = MakeProblem(batch: 3, m4: 3, sigma2: 0.1);
        var mine = RiskRecursion.Trajectory(problem, WeightDecay.Coupled(Nesterov.Create(eta, beta), wd), 200);
        var plain = PlainJointMoments.Risk(PlainJointMoments.Run(Lam, S0, [-1, -1, 1], 3, 3, 0.1, 200, _ => rule), Lam, 0);
        WorstRelErr(mine, plain).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void Zero_decay_is_the_base_method_and_sgd_conventions_coincide()
    {
        var hb = HeavyBall.Create(0.3, 0.5);
        WeightDecay.Coupled(hb, 0).ShouldBeSameAs(hb);
        WeightDecay.Decoupled(hb, 0.3, 0).ShouldBeSameAs(hb);
        // for SGD, shrinking w by lr·λ and adding λw to the gradient are the same update
        var problem = MakeProblem();
        var a = RiskRecursion.Trajectory(problem, WeightDecay.Coupled(Sgd.Create(0.7), 0.2), 100);
        var b = RiskRecursion.Trajectory(problem, WeightDecay.Decoupled(Sgd.Create(0.7), 0.7, 0.2), 100);
        WorstRelErr(a, b).ShouldBeLessThan(1e-13);
    }

    /// <summary>
    /// Without noise and with a batch so large that the gradient is exact, every method converges to the ridge
    /// solution of its effective decay: e_∞,i = −λ_eff/(λ_i + λ_eff)·w*_i, so E L_∞ = ½ Σ λ_i (λ_eff/(λ_i + λ_eff))² s_i.
    /// Coupled decay: λ_eff = λ for every method. Decoupled decay with PyTorch momentum μ: v_∞ = g/(1 − μ) = −λw, so
    /// λ_eff = (1 − μ)λ.
    /// </summary>
    [Theory]
    [InlineData("sgd-coupled", 0.0)]
    [InlineData("hb-coupled", 0.0)]
    [InlineData("torch-coupled", 0.0)]
    [InlineData("torch-decoupled", 0.7)]
    public void Limit_is_the_closed_form_ridge_bias(string which, double shrink)
    {
        const double wd = 0.05;
        var method = which switch
        {
            "sgd-coupled" => WeightDecay.Coupled(Sgd.Create(0.8), wd),
            "hb-coupled" => WeightDecay.Coupled(HeavyBall.Create(0.5, 0.6), wd),
            "torch-coupled" => WeightDecay.Coupled(TorchMomentum.Create(0.3, 0.7), wd),
            _ => WeightDecay.Decoupled(TorchMomentum.Create(0.3, 0.7), 0.3, wd),
        };
        double eff = wd * (1 - shrink);
        var problem = new Problem(Spectrum.FromValues(Lam), S0, 1e14, 3, 0);
        var r = RiskRecursion.Trajectory(problem, method, 4000);
        double ridge = 0.5 * Enumerable.Range(0, Lam.Length).Sum(i => Lam[i] * Math.Pow(eff / (Lam[i] + eff), 2) * S0[i]);
        RelErr(r[^1], ridge).ShouldBeLessThan(1e-9);
    }

    [Fact]
    public void Decoupled_decay_needs_the_parameter_first()
    {
        var custom = new LinearMethod(new double[,] { { 0, 1 }, { 0, 1 } }, [0, 0.3], [0, 1], [0, 1], [1, 1], "custom");
        Should.Throw<InvalidInputException>(() => WeightDecay.Decoupled(custom, 0.3, 0.1)).Message.ShouldContain("first state");
        Should.Throw<InvalidInputException>(() => WeightDecay.Coupled(custom, -1)).Message.ShouldContain("weight decay");
    }
}

/// <summary>docs/math.md#weight-decay: the gap of a method with weight decay is the rate of approach to its limit,
/// the largest eigenvalue of the dense second-moment operator other than the constant coordinate's 1.</summary>
public class WeightDecayGapTests
{
    [Theory]
    [InlineData("hb", 0.02, 1.0)]
    [InlineData("torch-decoupled", 0.05, 3.0)]
    [InlineData("sgd", 0.01, 2.0)]
    [InlineData("hb-ema", 0.02, 3.0)]
    public void Gap_is_the_largest_non_constant_eigenvalue_of_the_dense_operator(string which, double wd, double m4)
    {
        double[] lam = [1.0, 0.4, 0.1, 0.02, 0.005];
        var method = which switch
        {
            "hb" => WeightDecay.Coupled(HeavyBall.Create(0.5, 0.7), wd),
            "torch-decoupled" => WeightDecay.Decoupled(TorchMomentum.Create(0.1, 0.8), 0.1, wd),
            "hb-ema" => Ema.Apply(WeightDecay.Coupled(HeavyBall.Create(0.2, 0.7), wd), 0.9),
            _ => WeightDecay.Coupled(Sgd.Create(1.2), wd),
        };
        var problem = new Problem(Spectrum.FromValues(lam), null, 2, m4);
        var gap = Spectral.ContractionGap.Compute(problem, method);
        var tuple = new Oracles.MethodTuple(method.MatrixA, method.B.ToArray(), method.C.ToArray(), method.O.ToArray(), method.U.ToArray());
        var eig = Oracles.DenseOperator.Eigenvalues(Oracles.DenseOperator.Build(lam, tuple, 2, m4));
        double rho = eig.Where(z => (z - 1).Magnitude > 1e-9).Max(z => z.Magnitude);
        RelErr(gap.Rho, rho).ShouldBeLessThan(1e-10);
        gap.Diverges.ShouldBeFalse();
    }
}

/// <summary>Iterations to a target with weight decay: the reported limit is the ridge bias (exact gradients), a target
/// below it is never reached, and a target above it is hit at the step plain stepping finds.</summary>
public class WeightDecayIterationsTests
{
    [Fact]
    public void Limit_and_first_hit_of_a_method_with_weight_decay()
    {
        double[] lam = [1.0, 0.3, 0.05, 0.01];
        const double wd = 0.02;
        var method = WeightDecay.Coupled(HeavyBall.Create(0.5, 0.6), wd);
        var problem = new Problem(Spectrum.FromValues(lam), null, 1e14, 3, 0);
        double ridge = 0.5 * lam.Sum(l => l * Math.Pow(wd / (l + wd), 2));
        var below = Targets.IterationsToTarget.Compute(problem, method, 0.999 * ridge);
        below.Exact.ShouldBeNull();
        RelErr(below.Limit!.Value, ridge).ShouldBeLessThan(1e-9);
        below.ClosedForm.ShouldBeNull();
        var above = Targets.IterationsToTarget.Compute(problem, method, 1.01 * ridge);
        var risk = RiskRecursion.Reference(problem, method, 3000);
        above.Exact.ShouldBe(Array.FindIndex(risk, r => r <= 1.01 * ridge));
    }
}
