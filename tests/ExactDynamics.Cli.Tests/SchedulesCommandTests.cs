namespace ExactDynamics.Cli.Tests;

/// <summary><c>exactdyn schedules</c>: schedules compared at a budget, each with a tuned base learning rate.</summary>
public class SchedulesCommandTests
{
    private const string Base = "schedules --spectrum powerlaw:a=1,d=40 --batch 4 --noise 0.1 --steps 200";

    [Fact]
    public void Csv_has_one_row_per_default_schedule_with_the_ratio_to_constant()
    {
        var r = Cli.Run(Cli.Args(Base + " --family hb --beta 0.8 --format csv"));
        r.ShouldSucceed();
        var rows = r.Csv();
        rows[0].ShouldBe(["family", "base_lr", "final_risk", "ratio_to_constant", "schedule"]);
        rows.Length.ShouldBe(5);
        rows[1][0].ShouldBe("hb(β=0.8)");
        rows[1][4].ShouldBe("constant");
        Cli.D(rows[1][3]).ShouldBe(1);
        r.Out.ShouldContain("\"step:every=50,factor=0.5\"");
        rows[3][4].ShouldBe("cosine:steps=200");
        r.Out.ShouldContain("wsd:warmup=0,stable=160,decay=40");
        // with label noise at a fixed budget, annealing beats the tuned constant rate
        Cli.D(rows[3][3]).ShouldBeLessThan(1);
    }

    [Fact]
    public void Given_schedules_replace_the_defaults_and_json_has_no_ratio_without_a_constant_row()
    {
        var r = Cli.Run(Cli.Args(Base + " --schedule warmup:10+cosine:steps=190 --format json"));
        r.ShouldSucceed();
        var rows = r.Json().GetProperty("rows");
        rows.GetArrayLength().ShouldBe(1);
        rows[0].GetProperty("schedule").GetString().ShouldBe("warmup:10+cosine:steps=190");
        rows[0].GetProperty("ratio_to_constant").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Theory]
    [InlineData("--family asgd", "--family 'asgd'")]
    [InlineData("--family hb --beta 1.2", "beta=1.2")]
    [InlineData("--schedule cosine:steps=0", "steps=0")]
    [InlineData("--lr-min 2 --lr-max 1", "--lr-min 2")]
    public void Bad_input_exits_2(string options, string fragment)
    {
        var r = Cli.Run(Cli.Args(Base + " " + options));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(fragment);
    }
}
