using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;

namespace ExactDynamics.Tests.Dynamics;

/// <summary>
/// docs/math.md#tail-averaging: the SIMD sweeps of <see cref="TailSweepKernels"/> against the scalar reference kernels
/// of <see cref="TailAverage"/> — one step on random data at every width (128, 256, 512 bits where accelerated), over a
/// sub-range whose ends are not multiples of the width (directions outside it untouched), and whole tail-averaged
/// curves of SGD (k = 1), heavy ball (k = 2, under a schedule) and heavy ball with decay (k = 3: the scalar path) with
/// both kernels.
/// </summary>
public class TailSweepKernelsTests
{
    private const int D = 45, I0 = 3, I1 = 42;

    private static double[] Random(Random rng, int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    private static void Same(double[] simd, double[] scalar, string what)
    {
        for (int j = 0; j < scalar.Length; j++)
            simd[j].ShouldBe(scalar[j], 1e-14 * (1 + Math.Abs(scalar[j])), $"{what}[{j}]");
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void The_backward_step_of_a_two_state_method_matches_the_scalar_kernel(int bits)
    {
        var rng = new Random(bits);
        var lam = Random(rng, D).Select(Math.Abs).ToArray();
        var co = new TailAverage.Coefficients(HeavyBall.Create(0.3, 0.7));
        var vs = Random(rng, 2 * D);
        double[] z = Random(rng, 2 * D), h = Random(rng, 2 * D), phi = Random(rng, 4 * D);
        double[] z2 = (double[])z.Clone(), h2 = (double[])h.Clone(), phi2 = (double[])phi.Clone();
        double scalar = TailAverage.Block.LeftStep(lam, co, vs, z, h, phi, I0, I1, -1);
        double simd = TailAverage.Block.LeftStep(lam, co, vs, z2, h2, phi2, I0, I1, bits);
        simd.ShouldBe(scalar, 1e-13 * (1 + Math.Abs(scalar)));
        Same(z2, z, "z");
        Same(h2, h, "h");
        Same(phi2, phi, "Φ");
    }

    [Theory]
    [InlineData(128, 2)]
    [InlineData(256, 2)]
    [InlineData(512, 2)]
    [InlineData(128, 1)]
    [InlineData(256, 1)]
    [InlineData(512, 1)]
    public void The_forward_step_matches_the_scalar_kernel(int bits, int k)
    {
        var rng = new Random(bits + k);
        var lam = Random(rng, D).Select(Math.Abs).ToArray();
        var previous = new TailAverage.Coefficients(k == 2 ? Nesterov.Create(0.2, 0.6) : Sgd.Create(0.4));
        var o = Random(rng, k);
        var packed = k == 2 ? TailSweepKernels.Pack(previous.A, previous.B, previous.C, o) : null;
        var v = Random(rng, k * D);
        double[] a = Random(rng, k * D), pm = Random(rng, k * k * D), g = Random(rng, k * D);
        double[] a2 = (double[])a.Clone(), pm2 = (double[])pm.Clone(), g2 = (double[])g.Clone();
        double scalar = TailAverage.Block.RightStep(lam, v, o, previous, packed, a, pm, g, I0, I1, -1);
        double simd = TailAverage.Block.RightStep(lam, v, o, previous, packed, a2, pm2, g2, I0, I1, bits);
        simd.ShouldBe(scalar, 1e-13 * (1 + Math.Abs(scalar)));
        Same(a2, a, "a");
        Same(pm2, pm, "P");
        Same(g2, g, "g");
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("hb")]
    [InlineData("hb+wd")]
    public void Whole_curves_with_the_simd_sweeps_match_the_scalar_ones(string which)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, 300), null, 4, 3, 0.01);
        var template = which == "sgd" ? MethodTemplate.Sgd(0.5) : MethodTemplate.HeavyBall(0.3, 0.8);
        var mods = new MethodModifiers(WeightDecay: which == "hb+wd" ? 0.01 : 0, TailFraction: 0.4);
        var scheduled = new ScheduledMethod(template.With(mods), which == "hb" ? Schedule.Cosine(150) : null);
        var horizons = Enumerable.Range(0, 151).Select(t => (long)t).ToArray();
        var scalar = TailAverage.At(problem, scheduled, horizons, vectorBits: -1);
        var simd = TailAverage.At(problem, scheduled, horizons);
        simd.Steps.ShouldBe(scalar.Steps);
        for (int j = 0; j < scalar.Risk.Length; j++)
            simd.Risk[j].ShouldBe(scalar.Risk[j], 1e-12 * scalar.Risk[j], $"T = {scalar.Steps[j]}");
    }
}
