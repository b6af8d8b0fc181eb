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
    /// <c>sweep --plot</c>: three panels — tuned gap against B, compute efficiency against B and the frontier (iterations
    /// against total gradients B·T). CE is what the sweep computed: 1/(B·T(B)) with a <paramref name="target"/> ε, else
    /// gap*(B)/B; the axis says which. On the CE panel each family's critical batch on this grid — where CE falls to
    /// <paramref name="fraction"/> times its value at the smallest B, interpolated log–log between grid points
    /// (<see cref="Crossing"/>) — is marked and labelled.
    /// </summary>
    public static void Sweep(string path, string problem, IReadOnlyList<SweepPoint> points, double? target = null,
        double fraction = 0.5, FigureSize? size = null)
    {
        var families = Families(points);
        string eps = target is double e ? $", ε = {Epsilon(e)}" : "";
        var gap = new PlotSpec($"Tuned contraction gap\n{problem}", "batch size B", "tuned gap 1 − ρ", LogX: true, LogY: true)
        {
            Series = families.Select(f => Line(f.Key, f, p => p.Gap)).ToArray(),
            LegendAt = ScottPlot.Alignment.UpperLeft,
        };
        var marks = new List<PlotMarker>();
        for (int i = 0; i < families.Length; i++)
        {
            var sorted = families[i].OrderBy(p => p.Batch).ToArray();
            if (Crossing(sorted, fraction) is double bc)
                marks.Add(new PlotMarker(bc, fraction * sorted[0].Ce, $"{families[i].Key} ≈ {ResultWriter.Readable(bc, 3)}") { Series = i });
        }
        var ce = new PlotSpec($"Compute efficiency{eps}\ncritical batch: CE = {Text(fraction)}·CE(B = {Text(points.Min(p => p.Batch))})",
            "batch size B", target is null ? "CE(B) = gap*(B) / B" : "CE(B) = 1 / (B·T(B))", LogX: true, LogY: true)
        {
            Series = families.Select(f => Line(f.Key, f, p => p.Ce)).ToArray(),
            Markers = marks,
            NoLegend = true,
        };
        var panels = new List<PlotSpec> { gap, ce };
        if (points.Any(p => p.Iterations is > 0)) panels.Add(FrontierSpec($"Steps T(B) against gradients B·T(B){eps}", points) with { NoLegend = true });
        Plots.SavePanels(path, panels, columns: panels.Count, size);
    }

    /// <summary>
    /// The smallest B on a sorted grid at which <c>Ce</c> has fallen to <paramref name="fraction"/> times its first value,
    /// interpolated linearly in (ln B, ln CE) between the two grid points around the crossing; null when it never does.
    /// </summary>
    internal static double? Crossing(IReadOnlyList<SweepPoint> sorted, double fraction)
    {
        if (sorted.Count < 2 || !(sorted[0].Ce > 0)) return null;
        double level = Math.Log(fraction * sorted[0].Ce);
        for (int k = 1; k < sorted.Count; k++)
        {
            if (!(sorted[k].Ce > 0)) return null;
            double y1 = Math.Log(sorted[k].Ce);
            if (y1 > level) continue;
            double x0 = Math.Log(sorted[k - 1].Batch), x1 = Math.Log(sorted[k].Batch), y0 = Math.Log(sorted[k - 1].Ce);
            return Math.Exp(y0 == y1 ? x1 : x0 + (level - y0) * (x1 - x0) / (y1 - y0));
        }
        return null;
    }

    /// <summary>The frontier alone: iterations T(B) against total gradients B·T(B), one line per family.</summary>
    public static void Frontier(string path, string problem, IReadOnlyList<SweepPoint> points, FigureSize? size = null) =>
        Plots.Save(path, FrontierSpec($"Serial steps against total gradients — {problem}", points), size);

    /// <summary>
    /// <c>critical-batch --plot</c> for one family: CE(B)/CE(1) against B with the line at <paramref name="fraction"/> and
    /// B_crit marked; next to it the tuned gap against B with the deterministic scale marked (when known).
    /// </summary>
    public static void CriticalBatch(string path, string problem, string family, IReadOnlyList<SweepPoint> curve, double fraction,
        double criticalBatch, double? deterministicScale = null, FigureSize? size = null)
    {
        var sorted = curve.OrderBy(p => p.Batch).ToArray();
        double ce1 = sorted.Length > 0 ? sorted[0].Ce : double.NaN;
        var ratio = new PlotSpec($"{family}: compute efficiency, CE(B) = gap*(B)/B\n{problem}", "batch size B", "CE(B) / CE(1)", LogX: true, LogY: true)
        {
            Series = [new PlotSeries(family, sorted.Select(p => p.Batch).ToArray(), sorted.Select(p => p.Ce / ce1).ToArray()) { ShowMarkers = sorted.Length <= 40 }],
            Guides = [new PlotGuide(fraction, Vertical: false, $"f = {Text(fraction)}")],
            Markers = [new PlotMarker(criticalBatch, fraction, $"critical batch B = {Text(criticalBatch)}")],
            LegendAt = ScottPlot.Alignment.LowerLeft,
        };
        var gapMarks = new List<PlotMarker>();
        if (deterministicScale is double ds && double.IsFinite(ds) && sorted.Length > 1)
            gapMarks.Add(new PlotMarker(ds, Interpolate(sorted, ds, p => p.Gap), $"deterministic scale B = {Text(ds)}"));
        var gap = new PlotSpec($"{family}: tuned gap\n{problem}", "batch size B", "tuned gap 1 − ρ", LogX: true, LogY: true)
        {
            Series = [new PlotSeries(family, sorted.Select(p => p.Batch).ToArray(), sorted.Select(p => p.Gap).ToArray()) { ShowMarkers = sorted.Length <= 40 }],
            Guides = [new PlotGuide(criticalBatch, Vertical: true, $"critical batch B = {Text(criticalBatch)}")],
            Markers = gapMarks,
            LegendAt = ScottPlot.Alignment.LowerRight,
        };
        Plots.SavePanels(path, [ratio, gap], columns: 2, size);
    }

    /// <summary>One family's curve and critical batch, for <see cref="CriticalBatches"/>.</summary>
    internal sealed record FamilyCurve(string Family, IReadOnlyList<SweepPoint> Curve, double? CriticalBatch);

    /// <summary>
    /// <c>critical-batch --plot</c> for several families: CE(B)/CE(1) against B (each family normalised by its own CE(1)),
    /// the line at <paramref name="fraction"/>, and each family's critical batch as a vertical line in its colour labelled
    /// with its value; next to it the tuned gaps. One colour and marker per family in both panels.
    /// </summary>
    public static void CriticalBatches(string path, string problem, IReadOnlyList<FamilyCurve> families, double fraction, FigureSize? size = null)
    {
        var sorted = families.Select(f => f.Curve.OrderBy(p => p.Batch).ToArray()).ToArray();
        var ratioSeries = families.Select((f, i) =>
        {
            double ce1 = sorted[i].Length > 0 ? sorted[i][0].Ce : double.NaN;
            return new PlotSeries(f.Family, sorted[i].Select(p => p.Batch).ToArray(), sorted[i].Select(p => p.Ce / ce1).ToArray()) { ShowMarkers = true };
        }).ToArray();
        var marks = families.Select((f, i) => f.CriticalBatch is double c
                ? new PlotMarker(c, fraction, $"{f.Family} {ResultWriter.Readable(c, 3)}") { Series = i }
                : null)
            .OfType<PlotMarker>().ToArray();
        var ratio = new PlotSpec($"Compute efficiency CE(B) = gap*(B)/B\n{problem}", "batch size B", "CE(B) / CE(1)", LogX: true, LogY: true)
        {
            Series = ratioSeries,
            Guides = [new PlotGuide(fraction, Vertical: false, $"f = {Text(fraction)}: critical batch")],
            Markers = marks,
            LegendAt = ScottPlot.Alignment.LowerLeft,
        };
        var gap = new PlotSpec($"Tuned contraction gap\n{problem}", "batch size B", "tuned gap 1 − ρ", LogX: true, LogY: true)
        {
            Series = families.Select((f, i) => new PlotSeries(f.Family, sorted[i].Select(p => p.Batch).ToArray(), sorted[i].Select(p => p.Gap).ToArray()) { ShowMarkers = true }).ToArray(),
            LegendAt = ScottPlot.Alignment.UpperLeft,
        };
        Plots.SavePanels(path, [ratio, gap], columns: 2, size);
    }

    private static PlotSpec FrontierSpec(string title, IReadOnlyList<SweepPoint> points) =>
        new(title, "total gradients B·T(B)", "iterations T(B)", LogX: true, LogY: true)
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

    /// <summary>A target risk for a title: 10ⁿ when it is a power of ten, else its short form.</summary>
    internal static string Epsilon(double e)
    {
        double n = Math.Round(Math.Log10(e));
        return Math.Abs(e / Math.Pow(10, n) - 1) < 1e-12 ? Plots.Decade((int)n) : ResultWriter.Readable(e);
    }

    private static string Text(double x) => x.ToString("G4", CultureInfo.InvariantCulture);
}
