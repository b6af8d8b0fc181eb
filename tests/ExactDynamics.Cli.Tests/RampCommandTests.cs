using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Tests;

/// <summary><c>exactdyn ramp</c>: formats, numbers from the library, bad input.</summary>
public class RampCommandTests
{
    private const string Base = "ramp --spectrum powerlaw:a=1,d=50 --method sgd:lr=0.5 --batch 4 --noise 0.05 --budget 20000 --double-every 200 --max-batch 64";

    private static RampComparison Expected() =>
        BatchRamp.Compare(new Problem(Spectrum.PowerLaw(1, 50), null, 4, 3, 0.05), Sgd.Create(0.5), 20000, 200, 16);

    [Fact]
    public void Csv_rows_are_the_library_values()
    {
        var r = Cli.Run(Cli.Args(Base + " --format csv"));
        r.ShouldSucceed();
        var rows = r.Csv();
        rows[0].ShouldBe(["strategy", "first_batch", "last_batch", "steps", "gradient_cost", "final_risk", "steps_to_match", "cost_to_match"]);
        rows.Skip(1).Select(x => x[0]).ShouldBe(["constant", "ramp", "constant-max"]);
        var e = Expected();
        long.Parse(rows[1][3]).ShouldBe(e.Constant.Steps);
        Cli.D(rows[2][5]).ShouldBe(e.Ramp.FinalRisk);
        rows[2][1].ShouldBe("4");
        rows[2][2].ShouldBe("64");
        rows[3][1].ShouldBe("64");
        long.Parse(rows[2][6]).ShouldBe(e.Ramp.StepsToMatch!.Value);
        rows[1][6].ShouldBe("");
    }

    [Fact]
    public void Json_reports_the_savings()
    {
        var r = Cli.Run(Cli.Args(Base + " --format json"));
        r.ShouldSucceed();
        var j = r.Json();
        var e = Expected();
        j.GetProperty("serial_saving_at_equal_budget").GetDouble().ShouldBe(e.SerialSavingAtEqualBudget!.Value);
        j.GetProperty("serial_saving_at_equal_risk").GetDouble().ShouldBe(e.SerialSavingAtEqualRisk!.Value);
        j.GetProperty("max_batch").GetDouble().ShouldBe(64);
        j.GetProperty("rows").GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public void Table_says_what_is_compared()
    {
        var r = Cli.Run(Cli.Args(Base));
        r.ShouldSucceed();
        r.Out.ShouldContain("at equal budget: the ramp takes");
        r.Out.ShouldContain("at equal risk: the ramp reaches the constant batch's final risk after");
        r.Out.ShouldContain("4·2^⌊t/200⌋, ≤ 64");
    }

    [Theory]
    [InlineData("--budget 2 --double-every 10", "Budget 2")]
    [InlineData("--budget 100 --double-every 0", "--double-every 0")]
    [InlineData("--budget 100 --double-every 10 --max-batch 2", "--max-batch 2")]
    [InlineData("--budget 100", "--double-every")]
    public void Bad_input_exits_2_with_one_line(string options, string fragment)
    {
        var r = Cli.Run(Cli.Args("ramp --spectrum powerlaw:a=1,d=50 --method sgd:lr=0.5 --batch 4 " + options));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(fragment);
    }
}
