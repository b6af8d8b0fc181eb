using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests.Dynamics;

/// <summary>The renewal form of an EMA over a base method (docs/math.md#weight-averaging): the base renewal equation's
/// ν_t read through the average's own kernel, against a plain dense recursion written here and against the fused
/// pass; τ = 0 gives the base method's renewal form.</summary>
public class EmaRenewalTests
{
    private static LinearMethod Base(string name) => name switch
    {
        "sgd" => Sgd.Create(0.5),
        "hb" => HeavyBall.Create(0.3, 0.8),
        "torch" => TorchMomentum.Create(0.2, 0.85),
        "torch-nesterov" => TorchMomentum.Create(0.15, 0.8, nesterov: true),
        "sgd+wd" => WeightDecay.Coupled(Sgd.Create(0.4), 0.02),
        _ => Nesterov.Create(0.4, 0.7),
    };

    /// <summary>docs/math.md#second-moment-recursion literally: a full (k+1)×(k+1) block per direction,
    /// S_i ← T_i S_i T_iᵀ + (λ_i/B)((m4 − 2) λ_i cᵀS_ic + Σ_j λ_j cᵀS_jc + σ²) bbᵀ, S_{0,i} = s_i uuᵀ,
    /// E L_t = ½ Σ_i λ_i oᵀS_io.</summary>
    private static double[] Dense(double[] lam, double[] s0, double batch, double m4, double sigma2, LinearMethod m, int steps)
    {
        int k = m.K, d = lam.Length;
        var a = m.MatrixA; var b = m.B.ToArray(); var c = m.C.ToArray(); var o = m.O.ToArray(); var u = m.U.ToArray();
        var S = new double[d][,];
        for (int i = 0; i < d; i++)
        {
            S[i] = new double[k, k];
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) S[i][p, q] = s0[i] * u[p] * u[q];
        }
        double Quad(double[,] x, double[] v)
        {
            double r = 0;
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) r += v[p] * x[p, q] * v[q];
            return r;
        }
        var risk = new double[steps + 1];
        for (int t = 0; ; t++)
        {
            double l = 0, nu = sigma2;
            for (int i = 0; i < d; i++) { l += 0.5 * lam[i] * Quad(S[i], o); nu += lam[i] * Quad(S[i], c); }
            risk[t] = l;
            if (t == steps) return risk;
            for (int i = 0; i < d; i++)
            {
                var T = new double[k, k];
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) T[p, q] = a[p, q] - lam[i] * b[p] * c[q];
                double inj = lam[i] / batch * ((m4 - 2) * lam[i] * Quad(S[i], c) + nu);
                var next = new double[k, k];
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        double v = inj * b[p] * b[q];
                        for (int x = 0; x < k; x++) for (int y = 0; y < k; y++) v += T[p, x] * S[i][x, y] * T[q, y];
                        next[p, q] = v;
                    }
                S[i] = next;
            }
        }
    }

    [Theory]
    [InlineData("sgd", 0.95, 2.5, 0.05, 2000, 1)]
    [InlineData("hb", 0.99, 2.5, 0.05, 2000, 2)]
    [InlineData("hb", 0.9, 6, 0, 1500, 3)]
    [InlineData("nesterov", 0.97, 5, 0.1, 2000, 4)]
    [InlineData("nesterov", 0.5, 2, 0, 800, 5)]
    [InlineData("hb", 0.995, 4, 0.02, 5000, 6)] // the blocked FFT solver
    [InlineData("sgd", 0.5, 4, 0, 3000, 7)]
    [InlineData("torch", 0.98, 3, 0.05, 2500, 8)] // b̃ = (lr, −1): the read-out basis solves bᵀYb for Y₁₁
    [InlineData("torch-nesterov", 0.9, 2.2, 0.01, 1200, 9)]
    [InlineData("sgd+wd", 0.97, 5, 0.03, 2000, 10)]
    public void Renewal_form_of_an_ema_matches_the_dense_recursion(string family, double tau, double m4, double sigma2, int steps, int seed)
    {
        var rng = new Random(seed);
        int d = 24;
        var lam = RandomSpectrum(rng, d);
        var s0 = new double[d];
        for (int i = 0; i < d; i++) s0[i] = 0.1 + rng.NextDouble();
        var problem = MakeProblem(lam, s0, 4, m4, sigma2);
        var method = Ema.Apply(Base(family), tau);
        VolterraRisk.Supports(method).ShouldBeTrue();
        var renewal = VolterraRisk.Trajectory(problem, method, steps, ExecutionOptions.SingleThread);
        renewal.ShouldNotBeNull();
        var dense = Dense(lam, s0, 4, m4, sigma2, method, steps);
        WorstRelErr(renewal, dense).ShouldBeLessThan(1e-10);
        var fused = RiskRecursion.Trajectory(problem, method, steps, new ExecutionOptions(Algorithm: RiskAlgorithm.Fused));
        WorstRelErr(renewal, fused).ShouldBeLessThan(1e-10);
        // the automatic choice on this small problem is the fused pass; forcing the renewal form gives the same numbers
        var forced = RiskRecursion.Trajectory(problem, method, steps, new ExecutionOptions(Algorithm: RiskAlgorithm.Volterra));
        WorstRelErr(forced, renewal).ShouldBe(0);
    }

    [Theory]
    [InlineData("coupled")]
    [InlineData("decoupled")]
    public void Ema_over_sgd_with_weight_decay_matches_the_dense_recursion(string kind)
    {
        var rng = new Random(21);
        var lam = RandomSpectrum(rng, 30);
        var problem = MakeProblem(lam, null, 4, 3, 0.05);
        var sgd = Sgd.Create(0.5);
        var decayed = kind == "coupled" ? WeightDecay.Coupled(sgd, 0.01) : WeightDecay.Decoupled(sgd, 0.5, 0.01);
        var method = Ema.Apply(decayed, 0.98); // a two-state base (w, w*) with shape u = (1, −1)
        EmaRenewal.Supports(method).ShouldBeTrue();
        var renewal = VolterraRisk.Trajectory(problem, method, 1500, ExecutionOptions.SingleThread);
        renewal.ShouldNotBeNull();
        WorstRelErr(renewal, Dense(lam, problem.Initial.ToArray(), 4, 3, 0.05, method, 1500)).ShouldBeLessThan(1e-10);
    }

    [Theory]
    [InlineData("hb")]
    [InlineData("nesterov")]
    public void Tau_zero_reads_the_base_method(string family)
    {
        var rng = new Random(7);
        var lam = RandomSpectrum(rng, 40);
        var problem = MakeProblem(lam, null, 2, 3.5, 0.03);
        var baseMethod = Base(family);
        var seq = EmaRenewal.LocalSequences(problem, baseMethod, 0, 600, ExecutionOptions.SingleThread)!;
        var viaEma = VolterraRisk.Solve(problem, seq, 600)!;
        var dense = Dense(lam, problem.Initial.ToArray(), 2, 3.5, 0.03, baseMethod, 600);
        WorstRelErr(viaEma, dense).ShouldBeLessThan(1e-10);
    }

    /// <summary>The one-pass kernel (read-out basis, SIMD) against the plain per-direction reference of its four
    /// sequences (full matrices in the method's own coordinates), entry by entry.</summary>
    [Theory]
    [InlineData("sgd", 0.9, 3.0)]
    [InlineData("hb", 0.99, 4.5)]
    [InlineData("nesterov", 0.8, 2.0)]
    [InlineData("torch", 0.95, 3.0)]
    [InlineData("torch-nesterov", 0.7, 6.0)]
    [InlineData("sgd+wd", 0.99, 2.5)]
    public void One_pass_kernel_matches_its_plain_reference(string family, double tau, double m4)
    {
        var rng = new Random(family.Length * 31 + (int)(tau * 100));
        var lam = RandomSpectrum(rng, 37, 1e-3, 1);
        var s0 = new double[lam.Length];
        for (int i = 0; i < s0.Length; i++) s0[i] = 0.2 + rng.NextDouble();
        var problem = MakeProblem(lam, s0, 3, m4, 0);
        var m = Base(family);
        var reference = EmaRenewal.Reference(problem, m, tau, 400);
        foreach (int bits in new[] { 0, 256, 128 })
        {
            var fast = EmaRenewal.LocalSequences(problem, m, tau, 400, new ExecutionOptions(1, VectorBits: bits))!;
            Close(fast.F, reference.F).ShouldBeTrue();
            Close(fast.K, reference.K).ShouldBeTrue();
            Close(fast.R!, reference.R!).ShouldBeTrue();
            Close(fast.RK!, reference.RK!).ShouldBeTrue();
        }
    }

    /// <summary>Entry by entry within 1e-12 relative, or 1e-13 of the sequence's largest entry (with weight decay the
    /// reference's bᵀyb cancels between w and w* in the method's own coordinates and keeps only that much).</summary>
    private static bool Close(double[] actual, double[] expected)
    {
        double max = expected.Max(Math.Abs);
        for (int n = 0; n < expected.Length; n++)
            if (!(Math.Abs(actual[n] - expected[n]) <= 1e-12 * Math.Abs(expected[n]) + 1e-13 * max)) return false;
        return true;
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("hb")]
    [InlineData("torch")]
    public void Tau_zero_is_the_base_method_bit_for_bit(string family)
    {
        var rng = new Random(5);
        var problem = MakeProblem(RandomSpectrum(rng, 3000, 1e-4, 1), null, 4, 3.5, 0.02);
        var m = Base(family);
        foreach (var alg in new[] { RiskAlgorithm.Auto, RiskAlgorithm.Volterra, RiskAlgorithm.Fused })
        {
            var options = new ExecutionOptions(Algorithm: alg);
            var viaEma = RiskRecursion.Trajectory(problem, Ema.Apply(m, 0), 700, options);
            var plain = RiskRecursion.Trajectory(problem, m, 700, options);
            viaEma.ShouldBe(plain);
        }
    }

    /// <summary>A two-state base with b̃₁ = 0 has no read-out basis (bᵀYb is a multiple of Y₀₀): the renewal form
    /// declines and the fused pass gives the risk.</summary>
    [Fact]
    public void A_base_whose_gradient_enters_one_state_falls_back_to_the_fused_pass()
    {
        var m = new LinearMethod(new double[,] { { 1, 0.1 }, { 0, 0.5 } }, [0.3, 0], [1, 0.2], [1, 0], [1, 0], "custom");
        var rng = new Random(3);
        var lam = RandomSpectrum(rng, 20);
        var problem = MakeProblem(lam, null, 2, 3, 0.01);
        var ema = Ema.Apply(m, 0.9);
        EmaRenewal.LocalSequences(problem, m, 0.9, 50, ExecutionOptions.SingleThread).ShouldBeNull();
        var risk = RiskRecursion.Trajectory(problem, ema, 400, new ExecutionOptions(Algorithm: RiskAlgorithm.Volterra));
        WorstRelErr(risk, Dense(lam, problem.Initial.ToArray(), 2, 3, 0.01, ema, 400)).ShouldBeLessThan(1e-12);
    }

    [Theory]
    [InlineData("hb")]
    [InlineData("sgd")]
    public void Parallel_chunks_and_vector_widths_agree(string family)
    {
        var rng = new Random(11);
        var lam = RandomSpectrum(rng, 9000, 1e-4, 1e-2); // three chunks; tr H/B ≈ 2.4
        var problem = MakeProblem(lam, null, 8, 3, 0.01);
        var method = Ema.Apply(family == "sgd" ? Sgd.Create(0.5) : HeavyBall.Create(0.02, 0.9), 0.99);
        var one = VolterraRisk.Trajectory(problem, method, 300, ExecutionOptions.SingleThread)!;
        var two = VolterraRisk.Trajectory(problem, method, 300, new ExecutionOptions(2))!;
        WorstRelErr(two, one).ShouldBeLessThan(1e-13);
        two = VolterraRisk.Trajectory(problem, method, 300, new ExecutionOptions(1, VectorBits: 128))!;
        WorstRelErr(two, one).ShouldBeLessThan(1e-13);
        var fused = RiskRecursion.Trajectory(problem, method, 300, new ExecutionOptions(Algorithm: RiskAlgorithm.Fused));
        WorstRelErr(one, fused).ShouldBeLessThan(1e-10);
    }
}
