using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;

namespace ExactDynamics.Cli.Tests;

public class DemoCommandTests
{
    [Fact]
    public void Table_compares_sgd_and_heavy_ball()
    {
        var r = Cli.Run("demo");
        r.ShouldSucceed();
        r.Err.ShouldBeEmpty();
        r.Out.ShouldContain("sgd:lr=");
        r.Out.ShouldContain("hb:lr=");
        r.Out.ShouldContain("d = 200");
        r.Out.ShouldContain("batch B = 8");
        r.Out.ShouldNotContain("NaN");
        r.Out.Split('\n').Length.ShouldBeLessThan(30); // one screen
    }

    [Fact]
    public void Json_methods_carry_the_library_gaps_and_the_printed_specs_are_usable()
    {
        var r = Cli.Run("demo", "--format", "json");
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("batch").GetDouble().ShouldBe(8);
        var problem = new Problem(Spectrum.PowerLaw(1, 200), null, 8);
        var methods = json.GetProperty("methods").EnumerateArray().ToArray();
        methods.Length.ShouldBe(2);
        foreach (var m in methods)
        {
            var spec = m.GetProperty("method").GetString()!;
            var method = Parsing.SpecParser.ParseMethod(spec);
            var gap = ContractionGap.Compute(problem, method);
            m.GetProperty("gap").GetDouble().ShouldBe(gap.Gap);
            m.GetProperty("diverges").GetBoolean().ShouldBeFalse();
            m.GetProperty("exact").GetInt64().ShouldBeGreaterThan(0);
            m.GetProperty("risk").GetArrayLength().ShouldBe(json.GetProperty("t").GetArrayLength());
        }
        // Both are tuned on the same grid: heavy ball's grid includes β = 0, i.e. SGD, so it is at least as good.
        methods[1].GetProperty("gap").GetDouble().ShouldBeGreaterThanOrEqualTo(methods[0].GetProperty("gap").GetDouble());
    }

    [Fact]
    public void Csv_has_one_row_per_method()
    {
        var r = Cli.Run("demo", "--format", "csv");
        r.ShouldSucceed();
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3);
        lines[0].ShouldBe("method,rho,gap,diverges,exact,closed_form,prefactor");
        lines[1].ShouldStartWith("sgd:lr=");
        lines[2].ShouldStartWith("\"hb:lr="); // the spec holds a comma, so CsvHelper quotes it
    }
}
