using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Targets;

namespace ExactDynamics.Cli.Tests;

public class IterationsCommandTests
{
    private const string Base = "iterations --spectrum powerlaw:a=1,d=50 --method sgd:lr=0.5 --batch 4 --target 1e-4";

    private static readonly string[] Fields =
        ["target", "exact", "closed_form", "rho", "gap", "prefactor", "crude", "initial_risk", "max_steps", "floor"];

    private static IterationsResult Expected(long maxSteps = IterationsToTarget.DefaultMaxSteps) =>
        IterationsToTarget.Compute(new Problem(Spectrum.PowerLaw(1, 50), null, 4), Sgd.Create(0.5), 1e-4, maxSteps);

    [Fact]
    public void Json_has_the_contract_fields_and_the_library_values()
    {
        var r = Cli.Run(Cli.Args(Base + " --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        var e = Expected();
        json.EnumerateObject().Select(p => p.Name).ShouldBe([.. Fields, "kurtosis", "noise"]); // + the data model assumed
        json.GetProperty("target").GetDouble().ShouldBe(1e-4);
        json.GetProperty("exact").GetInt64().ShouldBe(e.Exact!.Value);
        json.GetProperty("closed_form").GetDouble().ShouldBe(e.ClosedForm!.Value);
        json.GetProperty("rho").GetDouble().ShouldBe(e.Rho);
        json.GetProperty("gap").GetDouble().ShouldBe(e.Gap);
        json.GetProperty("prefactor").GetDouble().ShouldBe(e.Prefactor);
        json.GetProperty("crude").GetDouble().ShouldBe(e.Crude);
        json.GetProperty("initial_risk").GetDouble().ShouldBe(e.InitialRisk);
        json.GetProperty("max_steps").GetInt64().ShouldBe(IterationsToTarget.DefaultMaxSteps);
    }

    [Fact]
    public void Csv_is_a_header_and_one_row()
    {
        var r = Cli.Run(Cli.Args(Base + " --format csv"));
        r.ShouldSucceed();
        var rows = r.Csv();
        rows.Length.ShouldBe(2);
        rows[0].ShouldBe(Fields);
        var e = Expected();
        long.Parse(rows[1][1]).ShouldBe(e.Exact!.Value);
        Cli.D(rows[1][2]).ShouldBe(e.ClosedForm!.Value);
        Cli.D(rows[1][5]).ShouldBe(e.Prefactor);
    }

    [Fact]
    public void Table_shows_exact_and_closed_form()
    {
        var r = Cli.Run(Cli.Args(Base));
        r.ShouldSucceed();
        r.Out.ShouldContain($"{Expected().Exact} steps");
        r.Out.ShouldContain("closed form");
    }

    [Fact]
    public void Exact_is_null_when_the_target_is_not_reached_within_max_steps()
    {
        var r = Cli.Run(Cli.Args(Base + " --max-steps 10 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("exact").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        json.GetProperty("max_steps").GetInt64().ShouldBe(10);
        json.GetProperty("closed_form").GetDouble().ShouldBe(Expected(10).ClosedForm!.Value);

        var csv = Cli.Run(Cli.Args(Base + " --max-steps 10 --format csv"));
        csv.Csv()[1][1].ShouldBe("");
    }

    [Fact]
    public void A_divergent_method_prints_nulls_not_NaN()
    {
        var r = Cli.Run(Cli.Args("iterations --spectrum powerlaw:a=1,d=50 --method sgd:lr=5 --batch 8 --target 1e-6 --max-steps 500 --format json"));
        r.ShouldSucceed();
        r.Out.ShouldNotContain("NaN");
        r.Out.ShouldNotContain("Infinity");
        var json = r.Json();
        json.GetProperty("exact").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        json.GetProperty("closed_form").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        json.GetProperty("gap").GetDouble().ShouldBeLessThan(0);
    }
}
