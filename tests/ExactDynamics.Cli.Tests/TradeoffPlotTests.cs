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
        var png = Path.Combine(_dir.Path, "sweep.png");
        TradeoffPlots.Sweep(png, "powerlaw:a=1,d=200", points, target: 1e-6);
        var (w, h) = Images.ShouldBePng(Keep(png));
        w.ShouldBeGreaterThan(2 * h); // three panels side by side
        var svg = Path.Combine(_dir.Path, "sweep.svg");
        TradeoffPlots.Sweep(svg, "powerlaw:a=1,d=200", points, target: 1e-6);
        var texts = Images.ShouldBeSvgWithText(Keep(svg));
        texts.ShouldContain(t => t.Contains("Tuned contraction gap"));
        texts.ShouldContain(t => t.Contains("Compute efficiency") && t.Contains("ε = 10⁻⁶"));
        texts.ShouldContain(t => t.Contains("total gradients"));
        // with a target the CE panel plots 1/(B·T) and says so (not gap/B)
        texts.ShouldContain("CE(B) = 1 / (B·T(B))");
        texts.ShouldNotContain(t => t.Contains("gap / B") || t.Contains("gap*(B) / B"));
        // each family's critical batch on the grid, labelled with the interpolated crossing (independent value below)
        var sgd = points.Where(p => p.Family == "sgd").ToArray();
        double expected = ExpectedCrossing(sgd, 0.5);
        texts.ShouldContain($"sgd ≈ {ExactDynamics.Cli.Output.ResultWriter.Readable(expected, 3)}");
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

    /// <summary>Brute force: scan a fine grid in log B of the piecewise log–log line for the first point at or below f·CE(B_min).</summary>
    private static double ExpectedCrossing(SweepPoint[] sorted, double f)
    {
        double level = f * sorted[0].Ce;
        for (int k = 1; k < sorted.Length; k++)
        {
            if (sorted[k].Ce > level) continue;
            // CE between the two points is a straight line in (ln B, ln CE): solve it by bisection on that line
            double x0 = Math.Log(sorted[k - 1].Batch), x1 = Math.Log(sorted[k].Batch), a = x0, b = x1;
            double y0 = Math.Log(sorted[k - 1].Ce), y1 = Math.Log(sorted[k].Ce);
            double Line(double x) => Math.Exp(y0 + (x - x0) / (x1 - x0) * (y1 - y0));
            for (int i = 0; i < 200; i++) { double m = (a + b) / 2; if (Line(m) > level) a = m; else b = m; }
            return Math.Exp(b);
        }
        return double.NaN;
    }

    [Fact]
    public void Sweep_crossing_is_the_log_log_interpolated_fraction()
    {
        SweepPoint[] curve = [new("x", 1, 1, null, 1), new("x", 10, 1, null, 0.8), new("x", 100, 1, null, 0.2)];
        // 0.5 lies between 0.8 (B = 10) and 0.2 (B = 100): ln B = ln 10 + ln(0.5/0.8)/ln(0.2/0.8)·ln 10
        double expected = Math.Exp(Math.Log(10) + Math.Log(0.5 / 0.8) / Math.Log(0.2 / 0.8) * Math.Log(10));
        TradeoffPlots.Crossing(curve, 0.5)!.Value.ShouldBe(expected, 1e-9 * expected);
        TradeoffPlots.Crossing(curve, 0.1).ShouldBeNull();
    }

    [Fact]
    public void Several_families_critical_batch_figure_labels_each_line_in_the_families_colours()
    {
        var points = Synthetic();
        var families = new[] { "sgd", "hb" }.Select(f => new TradeoffPlots.FamilyCurve(f,
            points.Where(p => p.Family == f).Select(p => p with { Ce = p.Gap / p.Batch }).ToArray(), f == "sgd" ? 10.5 : 115.2)).ToArray();
        var svg = Path.Combine(_dir.Path, "critical-families.svg");
        TradeoffPlots.CriticalBatches(svg, "powerlaw:a=1,d=200", families, 0.5);
        var texts = Images.ShouldBeSvgWithText(Keep(svg));
        texts.ShouldContain("sgd 10.5");
        texts.ShouldContain("hb 115");
        texts.ShouldContain(t => t.StartsWith("f = 0.5", StringComparison.Ordinal));
        texts.ShouldContain("CE(B) / CE(1)");
        // every text once per panel at most: the title of each panel exactly once
        texts.Count(t => t.StartsWith("Tuned contraction gap", StringComparison.Ordinal)).ShouldBe(1);
        texts.Count(t => t.StartsWith("Compute efficiency", StringComparison.Ordinal)).ShouldBe(1);
        var png = Path.Combine(_dir.Path, "critical-families.png");
        TradeoffPlots.CriticalBatches(png, "powerlaw:a=1,d=200", families, 0.5, new FigureSize(600, 300, 2));
        Images.ShouldBePng(Keep(png)).ShouldBe((1200, 600));
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
