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

    [Fact]
    public void Parallel_chunks_and_vector_widths_agree()
    {
        var rng = new Random(11);
        var lam = RandomSpectrum(rng, 9000, 1e-4, 1e-2); // three chunks; tr H/B ≈ 2.4
        var problem = MakeProblem(lam, null, 8, 3, 0.01);
        var method = Ema.Apply(HeavyBall.Create(0.02, 0.9), 0.99);
        var one = VolterraRisk.Trajectory(problem, method, 300, ExecutionOptions.SingleThread)!;
        var two = VolterraRisk.Trajectory(problem, method, 300, new ExecutionOptions(2))!;
        WorstRelErr(two, one).ShouldBeLessThan(1e-13);
        two = VolterraRisk.Trajectory(problem, method, 300, new ExecutionOptions(1, VectorBits: 128))!;
        WorstRelErr(two, one).ShouldBeLessThan(1e-13);
        var fused = RiskRecursion.Trajectory(problem, method, 300, new ExecutionOptions(Algorithm: RiskAlgorithm.Fused));
        WorstRelErr(one, fused).ShouldBeLessThan(1e-10);
    }
}
