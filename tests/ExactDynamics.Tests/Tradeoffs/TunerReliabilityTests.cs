using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;
using Xunit.Abstractions;

namespace ExactDynamics.Tests.Tradeoffs;

/// <summary>
/// The tuned gap is within 0.1% of a brute-force fine-grid optimum (grid + zooms, no unimodality assumed) for every
/// family and B from 1 to 4096, including the hard ridge case κ = 10⁴ around heavy ball's critical batch (≈ 153 for
/// λ_i = i⁻², d = 100). A negative shortfall means the tuner beat the grid.
/// </summary>
public abstract class ReliabilityCheck(ITestOutputHelper output)
{
    private const double Allowed = 1e-3;

    private protected void Check(Problem p, MethodFamily family, BruteForce.Best brute)
    {
        var t = Tuner.Tune(p, family);
        double shortfall = (brute.Gap - t.Gap) / brute.Gap;
        output.WriteLine($"{p.Spectrum.Description} B={p.Batch} {family.Name()}: tuned {t.Gap:G10} ({t.Spec}) brute {brute.Gap:G10} ({brute.Spec}) shortfall {shortfall:E2}");
        shortfall.ShouldBeLessThan(Allowed, $"{family.Name()} B={p.Batch}: tuned {t.Spec} gap {t.Gap}, brute force {brute.Spec} gap {brute.Gap}");
        // local optimality: no perturbation of the hyperparameters (log-scale steps of 1e-4 … 1e-1, all sign
        // combinations, 1 − β instead of β) does better by more than 1e-5 relative
        var names = family.ParameterNames();
        var sg = new SearchGap(p);
        foreach (double step in new[] { 1e-4, 1e-3, 1e-2, 1e-1 })
        {
            int combos = (int)Math.Pow(3, names.Count);
            for (int c = 0; c < combos; c++)
            {
                var q = new Dictionary<string, double>(t.Parameters);
                int code = c;
                for (int k = 0; k < names.Count; k++, code /= 3)
                {
                    double e = Math.Exp((code % 3 - 1) * step);
                    q[names[k]] = names[k] == "beta" ? 1 - (1 - q["beta"]) * e : q[names[k]] * e;
                }
                ExactDynamics.Methods.LinearMethod m;
                try { m = family.Create(q); } catch (InvalidInputException) { continue; }
                double g = sg.Gap(m);
                g.ShouldBeLessThan(t.Gap * (1 + 1e-5), $"{family.Name()} B={p.Batch}: {m.Spec} beats the tuned {t.Spec}");
            }
        }
    }
}

/// <summary>SGD and the non-Gaussian / two-cluster cases.</summary>
public class SgdReliabilityTests(ITestOutputHelper output) : ReliabilityCheck(output)
{
    [Theory]
    [InlineData(1.0, 50)]
    [InlineData(2.0, 100)]
    [InlineData(0.5, 40)]
    public void Sgd_matches_brute_force(double a, int d)
    {
        foreach (double b in new[] { 1.0, 2, 8, 32, 128, 512, 4096 })
        {
            var p = new Problem(Spectrum.PowerLaw(a, d), batch: b);
            Check(p, MethodFamily.Sgd, BruteForce.Sgd(p));
        }
    }

    [Fact]
    public void Non_gaussian_data_and_label_noise()
    {
        foreach (double m4 in new[] { 1.0, 9.0 })
        {
            var p = new Problem(Spectrum.PowerLaw(1.5, 40), batch: 16, kurtosis: m4, noise: 0.3);
            Check(p, MethodFamily.Sgd, BruteForce.Sgd(p));
            Check(p, MethodFamily.HeavyBall, BruteForce.Momentum(p, MethodFamily.HeavyBall, 60, 120));
        }
    }

    [Fact]
    public void A_two_cluster_spectrum()
    {
        var sp = Spectrum.FromValues(Enumerable.Range(0, 30).Select(i => i < 3 ? 1.0 / (1 + i) : 1e-4 * (1 + 0.05 * i)), "two clusters");
        foreach (double b in new[] { 4.0, 256 })
        {
            var p = new Problem(sp, batch: b);
            Check(p, MethodFamily.Sgd, BruteForce.Sgd(p));
            Check(p, MethodFamily.HeavyBall, BruteForce.Momentum(p, MethodFamily.HeavyBall));
        }
    }
}

/// <summary>Heavy ball and Nesterov, including the hard ridge case.</summary>
public class MomentumReliabilityTests(ITestOutputHelper output) : ReliabilityCheck(output)
{
    public static TheoryData<double, int, double> MomentumCases()
    {
        var data = new TheoryData<double, int, double>();
        foreach (double b in new[] { 1.0, 64, 4096 }) data.Add(1.0, 40, b);
        // the hard case: κ = 1e4, B around heavy ball's critical batch (≈ 153) and beyond
        foreach (double b in new[] { 1.0, 32, 100, 153, 256, 4096 }) data.Add(2.0, 100, b);
        return data;
    }

    [Theory]
    [MemberData(nameof(MomentumCases))]
    public void Heavy_ball_matches_brute_force(double a, int d, double b)
    {
        var p = new Problem(Spectrum.PowerLaw(a, d), batch: b);
        Check(p, MethodFamily.HeavyBall, BruteForce.Momentum(p, MethodFamily.HeavyBall));
    }

    [Theory]
    [InlineData(1.0, 40, 1.0)]
    [InlineData(1.0, 40, 64)]
    [InlineData(2.0, 100, 1.0)]
    [InlineData(2.0, 100, 153)]
    [InlineData(2.0, 100, 4096)]
    public void Nesterov_matches_brute_force(double a, int d, double b)
    {
        var p = new Problem(Spectrum.PowerLaw(a, d), batch: b);
        Check(p, MethodFamily.Nesterov, BruteForce.Momentum(p, MethodFamily.Nesterov));
    }
}

/// <summary>ASGD.</summary>
public class AsgdReliabilityTests(ITestOutputHelper output) : ReliabilityCheck(output)
{
    [Theory]
    [InlineData(1.0, 30, 1.0)]
    [InlineData(1.0, 30, 32)]
    [InlineData(1.0, 30, 4096)]
    [InlineData(2.0, 30, 1.0)]
    [InlineData(2.0, 30, 48)]
    [InlineData(2.0, 30, 4096)]
    public void Asgd_matches_brute_force(double a, int d, double b)
    {
        var p = new Problem(Spectrum.PowerLaw(a, d), batch: b);
        Check(p, MethodFamily.Asgd, BruteForce.Asgd(p));
    }

    /// <summary>
    /// Found by an offline campaign: with heavy-tailed data (m4 = 9) at B = 1 ASGD's best effective momentum is closer
    /// to 1 than the first search box (30× the deterministic heavy-ball optimum); the box must grow (was 28% short).
    /// </summary>
    [Fact]
    public void Heavy_tailed_data_push_asgd_beyond_the_first_momentum_box()
    {
        var rng = new Random(11);
        double[] vals = [];
        for (int r = 0; r < 3; r++)
        {
            double logK = 2 + rng.NextDouble() * 4;
            vals = Enumerable.Range(0, 40).Select(_ => Math.Pow(10, -rng.NextDouble() * logK)).Append(1.0).ToArray();
        }
        var p = new Problem(Spectrum.FromValues(vals), batch: 1, kurtosis: 9);
        Check(p, MethodFamily.Asgd, BruteForce.Asgd(p));
    }
}
