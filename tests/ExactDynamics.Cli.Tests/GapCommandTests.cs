using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;

namespace ExactDynamics.Cli.Tests;

public class GapCommandTests
{
    private const string Base = "gap --spectrum powerlaw:a=1,d=200 --method hb:lr=0.5,beta=0.6 --batch 8";

    private static GapResult Expected(double batch = 8) =>
        ContractionGap.Compute(new Problem(Spectrum.PowerLaw(1, 200), null, batch), HeavyBall.Create(0.5, 0.6));

    [Fact]
    public void Json_has_the_contract_fields_and_the_library_values()
    {
        var r = Cli.Run(Cli.Args(Base + " --format json"));
        r.ShouldSucceed();
        r.Err.ShouldBeEmpty();
        var json = r.Json();
        var e = Expected();
        json.GetProperty("rho").GetDouble().ShouldBe(e.Rho);
        json.GetProperty("gap").GetDouble().ShouldBe(e.Gap);
        json.GetProperty("diverges").GetBoolean().ShouldBe(e.Diverges);
        json.GetProperty("rho_local").GetDouble().ShouldBe(e.RhoLocal);
        json.GetProperty("secular_root").GetBoolean().ShouldBe(e.SecularRoot);
        json.EnumerateObject().Select(p => p.Name).ShouldBe(["rho", "gap", "diverges", "rho_local", "secular_root", "kurtosis", "noise"]);
    }

    [Fact]
    public void Csv_is_a_header_and_one_row()
    {
        var r = Cli.Run(Cli.Args(Base + " --format csv"));
        r.ShouldSucceed();
        var rows = r.Csv();
        rows.Length.ShouldBe(2);
        rows[0].ShouldBe(["rho", "gap", "diverges", "rho_local", "secular_root"]);
        var e = Expected();
        Cli.D(rows[1][0]).ShouldBe(e.Rho);
        Cli.D(rows[1][1]).ShouldBe(e.Gap);
        rows[1][2].ShouldBe(e.Diverges ? "true" : "false");
        Cli.D(rows[1][3]).ShouldBe(e.RhoLocal);
    }

    [Fact]
    public void Table_names_gap_and_rho()
    {
        var r = Cli.Run(Cli.Args(Base));
        r.ShouldSucceed();
        r.Out.ShouldContain("gap");
        r.Out.ShouldContain("rho");
        r.Out.ShouldContain("hb:lr=0.5,beta=0.6");
        r.Out.ShouldNotContain("diverges (");
    }

    [Fact]
    public void Gap_accepts_a_real_batch()
    {
        var r = Cli.Run(Cli.Args("gap --spectrum powerlaw:a=1,d=200 --method hb:lr=0.5,beta=0.6 --batch 2.5 --format json"));
        r.ShouldSucceed();
        r.Json().GetProperty("gap").GetDouble().ShouldBe(Expected(2.5).Gap);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    [InlineData("table")]
    public void A_divergent_method_is_reported_not_an_error_and_never_NaN(string format)
    {
        var r = Cli.Run(Cli.Args($"gap --spectrum powerlaw:a=1,d=50 --method sgd:lr=5 --batch 8 --format {format}"));
        r.ShouldSucceed();
        r.Err.ShouldBeEmpty();
        r.Out.ShouldNotContain("NaN");
        r.Out.ShouldNotContain("Infinity");
        switch (format)
        {
            case "json":
                var json = r.Json();
                json.GetProperty("diverges").GetBoolean().ShouldBeTrue();
                json.GetProperty("gap").GetDouble().ShouldBeLessThan(0);
                json.GetProperty("rho").GetDouble().ShouldBeGreaterThan(1);
                break;
            case "csv":
                r.Csv()[1][2].ShouldBe("true");
                Cli.D(r.Csv()[1][1]).ShouldBeLessThan(0);
                break;
            default:
                r.Out.ShouldContain("diverges (ρ = ");
                break;
        }
    }
}
