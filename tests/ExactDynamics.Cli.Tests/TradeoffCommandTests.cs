using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Tests;

/// <summary>End-to-end tests of tune, sweep and critical-batch (docs/cli.md#tune, docs/cli.md#sweep, docs/cli.md#critical-batch; docs/math.md#batch-size-tradeoffs).</summary>
public class TradeoffCommandTests : IDisposable
{
    private const string Spec = "powerlaw:a=1,d=60";
    private static readonly Problem Problem60 = new(Spectrum.PowerLaw(1, 60));
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // ---------------------------------------------------------------- tune

    [Theory]
    [InlineData("sgd", new[] { "lr" })]
    [InlineData("hb", new[] { "lr", "beta" })]
    [InlineData("nesterov", new[] { "lr", "beta" })]
    [InlineData("asgd", new[] { "lr", "kappa", "xi" })]
    public void Tune_json_has_the_contract_fields_and_its_method_reproduces_the_gap(string family, string[] parameters)
    {
        var r = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family {family} --batch 16 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        json.EnumerateObject().Select(p => p.Name).Take(5).ShouldBe(["family", "batch", "gap", "params", "method"]);
        json.GetProperty("family").GetString().ShouldBe(family);
        json.GetProperty("batch").GetDouble().ShouldBe(16);
        json.GetProperty("params").EnumerateObject().Select(p => p.Name).ShouldBe(parameters);
        var method = json.GetProperty("method").GetString()!;
        method.ShouldStartWith(family + ":");
        var gap = json.GetProperty("gap").GetDouble();
        gap.ShouldBe(Tuner.Tune(Problem60.WithBatch(16), MethodFamilies.Parse(family)).Gap);

        // the spec string goes back into --method and gives the same gap, bit for bit
        var g = Cli.Run("gap", "--spectrum", Spec, "--batch", "16", "--method", method, "--format", "json");
        g.ShouldSucceed();
        g.Json().GetProperty("gap").GetDouble().ShouldBe(gap);
    }

    [Fact]
    public void Tune_csv_and_table()
    {
        var csv = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family hb --batch 8 --format csv"));
        csv.ShouldSucceed();
        var lines = csv.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        lines[0].ShouldBe("family,batch,gap,rho,method,lr,beta");
        lines[1].ShouldStartWith("hb,8,");
        lines[1].ShouldContain("\"hb:lr=");
        var table = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family hb --batch 8"));
        table.ShouldSucceed();
        table.Out.ShouldContain("hb:lr=");
        table.Out.ShouldContain("beta");
        table.Out.ShouldContain("gap");
    }

    [Fact]
    public void Tune_for_iterations_needs_a_target_and_reports_the_count()
    {
        var bad = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family sgd --batch 4 --objective iterations"));
        bad.Code.ShouldBe(2);
        bad.Err.ShouldContain("--target");
        var r = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family sgd --batch 4 --objective iterations --target 1e-3 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("objective").GetString().ShouldBe("iterations");
        long its = json.GetProperty("iterations").GetInt64();
        var byGap = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family sgd --batch 4 --target 1e-3 --format json")).Json();
        its.ShouldBeLessThanOrEqualTo(byGap.GetProperty("iterations").GetInt64());
    }

    [Fact]
    public void Tune_accepts_a_real_batch_but_not_with_a_target()
    {
        Cli.Run(Cli.Args($"tune --spectrum {Spec} --family sgd --batch 2.5 --format json")).ShouldSucceed();
        var r = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family sgd --batch 2.5 --target 1e-3"));
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("2.5");
    }

    [Theory]
    [InlineData("tune --spectrum powerlaw:a=1,d=60 --family adam --batch 4", "adam")]
    [InlineData("tune --spectrum powerlaw:a=1,d=60 --family sgd --batch 4 --objective speed", "speed")]
    [InlineData("tune --spectrum powerlaw:a=1,d=60 --family sgd --batch 0.5", "0.5")]
    [InlineData("tune --spectrum powerlaw:a=1,d=60 --family sgd --batch 4 --target -1", "-1")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=60 --batches 1..100", "1..100")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=60 --batches 0,2", "0")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=60 --family sgd,lion", "lion")]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=60 --family sgd --fraction 1.5", "1.5")]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=60 --family sgd --threads -2", "-2")]
    public void Bad_input_is_one_line_and_exit_code_2(string line, string named)
    {
        var r = Cli.Run(Cli.Args(line));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(named);
        r.Out.ShouldBeEmpty();
    }

    [Fact]
    public void Critical_batch_prints_the_same_with_one_thread_and_two()
    {
        var one = Cli.Run(Cli.Args($"critical-batch --spectrum {Spec} --family hb,asgd --threads 1 --format csv"));
        var two = Cli.Run(Cli.Args($"critical-batch --spectrum {Spec} --family hb,asgd --threads 2 --format csv"));
        one.ShouldSucceed();
        two.Out.ShouldBe(one.Out);
    }

    // ---------------------------------------------------------------- sweep

    [Fact]
    public void Sweep_csv_is_one_row_per_family_and_batch_with_the_library_values()
    {
        var r = Cli.Run(Cli.Args($"sweep --spectrum {Spec} --families sgd,hb --batches 1..8,12 --format csv"));
        r.ShouldSucceed();
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("family,batch,gap,iterations,ce,method");
        lines.Length.ShouldBe(1 + 2 * 5);
        var rows = BatchSweep.Run(Problem60, [MethodFamily.Sgd, MethodFamily.HeavyBall], [1, 2, 4, 8, 12]);
        for (int i = 0; i < rows.Count; i++)
        {
            var cells = lines[i + 1].Split(',');
            cells[0].ShouldBe(rows[i].Family.Name());
            Cli.D(cells[1]).ShouldBe(rows[i].Batch);
            Cli.D(cells[2]).ShouldBe(rows[i].Gap);
            cells[3].ShouldBeEmpty();                       // no target: no iterations
            Cli.D(cells[4]).ShouldBe(rows[i].Gap / rows[i].Batch);
            lines[i + 1].ShouldContain(rows[i].Method);
        }
    }

    [Fact]
    public void Sweep_with_a_target_gives_iterations_and_ce_and_does_not_depend_on_threads()
    {
        var one = Cli.Run(Cli.Args($"sweep --spectrum {Spec} --families sgd,asgd --batches 1..16 --target 1e-3 --threads 1 --format json"));
        var many = Cli.Run(Cli.Args($"sweep --spectrum {Spec} --families sgd,asgd --batches 1..16 --target 1e-3 --threads 4 --format json"));
        one.ShouldSucceed();
        many.Out.ShouldBe(one.Out);
        var json = one.Json();
        json.GetProperty("target").GetDouble().ShouldBe(1e-3);
        var rows = json.GetProperty("rows").EnumerateArray().ToArray();
        rows.Length.ShouldBe(10);
        foreach (var row in rows)
        {
            row.EnumerateObject().Select(p => p.Name).ShouldBe(["family", "batch", "gap", "iterations", "ce", "method"]);
            long t = row.GetProperty("iterations").GetInt64();
            row.GetProperty("ce").GetDouble().ShouldBe(1.0 / (row.GetProperty("batch").GetDouble() * t));
        }
    }

    [Fact]
    public void Sweep_writes_its_plot_and_out_file()
    {
        var png = _dir.File("sweep.png");
        var csv = _dir.File("sweep.csv");
        var r = Cli.Run(Cli.Args($"sweep --spectrum {Spec} --families sgd,hb --batches 1..32 --target 1e-3 --format csv --out {csv} --plot {png}"));
        r.ShouldSucceed();
        r.Out.ShouldBeEmpty();
        File.ReadAllText(csv).ShouldStartWith("family,batch,gap,iterations,ce,method");
        new FileInfo(png).Length.ShouldBeGreaterThan(1000);
    }

    [Fact]
    public void Sweep_table_lists_every_family()
    {
        var r = Cli.Run(Cli.Args($"sweep --spectrum {Spec} --families sgd,nesterov --batches 1,4"));
        r.ShouldSucceed();
        r.Out.ShouldContain("sgd:lr=");
        r.Out.ShouldContain("nesterov:lr=");
        r.Out.ShouldContain("CE = gap/B");
    }

    // ---------------------------------------------------------------- critical-batch

    [Fact]
    public void Critical_batch_json_has_the_contract_fields_and_the_root_is_a_root()
    {
        var r = Cli.Run(Cli.Args($"critical-batch --spectrum {Spec} --family sgd --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        json.EnumerateObject().Select(p => p.Name).Take(5).ShouldBe(["family", "fraction", "critical_batch", "small_batch_ce", "deterministic_scale"]);
        json.GetProperty("family").GetString().ShouldBe("sgd");
        json.GetProperty("fraction").GetDouble().ShouldBe(0.5);
        double b = json.GetProperty("critical_batch").GetDouble(), ce1 = json.GetProperty("small_batch_ce").GetDouble();
        b.ShouldBeGreaterThan(1);
        ce1.ShouldBe(Tuner.Tune(Problem60, MethodFamily.Sgd).Gap);
        // CE(B_crit) = ½ CE(1), to the root-finder's tolerance
        double ce = Tuner.Tune(Problem60.WithBatch(b), MethodFamily.Sgd).Gap / b;
        (ce / ce1).ShouldBe(0.5, 1e-3);
        double scale = json.GetProperty("deterministic_scale").GetDouble();
        (Tuner.Tune(Problem60.WithBatch(scale), MethodFamily.Sgd).Gap / CriticalBatch.DeterministicGap(Problem60.Spectrum, MethodFamily.Sgd)).ShouldBe(0.5, 1e-3);
    }

    [Fact]
    public void Critical_batch_for_several_families_gives_the_ratio_to_sgd()
    {
        var r = Cli.Run(Cli.Args($"critical-batch --spectrum {Spec} --family sgd,hb --fraction 0.5 --format json"));
        r.ShouldSucceed();
        var items = r.Json().EnumerateArray().ToArray();
        items.Select(i => i.GetProperty("family").GetString()).ShouldBe(["sgd", "hb"]);
        double sgd = items[0].GetProperty("critical_batch").GetDouble(), hb = items[1].GetProperty("critical_batch").GetDouble();
        hb.ShouldBeGreaterThan(sgd);
        items[1].GetProperty("critical_batch_vs_sgd").GetDouble().ShouldBe(hb / sgd, 1e-12 * hb / sgd);
        var csv = Cli.Run(Cli.Args($"critical-batch --spectrum {Spec} --family sgd,hb --format csv"));
        csv.ShouldSucceed();
        csv.Out.Split('\n')[0].ShouldStartWith("family,fraction,critical_batch,small_batch_ce,deterministic_scale,deterministic_gap,critical_batch_vs_sgd,");
    }

    [Fact]
    public void Critical_batch_plot_and_table()
    {
        var png = _dir.File("crit.svg");
        var r = Cli.Run(Cli.Args($"critical-batch --spectrum {Spec} --family hb --plot {png}"));
        r.ShouldSucceed();
        r.Out.ShouldContain("critical batch");
        File.ReadAllText(png).ShouldContain("<svg");
    }
}
