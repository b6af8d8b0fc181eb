using ExactDynamics.Cli.Parsing;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Tests;

/// <summary>--lr-schedule, --momentum-schedule, --batch-schedule on risk, gap and iterations (docs/schedules.md).</summary>
public sealed class ScheduleOptionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Problem = "--spectrum powerlaw:a=1,d=50 --method hb:lr=0.3,beta=0.6 --batch 4";

    private static Problem P(double batch = 4) => new(Spectrum.PowerLaw(1, 50), null, batch);

    [Fact]
    public void Risk_follows_the_schedules_exactly()
    {
        var r = Cli.Run(Cli.Args($"risk {Problem} --steps 120 --every 10 --lr-schedule warmup:10+cosine:steps=100 --momentum-schedule linear-warmup:steps=20 --batch-schedule step:every=40,factor=2 --format csv"));
        r.ShouldSucceed();
        r.Err.ShouldBeEmpty();
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.6), ScheduleSpec.Parse("warmup:10+cosine:steps=100"),
            Schedule.LinearWarmup(20), Schedule.Step(40, 2));
        var expected = RiskRecursion.Run(P(), sm, 120, 10);
        var rows = r.Csv();
        rows[0].ShouldBe(["t", "risk"]);
        rows.Skip(1).Select(x => long.Parse(x[0])).ShouldBe(expected.Steps);
        rows.Skip(1).Select(x => Cli.D(x[1])).ShouldBe(expected.Risk);
        // and it is not the constant curve
        Cli.D(rows[^1][1]).ShouldNotBe(RiskRecursion.Run(P(), HeavyBall.Create(0.3, 0.6), 120, 10).Risk[^1]);
    }

    [Fact]
    public void Every_method_of_risk_gets_the_same_schedules_and_the_plot_is_drawn()
    {
        var png = System.IO.Path.Combine(_dir.Path, "s.png");
        var r = Cli.Run(Cli.Args($"risk --spectrum powerlaw:a=1,d=50 --method sgd:lr=0.5 --method hb:lr=0.3,beta=0.6 --batch 4 --steps 40 --every 20 --lr-schedule cosine:steps=40 --format csv --plot {png}"));
        r.ShouldSucceed();
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
        lines.Length.ShouldBe(6);
        double Last(string line) => Cli.D(line.Split(',')[^1]);
        var cos = Schedule.Cosine(40);
        Last(lines[2]).ShouldBe(RiskRecursion.Run(P(), new ScheduledMethod(MethodTemplate.Sgd(0.5), cos), 40, 20).Risk[2]);
        Last(lines[5]).ShouldBe(RiskRecursion.Run(P(), new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.6), cos), 40, 20).Risk[2]);
        System.IO.File.Exists(png).ShouldBeTrue();
    }

    [Fact]
    public void A_constant_schedule_prints_exactly_the_constant_output()
    {
        foreach (var format in new[] { "csv", "json", "table" })
        {
            var plain = Cli.Run(Cli.Args($"risk {Problem} --steps 50 --every 7 --format {format}"));
            var sched = Cli.Run(Cli.Args($"risk {Problem} --steps 50 --every 7 --format {format} --lr-schedule constant --momentum-schedule constant --batch-schedule constant"));
            sched.ShouldSucceed();
            sched.Out.ShouldBe(plain.Out);
        }
    }

    [Fact]
    public void Risk_table_names_the_schedules_and_json_keeps_its_fields()
    {
        var table = Cli.Run(Cli.Args($"risk {Problem} --steps 20 --every 10 --lr-schedule step:every=5,factor=0.5"));
        table.ShouldSucceed();
        table.Out.ShouldContain("learning-rate schedule: step:every=5,factor=0.5");
        var json = Cli.Run(Cli.Args($"risk {Problem} --steps 20 --every 10 --lr-schedule step:every=5,factor=0.5 --format json")).Json();
        json.EnumerateObject().Select(p => p.Name).ShouldBe(["t", "risk", "kurtosis", "noise"]);
    }

    [Fact]
    public void Batch_schedule_from_a_value_file()
    {
        var file = _dir.File("b.csv", "value\n1\n2\n4\n8\n");
        var r = Cli.Run(Cli.Args($"risk {Problem} --steps 10 --batch-schedule file:{file} --format csv"));
        r.ShouldSucceed();
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.6), null, null, Schedule.FromValues([1, 2, 4, 8], true));
        r.Csv().Skip(1).Select(x => Cli.D(x[1])).ShouldBe(RiskRecursion.Trajectory(P(), sm, 10));
    }

    [Fact]
    public void Gap_with_a_schedule_describes_the_constant_tail()
    {
        var r = Cli.Run(Cli.Args($"gap {Problem} --lr-schedule warmup:10+cosine:steps=100,floor=0.5 --batch-schedule file:{_dir.File("b.csv", "multiplier\n1\n2\n")} --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("describes").GetString().ShouldBe("constant tail");
        var tail = json.GetProperty("tail");
        tail.GetProperty("method").GetString().ShouldBe("hb:lr=0.15,beta=0.6");
        tail.GetProperty("batch").GetDouble().ShouldBe(8);
        tail.GetProperty("from").GetInt64().ShouldBe(110);
        var expected = ContractionGap.Compute(P(8), HeavyBall.Create(0.15, 0.6));
        json.GetProperty("gap").GetDouble().ShouldBe(expected.Gap);
        json.GetProperty("rho").GetDouble().ShouldBe(expected.Rho);
        var table = Cli.Run(Cli.Args($"gap {Problem} --lr-schedule warmup:10"));
        table.ShouldSucceed();
        table.Out.ShouldContain("the gap describes the constant tail hb:lr=0.3,beta=0.6, batch 4, which the schedules hold exactly from step 9 on");
    }

    [Theory]
    [InlineData("--lr-schedule cosine:steps=100", "decays to 0")]
    [InlineData("--lr-schedule inverse-sqrt", "decays to 0")]
    [InlineData("--lr-schedule step:every=10,factor=0.5", "decays to 0")]
    [InlineData("--batch-schedule step:every=10,factor=2", "grows without bound")]
    public void Gap_refuses_a_schedule_without_a_constant_tail(string option, string fragment)
    {
        var r = Cli.Run(Cli.Args($"gap {Problem} {option}"));
        r.Code.ShouldBe(2);
        r.Out.ShouldBeEmpty();
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("no constant tail");
        r.Err.ShouldContain(fragment);
    }

    [Fact]
    public void Iterations_exact_follows_the_schedule_and_the_closed_form_describes_the_tail()
    {
        var r = Cli.Run(Cli.Args($"iterations {Problem} --target 1e-4 --lr-schedule warmup:30 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.6), Schedule.LinearWarmup(30));
        json.GetProperty("exact").GetInt64().ShouldBe(RiskRecursion.FirstBelow(P(), sm, 1e-4, 1_000_000)!.Value);
        var constant = IterationsToTarget.Compute(P(), HeavyBall.Create(0.3, 0.6), 1e-4);
        json.GetProperty("exact").GetInt64().ShouldBeGreaterThan(constant.Exact!.Value); // the warmup costs steps
        json.GetProperty("closed_form").GetDouble().ShouldBe(constant.ClosedForm!.Value);
        json.GetProperty("gap").GetDouble().ShouldBe(constant.Gap);
        json.GetProperty("prefactor").GetDouble().ShouldBe(constant.Prefactor);
        json.GetProperty("describes").GetString()!.ShouldContain("constant tail");
        json.GetProperty("tail").GetProperty("from").GetInt64().ShouldBe(29);
        json.GetProperty("schedules").GetProperty("lr").GetString().ShouldBe("linear-warmup:steps=30");
    }

    [Fact]
    public void Iterations_without_a_tail_still_counts_exactly_and_says_why_there_is_no_closed_form()
    {
        var json = Cli.Run(Cli.Args($"iterations {Problem} --target 1e-2 --lr-schedule cosine:steps=500 --format json"));
        json.ShouldSucceed();
        var j = json.Json();
        j.GetProperty("exact").GetInt64().ShouldBeGreaterThan(0);
        j.GetProperty("closed_form").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        j.GetProperty("gap").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        j.GetProperty("tail").GetProperty("reason").GetString()!.ShouldContain("decays to 0");
        var table = Cli.Run(Cli.Args($"iterations {Problem} --target 1e-2 --lr-schedule cosine:steps=500"));
        table.ShouldSucceed();
        table.Out.ShouldContain("no closed form");
        var csv = Cli.Run(Cli.Args($"iterations {Problem} --target 1e-2 --lr-schedule cosine:steps=500 --format csv"));
        csv.ShouldSucceed();
        csv.Csv()[0][..9].ShouldBe(["target", "exact", "closed_form", "rho", "gap", "prefactor", "crude", "initial_risk", "max_steps"]);
    }

    [Theory]
    [InlineData("risk", "--lr-schedule bogus", "unknown schedule 'bogus'")]
    [InlineData("risk", "--lr-schedule cosine:steps=abc", "--lr-schedule 'cosine:steps=abc'")]
    [InlineData("risk", "--batch-schedule step:every=5", "missing parameter factor")]
    [InlineData("risk", "--momentum-schedule step:every=5,factor=2", "At step 5")]
    [InlineData("risk", "--batch-schedule step:every=5,factor=0.5", "B = 0.5 at step 15")]
    [InlineData("iterations", "--lr-schedule file:{dir}/nope.csv", "does not exist")]
    [InlineData("iterations", "--lr-schedule file:{dir}/bad.csv", "the header is 'lr'")]
    [InlineData("gap", "--lr-schedule warmup:10+", "nothing after")]
    public void Bad_schedules_are_one_sentence_and_exit_2(string command, string option, string fragment)
    {
        _dir.File("bad.csv", "lr\n0.1\n");
        var extra = command == "iterations" ? " --target 1e-3" : command == "risk" ? " --steps 30" : "";
        var r = Cli.Run(Cli.Args($"{command} {Problem}{extra} {option.Replace("{dir}", _dir.Path)}"));
        r.Code.ShouldBe(2);
        r.Out.ShouldBeEmpty();
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(fragment);
    }

    [Fact]
    public void Custom_methods_take_only_batch_schedules()
    {
        var json = _dir.File("m.json", "{\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1]}");
        var bad = Cli.Run(Cli.Args($"risk --spectrum powerlaw:a=1,d=20 --method custom:{json} --batch 2 --lr-schedule cosine:steps=10"));
        bad.Code.ShouldBe(2);
        bad.Err.ShouldContain("only a batch-size schedule applies");
        Cli.Run(Cli.Args($"risk --spectrum powerlaw:a=1,d=20 --method custom:{json} --batch 2 --batch-schedule step:every=3,factor=2")).ShouldSucceed();
    }

    [Theory]
    [InlineData("risk")]
    [InlineData("gap")]
    [InlineData("iterations")]
    public void Help_lists_the_schedule_options(string command)
    {
        var r = Cli.Run(command, "--help");
        r.ShouldSucceed();
        r.Out.ShouldContain("--lr-schedule");
        r.Out.ShouldContain("--momentum-schedule");
        r.Out.ShouldContain("--batch-schedule");
    }
}
