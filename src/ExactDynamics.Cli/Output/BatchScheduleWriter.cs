using ExactDynamics.Cli.Options;
using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// Writes <c>optimize-schedule --batch-schedule optimal</c>: every batch strategy at the gradient budget with its exact
/// E L_T under the best constant learning rate and under its optimised learning-rate schedule (docs/math.md#optimal-batch-schedules).
/// </summary>
internal static class BatchScheduleWriter
{
    private static IEnumerable<BatchStrategy> Rows(BatchScheduleComparison r) =>
        r.OptimalIsConstant ? r.Constants.Concat(r.Ramps) : r.Constants.Concat(r.Ramps).Append(r.Optimal);

    /// <summary>The table, csv or json.</summary>
    public static void Write(TextWriter w, OutputFormat format, string family, BatchScheduleComparison r, Problem problem, string init)
    {
        double opt = r.Optimal.FinalRisk;
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["strategy", "kind", "steps", "first_batch", "last_batch", "gradient_cost", "constant_lr_risk", "final_risk", "ratio_to_optimal"],
                    Rows(r).Select(x => new[]
                    {
                        x.Name, x.Kind, ResultWriter.Int(x.Steps), ResultWriter.Num(x.FirstBatch), ResultWriter.Num(x.LastBatch), ResultWriter.Num(x.GradientCost),
                        ResultWriter.Num(x.ConstantLrRisk), ResultWriter.Num(x.FinalRisk), ResultWriter.Num(x.FinalRisk / opt),
                    }));
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("family", family);
                    ResultWriter.WriteNumberOrNull(j, "budget", r.Budget);
                    ResultWriter.WriteNumberOrNull(j, "min_batch", r.MinBatch);
                    ResultWriter.WriteNumberOrNull(j, "final_risk", opt);
                    j.WriteString("optimal", r.Optimal.Name);
                    j.WriteBoolean("optimal_is_constant", r.OptimalIsConstant);
                    j.WriteString("best_constant", r.BestConstant.Name);
                    j.WriteNumber("steps", r.Optimal.Steps);
                    j.WriteStartObject("tail");
                    ResultWriter.WriteNumberOrNull(j, "exponent", r.Optimal.Schedule.Tail.Exponent);
                    ResultWriter.WriteNumberOrNull(j, "r_squared", r.Optimal.Schedule.Tail.RSquared);
                    j.WriteNumber("from", r.Optimal.Schedule.Tail.From);
                    j.WriteEndObject();
                    j.WriteStartArray("rows");
                    foreach (var x in Rows(r))
                    {
                        j.WriteStartObject();
                        j.WriteString("strategy", x.Name);
                        j.WriteString("kind", x.Kind);
                        j.WriteNumber("steps", x.Steps);
                        ResultWriter.WriteNumberOrNull(j, "first_batch", x.FirstBatch);
                        ResultWriter.WriteNumberOrNull(j, "last_batch", x.LastBatch);
                        ResultWriter.WriteNumberOrNull(j, "gradient_cost", x.GradientCost);
                        ResultWriter.WriteNumberOrNull(j, "constant_lr_risk", x.ConstantLrRisk);
                        ResultWriter.WriteNumberOrNull(j, "final_risk", x.FinalRisk);
                        ResultWriter.WriteNumberOrNull(j, "ratio_to_optimal", x.FinalRisk / opt);
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    j.WriteEndObject();
                });
                break;
            default:
            {
                w.WriteLine($"Batch-size schedules at a gradient budget of {ResultWriter.Readable(r.Budget)} samples — {family}" +
                            (r.Optimal.Schedule.Momentum is null ? "" : " (momentum optimised too)"));
                w.WriteLine(ScheduleBudgetOptions.ProblemLine(problem, init));
                w.WriteLine();
                var table = new TextTable(("strategy", false), ("steps", true), ("batch first→last", true), ("samples", true),
                    ("E L_T constant lr", true), ("E L_T optimal lr", true), ("vs optimum", true));
                foreach (var x in Rows(r))
                    table.Add(x.Name, ResultWriter.Int(x.Steps), $"{ResultWriter.Readable(x.FirstBatch, 4)}→{ResultWriter.Readable(x.LastBatch, 4)}",
                        ResultWriter.Readable(x.GradientCost, 8), double.IsNaN(x.ConstantLrRisk) ? "-" : ResultWriter.Readable(x.ConstantLrRisk, 4),
                        ResultWriter.Readable(x.FinalRisk, 4), ResultWriter.Readable(x.FinalRisk / opt, 4) + "×");
                table.Write(w);
                w.WriteLine();
                w.WriteLine(r.OptimalIsConstant
                    ? $"No monotone ramp searched beat the best constant batch ({r.BestConstant.Name}): it is the optimum reported."
                    : $"Optimal ramp: {ResultWriter.Int(r.Optimal.Steps)} steps, batch {ResultWriter.Readable(r.Optimal.FirstBatch, 4)}→{ResultWriter.Readable(r.Optimal.LastBatch, 4)}, " +
                      $"{ResultWriter.Readable(r.BestConstant.FinalRisk / opt, 4)}× below the best constant batch ({r.BestConstant.Name}); " +
                      $"L-BFGS on the learning rate and the ramp jointly, {r.Optimal.Schedule.Iterations} iterations ({r.Optimal.Schedule.Stop}).");
                var tail = r.Optimal.Schedule.Tail;
                w.WriteLine($"Tail of the optimum's learning rate: lr_t ∝ (1 − t/T)^p over t ≥ {ResultWriter.Int(tail.From)} gives p = {ResultWriter.Readable(tail.Exponent, 3)} (R² = {ResultWriter.Readable(tail.RSquared, 3)}).");
                break;
            }
        }
    }

    /// <summary>Learning rate and batch against t, and the exact risk against the samples spent, for every strategy.</summary>
    public static void Plot(string path, Problem problem, Func<double, MethodTemplate> make, BatchScheduleComparison r, string family)
    {
        var lr = new List<PlotSeries>();
        var batch = new List<PlotSeries>();
        var risk = new List<PlotSeries>();
        foreach (var x in r.Constants.Where(c => c == r.BestConstant).Concat(r.Ramps).Concat(r.OptimalIsConstant ? [] : [r.Optimal]))
        {
            var ts = Enumerable.Range(0, x.Steps).Select(t => (double)t).ToArray();
            lr.Add(new PlotSeries(x.Name, ts, x.Schedule.Lr));
            batch.Add(new PlotSeries(x.Name, ts, x.Batch));
            var curve = RiskRecursion.Trajectory(problem, ScheduleOptimizer.AsScheduled(make, x.Schedule.Lr, x.Schedule.Momentum, x.Batch), x.Steps);
            var samples = new double[x.Steps + 1];
            for (int t = 0; t < x.Steps; t++) samples[t + 1] = samples[t] + x.Batch[t];
            risk.Add(new PlotSeries(x.Name, samples, curve));
        }
        Plots.SavePanels(path,
        [
            new PlotSpec($"Optimised learning rates — {family}", "update t", "learning rate", LogX: false, LogY: false) { Series = lr, IntegerX = true },
            new PlotSpec("Batch sizes", "update t", "batch B_t", LogX: false, LogY: true) { Series = batch, IntegerX = true },
            new PlotSpec($"Exact risk — {Plots.DescribeNoBatch(problem)}", "samples Σ B_t", "expected risk E L (log scale)", LogX: false, LogY: true) { Series = risk },
        ], columns: 3);
    }
}
