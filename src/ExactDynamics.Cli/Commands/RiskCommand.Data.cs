using System.CommandLine;
using System.Diagnostics;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Cli.Parsing;
using ExactDynamics.Schedules;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn risk --data X.npy</c>: the exact expected risk of training on the user's data under the chosen
/// fourth-moment model (docs/math.md#three-fourth-moment-models). csv columns model,method,t,risk; json
/// {"moments", "data", "methods": [{"method", "t", "risk"}]}; the table states the data and the model in its header.
/// </summary>
internal static partial class RiskCommand
{
    private static int RunOnData(CliContext ctx, ParseResult parse, SharedOptions shared, DataOptions dataOptions,
        IReadOnlyList<ScheduledMethod> methods, long steps, long every, string? atText, string? outPath, string? plotPath)
    {
        // every refusal of the options comes before the data are read and announced
        long[]? points = null;
        if (atText is not null)
        {
            if (plotPath is not null) throw new InvalidInputException("--at prints chosen steps only; draw a figure with --steps/--every and --plot instead.");
            points = SpecParser.ParseSteps(atText, "--at");
        }
        else
        {
            if (steps < 0) throw new InvalidInputException($"--steps {steps} is not allowed; the number of steps must be at least 0.");
            if (every < 1) throw new InvalidInputException($"--every {every} is not allowed; it must be at least 1.");
            if (steps > int.MaxValue - 1) throw new InvalidInputException($"--steps {steps} is too large for --data; at most {int.MaxValue - 1}.");
        }
        long last = points is null ? steps : points[^1];
        double batch = parse.GetValue(shared.Batch);
        var run = dataOptions.Prepare(ctx, parse, shared, batch, Math.Max(1, last) * methods.Count, $"the exact risk to t = {last}");
        var (data, description, model, kurtosis, modelText) = (run.Data, run.Description, run.Model, run.Kurtosis, run.ModelText);
        var problem = run.Problem;
        var curves = new List<(LinearMethod Method, long[] T, double[] Risk, bool Overflowed)>();
        var watch = Stopwatch.StartNew();
        using (var progress = Progress.Start(ctx.Error, "risk --data", methods.Count * Math.Max(1, last)))
        {
            foreach (var scheduled in methods)
            {
                var method = scheduled.Template.Base;
                long done = 0;
                if (points is not null)
                {
                    var chosen = DataRisk.At(problem, scheduled, points, model, kurtosis, progress: t => { progress.Advance(t - done); done = t; });
                    curves.Add((method, chosen.Steps, chosen.Risk, chosen.Overflowed));
                    progress.Advance(Math.Max(1, last) - done);
                    continue;
                }
                var full = DataRisk.Trajectory(problem, scheduled, (int)steps, model, kurtosis);
                var ts = new List<long>();
                var rs = new List<double>();
                bool overflow = false;
                for (long t = 0; t <= steps; t++)
                {
                    if (double.IsPositiveInfinity(full[t]))
                    {
                        overflow = true;
                        if (ts[^1] != t - 1) { ts.Add(t - 1); rs.Add(full[t - 1]); } // how far a diverging curve got
                        break;
                    }
                    if (t % every == 0 || t == steps) { ts.Add(t); rs.Add(full[t]); }
                }
                curves.Add((method, ts.ToArray(), rs.ToArray(), overflow));
                progress.Advance(Math.Max(1, last));
            }
        }
        ctx.Note($"exactdyn: computed in {ResultWriter.Readable(watch.Elapsed.TotalSeconds, 3)} s");
        var format = shared.GetFormat(parse);
        var anySchedule = methods.FirstOrDefault(m => !m.IsConstant);
        string modelName = MomentModels.Name(model);
        OutputTarget.Emit(outPath, ctx.Out, w =>
        {
            switch (format)
            {
                case OutputFormat.Csv:
                    ResultWriter.WriteCsv(w, ["moments", "method", "t", "risk"],
                        curves.SelectMany(c => c.T.Select((t, i) => new[] { modelName, c.Method.Spec, t.ToString(System.Globalization.CultureInfo.InvariantCulture), ResultWriter.Text(c.Risk[i]) })));
                    break;
                case OutputFormat.Json:
                    ResultWriter.WriteJson(w, j =>
                    {
                        j.WriteStartObject();
                        j.WriteString("moments", modelName);
                        j.WriteString("data", description);
                        j.WriteNumber("batch", batch);
                        j.WriteStartArray("methods");
                        foreach (var c in curves)
                        {
                            j.WriteStartObject();
                            j.WriteString("method", c.Method.Spec);
                            j.WriteBoolean("diverges", c.Overflowed);
                            j.WriteStartArray("t");
                            foreach (var t in c.T) j.WriteNumberValue(t);
                            j.WriteEndArray();
                            j.WriteStartArray("risk");
                            foreach (var x in c.Risk) ResultWriter.WriteNumberOrNull(j, x);
                            j.WriteEndArray();
                            j.WriteEndObject();
                        }
                        j.WriteEndArray();
                        j.WriteEndObject();
                    }, indented: false);
                    break;
                default:
                    w.WriteLine($"Exact expected risk E L_t on the data — moments: {modelText}");
                    w.WriteLine(description);
                    w.WriteLine($"batch B={ResultWriter.Text(batch)}; {(data.HasTarget ? "start w0 fixed (error w0 − w*)" : "random start (--init)")}");
                    var columns = new List<(string, bool)> { ("t", true) };
                    columns.AddRange(curves.Select(c => (c.Method.Spec, true)));
                    var table = new TextTable(columns.ToArray());
                    var allT = curves.SelectMany(c => c.T).Distinct().Order().ToArray();
                    foreach (var t in allT)
                    {
                        var row = new List<string> { t.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                        foreach (var c in curves)
                        {
                            int i = Array.IndexOf(c.T, t);
                            row.Add(i < 0 ? "" : ResultWriter.Readable(c.Risk[i]));
                        }
                        table.Add(row.ToArray());
                    }
                    table.Write(w);
                    if (anySchedule is not null) ScheduleResultWriter.WriteScheduleLines(w, anySchedule);
                    break;
            }
        });
        if (plotPath is not null)
        {
            var series = curves.Select(c => new PlotSeries(c.Method.Spec, c.T.Select(x => (double)x).ToArray(), c.Risk)).ToArray();
            Plots.RiskCurves(plotPath, $"Exact expected risk on {Path.GetFileName(parse.GetValue(dataOptions.Data))} — moments: {modelName}, B={ResultWriter.Text(batch)}" +
                (anySchedule is null ? "" : "\n" + ScheduleResultWriter.ScheduleSummary(anySchedule)), series);
        }
        foreach (var c in curves.Where(c => c.Overflowed))
            ctx.Note($"exactdyn: the risk {(curves.Count > 1 ? $"of {c.Method.Spec} " : "")}overflows {(c.T.Length > 0 ? $"after step {c.T[^1]}" : $"before step {points![0]}")} (the method diverges on this data); the output stops there.");
        return 0;
    }

    /// <summary>The model as stated in outputs.</summary>
    public static string ModelText(MomentModel model, double kurtosis) => model switch
    {
        MomentModel.Gaussian => $"gaussian (independent coordinates, kurtosis {ResultWriter.Text(kurtosis)})",
        MomentModel.Matrix => "matrix (the data's E[z_i² z_j²]; distinct-index cross moments neglected)",
        _ => "empirical (exact for this dataset sampled with replacement)",
    };
}
