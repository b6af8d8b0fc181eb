using ExactDynamics.Cli.Parsing;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using MathNet.Numerics.LinearAlgebra;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests.Schedules;

/// <summary>
/// The scheduled recursion: (1) with constant settings, the fused kernel is bit for bit the constant-method kernel;
/// (2) under schedules, the fused kernel agrees with the plain per-step reference loop; (3) both agree with an
/// independent oracle that averages the literal update over every Rademacher sample (full (k·d)² covariance).
/// </summary>
public class ScheduledRecursionTests
{
    private static readonly Spectrum Spec = Spectrum.FromValues([1.0, 0.6, 0.3, 0.1, 0.05, 0.02, 0.011]);

    public static TheoryData<string> Families() => new() { "sgd", "hb", "nesterov", "asgd", "torch", "torch-nesterov", "custom3" };

    private static MethodTemplate Template(string family) => family switch
    {
        "sgd" => MethodTemplate.Sgd(0.7),
        "hb" => MethodTemplate.HeavyBall(0.4, 0.6),
        "nesterov" => MethodTemplate.Nesterov(0.4, 0.6),
        "asgd" => MethodTemplate.Asgd(0.3, 40, 2),
        "torch" => MethodTemplate.Torch(0.2, 0.7),
        "torch-nesterov" => MethodTemplate.Torch(0.2, 0.7, nesterov: true),
        _ => MethodTemplate.Custom(Custom3()),
    };

    /// <summary>A 3-state method (quasi-hyperbolic-like mix) to exercise the general-k kernel.</summary>
    private static LinearMethod Custom3() => new(
        new double[,] { { 1.5, -0.3, -0.2 }, { 1, 0, 0 }, { 0, 1, 0 } }, [0.3, 0, 0], [1.2, -0.1, -0.1], [1, 0, 0]);

    [Theory]
    [MemberData(nameof(Families))]
    public void Constant_settings_reproduce_the_constant_method_bit_for_bit(string family)
    {
        var t = Template(family);
        var problem = new Problem(Spec, Enumerable.Range(1, 7).Select(i => 1.0 / i).ToArray(), 3, 2.5, 0.01);
        var expected = RiskRecursion.Trajectory(problem, t.Base, 300);
        // schedules that keep every base value (constant, a file of ones, step with factor 1, the base as an absolute
        // value) are recognised as constant, so every entry point runs the constant method's own kernel: same bits
        var ones = Schedule.FromValues([1.0, 1.0, 1.0], absolute: false);
        var sm = new ScheduledMethod(t, t.HasLearningRate ? ones : null,
            t.HasMomentum ? Schedule.FromValues([t.Momentum], absolute: true) : null, Schedule.Step(10, 1));
        sm.IsConstant.ShouldBeTrue();
        RiskRecursion.Trajectory(problem, sm, 300).ShouldBe(expected);
        RiskRecursion.Trajectory(problem, new ScheduledMethod(t, Schedule.Constant, null, Schedule.Constant), 300).ShouldBe(expected);
        var run = RiskRecursion.Run(problem, sm, 300, 7);
        var constRun = RiskRecursion.Run(problem, t.Base, 300, 7);
        run.Steps.ShouldBe(constRun.Steps);
        run.Risk.ShouldBe(constRun.Risk);
        RiskRecursion.FinalRisk(problem, sm, 300).ShouldBe(expected[300]);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void The_fused_scheduled_kernel_on_constant_settings_matches_the_constant_kernel(string family)
    {
        // SecondMoments runs SecondMoments' own pass with each update's coefficients: on constant settings
        // those are the constant method's, so the numbers are the same bits
        var t = Template(family);
        var problem = new Problem(Spec, Enumerable.Range(1, 7).Select(i => 1.0 / i).ToArray(), 3, 2.5, 0.01);
        var expected = RiskRecursion.Trajectory(problem, t.Base, 300, new ExecutionOptions(Algorithm: RiskAlgorithm.Fused));
        RiskRecursion.Fused(problem, new ScheduledMethod(t), 300).ShouldBe(expected);
        // a schedule that changes nothing in the arithmetic but is not recognised as constant runs the fused kernel too
        var wiggle = new ScheduledMethod(t, null, null, Schedule.FromValues([1.0, 1.0, 1.0, 1.0000000001, 1.0], absolute: false));
        wiggle.IsConstant.ShouldBeFalse();
        WorstRelErr(RiskRecursion.Trajectory(problem, wiggle, 300), expected).ShouldBeLessThan(1e-9);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("hb")]
    [InlineData("nesterov")]
    [InlineData("torch")]
    public void The_vectorised_parallel_pass_matches_the_reference_and_not_the_thread_count(string family)
    {
        // d = 3·8192 + 37: several chunks (both cores), a length that is no multiple of any vector width
        int d = 3 * 8192 + 37;
        var t = Template(family);
        var problem = new Problem(Spectrum.PowerLaw(1, d), null, 4, 3, 0.01);
        var lr = ScheduleSpec.Parse("warmup:5+cosine:steps=30,floor=0.1");
        var mom = t.HasMomentum ? ScheduleSpec.Parse("step:every=7,factor=0.9") : null;
        var sm = new ScheduledMethod(t, lr, mom, ScheduleSpec.Parse("step:every=10,factor=2"));
        double[] Run(int threads)
        {
            var state = new SecondMoments(problem, sm, new ExecutionOptions(threads));
            var r = new double[31];
            r[0] = state.Risk;
            for (int k = 1; k <= 30; k++) { state.Step(); r[k] = state.Risk; }
            return r;
        }
        var one = Run(1);
        Run(2).ShouldBe(one);
        WorstRelErr(one, RiskRecursion.Reference(problem, sm, 30)).ShouldBeLessThan(1e-12);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Fused_kernel_matches_the_reference_loop_under_schedules(string family)
    {
        var t = Template(family);
        var problem = new Problem(Spec, null, 2, 3, 0.05);
        var lr = t.HasLearningRate ? ScheduleSpec.Parse("warmup:5+cosine:steps=40,floor=0.1") : null;
        var mom = t.HasMomentum ? ScheduleSpec.Parse("wsd:warmup=10,stable=10,decay=20,floor=0.3") : null;
        var batch = ScheduleSpec.Parse("step:every=12,factor=2");
        var sm = new ScheduledMethod(t, lr, mom, batch);
        var fused = RiskRecursion.Trajectory(problem, sm, 60);
        var reference = RiskRecursion.Reference(problem, sm, 60);
        WorstRelErr(fused, reference).ShouldBeLessThan(1e-12);
        // the schedule matters: it differs from the constant method
        RelErr(fused[60], RiskRecursion.Trajectory(problem, t.Base, 60)[60]).ShouldBeGreaterThan(1e-3);
    }

    [Theory]
    [InlineData("inverse-sqrt:tau=5")]
    [InlineData("warmup:8+inverse-sqrt:tau=8")]
    [InlineData("wsd:warmup=5,stable=20,decay=15,floor=0.1")]
    [InlineData("step:every=7,factor=0.6")]
    [InlineData("cosine:steps=25,floor=0.2")]
    public void Every_schedule_kind_runs_the_same_in_the_fused_kernel_and_the_reference(string spec)
    {
        var problem = new Problem(Spec, null, 3, 4.5, 0.02);
        foreach (var t in new[] { MethodTemplate.Sgd(0.8), MethodTemplate.Nesterov(0.4, 0.7) })
        {
            var sm = new ScheduledMethod(t, ScheduleSpec.Parse(spec), t.HasMomentum ? ScheduleSpec.Parse(spec) : null, ScheduleSpec.Parse("step:every=10,factor=2,max=4"));
            WorstRelErr(RiskRecursion.Trajectory(problem, sm, 50), RiskRecursion.Reference(problem, sm, 50)).ShouldBeLessThan(1e-12);
        }
    }

    [Fact]
    public void Nesterov_momentum_schedule_changes_c_and_the_coupling_uses_each_steps_c()
    {
        // c = [1+β, −β] changes with β: a kernel that weighted μ_t with the previous step's c would drift from the reference
        var t = MethodTemplate.Nesterov(0.5, 0.8);
        var problem = new Problem(Spec, null, 1, 3, 0);
        var mom = Schedule.FromValues([0.1, 0.9, 0.2, 0.95, 0.0, 0.5], absolute: true);
        var sm = new ScheduledMethod(t, ScheduleSpec.Parse("step:every=2,factor=0.8"), mom);
        WorstRelErr(RiskRecursion.Trajectory(problem, sm, 30), RiskRecursion.Reference(problem, sm, 30)).ShouldBeLessThan(1e-12);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("hb")]
    [InlineData("nesterov")]
    [InlineData("torch")]
    [InlineData("asgd")]
    public void Both_agree_with_an_independent_full_covariance_enumeration_oracle(string family)
    {
        // Rademacher data (m4 = 1), d = 3: the exact covariance of the full k·d state, averaged over every sample
        var lam = new[] { 1.0, 0.4, 0.1 };
        var t = Template(family);
        var problem = new Problem(Spectrum.FromValues(lam), [1, 0.5, 2], 3, 1, 0.1);
        var lr = ScheduleSpec.Parse("warmup:3+cosine:steps=6");
        var mom = t.HasMomentum ? ScheduleSpec.Parse("linear-warmup:steps=4") : null;
        var batch = Schedule.FromValues([1, 1, 2, 1, 2, 2, 1, 2], absolute: true); // absolute B_t; the base 3 is ignored
        var sm = new ScheduledMethod(t, lr, mom, batch);
        int steps = 10;
        var oracle = Enumerated(problem, sm, steps);
        WorstRelErr(RiskRecursion.Trajectory(problem, sm, steps), oracle).ShouldBeLessThan(1e-12);
        WorstRelErr(RiskRecursion.Reference(problem, sm, steps), oracle).ShouldBeLessThan(1e-12);
    }

    /// <summary>
    /// Σ_{t+1} = E_z[M(z) Σ_t M(z)ᵀ] + σ²/B (b bᵀ ⊗ H) with M = A⊗I − (b⊗I) Ĥ (cᵀ⊗I), Ĥ = (1/B) Σ_b x_b x_bᵀ, x = H^{1/2} z,
    /// z ∈ {±1}^d: the expectation is an exact average over all 2^{dB} sign patterns. Uses step t's A, b, c, B (integer).
    /// </summary>
    private static double[] Enumerated(Problem problem, ScheduledMethod sm, int steps)
    {
        var mb = Matrix<double>.Build;
        var lam = problem.Spectrum.ToArray();
        int d = lam.Length;
        var first = sm.At(0, problem.Batch).Method;
        int k = first.K, n = k * d;
        var id = mb.DenseIdentity(d);
        var H = mb.DenseOfDiagonalArray(lam);
        var sqrtH = mb.DenseOfDiagonalArray(lam.Select(Math.Sqrt).ToArray());
        var uu = mb.DenseOfColumnArrays(first.U.ToArray()) * mb.DenseOfRowArrays(first.U.ToArray());
        var sigma = uu.KroneckerProduct(mb.DenseOfDiagonalArray(problem.Initial.ToArray()));
        double Risk(LinearMethod m)
        {
            var om = mb.DenseOfRowArrays(m.O.ToArray()).KroneckerProduct(id);
            return 0.5 * (H * om * sigma * om.Transpose()).Trace();
        }
        var risk = new double[steps + 1];
        risk[0] = Risk(first);
        for (int t = 0; t < steps; t++)
        {
            var s = sm.At(t, problem.Batch);
            int B = (int)s.Batch;
            s.Batch.ShouldBe(B);
            var m = s.Method;
            var A = mb.DenseOfArray(m.MatrixA).KroneckerProduct(id);
            var bm = mb.DenseOfColumnArrays(m.B.ToArray()).KroneckerProduct(id);
            var cm = mb.DenseOfRowArrays(m.C.ToArray()).KroneckerProduct(id);
            var next = mb.Dense(n, n);
            int patterns = 1 << (d * B);
            for (int pat = 0; pat < patterns; pat++)
            {
                var hhat = mb.Dense(d, d);
                for (int j = 0; j < B; j++)
                {
                    var z = Vector<double>.Build.Dense(d, i => ((pat >> (j * d + i)) & 1) == 1 ? 1.0 : -1.0);
                    var x = sqrtH * z;
                    hhat += x.OuterProduct(x);
                }
                hhat /= B;
                var M = A - bm * hhat * cm;
                next += M * sigma * M.Transpose();
            }
            next /= patterns;
            var bb = mb.DenseOfColumnArrays(m.B.ToArray()) * mb.DenseOfRowArrays(m.B.ToArray());
            next += bb.KroneckerProduct(H) * (problem.Noise / B);
            sigma = next;
            risk[t + 1] = Risk(sm.At(t + 1, problem.Batch).Method);
        }
        return risk;
    }

    [Fact]
    public void Zero_learning_rate_at_the_end_of_a_decay_is_allowed_and_freezes_sgd()
    {
        var problem = new Problem(Spec, null, 4);
        var sm = new ScheduledMethod(MethodTemplate.Sgd(0.5), ScheduleSpec.Parse("wsd:warmup=0,stable=5,decay=5"));
        var r = RiskRecursion.Trajectory(problem, sm, 20);
        for (int t = 11; t <= 20; t++) r[t].ShouldBe(r[10]); // lr = 0 from update 10 on: nothing moves
        WorstRelErr(r, RiskRecursion.Reference(problem, sm, 20)).ShouldBeLessThan(1e-13);
    }

    [Fact]
    public void FinalRisk_and_FirstBelow_follow_the_trajectory()
    {
        var problem = new Problem(Spec, null, 2);
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.5, 0.8), ScheduleSpec.Parse("warmup:10+cosine:steps=200,floor=0.05"));
        var r = RiskRecursion.Trajectory(problem, sm, 200);
        RiskRecursion.FinalRisk(problem, sm, 200).ShouldBe(r[200]);
        double target = r[150];
        long first = Enumerable.Range(0, 201).First(t => r[t] <= target);
        RiskRecursion.FirstBelow(problem, sm, target, 1000).ShouldBe(first);
        RiskRecursion.FirstBelow(problem, sm, 1e-300, 50).ShouldBeNull();
    }

    [Fact]
    public void A_diverging_schedule_overflows_to_infinity_never_nan()
    {
        var problem = new Problem(Spec, null, 1);
        var sm = new ScheduledMethod(MethodTemplate.Sgd(0.5), ScheduleSpec.Parse("step:every=5,factor=3"));
        var r = RiskRecursion.Trajectory(problem, sm, 2000);
        r.ShouldNotContain(double.NaN);
        r[^1].ShouldBe(double.PositiveInfinity);
        var run = RiskRecursion.Run(problem, sm, 2000, 100);
        run.Overflowed.ShouldBeTrue();
        run.Risk.ShouldAllBe(x => double.IsFinite(x));
    }
}
