using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tests.Oracles;

namespace ExactDynamics.Tests.Schedules;

/// <summary>
/// The adjoint gradient of E L_T with respect to a schedule, checked (1) against forward-mode differentiation with dual
/// numbers through a literal dense recursion written here (its own (A, b, c)(lr, β) formulas per family, one full k×k
/// block per direction, μ_t recomputed from the blocks), to 1e-12; (2) against central finite differences of the
/// library's own scheduled kernel (a different code path), to 1e-6; (3) checkpointed backward pass = stored one.
/// </summary>
public class ScheduleGradientTests
{
    /// <summary>One update as dual arrays: A (k×k), b, c, and the batch.</summary>
    private sealed record DualStep(Dual[,] A, Dual[] B, Dual[] C, Dual Batch);

    /// <summary>E L_T by the literal recursion in dual numbers (docs/math.md#scheduled-recursion with step t's settings).</summary>
    private static Dual ReferenceRisk(double[] lam, double[] init, double m4, double noise, double[] u, double[] o, IReadOnlyList<DualStep> steps)
    {
        int d = lam.Length, k = u.Length;
        var S = new Dual[d][,];
        for (int i = 0; i < d; i++)
        {
            S[i] = new Dual[k, k];
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) S[i][p, q] = init[i] * u[p] * u[q];
        }
        Dual Quad(Dual[,] m, Dual[] v)
        {
            Dual s = 0;
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) s += v[p] * m[p, q] * v[q];
            return s;
        }
        foreach (var st in steps)
        {
            Dual mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * Quad(S[i], st.C);
            var nextAll = new Dual[d][,];
            for (int i = 0; i < d; i++)
            {
                var T = new Dual[k, k];
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) T[p, q] = st.A[p, q] - lam[i] * st.B[p] * st.C[q];
                Dual bracket = lam[i] * mu + (m4 - 2) * lam[i] * lam[i] * Quad(S[i], st.C) + noise * lam[i];
                var next = new Dual[k, k];
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        Dual s = 0;
                        for (int r = 0; r < k; r++) for (int w = 0; w < k; w++) s += T[p, r] * S[i][r, w] * T[q, w];
                        next[p, q] = s + st.B[p] * st.B[q] * bracket / st.Batch;
                    }
                nextAll[i] = next;
            }
            S = nextAll;
        }
        Dual risk = 0;
        var od = o.Select(x => (Dual)x).ToArray();
        for (int i = 0; i < d; i++) risk += lam[i] * Quad(S[i], od);
        return 0.5 * risk;
    }

    /// <summary>The test's own (A, b, c, o, u) of each family as functions of (lr, momentum).</summary>
    private static (Func<Dual, Dual, (Dual[,] A, Dual[] B, Dual[] C)> Make, double[] O, double[] U) Family(string family) => family switch
    {
        "sgd" => ((e, _) => (new Dual[,] { { 1 } }, [e], [1]), [1], [1]),
        "hb" => ((e, m) => (new Dual[,] { { 1 + m, -m }, { 1, 0 } }, [e, 0], [1, 0]), [1, 0], [1, 1]),
        "nesterov" => ((e, m) => (new Dual[,] { { 1 + m, -m }, { 1, 0 } }, [e, 0], [1 + m, -m]), [1, 0], [1, 1]),
        "torch" => ((e, m) => (new Dual[,] { { 1, -(e * m) }, { 0, m } }, [e, -1], [1, 0]), [1, 0], [1, 0]),
        "torch-nesterov" => ((e, m) => (new Dual[,] { { 1, -(e * m * m) }, { 0, m } }, [e * (1 + m), -1], [1, 0]), [1, 0], [1, 0]),
        _ => ((e, _) => Asgd(e), [1, 0], [1, 1]),
    };

    /// <summary>AccSGD with κ̃ = 40, ξ = 2, c = 0.7 from docs/math.md#asgd.</summary>
    private static (Dual[,] A, Dual[] B, Dual[] C) Asgd(Dual delta)
    {
        double kappa = 40, xi = 2, small = 0.7;
        double alpha = 1 - small * small * xi / kappa, p = small / (small + 1 - alpha), q = 1 - p;
        Dual ell = kappa * delta / small;
        return (new Dual[,] { { p + q * (1 - alpha), q * alpha }, { 1 - alpha, alpha } }, [p * delta + q * (1 - alpha) * ell, (1 - alpha) * ell], [1, 0]);
    }

    private static MethodTemplate Template(string family) => family switch
    {
        "sgd" => MethodTemplate.Sgd(0.5),
        "hb" => MethodTemplate.HeavyBall(0.3, 0.6),
        "nesterov" => MethodTemplate.Nesterov(0.3, 0.6),
        "torch" => MethodTemplate.Torch(0.2, 0.7),
        "torch-nesterov" => MethodTemplate.Torch(0.2, 0.7, nesterov: true),
        _ => MethodTemplate.Asgd(0.2, 40, 2),
    };

    public static TheoryData<string> Families() => new() { "sgd", "hb", "nesterov", "torch", "torch-nesterov", "asgd" };

    private const int Steps = 14;

    private static (Problem Problem, double[] Lr, double[]? Mom, double[] Batch) RandomCase(string family, int seed)
    {
        var rng = new Random(seed);
        var lam = TestSupport.RandomSpectrum(rng, 6, 0.01, 1);
        var init = lam.Select(_ => 0.2 + rng.NextDouble()).ToArray();
        var problem = new Problem(Spectrum.FromValues(lam), init, 2, 1.7, 0.05);
        var t = Template(family);
        var lr = Enumerable.Range(0, Steps).Select(_ => t.Lr * (0.5 + rng.NextDouble())).ToArray();
        var mom = t.HasMomentum ? Enumerable.Range(0, Steps).Select(_ => 0.3 + 0.6 * rng.NextDouble()).ToArray() : null;
        var batch = Enumerable.Range(0, Steps).Select(_ => 1 + 4 * rng.NextDouble()).ToArray();
        return (problem, lr, mom, batch);
    }

    /// <summary>∂E L_T/∂(parameter j of kind "lr"|"mom"|"batch") by one forward-mode dual pass.</summary>
    private static double DualDerivative(string family, Problem problem, double[] lr, double[]? mom, double[] batch, string kind, int j)
    {
        var (make, o, u) = Family(family);
        var steps = new List<DualStep>();
        for (int t = 0; t < lr.Length; t++)
        {
            Dual e = new(lr[t], kind == "lr" && t == j ? 1 : 0);
            Dual m = new(mom?[t] ?? 0, kind == "mom" && t == j ? 1 : 0);
            Dual bt = new(batch[t], kind == "batch" && t == j ? 1 : 0);
            var (A, B, C) = make(e, m);
            steps.Add(new DualStep(A, B, C, bt));
        }
        return ReferenceRisk(problem.Spectrum.ToArray(), problem.Initial.ToArray(), problem.Kurtosis, problem.Noise, u, o, steps).D;
    }

    private static void ShouldAgree(double[] actual, double[] expected, double tol)
    {
        double scale = expected.Max(Math.Abs);
        scale.ShouldBeGreaterThan(0);
        for (int t = 0; t < actual.Length; t++)
            Math.Abs(actual[t] - expected[t]).ShouldBeLessThan(tol * Math.Max(Math.Abs(expected[t]), 1e-2 * scale), $"component {t}");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void The_adjoint_gradient_matches_forward_mode_dual_numbers(string family)
    {
        var (problem, lr, mom, batch) = RandomCase(family, 11 + family.Length);
        var g = ScheduleGradient.Compute(problem, Template(family), lr, mom, batch);
        var exactRisk = RiskRecursion.Reference(problem, Scheduled(family, lr, mom, batch), Steps)[Steps];
        TestSupport.RelErr(g.Risk, exactRisk).ShouldBeLessThan(1e-13);
        ShouldAgree(g.Lr!, Enumerable.Range(0, Steps).Select(j => DualDerivative(family, problem, lr, mom, batch, "lr", j)).ToArray(), 1e-12);
        ShouldAgree(g.Batch, Enumerable.Range(0, Steps).Select(j => DualDerivative(family, problem, lr, mom, batch, "batch", j)).ToArray(), 1e-12);
        if (mom is not null)
            ShouldAgree(g.Momentum!, Enumerable.Range(0, Steps).Select(j => DualDerivative(family, problem, lr, mom, batch, "mom", j)).ToArray(), 1e-12);
        else g.Momentum.ShouldBeNull();
    }

    private static ScheduledMethod Scheduled(string family, double[] lr, double[]? mom, double[] batch) =>
        new(Template(family), Schedule.FromValues(lr, absolute: true), mom is null ? null : Schedule.FromValues(mom, absolute: true),
            Schedule.FromValues(batch, absolute: true));

    [Theory]
    [MemberData(nameof(Families))]
    public void The_adjoint_gradient_matches_central_finite_differences_of_the_scheduled_kernel(string family)
    {
        var (problem, lr, mom, batch) = RandomCase(family, 101 + family.Length);
        var g = ScheduleGradient.Compute(problem, Template(family), lr, mom, batch);
        double Risk(double[] l, double[]? m, double[] b) => RiskRecursion.FinalRisk(problem, Scheduled(family, l, m, b), Steps);
        double[] Fd(double[] x, Func<double[], double> f)
        {
            var r = new double[x.Length];
            for (int j = 0; j < x.Length; j++)
            {
                double h = 1e-5 * x[j];
                var xp = (double[])x.Clone(); xp[j] += h;
                var xm = (double[])x.Clone(); xm[j] -= h;
                r[j] = (f(xp) - f(xm)) / (2 * h);
            }
            return r;
        }
        ShouldAgree(g.Lr!, Fd(lr, l => Risk(l, mom, batch)), 1e-6);
        ShouldAgree(g.Batch, Fd(batch, b => Risk(lr, mom, b)), 1e-6);
        if (mom is not null) ShouldAgree(g.Momentum!, Fd(mom, m => Risk(lr, m, batch)), 1e-6);
    }

    [Theory]
    [InlineData(2, 5)]
    [InlineData(3, 9)]
    public void The_raw_gradient_of_custom_methods_matches_dual_numbers_entry_by_entry(int k, int seed)
    {
        // a different consistent method at every step (u = ones: rows of A sum to 1, cᵀu = oᵀu = 1), noise, m4 ≠ 3
        var rng = new Random(seed);
        const int steps = 9;
        var lam = TestSupport.RandomSpectrum(rng, 5, 0.02, 1);
        var problem = new Problem(Spectrum.FromValues(lam), lam.Select(_ => 0.5 + rng.NextDouble()).ToArray(), 1, 4.2, 0.1);
        var methods = new LinearMethod[steps + 1];
        var batches = new double[steps + 1];
        var o = new double[k]; o[0] = 1;
        for (int t = 0; t <= steps; t++)
        {
            var a = new double[k, k];
            for (int p = 0; p < k; p++)
            {
                double rest = 1;
                for (int q = 1; q < k; q++) { a[p, q] = 0.6 * (rng.NextDouble() - 0.5); rest -= a[p, q]; }
                a[p, 0] = rest;
            }
            var b = Enumerable.Range(0, k).Select(_ => 0.4 * rng.NextDouble()).ToArray();
            var c = new double[k];
            double cr = 1;
            for (int q = 1; q < k; q++) { c[q] = 0.4 * (rng.NextDouble() - 0.5); cr -= c[q]; }
            c[0] = cr;
            methods[t] = new LinearMethod(a, b, c, o);
            batches[t] = 1 + 3 * rng.NextDouble();
        }
        var g = StepGradients.Compute(problem, t => (methods[t], batches[t]), steps);
        var u = Enumerable.Repeat(1.0, k).ToArray();
        double Derivative(Func<int, int, int, int, double> seedOf)
        {
            // seedOf(t, kind, p, q): 1 on the perturbed entry (kind 0 = A, 1 = b, 2 = c, 3 = batch)
            var list = new List<DualStep>();
            for (int t = 0; t < steps; t++)
            {
                var m = methods[t];
                var A = new Dual[k, k];
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) A[p, q] = new Dual(m.A(p, q), seedOf(t, 0, p, q));
                var B = Enumerable.Range(0, k).Select(p => new Dual(m.B[p], seedOf(t, 1, p, 0))).ToArray();
                var C = Enumerable.Range(0, k).Select(p => new Dual(m.C[p], seedOf(t, 2, p, 0))).ToArray();
                list.Add(new DualStep(A, B, C, new Dual(batches[t], seedOf(t, 3, 0, 0))));
            }
            return ReferenceRisk(lam, problem.Initial.ToArray(), problem.Kurtosis, problem.Noise, u, o, list).D;
        }
        var expected = new List<double>();
        var actual = new List<double>();
        for (int t = 0; t < steps; t++)
        {
            for (int p = 0; p < k; p++)
            {
                for (int q = 0; q < k; q++)
                {
                    actual.Add(g.DA(t, p, q));
                    expected.Add(Derivative((s, kind, pp, qq) => s == t && kind == 0 && pp == p && qq == q ? 1 : 0));
                }
                actual.Add(g.Db(t, p));
                expected.Add(Derivative((s, kind, pp, _) => s == t && kind == 1 && pp == p ? 1 : 0));
                actual.Add(g.Dc(t, p));
                expected.Add(Derivative((s, kind, pp, _) => s == t && kind == 2 && pp == p ? 1 : 0));
            }
            actual.Add(g.DBatch(t));
            expected.Add(Derivative((s, kind, _, _) => s == t && kind == 3 ? 1 : 0));
        }
        ShouldAgree(actual.ToArray(), expected.ToArray(), 1e-12);
    }

    [Fact]
    public void The_checkpointed_backward_pass_gives_the_same_bits_as_the_stored_one()
    {
        var (problem, lr, mom, batch) = RandomCase("hb", 7);
        // a longer run: 14 steps repeated; a tiny budget forces checkpoints every ⌈√T⌉ = 7 steps
        lr = [.. lr, .. lr, .. lr]; mom = [.. mom!, .. mom!, .. mom!]; batch = [.. batch, .. batch, .. batch];
        var stored = ScheduleGradient.Compute(problem, Template("hb"), lr, mom, batch);
        var checkpointed = ScheduleGradient.Compute(problem, Template("hb"), lr, mom, batch, storedDoublesBudget: 100);
        stored.Raw.SegmentLength.ShouldBe(42);
        checkpointed.Raw.SegmentLength.ShouldBe(7);
        checkpointed.Risk.ShouldBe(stored.Risk);
        checkpointed.Lr.ShouldBe(stored.Lr);
        checkpointed.Momentum.ShouldBe(stored.Momentum);
        checkpointed.Batch.ShouldBe(stored.Batch);
    }

    [Fact]
    public void A_diverging_run_reports_an_infinite_risk_and_no_NaN()
    {
        var problem = new Problem(Spectrum.FromValues([1.0, 0.5]), null, 1);
        var g = ScheduleGradient.Compute(problem, MethodTemplate.Sgd(1), Enumerable.Repeat(3.0, 2000).ToArray(), null, null);
        g.Risk.ShouldBe(double.PositiveInfinity);
        g.Lr!.ShouldAllBe(x => !double.IsNaN(x));
    }
}
