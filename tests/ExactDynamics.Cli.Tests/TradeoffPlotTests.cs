using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// The figures for sweep / critical-batch / the frontier, on synthetic curves shaped like the worked check of docs/math.md#worked-check
/// (the commands themselves land with the tradeoffs work). Set EXACTDYN_PLOT_DIR to keep the files for a look.
/// </summary>
public class TradeoffPlotTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SweepPoint[] Synthetic()
    {
        var points = new List<SweepPoint>();
        foreach (var (family, slope, knee) in new[] { ("sgd", 2.1e-3, 10.0), ("hb", 2.0e-3, 115.0) })
        {
            for (int k = 0; k <= 12; k++)
            {
                double b = Math.Pow(2, k), gap = slope * b / (1 + b / knee), t = Math.Ceiling(Math.Log(1e6) / gap);
                points.Add(new SweepPoint(family, b, gap, t, 1 / (b * t)));
            }
        }
        return [.. points];
    }

    private string Keep(string path)
    {
        if (Environment.GetEnvironmentVariable("EXACTDYN_PLOT_DIR") is { Length: > 0 } keep)
            File.Copy(path, Path.Combine(keep, Path.GetFileName(path)), overwrite: true);
        return path;
    }

    [Fact]
    public void Sweep_figure_has_gap_ce_and_frontier_panels_with_critical_batches()
    {
        var points = Synthetic();
        FamilyMark[] marks = [new("sgd", 10, 0.5 * points[0].Ce, "sgd critical batch B = 10"), new("hb", 115, 0.5 * points[13].Ce, "hb critical batch B = 115")];
        var png = Path.Combine(_dir.Path, "sweep.png");
        TradeoffPlots.Sweep(png, "powerlaw:a=1,d=200", points, marks);
        var (w, h) = Images.ShouldBePng(Keep(png));
        w.ShouldBeGreaterThan(2 * h); // three panels side by side
        var svg = Path.Combine(_dir.Path, "sweep.svg");
        TradeoffPlots.Sweep(svg, "powerlaw:a=1,d=200", points, marks);
        var texts = Images.ShouldBeSvgWithText(Keep(svg));
        texts.ShouldContain(t => t.Contains("Tuned contraction gap"));
        texts.ShouldContain(t => t.Contains("Compute efficiency"));
        texts.ShouldContain(t => t.Contains("total gradients"));
        texts.ShouldContain("sgd critical batch B = 10");
        texts.ShouldContain("hb");
    }

    [Fact]
    public void Critical_batch_figure_marks_the_fraction_the_batch_and_the_deterministic_scale()
    {
        var hb = Synthetic().Where(p => p.Family == "hb").ToArray();
        var svg = Path.Combine(_dir.Path, "critical.svg");
        TradeoffPlots.CriticalBatch(svg, "powerlaw:a=1,d=200", "hb", hb, 0.5, 115, deterministicScale: 1000);
        var texts = Images.ShouldBeSvgWithText(Keep(svg));
        texts.ShouldContain("f = 0.5");
        texts.ShouldContain(t => t.StartsWith("critical batch B = 115", StringComparison.Ordinal));
        texts.ShouldContain("deterministic scale B = 1000");
        var png = Path.Combine(_dir.Path, "critical.png");
        TradeoffPlots.CriticalBatch(png, "powerlaw:a=1,d=200", "hb", hb, 0.5, 115, deterministicScale: 1000);
        Images.ShouldBePng(Keep(png));
    }

    [Fact]
    public void Frontier_alone()
    {
        var png = Path.Combine(_dir.Path, "frontier.png");
        TradeoffPlots.Frontier(png, "powerlaw:a=1,d=200", Synthetic());
        Images.ShouldBePng(Keep(png));
    }

    [Fact]
    public void Interpolation_is_log_log()
    {
        SweepPoint[] curve = [new("x", 1, 1, null, 1), new("x", 100, 100, null, 1)];
        TradeoffPlots.Interpolate(curve, 10, p => p.Gap).ShouldBe(10, 1e-12);
    }
}
