using System.Globalization;

namespace ExactDynamics.Cli.Output;

/// <summary>One tuned point of a batch-size sweep (a docs/cli.md#sweep row): family, batch B, tuned gap, iterations T(B) and CE(B).</summary>
internal sealed record SweepPoint(string Family, double Batch, double Gap, double? Iterations, double Ce);

/// <summary>A point to mark on a family's curve (e.g. its critical batch: x = B_crit, y = f·CE(1)).</summary>
internal sealed record FamilyMark(string Family, double X, double Y, string Label);

/// <summary>
/// The figures of the batch-size tradeoff commands (docs/math.md#batch-size-tradeoffs), for their <c>--plot</c>: log–log, one line per family.
/// <list type="bullet">
/// <item><see cref="Sweep"/>: tuned gap vs B, CE vs B (critical batches marked) and the frontier, in one file.</item>
/// <item><see cref="Frontier"/>: iterations T(B) against total gradients B·T(B), one line per family.</item>
/// <item><see cref="CriticalBatch"/>: CE(B)/CE(1) with the fraction f and B_crit, and the tuned gap with the deterministic scale.</item>
/// </list>
/// </summary>
internal static class TradeoffPlots
{
    /// <summary>
    /// <c>sweep --plot</c>: three panels — tuned gap against B, compute efficiency against B (with <paramref name="marks"/>,
    /// e.g. each family's critical batch) and the frontier (iterations against total gradients B·T).
    /// </summary>
    public static void Sweep(string path, string problem, IReadOnlyList<SweepPoint> points, IReadOnlyList<FamilyMark>? marks = null)
    {
        var families = Families(points);
        var gap = new PlotSpec($"Tuned contraction gap — {problem}", "batch size B", "tuned gap 1 − ρ", LogX: true, LogY: true)
        {
            Series = families.Select(f => Line(f.Key, f, p => p.Gap)).ToArray(),
        };
        var ce = new PlotSpec($"Compute efficiency — {problem}", "batch size B", "CE(B) ∝ gap / B", LogX: true, LogY: true)
        {
            Series = families.Select(f => Line(f.Key, f, p => p.Ce)).ToArray(),
            Markers = (marks ?? []).Select(m => new PlotMarker(m.X, m.Y, m.Label)).ToArray(),
        };
        var panels = new List<PlotSpec> { gap, ce };
        if (points.Any(p => p.Iterations is > 0)) panels.Add(FrontierSpec(problem, points));
        Plots.SavePanels(path, panels, columns: panels.Count, scale: 0.75);
    }

    /// <summary>The frontier alone: iterations T(B) against total gradients B·T(B), one line per family.</summary>
    public static void Frontier(string path, string problem, IReadOnlyList<SweepPoint> points) =>
        Plots.Save(path, FrontierSpec(problem, points));

    /// <summary>
    /// <c>critical-batch --plot</c>: CE(B)/CE(1) against B with the line at <paramref name="fraction"/> and B_crit marked;
    /// next to it the tuned gap against B with the deterministic scale marked (when known).
    /// </summary>
    public static void CriticalBatch(string path, string problem, string family, IReadOnlyList<SweepPoint> curve, double fraction,
        double criticalBatch, double? deterministicScale = null)
    {
        var sorted = curve.OrderBy(p => p.Batch).ToArray();
        double ce1 = sorted.Length > 0 ? sorted[0].Ce : double.NaN;
        var ratio = new PlotSpec($"{family}: compute efficiency — {problem}", "batch size B", "CE(B) / CE(1)", LogX: true, LogY: true)
        {
            Series = [new PlotSeries(family, sorted.Select(p => p.Batch).ToArray(), sorted.Select(p => p.Ce / ce1).ToArray()) { ShowMarkers = sorted.Length <= 40 }],
            Guides = [new PlotGuide(fraction, Vertical: false, $"f = {Text(fraction)}")],
            Markers = [new PlotMarker(criticalBatch, fraction, $"critical batch B = {Text(criticalBatch)}")],
        };
        var gapMarks = new List<PlotMarker>();
        if (deterministicScale is double ds && double.IsFinite(ds) && sorted.Length > 1)
            gapMarks.Add(new PlotMarker(ds, Interpolate(sorted, ds, p => p.Gap), $"deterministic scale B = {Text(ds)}"));
        var gap = new PlotSpec($"{family}: tuned gap — {problem}", "batch size B", "tuned gap 1 − ρ", LogX: true, LogY: true)
        {
            Series = [new PlotSeries(family, sorted.Select(p => p.Batch).ToArray(), sorted.Select(p => p.Gap).ToArray()) { ShowMarkers = sorted.Length <= 40 }],
            Guides = [new PlotGuide(criticalBatch, Vertical: true, $"critical batch B = {Text(criticalBatch)}")],
            Markers = gapMarks,
        };
        Plots.SavePanels(path, [ratio, gap], columns: 2, scale: 0.8);
    }

    private static PlotSpec FrontierSpec(string problem, IReadOnlyList<SweepPoint> points) =>
        new($"Serial steps against total gradients — {problem}", "total gradients B·T(B)", "iterations T(B)", LogX: true, LogY: true)
        {
            Series = Families(points).Select(f =>
            {
                var reached = f.Where(p => p.Iterations is > 0).OrderBy(p => p.Batch).ToArray();
                return new PlotSeries(f.Key, reached.Select(p => p.Batch * p.Iterations!.Value).ToArray(), reached.Select(p => p.Iterations!.Value).ToArray())
                {
                    ShowMarkers = reached.Length <= 40,
                };
            }).ToArray(),
            LegendAt = ScottPlot.Alignment.UpperRight,
        };

    private static IGrouping<string, SweepPoint>[] Families(IReadOnlyList<SweepPoint> points) =>
        points.GroupBy(p => p.Family, StringComparer.Ordinal).ToArray();

    private static PlotSeries Line(string family, IEnumerable<SweepPoint> points, Func<SweepPoint, double> y)
    {
        var sorted = points.OrderBy(p => p.Batch).ToArray();
        return new PlotSeries(family, sorted.Select(p => p.Batch).ToArray(), sorted.Select(y).ToArray()) { ShowMarkers = sorted.Length <= 40 };
    }

    /// <summary>Log–log interpolation of <paramref name="y"/> at batch <paramref name="b"/> along the sorted curve.</summary>
    internal static double Interpolate(IReadOnlyList<SweepPoint> sorted, double b, Func<SweepPoint, double> y)
    {
        if (b <= sorted[0].Batch) return y(sorted[0]);
        for (int k = 1; k < sorted.Count; k++)
        {
            if (b <= sorted[k].Batch)
            {
                double x0 = Math.Log(sorted[k - 1].Batch), x1 = Math.Log(sorted[k].Batch);
                double y0 = Math.Log(y(sorted[k - 1])), y1 = Math.Log(y(sorted[k]));
                return Math.Exp(y0 + (y1 - y0) * (Math.Log(b) - x0) / (x1 - x0));
            }
        }
        return y(sorted[^1]);
    }

    private static string Text(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
