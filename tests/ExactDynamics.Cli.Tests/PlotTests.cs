namespace ExactDynamics.Cli.Tests;

public class PlotTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Risk = "risk --spectrum powerlaw:a=1,d=40 --method sgd:lr=0.5 --batch 4 --steps 200 --every 50";

    [Theory]
    [InlineData("table")]
    [InlineData("csv")]
    [InlineData("json")]
    public void Risk_plot_png_decodes_and_stdout_is_unchanged(string format)
    {
        var png = Path.Combine(_dir.Path, $"risk-{format}.png");
        var withPlot = Cli.Run(Cli.Args($"{Risk} --format {format} --plot {png}"));
        withPlot.ShouldSucceed();
        withPlot.Err.ShouldBeEmpty();
        var (w, h) = Images.ShouldBePng(png);
        w.ShouldBeGreaterThan(400);
        h.ShouldBeGreaterThan(300);
        Cli.Run(Cli.Args($"{Risk} --format {format}")).Out.ShouldBe(withPlot.Out);
    }

    [Fact]
    public void Risk_plot_svg_has_title_axis_labels_legend_and_decade_ticks()
    {
        var svg = Path.Combine(_dir.Path, "risk.svg");
        var r = Cli.Run(Cli.Args($"{Risk} --plot {svg}"));
        r.ShouldSucceed();
        var texts = Images.ShouldBeSvgWithText(svg);
        texts.ShouldContain(t => t.Contains("Exact expected risk") && t.Contains("sgd:lr=0.5"));
        texts.ShouldContain(t => t.Contains("powerlaw:a=1,d=40") && t.Contains("B = 4"));
        texts.ShouldContain("step t");
        texts.ShouldContain(t => t.StartsWith("expected risk", StringComparison.Ordinal));
        texts.ShouldContain("sgd:lr=0.5"); // legend
        texts.ShouldContain(t => t.StartsWith("10⁻", StringComparison.Ordinal)); // log axis in decades
        _dir.Entries().ShouldBe(["risk.svg"]); // written atomically: no temporary file left
    }

    [Fact]
    public void Several_methods_overlay_in_one_plot_and_csv_is_long_format()
    {
        var svg = Path.Combine(_dir.Path, "two.svg");
        var r = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=40 --method sgd:lr=0.5 --method hb:lr=0.25,beta=0.8 --batch 4 " +
                                 $"--steps 100 --every 50 --format csv --plot {svg}"));
        r.ShouldSucceed();
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("method,t,risk");
        lines.Length.ShouldBe(7);
        lines[1].ShouldStartWith("sgd:lr=0.5,0,");
        lines[3].ShouldStartWith("sgd:lr=0.5,100,");
        lines[4].ShouldStartWith("\"hb:lr=0.25,beta=0.8\",0,"); // the spec has a comma: the csv field is quoted
        lines[6].ShouldStartWith("\"hb:lr=0.25,beta=0.8\",100,");
        var texts = Images.ShouldBeSvgWithText(svg);
        texts.ShouldContain("sgd:lr=0.5");
        texts.ShouldContain("hb:lr=0.25,beta=0.8");
    }

    [Fact]
    public void Several_methods_json_and_table()
    {
        const string args = "risk --spectrum values:1,0.5 --method sgd:lr=0.5 --method sgd:lr=0.25 --batch 2 --steps 4 --every 2";
        var json = Cli.Run(Cli.Args(args + " --format json"));
        json.ShouldSucceed();
        var methods = json.Json().GetProperty("methods").EnumerateArray().ToArray();
        methods.Select(m => m.GetProperty("method").GetString()).ShouldBe(["sgd:lr=0.5", "sgd:lr=0.25"]);
        methods[0].GetProperty("t").EnumerateArray().Select(e => e.GetInt64()).ShouldBe([0L, 2, 4]);
        var single = Cli.Run(Cli.Args("risk --spectrum values:1,0.5 --method sgd:lr=0.25 --batch 2 --steps 4 --every 2 --format json")).Json();
        methods[1].GetProperty("risk").EnumerateArray().Select(e => e.GetDouble())
            .ShouldBe(single.GetProperty("risk").EnumerateArray().Select(e => e.GetDouble()));

        var table = Cli.Run(Cli.Args(args));
        table.ShouldSucceed();
        table.Out.ShouldContain("2 methods");
        table.Out.Split('\n').ShouldContain(l => l.Contains("sgd:lr=0.5") && l.Contains("sgd:lr=0.25"));
    }

    [Fact]
    public void A_diverging_method_still_plots()
    {
        var png = Path.Combine(_dir.Path, "div.png");
        var r = Cli.Run(Cli.Args($"risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=5 --batch 2 --steps 2000 --every 500 --format csv --plot {png}"));
        r.ShouldSucceed();
        Images.ShouldBePng(png);
    }

    [Theory]
    [InlineData("fig.jpg", "'.jpg'")]
    [InlineData("fig", "no extension")]
    public void Plot_needs_png_or_svg_and_fails_before_computing(string name, string said)
    {
        var path = Path.Combine(_dir.Path, name);
        var r = Cli.Run(Cli.Args($"{Risk} --format csv --plot {path}"));
        r.Code.ShouldBe(2);
        r.Out.ShouldBeEmpty();
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(said);
        r.Err.ShouldContain(".png or .svg");
        _dir.Entries().ShouldBeEmpty();
    }

    [Fact]
    public void Plot_into_a_missing_folder_is_a_usage_error()
    {
        var r = Cli.Run(Cli.Args($"{Risk} --plot {Path.Combine(_dir.Path, "nope", "x.png")}"));
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("--plot");
        r.Err.ShouldContain("does not exist");
    }

    [Fact]
    public void Plot_replaces_an_existing_file()
    {
        var png = _dir.File("old.png", "not a png");
        Cli.Run(Cli.Args($"{Risk} --plot {png}")).ShouldSucceed();
        Images.ShouldBePng(png);
    }

    [Fact]
    public void Log_ticks_are_decades_with_superscripts()
    {
        Output.Plots.Decade(-6).ShouldBe("10⁻⁶");
        Output.Plots.Decade(0).ShouldBe("10⁰");
        Output.Plots.Decade(1).ShouldBe("10¹");
        Output.Plots.Decade(12).ShouldBe("10¹²");
        var ticks = Output.Plots.LogTickPositions(-7.2, 0.6).Where(t => t.Label is not null).Select(t => t.Label).ToArray();
        ticks.ShouldBe(["10⁻⁷", "10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰"]);
        // Hundreds of decades (a diverging method): a round step, at most ten labels.
        var wide = Output.Plots.LogTickPositions(-3, 245).Where(t => t.Label is not null).Select(t => t.Position).ToArray();
        wide.Length.ShouldBeLessThanOrEqualTo(10);
        wide.ShouldAllBe(p => p % 50 == 0);
    }
}

public class OverlayTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Risk = "risk --spectrum powerlaw:a=1,d=40 --method sgd:lr=0.5 --batch 4 --steps 100 --every 50 --format csv";

    [Fact]
    public void Measured_curve_is_drawn_next_to_the_exact_one()
    {
        var csv = _dir.File("training.csv", "t,loss,stderr\n0,2.1,0.1\n10,1.2,0.1\n# a comment\n\n20,0.9,0.05\n");
        var svg = Path.Combine(_dir.Path, "fig.svg");
        var r = Cli.Run(Cli.Args($"{Risk} --plot {svg} --overlay {csv}"));
        r.ShouldSucceed();
        Images.ShouldBeSvgWithText(svg).ShouldContain("training.csv (measured)");
        r.Out.ShouldBe(Cli.Run(Cli.Args(Risk)).Out); // stdout does not change
    }

    [Fact]
    public void Overlay_needs_plot()
    {
        var csv = _dir.File("training.csv", "t,risk\n0,1\n");
        var r = Cli.Run(Cli.Args($"{Risk} --overlay {csv}"));
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("give --plot");
    }

    [Theory]
    [InlineData("t,risk\n0,abc\n", "line 2")]
    [InlineData("t,risk\n", "holds no rows")]
    public void Bad_overlay_files_are_one_line(string content, string said)
    {
        var csv = _dir.File("bad.csv", content);
        var r = Cli.Run(Cli.Args($"{Risk} --plot {Path.Combine(_dir.Path, "x.png")} --overlay {csv}"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(said);
        File.Exists(Path.Combine(_dir.Path, "x.png")).ShouldBeFalse();
    }
}
