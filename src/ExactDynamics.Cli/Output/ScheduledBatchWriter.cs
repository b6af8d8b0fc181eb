using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// Output of the schedule-aware <c>sweep</c> and <c>critical-batch</c> (docs/cli.md#sweep, docs/cli.md#critical-batch,
/// docs/math.md#schedule-aware-critical-batch): table, csv, json, and the figure.
/// </summary>
internal static class ScheduledBatchWriter
{
    private static readonly string[] PointFields = ["steps", "gradients", "final_risk", "lr", "beta", "method", "lr_schedule"];

    private static IEnumerable<string> PointCells(TunedBatchSchedule? t) =>
    [
        ResultWriter.Int(t?.Steps), ResultWriter.Num(t?.Gradients), ResultWriter.Num(t?.FinalRisk), ResultWriter.Num(t?.PeakLr),
        ResultWriter.Num(t?.Momentum), t?.Method.Template.Base.Spec ?? "", t?.Schedule ?? "",
    ];

    private static void WritePoint(System.Text.Json.Utf8JsonWriter j, TunedBatchSchedule? t)
    {
        ResultWriter.WriteIntOrNull(j, "steps", t?.Steps);
        ResultWriter.WriteNumberOrNull(j, "gradients", t?.Gradients);
        ResultWriter.WriteNumberOrNull(j, "final_risk", t?.FinalRisk);
        ResultWriter.WriteNumberOrNull(j, "lr", t?.PeakLr);
        ResultWriter.WriteNumberOrNull(j, "beta", t?.Momentum);
        if (t is null) { j.WriteNull("method"); j.WriteNull("lr_schedule"); }
        else { j.WriteString("method", t.Method.Template.Base.Spec); j.WriteString("lr_schedule", t.Schedule); }
    }

    private static string Mode(ScheduledBatchOptions o) => o.Budget is double g
        ? $"budget G = {ResultWriter.Readable(g)} gradients, CE = ln(L_0/L_T)/(B·T)"
        : $"target ε = {ResultWriter.Readable(o.Target!.Value)}, CE = 1/(B·T)";

    /// <summary>The rows of a schedule-aware sweep.</summary>
    public static void WriteSweep(TextWriter w, OutputFormat format, IReadOnlyList<ScheduledBatchPoint> points, ScheduledBatchOptions o, Problem problem, string init)
    {
        string shape = o.Schedule.Shape.Name();
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["family", "batch", "schedule", "ce", .. PointFields],
                    points.Select(p => (IReadOnlyList<string>)[p.Family.Name(), ResultWriter.Num(p.Batch), shape, ResultWriter.Num(p.Efficiency), .. PointCells(p.Tuned)]));
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("schedule", shape);
                    ResultWriter.WriteNumberOrNull(j, "budget", o.Budget);
                    ResultWriter.WriteNumberOrNull(j, "target", o.Target);
                    j.WriteStartArray("rows");
                    foreach (var p in points)
                    {
                        j.WriteStartObject();
                        j.WriteString("family", p.Family.Name());
                        ResultWriter.WriteNumberOrNull(j, "batch", p.Batch);
                        ResultWriter.WriteNumberOrNull(j, "ce", p.Efficiency);
                        WritePoint(j, p.Tuned);
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    ResultWriter.WriteModel(j, problem);
                    j.WriteEndObject();
                });
                break;
            default:
            {
                Commands.SweepCommand.WriteHeader(w, $"Batch-size sweep, {shape} schedule tuned per batch", problem, init,
                    string.Join(", ", points.Select(p => p.Family).Distinct().Select(f => f.Name())) + "; " + Mode(o));
                var table = new TextTable(("family", false), ("B", true), ("T", true), ("B·T", true), ("E L_T", true),
                    ("CE", true), ("peak lr", true), ("beta", true), ("schedule", false));
                foreach (var p in points)
                {
                    var t = p.Tuned;
                    table.Add(p.Family.Name(), ResultWriter.Readable(p.Batch), t is null ? "not reached" : ResultWriter.Int(t.Steps),
                        t is null ? "" : ResultWriter.Readable(t.Gradients), t is null ? "" : ResultWriter.Readable(t.FinalRisk, 4),
                        ResultWriter.Readable(p.Efficiency, 4), t is null ? "" : ResultWriter.Readable(t.PeakLr, 4),
                        t?.Momentum is double b ? ResultWriter.Readable(b, 4) : "", t?.Schedule ?? "");
                }
                table.Write(w);
                break;
            }
        }
    }

    /// <summary>The schedule-aware critical batches, one per family.</summary>
    public static void WriteCritical(TextWriter w, OutputFormat format, IReadOnlyList<ScheduledCriticalBatchResult> results, ScheduledBatchOptions o,
        Problem problem, string init)
    {
        double? sgd = results.FirstOrDefault(r => r.Family == MethodFamily.Sgd)?.CriticalBatch;
        bool ratio = results.Count > 1 && results.Any(r => r.Family == MethodFamily.Sgd);
        double? VsSgd(ScheduledCriticalBatchResult r) => sgd is double s && r.CriticalBatch is double c ? c / s : null;
        switch (format)
        {
            case OutputFormat.Csv:
            {
                var header = new List<string> { "family", "schedule", "fraction", "critical_batch", "small_batch_ce", "budget", "target" };
                if (ratio) header.Add("critical_batch_vs_sgd");
                header.AddRange(PointFields);
                header.Add("kurtosis");
                header.Add("noise");
                ResultWriter.WriteCsv(w, header, results.Select(r =>
                {
                    var row = new List<string>
                    {
                        r.Family.Name(), r.Shape.Name(), ResultWriter.Num(r.Fraction), ResultWriter.Num(r.CriticalBatch), ResultWriter.Num(r.SmallBatchEfficiency),
                        ResultWriter.Num(o.Budget), ResultWriter.Num(o.Target),
                    };
                    if (ratio) row.Add(ResultWriter.Num(VsSgd(r)));
                    row.AddRange(PointCells(r.AtCritical?.Tuned));
                    row.Add(ResultWriter.Num(problem.Kurtosis));
                    row.Add(ResultWriter.Num(problem.Noise));
                    return (IReadOnlyList<string>)row;
                }));
                break;
            }
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    if (results.Count > 1) j.WriteStartArray();
                    foreach (var r in results)
                    {
                        j.WriteStartObject();
                        j.WriteString("family", r.Family.Name());
                        j.WriteString("schedule", r.Shape.Name());
                        ResultWriter.WriteNumberOrNull(j, "fraction", r.Fraction);
                        ResultWriter.WriteNumberOrNull(j, "critical_batch", r.CriticalBatch);
                        ResultWriter.WriteNumberOrNull(j, "small_batch_ce", r.SmallBatchEfficiency);
                        ResultWriter.WriteNumberOrNull(j, "budget", o.Budget);
                        ResultWriter.WriteNumberOrNull(j, "target", o.Target);
                        if (ratio) ResultWriter.WriteNumberOrNull(j, "critical_batch_vs_sgd", VsSgd(r));
                        WritePoint(j, r.AtCritical?.Tuned);
                        ResultWriter.WriteNumberOrNull(j, "kurtosis", problem.Kurtosis);
                        ResultWriter.WriteNumberOrNull(j, "noise", problem.Noise);
                        j.WriteStartArray("curve");
                        foreach (var p in r.Curve)
                        {
                            j.WriteStartObject();
                            ResultWriter.WriteNumberOrNull(j, "batch", p.Batch);
                            ResultWriter.WriteNumberOrNull(j, "ce", p.Efficiency);
                            WritePoint(j, p.Tuned);
                            j.WriteEndObject();
                        }
                        j.WriteEndArray();
                        j.WriteEndObject();
                    }
                    if (results.Count > 1) j.WriteEndArray();
                });
                break;
            default:
            {
                Commands.SweepCommand.WriteHeader(w, $"Critical batch size, {results[0].Shape.Name()} schedule tuned per batch", problem, init,
                    $"fraction f = {ResultWriter.Readable(results[0].Fraction)}; {Mode(o)}");
                var table = new TextTable(("family", false), ("critical batch", true), ("CE(1)", true), ("vs sgd", true), ("T at B_crit", true),
                    ("peak lr", true), ("beta", true), ("schedule", false));
                foreach (var r in results)
                {
                    var t = r.AtCritical?.Tuned;
                    table.Add(r.Family.Name(), r.CriticalBatch is double c ? ResultWriter.Readable(c, 5) : "beyond max", ResultWriter.Readable(r.SmallBatchEfficiency, 5),
                        VsSgd(r) is double v ? ResultWriter.Readable(v, 4) : "", t is null ? "" : ResultWriter.Int(t.Steps),
                        t is null ? "" : ResultWriter.Readable(t.PeakLr, 4), t?.Momentum is double b ? ResultWriter.Readable(b, 4) : "", t?.Schedule ?? "");
                }
                table.Write(w);
                w.WriteLine();
                w.WriteLine("critical batch: smallest B > 1 with CE(B) = f·CE(1), the schedule (peak lr" +
                            (results.Any(r => r.Family != MethodFamily.Sgd) ? ", momentum" : "") + ") tuned at every B");
                break;
            }
        }
    }

    /// <summary>
    /// The figure: CE(B)/CE(B_min) against B with the line f and each family's critical batch (the root found, or for a sweep
    /// the crossing interpolated on its grid), next to the exact final risk E L_T (at a budget) or the gradients B·T (at a target).
    /// </summary>
    public static void Plot(string path, Problem problem, IReadOnlyList<(MethodFamily Family, IReadOnlyList<ScheduledBatchPoint> Curve, double? Critical)> families,
        ScheduledBatchOptions o, FigureSize size)
    {
        double f = o.Fraction;
        var ratio = new List<PlotSeries>();
        var second = new List<PlotSeries>();
        var marks = new List<PlotMarker>();
        foreach (var (family, curve, critical) in families)
        {
            var sorted = curve.Where(p => p.Tuned is not null && p.Efficiency > 0).OrderBy(p => p.Batch).ToArray();
            if (sorted.Length == 0) continue;
            double ce0 = sorted[0].Efficiency;
            var xs = sorted.Select(p => p.Batch).ToArray();
            ratio.Add(new PlotSeries(family.Name(), xs, sorted.Select(p => p.Efficiency / ce0).ToArray()) { ShowMarkers = sorted.Length <= 40 });
            second.Add(new PlotSeries(family.Name(), xs, sorted.Select(p => o.Budget is null ? p.Tuned!.Gradients : p.Tuned!.FinalRisk).ToArray()) { ShowMarkers = sorted.Length <= 40 });
            double? bc = critical ?? TradeoffPlots.Crossing(sorted.Select(p => new SweepPoint(family.Name(), p.Batch, double.NaN, null, p.Efficiency)).ToArray(), f);
            if (bc is double b) marks.Add(new PlotMarker(b, f, $"{family.Name()} B_crit ≈ {ResultWriter.Readable(b, 3)}") { Series = ratio.Count - 1 });
        }
        var left = new PlotSpec($"{o.Schedule.Shape.Name()} schedule tuned at every B\n{Mode(o)}", "batch size B", "CE(B) / CE(smallest B)", LogX: true, LogY: true)
        {
            Series = ratio, Markers = marks, Guides = [new PlotGuide(f, Vertical: false, $"f = {ResultWriter.Readable(f)}")], LegendAt = ScottPlot.Alignment.LowerLeft,
        };
        var right = o.Budget is null
            ? new PlotSpec($"Gradients to reach ε\n{Plots.DescribeNoBatch(problem)}", "batch size B", "B·T(B)", LogX: true, LogY: true) { Series = second, NoLegend = true }
            : new PlotSpec($"Exact final risk at the budget\n{Plots.DescribeNoBatch(problem)}", "batch size B", "E L_T, T = ⌊G/B⌋", LogX: true, LogY: true) { Series = second, NoLegend = true };
        Plots.SavePanels(path, [left, right], columns: 2, size);
    }
}
