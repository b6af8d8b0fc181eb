using System.CommandLine;
using ExactDynamics.Cli.Output;
using ExactDynamics.Schedules;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn schedules</c>: learning-rate schedules compared at a fixed step budget, each with its base learning rate
/// tuned to minimise the exact final risk (docs/schedules.md §6).
/// </summary>
internal static class SchedulesCommand
{
    public const string Example =
        "exactdyn schedules --spectrum powerlaw:a=1,d=500 --family hb --batch 8 --noise 0.1 --steps 2000";

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("schedules", integerBatch: true);
        var family = OptionFactory.Text("--family", "sgd|hb|nesterov|torch", "Method family whose base learning rate is tuned.", "sgd");
        var beta = OptionFactory.Real("--beta", "Momentum (beta for hb/nesterov, momentum for torch), fixed while the learning rate is tuned.", 0.9);
        var steps = OptionFactory.Integer("--steps", "The step budget T: every schedule is scored by E L_T.", 1000);
        steps.HelpName = "T";
        var schedule = new Option<string[]>("--schedule")
        {
            Description = "A learning-rate schedule to compare (repeat the option); default: constant, step:every=T/4,factor=0.5, cosine:steps=T, " +
                          "wsd:warmup=0,stable=0.8T,decay=0.2T. Forms: " + ScheduleOptions.Forms + ".",
            HelpName = "SCHEDULE",
            AllowMultipleArgumentsPerToken = false,
        };
        var lo = OptionFactory.Real("--lr-min", "Smallest base learning rate tried, in units of 1/λ_max.", 1e-3);
        var hi = OptionFactory.Real("--lr-max", "Largest base learning rate tried, in units of 1/λ_max.", 4);
        var command = new ExampleCommand("schedules",
            "Learning-rate schedules at a fixed step budget T: for each schedule the base learning rate is tuned (log grid over " +
            "[lr-min, lr-max]/λ_max, then golden section in log lr) to minimise the exact final risk E L_T; momentum and batch stay fixed. " +
            "csv columns: family,base_lr,final_risk,ratio_to_constant,schedule (ratio_to_constant is empty without a constant row).",
            Example);
        shared.AddTo(command, withMethod: false);
        command.Options.Add(family);
        command.Options.Add(beta);
        command.Options.Add(steps);
        command.Options.Add(schedule);
        command.Options.Add(lo);
        command.Options.Add(hi);
        shared.AddOutputTo(command);
        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var (problem, init) = shared.BuildProblem(parse);
            long t = parse.GetValue(steps);
            if (t < 1) throw new InvalidInputException($"--steps {t} is not allowed; the budget must be at least 1 step.");
            double b = parse.GetValue(beta);
            var name = (parse.GetValue(family) ?? "sgd").Trim().ToLowerInvariant();
            var make = Family(name, b);
            var schedules = Baselines(parse.GetValue(schedule), t);
            double scale = 1 / problem.Spectrum.Max;
            var (lrMin, lrMax) = LrRange(parse.GetValue(lo), parse.GetValue(hi));
            var rows = new TunedSchedule[schedules.Length];
            using (var progress = Progress.Start(ctx.Error, "schedules", schedules.Length))
            {
                for (int i = 0; i < schedules.Length; i++)
                {
                    rows[i] = ScheduleTuning.TuneBaseLr(problem, make, schedules[i], t, lrMin * scale, lrMax * scale);
                    progress.Advance();
                }
            }
            var familyName = name == "sgd" ? "sgd" : $"{name}(β={ResultWriter.Readable(b)})";
            OutputTarget.Emit(outPath, ctx.Out, w => Write(w, shared.GetFormat(parse), familyName, t, rows, problem, init));
            return 0;
        });
        return command;
    }

    /// <summary>The method for a base learning rate of <c>--family</c> <paramref name="name"/> with momentum <paramref name="beta"/> (checked once).</summary>
    public static Func<double, MethodTemplate> Family(string name, double beta)
    {
        Func<double, MethodTemplate> make = name switch
        {
            "sgd" => lr => MethodTemplate.Sgd(lr),
            "hb" => lr => MethodTemplate.HeavyBall(lr, beta),
            "nesterov" => lr => MethodTemplate.Nesterov(lr, beta),
            "torch" => lr => MethodTemplate.Torch(lr, beta),
            _ => throw new InvalidInputException($"--family '{name}' is not supported; use sgd, hb, nesterov or torch."),
        };
        make(1); // validates beta
        return make;
    }

    /// <summary>The <c>--schedule</c> values (null = constant), or <see cref="DefaultSchedules"/> when none is given.</summary>
    public static Schedules.Schedule?[] Baselines(string[]? given, long steps) =>
        (given is { Length: > 0 } ? given : DefaultSchedules(steps))
        .Select(s => s.Trim().Equals("constant", StringComparison.OrdinalIgnoreCase) ? null : ScheduleSpec.Parse(s, "--schedule")).ToArray();

    /// <summary>--lr-min and --lr-max, checked: 0 &lt; lr-min &lt; lr-max &lt; ∞.</summary>
    public static (double Min, double Max) LrRange(double lrMin, double lrMax)
    {
        if (!(lrMin > 0) || !(lrMax > lrMin) || !double.IsFinite(lrMax))
            throw new InvalidInputException($"--lr-min {ResultWriter.Text(lrMin)} and --lr-max {ResultWriter.Text(lrMax)} are not allowed; they need 0 < lr-min < lr-max < ∞.");
        return (lrMin, lrMax);
    }

    /// <summary>constant, step decay (halve every T/4), cosine to 0 over T, WSD with the last 20% decaying.</summary>
    public static string[] DefaultSchedules(long t) =>
    [
        "constant",
        $"step:every={Math.Max(1, t / 4)},factor=0.5",
        $"cosine:steps={t}",
        $"wsd:warmup=0,stable={t - Math.Max(1, t / 5)},decay={Math.Max(1, t / 5)}",
    ];

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
                var s = problem.Spectrum;
                w.WriteLine($"Learning-rate schedules at a budget of {ResultWriter.Int(steps)} steps, base lr tuned for each — {family}");
                w.WriteLine($"spectrum {s.Description} (d = {s.Dimension}, λ_max = {ResultWriter.Readable(s.Max)}), batch {ResultWriter.Readable(problem.Batch)}, " +
                            $"kurtosis {ResultWriter.Readable(problem.Kurtosis)}, noise {ResultWriter.Readable(problem.Noise)}, init {init}");
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
