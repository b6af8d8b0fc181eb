using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Cli.Parsing;
using ExactDynamics.Schedules;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn schedules</c>: learning-rate schedules compared at a fixed step budget, each with its base learning rate
/// tuned to minimise the exact final risk (docs/schedules.md#schedule-tuning).
/// </summary>
internal static class SchedulesCommand
{
    public const string Example =
        "exactdyn schedules --spectrum powerlaw:a=1,d=500 --family hb --batch 8 --noise 0.1 --steps 2000";

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("schedules", integerBatch: true);
        var budget = new ScheduleBudgetOptions("Method family whose base learning rate is tuned.",
            "Momentum (beta for hb/nesterov, momentum for torch), fixed while the learning rate is tuned.",
            "The step budget T: every schedule is scored by E L_T.", "A learning-rate schedule to compare", "");
        var command = new ExampleCommand("schedules",
            "Learning-rate schedules at a fixed step budget T: for each schedule the base learning rate is tuned (log grid over " +
            "[lr-min, lr-max]/λ_max, then golden section in log lr) to minimise the exact final risk E L_T; momentum and batch stay fixed. " +
            "csv columns: family,base_lr,final_risk,ratio_to_constant,schedule (ratio_to_constant is empty without a constant row).",
            Example);
        shared.AddTo(command, withMethod: false);
        budget.AddTo(command);
        shared.AddOutputTo(command);
        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var (problem, init) = shared.BuildProblem(parse);
            var (make, familyName, _, t, schedules, lrMin, lrMax) = budget.Read(parse, problem);
            var rows = new TunedSchedule[schedules.Length];
            using (var progress = Progress.Start(ctx.Error, "schedules", schedules.Length))
            {
                for (int i = 0; i < schedules.Length; i++)
                {
                    rows[i] = ScheduleTuning.TuneBaseLr(problem, make, schedules[i], t, lrMin, lrMax);
                    progress.Advance();
                }
            }
            OutputTarget.Emit(outPath, ctx.Out, w => Write(w, shared.GetFormat(parse), familyName, t, rows, problem, init));
            return 0;
        });
        return command;
    }

    private static void Write(TextWriter w, OutputFormat format, string family, long steps, TunedSchedule[] rows, Problem problem, string init)
    {
        double? constant = rows.FirstOrDefault(r => r.Schedule is null)?.FinalRisk;
        string Ratio(TunedSchedule r) => constant is double c ? ResultWriter.Num(r.FinalRisk / c) : "";
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["family", "base_lr", "final_risk", "ratio_to_constant", "schedule"],
                    rows.Select(r => new[] { family, ResultWriter.Num(r.BaseLr), ResultWriter.Num(r.FinalRisk), Ratio(r), r.Name }));
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("family", family);
                    j.WriteNumber("steps", steps);
                    j.WriteStartArray("rows");
                    foreach (var r in rows)
                    {
                        j.WriteStartObject();
                        j.WriteString("schedule", r.Name);
                        ResultWriter.WriteNumberOrNull(j, "base_lr", r.BaseLr);
                        ResultWriter.WriteNumberOrNull(j, "final_risk", r.FinalRisk);
                        if (constant is double c) ResultWriter.WriteNumberOrNull(j, "ratio_to_constant", r.FinalRisk / c);
                        else j.WriteNull("ratio_to_constant");
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    j.WriteEndObject();
                });
                break;
            default:
            {
                w.WriteLine($"Learning-rate schedules at a budget of {ResultWriter.Int(steps)} steps, base lr tuned for each — {family}");
                w.WriteLine(ScheduleBudgetOptions.ProblemLine(problem, init));
                w.WriteLine();
                var table = new TextTable(("schedule", false), ("tuned base lr", true), ("E L_T", true), ("vs constant", true));
                foreach (var r in rows)
                    table.Add(r.Name, ResultWriter.Readable(r.BaseLr, 4), ResultWriter.Readable(r.FinalRisk, 4),
                        constant is double c ? ResultWriter.Readable(r.FinalRisk / c, 3) + "×" : "-");
                table.Write(w);
                break;
            }
        }
    }
}
