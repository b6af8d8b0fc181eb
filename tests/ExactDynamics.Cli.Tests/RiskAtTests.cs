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
