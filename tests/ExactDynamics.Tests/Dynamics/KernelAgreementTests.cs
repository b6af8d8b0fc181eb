using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;

namespace ExactDynamics.Tests.Performance;

/// <summary>
/// The optimised risk kernels (fused SIMD pass at every vector width, renewal/Volterra form) against the plain
/// reference loop <see cref="RiskRecursion.Reference"/> (for methods whose A u = u holds exactly in floating point)
/// and against a double-double oracle of the exactly consistent method (for all methods), on seeded random spectra,
/// methods, batch sizes, kurtosis and noise, including d below the vector width, d not a multiple of it, and d
/// spanning several chunks.
/// </summary>
public class KernelAgreementTests
{
    internal static IEnumerable<(string Name, LinearMethod Method)> Methods()
    {
        yield return ("sgd", Sgd.Create(0.8));
        yield return ("hb", HeavyBall.Create(0.5, 0.5));
        yield return ("hb-0.75", HeavyBall.Create(0.1, 0.75));
        yield return ("nesterov", Nesterov.Create(0.6, 0.75));
        yield return ("asgd", Asgd.Create(0.3, 50, 5));
        yield return ("torch", TorchMomentum.Create(0.2, 0.8));
        yield return ("torch-nesterov", TorchMomentum.Create(0.2, 0.8, nesterov: true));
        // a k = 3 method (two-lag momentum): A u = u with u = 1
        yield return ("twolag-k3-exact", new LinearMethod(new double[,] { { 1.5, -0.3, -0.2 }, { 1, 0, 0 }, { 0, 1, 0 } }, [0.4, 0, 0], [1, 0, 0], [1, 0, 0]));
    }

    /// <summary>Methods whose floating-point A does not satisfy A u = u exactly (β = 0.6, 0.9, ASGD).</summary>
    internal static IEnumerable<(string Name, LinearMethod Method)> InexactMethods()
    {
        yield return ("hb-0.6", HeavyBall.Create(0.5, 0.6));
        yield return ("hb-0.9", HeavyBall.Create(0.1, 0.9));
        yield return ("nesterov-0.7", Nesterov.Create(0.6, 0.7));
        yield return ("asgd", Asgd.Create(0.3, 50, 5));
    }

    /// <summary>Log-uniform eigenvalues in [1e-2, 1]/scale with λ₁ = 1, scaled so that tr H stays O(1) (convergent settings).</summary>
    internal static Problem RandomProblem(int seed, int d, double batch, double kurtosis, double noise)
    {
        var rng = new Random(seed);
        var lam = new double[d];
        double scale = Math.Max(1, d / 4.0);
        for (int i = 0; i < d; i++) lam[i] = 1e-2 * Math.Pow(100, rng.NextDouble()) / scale;
        lam[0] = 1;
        var init = new double[d];
        for (int i = 0; i < d; i++) init[i] = 0.1 + rng.NextDouble();
        return new Problem(Spectrum.FromValues(lam), init, batch, kurtosis, noise);
    }

    internal static double WorstRel(double[] a, double[] b)
    {
        a.Length.ShouldBe(b.Length);
        double w = 0;
        for (int t = 0; t < a.Length; t++)
        {
            double.IsFinite(a[t]).ShouldBeTrue($"t = {t}");
            if (a[t] == b[t]) continue;
            w = Math.Max(w, Math.Abs(a[t] - b[t]) / Math.Abs(b[t]));
        }
        return w;
    }

    public static TheoryData<int, double, double, double> Cases()
    {
        var data = new TheoryData<int, double, double, double>();
        int[] dims = [1, 3, 7, 8, 9, 17, 100, 403];
        foreach (int d in dims)
        {
            data.Add(d, 1, 3, 0);
            data.Add(d, 4, 3, 0.01);
            data.Add(d, 3, 2.5, 0);
        }
        return data;
    }

    /// <summary>Against the double-double oracle.</summary>
    private const double Tolerance = 2e-13;
    /// <summary>Against the plain double reference loop, which carries its own ~1e-13 rounding over 300 steps.</summary>
    private const double ReferenceTolerance = 3e-13;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_pass_matches_reference_at_every_vector_width(int d, double batch, double kurtosis, double noise)
    {
        var p = RandomProblem(1000 + d, d, batch, kurtosis, noise);
        foreach (var (name, m) in Methods())
        {
            var reference = RiskRecursion.Reference(p, m, 200);
            foreach (int bits in new[] { 512, 256, 128 })
            {
                var fused = RiskRecursion.Trajectory(p, m, 200, new ExecutionOptions(1, RiskAlgorithm.Fused, bits));
                WorstRel(fused, reference).ShouldBeLessThan(ReferenceTolerance, $"{name}, {bits} bits");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Volterra_form_matches_reference_at_every_vector_width(int d, double batch, double kurtosis, double noise)
    {
        var p = RandomProblem(2000 + d, d, batch, kurtosis, noise);
        foreach (var (name, m) in Methods().Where(x => x.Method.K <= 2))
        {
            var reference = RiskRecursion.Reference(p, m, 300); // 300 > one temporal tile
            foreach (int bits in new[] { 512, 256, 128 })
            {
                var v = RiskRecursion.Trajectory(p, m, 300, new ExecutionOptions(1, RiskAlgorithm.Volterra, bits));
                WorstRel(v, reference).ShouldBeLessThan(ReferenceTolerance, $"{name}, {bits} bits");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 3.0, 0.0)]
    [InlineData(7, 4, 3.0, 0.01)]
    [InlineData(9, 2, 2.5, 0.0)]
    [InlineData(100, 4, 3.0, 0.0)]
    [InlineData(300, 16, 3.0, 0.001)]
    public void Both_paths_match_the_double_double_oracle_of_the_consistent_method(int d, double batch, double kurtosis, double noise)
    {
        var p = RandomProblem(3000 + d, d, batch, kurtosis, noise);
        foreach (var (name, m) in InexactMethods().Concat(Methods().Where(x => x.Method.K <= 2)))
        {
            var oracle = ConsistentOracle.Risk(p, m, 300);
            var fused = RiskRecursion.Trajectory(p, m, 300, new ExecutionOptions(1, RiskAlgorithm.Fused));
            var v = RiskRecursion.Trajectory(p, m, 300, new ExecutionOptions(1, RiskAlgorithm.Volterra));
            WorstRel(fused, oracle).ShouldBeLessThan(Tolerance, name);
            WorstRel(v, oracle).ShouldBeLessThan(Tolerance, name);
        }
    }

    [Fact]
    public void Fused_pass_stays_accurate_for_Rademacher_data()
    {
        // m4 = 1: κ' < 0; the fused pass keeps every block PSD. (Auto never uses the renewal form here.)
        foreach (int d in new[] { 5, 100 })
        {
            var p = RandomProblem(77 + d, d, 4, 1, 0);
            foreach (var (name, m) in Methods().Concat(InexactMethods()))
            {
                var reference = m.K <= 2 ? ConsistentOracle.Risk(p, m, 150) : RiskRecursion.Reference(p, m, 150);
                var fused = RiskRecursion.Trajectory(p, m, 150, new ExecutionOptions(1, RiskAlgorithm.Fused));
                WorstRel(fused, reference).ShouldBeLessThan(ReferenceTolerance, name);
                RiskRecursion.ChooseVolterra(p, m, 150, ExecutionOptions.Default).ShouldBeFalse();
            }
        }
    }

    [Fact]
    public void Several_chunks_and_the_worker_pool_match_reference()
    {
        // d spans several chunks of both paths (fused: 8192, renewal: 4096) and is above the parallel threshold.
        int d = SecondMoments.ParallelThreshold + 1237;
        var p = RandomProblem(5, d, 8, 3, 0.001);
        foreach (var m in new[] { Sgd.Create(0.5), HeavyBall.Create(0.3, 0.8), Nesterov.Create(0.3, 0.5) })
        {
            var reference = RiskRecursion.Reference(p, m, 40);
            var fused = RiskRecursion.Trajectory(p, m, 40, new ExecutionOptions(2, RiskAlgorithm.Fused));
            var v = RiskRecursion.Trajectory(p, m, 40, new ExecutionOptions(2, RiskAlgorithm.Volterra));
            WorstRel(fused, reference).ShouldBeLessThan(ReferenceTolerance, m.Spec);
            WorstRel(v, reference).ShouldBeLessThan(ReferenceTolerance, m.Spec);
        }
    }

    [Fact]
    public void Second_moments_entries_and_coupling_follow_the_reference_blocks()
    {
        var p = RandomProblem(9, 13, 2, 3, 0.1);
        var m = Nesterov.Create(0.4, 0.5);
        var state = new SecondMoments(p, m, new ExecutionOptions(1, RiskAlgorithm.Fused, 256));
        var reference = RiskRecursion.Reference(p, m, 20);
        for (int t = 1; t <= 20; t++) state.Step();
        state.Time.ShouldBe(20);
        Math.Abs(state.Risk - reference[20]).ShouldBeLessThan(1e-13 * reference[20]);
        // μ = Σ λ cᵀSc from the entries
        var lam = p.Spectrum.Values;
        double mu = 0;
        for (int i = 0; i < 13; i++)
        {
            double s00 = state.Entry(i, 0, 0), s01 = state.Entry(i, 0, 1), s11 = state.Entry(i, 1, 1);
            state.Entry(i, 1, 0).ShouldBe(s01);
            mu += lam[i] * (m.C[0] * m.C[0] * s00 + 2 * m.C[0] * m.C[1] * s01 + m.C[1] * m.C[1] * s11);
        }
        Math.Abs(state.Coupling - mu).ShouldBeLessThan(1e-13 * mu);
    }
}
