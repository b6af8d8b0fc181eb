using System.Text.Json;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// sweep and critical-batch with --schedule, --budget and --target (docs/cli.md#sweep-schedule,
/// docs/cli.md#critical-batch-schedule, docs/math.md#schedule-aware-critical-batch), end to end: the default and
/// --schedule constant give today's output byte for byte; every printed risk is re-evaluated from the printed peak lr,
/// momentum and WSD shape by the library's recursion, and every CE recomputed by hand.
/// </summary>
public class ScheduledTradeoffCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_constant_schedule_without_a_budget_is_todays_critical_batch_and_sweep_byte_for_byte()
    {
        const string cb = "critical-batch --spectrum powerlaw:a=1,d=60 --family sgd,hb --format json";
        var today = Cli.Run(Cli.Args(cb));
        today.ShouldSucceed();
        var constant = Cli.Run(Cli.Args(cb + " --schedule constant"));
        constant.ShouldSucceed();
        constant.Out.ShouldBe(today.Out);
        // and that is the library's constant-case critical batch
        var lib = CriticalBatch.Compute(new Problem(Spectrum.PowerLaw(1, 60)), MethodFamily.Sgd);
        today.Json()[0].GetProperty("critical_batch").GetDouble().ShouldBe(lib.CriticalBatch!.Value);

        const string sw = "sweep --spectrum powerlaw:a=1,d=60 --family sgd,hb --batches 1..64 --target 1e-3 --format csv";
        var sweepToday = Cli.Run(Cli.Args(sw));
        sweepToday.ShouldSucceed();
        var sweepConstant = Cli.Run(Cli.Args(sw + " --schedule constant"));
        sweepConstant.ShouldSucceed();
        sweepConstant.Out.ShouldBe(sweepToday.Out);
        sweepToday.Out.ShouldStartWith("family,batch,gap,iterations,ce,method");
    }

    private static double Recomputed(Problem problem, JsonElement row, string? family = null)
    {
        family ??= row.GetProperty("family").GetString()!;
        double batch = row.GetProperty("batch").GetDouble(), lr = row.GetProperty("lr").GetDouble();
        long steps = row.GetProperty("steps").GetInt64();
        long decay = Math.Max(1, steps / 5);
        var template = family == "sgd" ? MethodTemplate.Sgd(lr) : MethodTemplate.HeavyBall(lr, row.GetProperty("beta").GetDouble());
        row.GetProperty("lr_schedule").GetString().ShouldBe($"wsd:warmup=0,stable={steps - decay},decay={decay}");
        return RiskRecursion.FinalRisk(problem.WithBatch(batch), new ScheduledMethod(template, Schedule.Wsd(0, steps - decay, decay)), steps);
    }

    [Fact]
    public void Sweep_with_a_wsd_schedule_at_a_budget_reports_the_risks_and_efficiencies_it_claims()
    {
        var r = Cli.Run(Cli.Args("sweep --spectrum powerlaw:a=1,d=30 --family sgd,hb --batches 1,4,16 --schedule wsd --budget 200 --kurtosis 2.5 --noise 0.05 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("schedule").GetString().ShouldBe("wsd");
        json.GetProperty("budget").GetDouble().ShouldBe(200);
        var problem = new Problem(Spectrum.PowerLaw(1, 30), null, 1, 2.5, 0.05);
        double l0 = 0.5 * problem.Spectrum.Trace;   // isotropic start: s_i = 1
        var rows = json.GetProperty("rows").EnumerateArray().ToArray();
        rows.Select(x => (x.GetProperty("family").GetString(), x.GetProperty("batch").GetDouble()))
            .ShouldBe([("sgd", 1), ("sgd", 4), ("sgd", 16), ("hb", 1), ("hb", 4), ("hb", 16)]);
        foreach (var row in rows)
        {
            double b = row.GetProperty("batch").GetDouble();
            long t = row.GetProperty("steps").GetInt64();
            t.ShouldBe((long)Math.Floor(200 / b));
            row.GetProperty("gradients").GetDouble().ShouldBe(b * t);
            double risk = row.GetProperty("final_risk").GetDouble();
            TestSupportCli.RelErr(risk, Recomputed(problem, row)).ShouldBeLessThan(1e-13);
            TestSupportCli.RelErr(row.GetProperty("ce").GetDouble(), Math.Log(l0 / risk) / (b * t)).ShouldBeLessThan(1e-12);
        }
        var csv = Cli.Run(Cli.Args("sweep --spectrum powerlaw:a=1,d=30 --family sgd --batches 1,4 --schedule wsd --budget 200 --format csv"));
        csv.ShouldSucceed();
        csv.Out.Split('\n')[0].ShouldBe("family,batch,schedule,ce,steps,gradients,final_risk,lr,beta,method,lr_schedule");
        var table = Cli.Run(Cli.Args("sweep --spectrum powerlaw:a=1,d=30 --family sgd --batches 1,4 --schedule wsd --budget 200"));
        table.ShouldSucceed();
        table.Out.ShouldContain("wsd schedule tuned per batch");
        table.Out.ShouldContain("budget G = 200");
    }

    [Fact]
    public void Critical_batch_with_a_schedule_at_a_budget_is_the_crossing_of_its_own_curve_and_plots()
    {
        string png = System.IO.Path.Combine(_dir.Path, "cb.png");
        var r = Cli.Run(Cli.Args($"critical-batch --spectrum powerlaw:a=1,d=30 --family sgd --schedule wsd --budget 512 --format json --plot {png}"));
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("schedule").GetString().ShouldBe("wsd");
        double bc = json.GetProperty("critical_batch").GetDouble(), ce1 = json.GetProperty("small_batch_ce").GetDouble();
        var problem = new Problem(Spectrum.PowerLaw(1, 30));
        var curve = json.GetProperty("curve").EnumerateArray().ToArray();
        curve[0].GetProperty("batch").GetDouble().ShouldBe(1);
        curve[0].GetProperty("ce").GetDouble().ShouldBe(ce1);
        foreach (var p in curve)
        {
            double risk = p.GetProperty("final_risk").GetDouble();
            TestSupportCli.RelErr(risk, Recomputed(problem, p, "sgd")).ShouldBeLessThan(1e-13);
            double b = p.GetProperty("batch").GetDouble();
            // every point evaluated below the critical batch is still above f·CE(1) on the doubling grid
            if (b < bc && Math.Log2(b) == Math.Round(Math.Log2(b))) p.GetProperty("ce").GetDouble().ShouldBeGreaterThan(0.5 * ce1);
        }
        var at = curve.Single(p => p.GetProperty("batch").GetDouble() == bc);
        Math.Abs(at.GetProperty("ce").GetDouble() / ce1 - 0.5).ShouldBeLessThan(0.02);
        json.GetProperty("steps").GetInt64().ShouldBe(at.GetProperty("steps").GetInt64());
        Images.ShouldBePng(png);

        var csv = Cli.Run(Cli.Args("critical-batch --spectrum powerlaw:a=1,d=30 --family sgd --schedule wsd --budget 512 --format csv"));
        csv.ShouldSucceed();
        csv.Out.Split('\n')[0].ShouldBe("family,schedule,fraction,critical_batch,small_batch_ce,budget,target,steps,gradients,final_risk,lr,beta,method,lr_schedule,kurtosis,noise");
        var table = Cli.Run(Cli.Args("critical-batch --spectrum powerlaw:a=1,d=30 --family sgd --schedule wsd --budget 512"));
        table.ShouldSucceed();
        table.Out.ShouldContain("critical batch");
    }

    [Fact]
    public void Critical_batch_at_a_target_counts_gradients()
    {
        var r = Cli.Run(Cli.Args("critical-batch --spectrum powerlaw:a=1,d=20 --family sgd --schedule cosine --target 0.05 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("target").GetDouble().ShouldBe(0.05);
        json.GetProperty("critical_batch").GetDouble().ShouldBeGreaterThan(1);
        foreach (var p in json.GetProperty("curve").EnumerateArray())
        {
            double b = p.GetProperty("batch").GetDouble();
            long t = p.GetProperty("steps").GetInt64();
            p.GetProperty("ce").GetDouble().ShouldBe(1 / (b * t));
            p.GetProperty("final_risk").GetDouble().ShouldBeLessThanOrEqualTo(0.05);
        }
    }

    [Theory]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=20 --family sgd --schedule wsd", "--budget")]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=20 --family sgd --schedule wsd --budget 100 --target 0.01", "cannot be combined")]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=20 --family asgd --schedule wsd --budget 100", "sgd, hb or nesterov")]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=20 --family sgd --schedule step --budget 100", "constant, wsd, cosine or optimal")]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=20 --family sgd --schedule wsd --budget 0.5", "--budget 0.5")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=20 --family sgd --batches 1,2 --schedule wsd --target 0.01 --objective iterations", "--objective")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=20 --family sgd --batches 1,200 --schedule wsd --budget 100", "at least one batch")]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=20 --family sgd,hb --schedule wsd --budget 1e30", "more than the 1000000 steps")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=20 --family sgd,hb --batches 1,2 --schedule optimal --budget 1e12", "more than the 1000000 steps")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=100 --family sgd --batches 4096,8192 --schedule optimal --budget 1e12 --max-steps 1e12", "more than 300 s")]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=20 --family sgd --modifiers ema=0.9 --schedule wsd --budget 100", "--modifiers")]
    public void Bad_schedule_settings_are_refused_in_one_line(string line, string says)
    {
        var r = Cli.Run(Cli.Args(line + " -q"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(says);
    }
}

/// <summary>Relative error (|a − e|/|e|, 0 when both are 0).</summary>
internal static class TestSupportCli
{
    public static double RelErr(double actual, double expected) => actual == expected ? 0 : Math.Abs(actual - expected) / Math.Abs(expected);
}
