using ExactDynamics.Schedules;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Output;

/// <summary>Output of <c>exactdyn ramp</c>.</summary>
internal static class RampWriter
{
    private static IEnumerable<RampRow> Rows(RampComparison r) =>
        r.ConstantMax is null ? [r.Constant, r.Ramp] : [r.Constant, r.Ramp, r.ConstantMax];

    public static void Write(TextWriter w, OutputFormat format, RampComparison r, RunInfo info)
    {
        double b = info.Problem.Batch;
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["strategy", "first_batch", "last_batch", "steps", "gradient_cost", "final_risk", "steps_to_match", "cost_to_match"],
                    Rows(r).Select(x => new[]
                    {
                        x.Name, ResultWriter.Num(x.FirstBatch), ResultWriter.Num(x.LastBatch), ResultWriter.Int(x.Steps), ResultWriter.Num(x.GradientCost), ResultWriter.Num(x.FinalRisk),
                        ResultWriter.Int(x.StepsToMatch), ResultWriter.Num(x.CostToMatch),
                    }));
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteNumber("budget", r.Budget);
                    j.WriteNumber("batch", b);
                    j.WriteNumber("double_every", r.DoubleEvery);
                    ResultWriter.WriteNumberOrNull(j, "max_batch", r.MaxMultiplier * b);
                    ResultWriter.WriteNumberOrNull(j, "serial_saving_at_equal_budget", r.SerialSavingAtEqualBudget);
                    ResultWriter.WriteNumberOrNull(j, "risk_ratio_at_equal_budget", r.RiskRatioAtEqualBudget);
                    ResultWriter.WriteNumberOrNull(j, "serial_saving_at_equal_risk", r.SerialSavingAtEqualRisk);
                    j.WriteStartArray("rows");
                    foreach (var x in Rows(r))
                    {
                        j.WriteStartObject();
                        j.WriteString("strategy", x.Name);
                        j.WriteString("batch_schedule", x.BatchSchedule);
                        j.WriteNumber("first_batch", x.FirstBatch);
                        j.WriteNumber("last_batch", x.LastBatch);
                        j.WriteNumber("steps", x.Steps);
                        ResultWriter.WriteNumberOrNull(j, "gradient_cost", x.GradientCost);
                        ResultWriter.WriteNumberOrNull(j, "final_risk", x.FinalRisk);
                        ResultWriter.WriteIntOrNull(j, "steps_to_match", x.StepsToMatch);
                        ResultWriter.WriteNumberOrNull(j, "cost_to_match", x.CostToMatch);
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    j.WriteEndObject();
                });
                break;
            default:
            {
                string R(double x, int digits = 6) => ResultWriter.Readable(x, digits);
                ResultWriter.WriteHeader(w, $"Batch-size ramp vs constant batch at equal gradient budget G = {R(r.Budget)} samples", info);
                var table = new TextTable(("strategy", false), ("batch B_t", false), ("steps", true), ("gradient cost", true), ("final E L", true),
                    ("steps to constant's final E L", true));
                foreach (var x in Rows(r))
                {
                    string batch = x.Name switch
                    {
                        "constant" => R(b),
                        "ramp" => $"{R(b)}·2^⌊t/{ResultWriter.Int(r.DoubleEvery)}⌋" + (double.IsFinite(r.MaxMultiplier) ? $", ≤ {R(r.MaxMultiplier * b)}" : ""),
                        _ => R(r.MaxMultiplier * b),
                    };
                    table.Add(x.Name, batch, ResultWriter.Int(x.Steps), R(x.GradientCost), double.IsFinite(x.FinalRisk) ? R(x.FinalRisk, 4) : "diverges",
                        x.Name == "constant" ? "-" : x.StepsToMatch is long m ? ResultWriter.Int(m) : "not within G");
                }
                table.Write(w);
                w.WriteLine();
                if (r.SerialSavingAtEqualBudget is double save && r.RiskRatioAtEqualBudget is double ratio)
                    w.WriteLine($"at equal budget: the ramp takes {ResultWriter.Int(r.Ramp.Steps)} serial steps instead of {ResultWriter.Int(r.Constant.Steps)} " +
                                $"({R(100 * Math.Abs(save), 3)}% {(save >= 0 ? "fewer" : "more")}) and ends at {R(ratio, 3)}× the constant batch's risk.");
                else
                    w.WriteLine($"at equal budget: no comparison — the {(double.IsFinite(r.Constant.FinalRisk) ? "ramp" : "constant batch")} diverges (its risk overflows after the steps shown).");
                w.WriteLine(r.SerialSavingAtEqualRisk is double s
                    ? $"at equal risk: the ramp reaches the constant batch's final risk after {ResultWriter.Int(r.Ramp.StepsToMatch!.Value)} steps ({R(100 * s, 3)}% fewer), " +
                      $"spending {R(r.Ramp.CostToMatch!.Value)} samples ({R(100 * r.Ramp.CostToMatch!.Value / r.Budget, 3)}% of G)."
                    : "at equal risk: the ramp does not reach the constant batch's final risk within the budget.");
                break;
            }
        }
    }
}
