using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Cli.Tests;

public class RiskCommandTests
{
    private const string Base = "risk --spectrum powerlaw:a=1,d=50 --method hb:lr=0.3,beta=0.6 --batch 4 --steps 103 --every 10";

    private static RiskTrajectory Expected() =>
        RiskRecursion.Run(new Problem(Spectrum.PowerLaw(1, 50), null, 4), HeavyBall.Create(0.3, 0.6), 103, 10);

    [Fact]
    public void Csv_has_t_risk_header_and_the_library_values()
    {
        var r = Cli.Run(Cli.Args(Base + " --format csv"));
        r.ShouldSucceed();
        r.Err.ShouldBeEmpty();
        var rows = r.Csv();
        rows[0].ShouldBe(["t", "risk"]);
        var expected = Expected();
        rows.Length.ShouldBe(expected.Steps.Length + 1);
        for (int i = 0; i < expected.Steps.Length; i++)
        {
            long.Parse(rows[i + 1][0]).ShouldBe(expected.Steps[i]);
            Cli.D(rows[i + 1][1]).ShouldBe(expected.Risk[i]); // round trip: exactly equal
        }
        expected.Steps.ShouldBe([0L, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 103]);
    }

    [Fact]
    public void Json_has_t_and_risk_arrays_with_the_library_values()
    {
        var r = Cli.Run(Cli.Args(Base + " --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        var t = json.GetProperty("t").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var risk = json.GetProperty("risk").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var expected = Expected();
        t.ShouldBe(expected.Steps);
        risk.ShouldBe(expected.Risk);
        json.EnumerateObject().Select(p => p.Name).ShouldBe(["t", "risk", "kurtosis", "noise"]);
    }

    [Fact]
    public void Table_is_readable_and_shows_every_printed_step()
    {
        var r = Cli.Run(Cli.Args(Base));
        r.ShouldSucceed();
        r.Out.ShouldContain("hb:lr=0.3,beta=0.6");
        r.Out.ShouldContain("powerlaw:a=1,d=50");
        var dataLines = r.Out.Split('\n').Where(l => l.TrimStart().Length > 0 && char.IsDigit(l.TrimStart()[0])).ToArray();
        dataLines.Length.ShouldBe(12);
        dataLines[^1].TrimStart().ShouldStartWith("103 ");
    }

    [Fact]
    public void Defaults_are_every_step_and_gaussian_isotropic_noiseless()
    {
        var r = Cli.Run(Cli.Args("risk --spectrum values:1,0.5,0.25 --method sgd:lr=0.4 --batch 2 --steps 5 --format csv"));
        r.ShouldSucceed();
        var expected = RiskRecursion.Run(new Problem(Spectrum.FromValues([1, 0.5, 0.25]), null, 2, 3, 0), Sgd.Create(0.4), 5);
        r.Csv().Skip(1).Select(row => Cli.D(row[1])).ShouldBe(expected.Risk);
    }

    [Fact]
    public void Kurtosis_noise_and_init_reach_the_problem()
    {
        var r = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1.5,d=20,scale=2 --method nesterov:lr=0.2,beta=0.5 --batch 3 " +
                                 "--kurtosis 1 --noise 0.01 --init power:p=1 --steps 30 --every 7 --format csv"));
        r.ShouldSucceed();
        var spectrum = Spectrum.PowerLaw(1.5, 20, 2);
        var problem = new Problem(spectrum, InitialCondition.Power(20, 1), 3, 1, 0.01);
        var expected = RiskRecursion.Run(problem, Nesterov.Create(0.2, 0.5), 30, 7);
        r.Csv().Skip(1).Select(row => Cli.D(row[1])).ShouldBe(expected.Risk);
    }

    [Fact]
    public void Zero_steps_prints_the_initial_risk_only()
    {
        var r = Cli.Run(Cli.Args("risk --spectrum values:1,0.5 --method sgd:lr=0.4 --batch 1 --steps 0 --format csv"));
        r.ShouldSucceed();
        r.Csv().Length.ShouldBe(2);
        Cli.D(r.Csv()[1][1]).ShouldBe(0.75);
    }
}
