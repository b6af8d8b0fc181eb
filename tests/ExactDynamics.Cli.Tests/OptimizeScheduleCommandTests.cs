namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>exactdyn optimize-schedule</c>: the written schedule reads back through <c>risk --lr-schedule file:</c> to the
/// reported risk, which a plain SGD recursion written here reproduces; the optimum is never worse than the baselines.
/// </summary>
public sealed class OptimizeScheduleCommandTests : IDisposable
{
    private const string Problem = "--spectrum powerlaw:a=1,d=30 --batch 4 --noise 0.1 --kurtosis 2 --steps 150";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>E L_T of SGD with per-step η_t on λ_i = 1/i, s_i = 1 (docs/math.md#second-moment-recursion for k = 1).</summary>
    private static double PlainSgd(double[] lr, int d, double batch, double m4, double noise)
    {
        var lam = Enumerable.Range(1, d).Select(i => 1.0 / i).ToArray();
        var s = Enumerable.Repeat(1.0, d).ToArray();
        foreach (var eta in lr)
        {
            double mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * s[i];
            for (int i = 0; i < d; i++)
            {
                double l = lam[i];
                s[i] = (1 - eta * l) * (1 - eta * l) * s[i] + eta * eta / batch * (l * mu + (m4 - 2) * l * l * s[i] + noise * l);
            }
        }
        return 0.5 * lam.Zip(s, (l, x) => l * x).Sum();
    }

    [Fact]
    public void The_written_schedule_reads_back_to_the_reported_risk_and_beats_every_baseline()
    {
        var path = _dir.File("lr.csv");
        var r = Cli.Run(Cli.Args($"optimize-schedule {Problem} --family sgd --knots 30 --max-iterations 40 --format json --schedule-out {path}"));
        r.ShouldSucceed();
        var json = r.Json();
        double reported = json.GetProperty("final_risk").GetDouble();
        var rows = json.GetProperty("rows");
        rows.GetArrayLength().ShouldBe(5);
        rows[4].GetProperty("schedule").GetString().ShouldBe("optimal");
        for (int i = 0; i < 4; i++) rows[i].GetProperty("final_risk").GetDouble().ShouldBeGreaterThanOrEqualTo(reported);
        json.GetProperty("used_baseline").GetBoolean().ShouldBeFalse();
        json.GetProperty("tail").GetProperty("from").GetInt64().ShouldBe(120);

        // the file: a 'value' schedule with one learning rate per update
        var values = File.ReadAllLines(path).Where(l => l.Length > 0 && l[0] != '#').ToArray();
        values[0].ShouldBe("value");
        var lr = values.Skip(1).Select(Cli.D).ToArray();
        lr.Length.ShouldBe(150);
        double plain = PlainSgd(lr, 30, 4, 2, 0.1);
        (Math.Abs(plain - reported) / reported).ShouldBeLessThan(1e-12);

        // read back by risk --lr-schedule file: (the base lr of --method is irrelevant for a value file)
        var back = Cli.Run(Cli.Args($"risk {Problem.Replace("--steps 150", "--steps 150 --every 150")} --method sgd:lr=0.5 --lr-schedule file:{path} --format csv"));
        back.ShouldSucceed();
        var last = back.Csv()[^1];
        last[0].ShouldBe("150");
        (Math.Abs(Cli.D(last[1]) - reported) / reported).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void Momentum_schedules_are_written_and_the_plot_has_two_panels()
    {
        var lr = _dir.File("lr.csv");
        var mom = _dir.File("mom.csv");
        var png = _dir.File("opt.png");
        var r = Cli.Run(Cli.Args($"optimize-schedule {Problem} --family hb --beta 0.5 --momentum --knots 20 --max-iterations 20 --schedule-out {lr} --momentum-out {mom} --plot {png}"));
        r.ShouldSucceed();
        r.Out.ShouldContain("momentum optimised too");
        r.Out.ShouldContain("Tail: lr_t ∝ (1 − t/T)^p");
        var betas = File.ReadAllLines(mom).Where(l => l.Length > 0 && l[0] != '#').Skip(1).Select(Cli.D).ToArray();
        betas.Length.ShouldBe(150);
        betas.ShouldAllBe(b => b >= 0 && b < 1);
        var (w, h) = Images.ShouldBePng(png);
        w.ShouldBeGreaterThan(h);

        // both files read back by risk give the reported optimum
        var back = Cli.Run(Cli.Args($"risk {Problem.Replace("--steps 150", "--steps 150 --every 150")} --method hb:lr=0.1,beta=0.5 --lr-schedule file:{lr} --momentum-schedule file:{mom} --format csv"));
        back.ShouldSucceed();
        var table = r.Out.Split('\n').Single(l => l.StartsWith("optimal", StringComparison.Ordinal));
        double shown = Cli.D(table.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
        (Math.Abs(Cli.D(back.Csv()[^1][1]) - shown) / shown).ShouldBeLessThan(1e-3); // the table rounds to 4 digits
    }

    /// <summary>E L_T of SGD with per-step η_t and B_t on λ_i = 1/i, s_i = 1.</summary>
    private static double PlainSgd(double[] lr, double[] batch, int d, double m4, double noise)
    {
        var lam = Enumerable.Range(1, d).Select(i => 1.0 / i).ToArray();
        var s = Enumerable.Repeat(1.0, d).ToArray();
        for (int t = 0; t < lr.Length; t++)
        {
            double eta = lr[t], mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * s[i];
            for (int i = 0; i < d; i++)
            {
                double l = lam[i];
                s[i] = (1 - eta * l) * (1 - eta * l) * s[i] + eta * eta / batch[t] * (l * mu + (m4 - 2) * l * l * s[i] + noise * l);
            }
        }
        return 0.5 * lam.Zip(s, (l, x) => l * x).Sum();
    }

    private static double[] ValueFile(string path) => File.ReadAllLines(path).Where(l => l.Length > 0 && l[0] != '#').Skip(1).Select(Cli.D).ToArray();

    [Fact]
    public void The_optimal_batch_ramp_reads_back_to_the_reported_risk_and_beats_every_constant_batch()
    {
        var lrPath = _dir.File("lr.csv");
        var bPath = _dir.File("b.csv");
        const string problem = "--spectrum powerlaw:a=1,d=30 --batch 1 --noise 0.1 --kurtosis 2";
        var r = Cli.Run(Cli.Args($"optimize-schedule {problem} --batch-schedule optimal --budget 400 --knots 20 --max-iterations 20 --batch-knots 6 " +
                                 $"--double-every 100 --format json --schedule-out {lrPath} --batch-out {bPath}"));
        r.ShouldSucceed();
        var json = r.Json();
        double reported = json.GetProperty("final_risk").GetDouble();
        int steps = json.GetProperty("steps").GetInt32();
        var rows = json.GetProperty("rows").EnumerateArray().ToArray();
        rows.Where(x => x.GetProperty("kind").GetString() == "constant").Count().ShouldBeGreaterThanOrEqualTo(3);
        rows.Single(x => x.GetProperty("kind").GetString() == "ramp").GetProperty("strategy").GetString().ShouldBe("ramp ×2 every 100");
        foreach (var row in rows.Where(x => x.GetProperty("kind").GetString() == "constant"))
            row.GetProperty("final_risk").GetDouble().ShouldBeGreaterThanOrEqualTo(reported);

        var lr = ValueFile(lrPath);
        var batch = ValueFile(bPath);
        lr.Length.ShouldBe(steps);
        batch.Length.ShouldBe(steps);
        batch.Sum().ShouldBeLessThanOrEqualTo(400 * (1 + 1e-12));
        batch.ShouldAllBe(b => b >= 1);
        (Math.Abs(PlainSgd(lr, batch, 30, 2, 0.1) - reported) / reported).ShouldBeLessThan(1e-12);

        // both files read back by risk give the reported optimum
        var back = Cli.Run(Cli.Args($"risk {problem} --steps {steps} --every {steps} --method sgd:lr=0.5 --lr-schedule file:{lrPath} --batch-schedule file:{bPath} --format csv"));
        back.ShouldSucceed();
        (Math.Abs(Cli.D(back.Csv()[^1][1]) - reported) / reported).ShouldBeLessThan(1e-12);
    }

    [Fact]
    public void The_batch_table_names_every_strategy_and_the_plot_has_three_panels()
    {
        var png = _dir.File("batch.png");
        var r = Cli.Run(Cli.Args("optimize-schedule --spectrum powerlaw:a=1,d=10 --batch 2 --noise 0.1 --batch-schedule optimal --budget 120 " +
                                 $"--knots 8 --max-iterations 8 --double-every 10 --max-batch 8 --plot {png}"));
        r.ShouldSucceed();
        r.Out.ShouldContain("Batch-size schedules at a gradient budget of 120 samples — sgd");
        foreach (var row in new[] { "constant B=2", "constant B=4", "ramp ×2 every 10 up to 8" })
            r.Out.Split('\n').Count(l => l.StartsWith(row, StringComparison.Ordinal)).ShouldBe(1, row);
        (r.Out.Contains("Optimal ramp:", StringComparison.Ordinal) || r.Out.Contains("No monotone ramp searched beat", StringComparison.Ordinal)).ShouldBeTrue();
        r.Out.ShouldContain("Tail of the optimum's learning rate");
        var (w, h) = Images.ShouldBePng(png);
        w.ShouldBeGreaterThan(2 * h);
    }

    [Theory]
    [InlineData("--budget 400", "--budget needs --batch-schedule optimal")]
    [InlineData("--batch-out b.csv", "--batch-out needs --batch-schedule optimal")]
    [InlineData("--batch-schedule cosine:steps=10 --budget 400", "--batch-schedule optimal")]
    [InlineData("--batch-schedule optimal", "needs --budget")]
    [InlineData("--batch-schedule optimal --budget 400 --steps 100", "--steps does not apply")]
    [InlineData("--batch-schedule optimal --budget 0.5", "gradient budget")]
    [InlineData("--batch-schedule optimal --budget 400 --batch-knots 1", "--batch-knots 1")]
    [InlineData("--batch-schedule optimal --budget 400 --double-every 0", "--double-every 0")]
    public void Bad_batch_schedule_input_exits_2_with_one_line(string options, string fragment)
    {
        var r = Cli.Run(Cli.Args($"optimize-schedule --spectrum powerlaw:a=1,d=30 --batch 1 {options}"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(fragment);
    }

    [Fact]
    public void Help_lists_every_option_and_ends_with_an_example()
    {
        var r = Cli.Run("optimize-schedule", "--help");
        r.ShouldSucceed();
        foreach (var o in new[] { "--family", "--beta", "--steps", "--schedule", "--knots", "--momentum", "--search-bins", "--max-iterations", "--tail",
                     "--schedule-out", "--momentum-out", "--plot", "--batch-schedule", "--budget", "--double-every", "--max-batch", "--batch-knots", "--batch-out",
                     "--format", "--out" })
            r.Out.ShouldContain(o);
        var lines = r.Out.TrimEnd().Split('\n');
        lines[^2].Trim().ShouldBe("Example:");
        lines[^1].Trim().ShouldStartWith("exactdyn optimize-schedule");
    }

    [Theory]
    [InlineData("--family sgd --momentum", "momentum")]
    [InlineData("--family hb --momentum-out m.csv", "--momentum-out needs --momentum")]
    [InlineData("--family sgd --knots 1", "--knots 1")]
    [InlineData("--family adam", "--family 'adam'")]
    [InlineData("--family sgd --tail 0", "tail fraction")]
    public void Bad_input_exits_2_with_one_line(string options, string fragment)
    {
        var r = Cli.Run(Cli.Args($"optimize-schedule {Problem} {options}"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(fragment);
    }
}
