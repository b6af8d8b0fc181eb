using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;
using ExactDynamics.Tests.Oracles;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests;

/// <summary>
/// The problem is invariant under λ → sλ, b → b/s, σ² → sσ² (the risk then scales by s): generated problems and
/// methods at scales s from 1e-300 to 1e300 must give the same ρ, γ, ρ_local, risk curve relative to its start,
/// iteration counts and tuned gap (to 1e-10), and at s = 1 agree with the dense operator and the literal recursion.
/// </summary>
public class ScaleInvarianceTests
{
    private static readonly double[] Scales = [1e-300, 3.7e-200, 1e-155, 1e-90, 1e-10, 1, 7.3e9, 1e90, 1e155, 2.9e200, 1e300];

    private static LinearMethod ScaleStep(LinearMethod m, double s) =>
        new(m.MatrixA, m.B.ToArray().Select(x => x / s).ToArray(), m.C.ToArray(), m.O.ToArray(), m.U.ToArray());

    private static Problem ScaleProblem(Problem p, double s) =>
        new(Spectrum.FromValues(p.Spectrum.ToArray().Select(x => x * s)), p.Initial.ToArray(), p.Batch, p.Kurtosis, p.Noise * s);

    /// <summary>A random problem with λ_max = 1 and a random method of the given kind, scaled so that it converges
    /// (its step times λ_max at a random fraction of what SGD tolerates).</summary>
    private static (Problem Problem, LinearMethod Method) Generate(Random rng, int kind, bool noise)
    {
        int d = rng.Next(3, 25);
        var lam = TestSupport.RandomSpectrum(rng, d, Math.Pow(10, -rng.Next(1, 5)), 1);
        var init = Enumerable.Range(0, d).Select(_ => Math.Exp(3 * rng.NextDouble() - 1.5)).ToArray();
        double batch = rng.Next(1, 9), kurt = 1 + 5 * rng.NextDouble();
        var problem = TestSupport.MakeProblem(lam, init, batch, kurt, noise ? 0.3 * rng.NextDouble() : 0);
        double f = 0.05 + 0.4 * rng.NextDouble();
        double lr = f * batch / (batch + kurt + d * 0.2);
        LinearMethod m = kind switch
        {
            0 => Sgd.Create(lr),
            1 => HeavyBall.Create(lr * 0.5, 0.3 + 0.5 * rng.NextDouble()),
            2 => Nesterov.Create(lr * 0.5, 0.3 + 0.5 * rng.NextDouble()),
            3 => Asgd.Create(lr * 0.5, 20 + 50 * rng.NextDouble(), 2 + 3 * rng.NextDouble()),
            _ => CustomMethods.Qhm(lr * 0.5, 0.5 + 0.4 * rng.NextDouble(), 0.7).ToLibrary(),
        };
        return (problem, m);
    }

    [Fact]
    public void GapRhoAndLocalRadiusDoNotDependOnTheScale()
    {
        var rng = new Random(1301);
        for (int trial = 0; trial < 15; trial++)
        {
            var (problem, method) = Generate(rng, trial % 5, false);
            var g1 = ContractionGap.Compute(problem, method);
            // independent: the dense second-moment operator at s = 1
            double dense = DenseOperator.Rho(problem.Spectrum.ToArray(), MethodTuple.From(method), problem.Batch, problem.Kurtosis);
            TestSupport.RelErr(g1.Rho, dense).ShouldBeLessThan(1e-9, $"trial {trial}: dense ρ");
            foreach (var s in Scales)
            {
                var gs = ContractionGap.Compute(ScaleProblem(problem, s), ScaleStep(method, s));
                gs.Diverges.ShouldBe(g1.Diverges, $"trial {trial}, s = {s}");
                TestSupport.RelErr(gs.Gap, g1.Gap).ShouldBeLessThan(1e-10, $"trial {trial}, s = {s}: gap");
                TestSupport.RelErr(gs.Rho, g1.Rho).ShouldBeLessThan(1e-10, $"trial {trial}, s = {s}: ρ");
                if (!double.IsNaN(g1.RhoLocal))
                    TestSupport.RelErr(gs.RhoLocal, g1.RhoLocal).ShouldBeLessThan(1e-10, $"trial {trial}, s = {s}: ρ_local");
            }
        }
    }

    [Fact]
    public void RiskCurveRelativeToItsStartDoesNotDependOnTheScale()
    {
        var rng = new Random(1302);
        for (int trial = 0; trial < 10; trial++)
        {
            var (problem, method) = Generate(rng, trial % 5, trial % 2 == 0);
            const int steps = 40;
            var reference = RiskRecursion.Reference(problem, method, steps); // the literal loop, at s = 1
            var r1 = RiskRecursion.Trajectory(problem, method, steps);
            TestSupport.WorstRelErr(r1, reference).ShouldBeLessThan(1e-12);
            foreach (var s in Scales)
            {
                var rs = RiskRecursion.Trajectory(ScaleProblem(problem, s), ScaleStep(method, s), steps);
                for (int t = 0; t <= steps; t++)
                    TestSupport.RelErr(rs[t] / rs[0], r1[t] / r1[0]).ShouldBeLessThan(1e-10, $"trial {trial}, s = {s}, t = {t}");
                TestSupport.RelErr(rs[0], s * r1[0]).ShouldBeLessThan(1e-12, $"trial {trial}, s = {s}: E L_0 scales by s");
                if (method.K == 1)
                {
                    double spectral = SgdSpectralRisk.At(ScaleProblem(problem, s), ScaleStep(method, s), steps);
                    TestSupport.RelErr(spectral / rs[0], r1[steps] / r1[0]).ShouldBeLessThan(1e-9, $"trial {trial}, s = {s}: spectral SGD path");
                }
            }
        }
    }

    [Fact]
    public void PrefactorAndIterationCountsDoNotDependOnTheScale()
    {
        var rng = new Random(1303);
        for (int trial = 0; trial < 8; trial++)
        {
            var (problem, method) = Generate(rng, trial % 5, false);
            var l0 = new SecondMoments(problem, method).Risk;
            double eps = l0 * Math.Pow(10, -1 - 3 * rng.NextDouble());
            var i1 = IterationsToTarget.Compute(problem, method, eps, 100_000);
            foreach (var s in Scales)
            {
                var i2 = IterationsToTarget.Compute(ScaleProblem(problem, s), ScaleStep(method, s), eps * s, 100_000);
                i2.Exact.ShouldBe(i1.Exact, $"trial {trial}, s = {s}");
                TestSupport.RelErr(i2.Prefactor / s, i1.Prefactor).ShouldBeLessThan(1e-9, $"trial {trial}, s = {s}: prefactor");
                TestSupport.RelErr(i2.Crude, i1.Crude).ShouldBeLessThan(1e-9, $"trial {trial}, s = {s}: crude count");
            }
        }
    }

    [Fact]
    public void TunedGapAndLearningRateDoNotDependOnTheScale()
    {
        var rng = new Random(1304);
        var (problem, _) = Generate(rng, 0, false);
        foreach (var family in new[] { MethodFamily.Sgd, MethodFamily.HeavyBall })
        {
            var t1 = Tuner.Tune(problem, family);
            foreach (var s in new[] { 1e-300, 1e-155, 3.3e77, 1e300 })
            {
                var ts = Tuner.Tune(ScaleProblem(problem, s), family);
                TestSupport.RelErr(ts.Gap, t1.Gap).ShouldBeLessThan(1e-10, $"{family}, s = {s}: tuned gap");
                TestSupport.RelErr(ts.Parameters["lr"] * s, t1.Parameters["lr"]).ShouldBeLessThan(1e-6, $"{family}, s = {s}: lr (the gap is flat at its maximum)");
                // the returned method is the user's: its own gap on the scaled problem is the tuned one
                TestSupport.RelErr(ContractionGap.Compute(ScaleProblem(problem, s), ts.Method).Gap, t1.Gap).ShouldBeLessThan(1e-10);
            }
        }
    }

    [Fact]
    public void HugeInitialMomentsAreScaledNotCalledDivergent()
    {
        // s_i near 1e308 with λ ≤ 1e-3: E L_t is representable, but the blocks (and the momentum cross terms) are not
        var rng = new Random(1305);
        for (int trial = 0; trial < 10; trial++)
        {
            var (problem, method) = Generate(rng, trial % 5, false);
            var small = ScaleProblem(problem, 1e-3);
            var m = ScaleStep(method, 1e-3);
            double f = 1.7e308 / problem.Initial.ToArray().Max();
            var big = new Problem(small.Spectrum, small.Initial.ToArray().Select(x => x * f).ToArray(), small.Batch, small.Kurtosis);
            var r1 = RiskRecursion.Run(small, m, 30);
            var rb = RiskRecursion.Run(big, m, 30);
            rb.Overflowed.ShouldBeFalse();
            ContractionGap.Compute(big, m).Diverges.ShouldBeFalse();
            for (int t = 0; t < r1.Risk.Length; t++)
                TestSupport.RelErr(rb.Risk[t] / f, r1.Risk[t]).ShouldBeLessThan(1e-12);
        }
    }

    [Fact]
    public void RisksBeyondTheDoubleRangeAndUnresolvableSpectraAreRefusedWithASentence()
    {
        // E L_0 = ½·200·1e308: not representable, refused (not reported as a divergence)
        var p = new Problem(Spectrum.PowerLaw(0, 200, 1e308), batch: 4);
        var e1 = Should.Throw<InvalidInputException>(() => RiskRecursion.Run(p, Sgd.Create(1e-311), 10));
        e1.Message.ShouldContain("initial risk");
        // the gap is fine there: λ·lr = 0.001, tr H·lr = 0.2; as for the same problem at λ = 1
        var g0 = ContractionGap.Compute(p, Sgd.Create(1e-311));
        g0.Diverges.ShouldBeFalse();
        TestSupport.RelErr(g0.Gap, ContractionGap.Compute(new Problem(Spectrum.PowerLaw(0, 200), batch: 4), Sgd.Create(1e-311 * 1e308)).Gap).ShouldBeLessThan(1e-10);
        // a subnormal eigenvalue next to 1: its ratio to λ_max is not representable
        var sub = TestSupport.MakeProblem([1, 4.9e-324]);
        Should.Throw<InvalidInputException>(() => ContractionGap.Compute(sub, Sgd.Create(0.5))).Message.ShouldContain("Eigenvalue number 2");
        // subnormal eigenvalues alone are an ordinary problem in other units
        var tiny = TestSupport.MakeProblem([4.9e-324, 4.9e-324]);
        var g = ContractionGap.Compute(tiny, Sgd.Create(1e300));
        g.Diverges.ShouldBeFalse();
        // steps that do not move, or diverge beyond the range of ρ
        Should.Throw<InvalidInputException>(() => ContractionGap.Compute(TestSupport.MakeProblem([1, 0.5]), Sgd.Create(1e-310)));
        var custom = new LinearMethod(new double[,] { { 1 } }, [1e308], [1], [1]);
        Should.Throw<InvalidInputException>(() => ContractionGap.Compute(TestSupport.MakeProblem([1, 0.5]), custom));
    }
}
