using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Cli.Tests;

/// <summary><c>risk --at</c>: chosen steps, by eigendecomposition for SGD far out, by stepping otherwise.</summary>
public class RiskAtTests
{
    [Fact]
    public void Sgd_far_steps_by_eigendecomposition_match_stepping()
    {
        // d = 40, steps up to 3000: d·t > 4d², so the spectral path is taken; stepping is the independent check.
        var r = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1.5,d=40 --method sgd:lr=0.7 --batch 3 --noise 0.01 --at 3000,7,500 --format csv"));
        r.ShouldSucceed();
        var rows = r.Csv();
        rows[0].ShouldBe(["t", "risk"]);
        var steps = rows.Skip(1).Select(x => long.Parse(x[0])).ToArray();
        steps.ShouldBe([7L, 500, 3000]); // sorted
        var exact = RiskRecursion.Trajectory(new Problem(Spectrum.PowerLaw(1.5, 40), null, 3, 3, 0.01), Sgd.Create(0.7), 3000);
        foreach (var row in rows.Skip(1))
        {
            long t = long.Parse(row[0]);
            double v = Cli.D(row[1]);
            Math.Abs(v - exact[t]).ShouldBeLessThan(1e-9 * exact[t]);
        }
    }

    [Fact]
    public void Heavy_ball_steps_and_equals_the_trajectory_exactly()
    {
        var r = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=30 --method hb:lr=0.3,beta=0.6 --batch 4 --at 0,25,100 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        var t = json.GetProperty("t").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var risk = json.GetProperty("risk").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        t.ShouldBe([0L, 25, 100]);
        var exact = RiskRecursion.Trajectory(new Problem(Spectrum.PowerLaw(1, 30), null, 4), HeavyBall.Create(0.3, 0.6), 100);
        for (int i = 0; i < t.Length; i++) risk[i].ShouldBe(exact[t[i]], 1e-15 * exact[t[i]]);
    }

    [Fact]
    public void Heavy_ball_far_steps_come_from_the_whole_trajectory_and_match_plain_stepping()
    {
        // T = 5·10⁴ at d = 300: the whole trajectory by the fastest exact path (renewal form, blocked FFT convolution),
        // checked against stepping the fused pass by hand
        var r = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=300 --method hb:lr=0.02,beta=0.95 --batch 8 --noise 0.001 --at 50000,7,20000 --format csv"));
        r.ShouldSucceed();
        var rows = r.Csv().Skip(1).Select(x => (T: long.Parse(x[0]), Risk: Cli.D(x[1]))).ToArray();
        rows.Select(x => x.T).ShouldBe([7L, 20000, 50000]);
        var state = new SecondMoments(new Problem(Spectrum.PowerLaw(1, 300), null, 8, 3, 0.001), HeavyBall.Create(0.02, 0.95));
        int k = 0;
        for (long t = 0; t <= 50000 && k < rows.Length; t++)
        {
            if (t > 0) state.Step();
            if (t == rows[k].T) { rows[k].Risk.ShouldBe(state.Risk, 1e-11 * state.Risk, $"t = {t}"); k++; }
        }
        k.ShouldBe(3);
    }

    [Fact]
    public void An_underflowed_risk_is_zero_on_every_path()
    {
        // ρ^t far below the double range: stepping (which would hold a subnormal floor near 1e-323), the whole
        // trajectory and the SGD eigendecomposition all print 0, and the last normal values agree
        var steps = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=100 --method sgd:lr=0.5 --batch 16 --steps 200000 --every 20000 --format csv"));
        var at = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=100 --method sgd:lr=0.5 --batch 16 --at 20000,60000,100000,200000 --format csv"));
        steps.ShouldSucceed(); at.ShouldSucceed();
        var s = steps.Csv().Skip(1).ToDictionary(x => long.Parse(x[0]), x => Cli.D(x[1]));
        var a = at.Csv().Skip(1).ToDictionary(x => long.Parse(x[0]), x => Cli.D(x[1]));
        a[20000].ShouldBe(s[20000], 1e-9 * s[20000]);
        a[60000].ShouldBe(s[60000], 1e-9 * s[60000]);
        s[100000].ShouldBe(0); a[100000].ShouldBe(0);
        s[200000].ShouldBe(0); a[200000].ShouldBe(0);
        s.Values.ShouldAllBe(v => v == 0 || v >= 2.2250738585072014E-308);
    }

    [Fact]
    public void A_horizon_too_far_to_step_is_refused_with_what_to_use_instead()
    {
        var r = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=100 --method hb:lr=0.05,beta=0.9 --batch 16 --at 1000,1e9"));
        r.Code.ShouldBe(2);
        r.Out.ShouldBeEmpty();
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("contraction gap");
    }

    [Fact]
    public void A_divergent_method_prints_the_steps_before_the_overflow_and_says_so()
    {
        var r = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1.5,d=2000 --batch 4 --method hb:lr=0.5,beta=0.9 --at 10,2000000 --format csv"));
        r.ShouldSucceed();
        r.Csv().Skip(1).Select(x => long.Parse(x[0])).ShouldBe([10L]);
        r.Err.ShouldContain("overflows");
        r.Err.ShouldContain("2000000");
    }

    [Theory]
    [InlineData("--at x")]
    [InlineData("--at -5")]
    [InlineData("--at 2.5")]
    [InlineData("--at 1e12 --method hb:lr=0.3,beta=0.6")]
    public void Bad_at_values_are_one_line_errors(string extra)
    {
        var args = "risk --spectrum powerlaw:a=1,d=30 --batch 4 " + (extra.Contains("--method") ? "" : "--method sgd:lr=0.5 ") + extra;
        var r = Cli.Run(Cli.Args(args));
        r.Code.ShouldBe(2);
        r.Out.ShouldBeEmpty();
        r.Err.Trim().Split('\n').Length.ShouldBe(1);
    }
}
