using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Cli.Parsing;
using ExactDynamics.Schedules;

namespace ExactDynamics.Cli.Options;

/// <summary>What <see cref="ScheduleBudgetOptions.Read"/> gives: the family, the budget, the baselines and the tuning range (absolute).</summary>
/// <param name="Make">The method for a base learning rate.</param>
/// <param name="FamilyName">The family as printed, e.g. <c>hb(β=0.9)</c>.</param>
/// <param name="Beta">--beta.</param>
/// <param name="Steps">The budget T.</param>
/// <param name="Baselines">The schedules (null = constant).</param>
/// <param name="LrMin">Smallest base learning rate tried (absolute: --lr-min/λ_max).</param>
/// <param name="LrMax">Largest base learning rate tried (absolute).</param>
internal sealed record ScheduleBudget(Func<double, MethodTemplate> Make, string FamilyName, double Beta, long Steps, Schedule?[] Baselines,
    double LrMin, double LrMax);

/// <summary>
/// The options of the commands that compare learning-rate schedules at a step budget (<c>schedules</c>,
/// <c>optimize-schedule</c>): --family, --beta, --steps, --schedule (repeatable), --lr-min, --lr-max.
/// </summary>
internal sealed class ScheduleBudgetOptions
{
    public ScheduleBudgetOptions(string familyDescription, string betaDescription, string stepsDescription, string scheduleDescription, string lrRangeNote)
    {
        Family = OptionFactory.Text("--family", "sgd|hb|nesterov|torch", familyDescription, "sgd");
        Beta = OptionFactory.Real("--beta", betaDescription, 0.9);
        Steps = OptionFactory.Integer("--steps", stepsDescription, 1000);
        Steps.HelpName = "T";
        Schedule = new Option<string[]>("--schedule")
        {
            Description = scheduleDescription + " (repeat the option); default: constant, step:every=T/4,factor=0.5, cosine:steps=T, " +
                          "wsd:warmup=0,stable=0.8T,decay=0.2T. Forms: " + ScheduleOptions.Forms + ".",
            HelpName = "SCHEDULE",
            AllowMultipleArgumentsPerToken = false,
        };
        LrMin = OptionFactory.Real("--lr-min", $"Smallest base learning rate tried{lrRangeNote}, in units of 1/λ_max.", 1e-3);
        LrMax = OptionFactory.Real("--lr-max", $"Largest base learning rate tried{lrRangeNote}, in units of 1/λ_max.", 4);
    }

    public Option<string> Family { get; }
    public Option<double> Beta { get; }
    public Option<long> Steps { get; }
    public Option<string[]> Schedule { get; }
    public Option<double> LrMin { get; }
    public Option<double> LrMax { get; }

    /// <summary>Adds the options in help order.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Family, Beta, Steps, Schedule, LrMin, LrMax }) command.Options.Add(o);
    }

    /// <summary>The parsed and checked values for <paramref name="problem"/> (the tuning range is scaled by 1/λ_max).</summary>
    public ScheduleBudget Read(ParseResult parse, Problem problem)
    {
        long t = parse.GetValue(Steps);
        if (t < 1) throw new InvalidInputException($"--steps {t} is not allowed; the budget must be at least 1 step.");
        double b = parse.GetValue(Beta);
        var name = (parse.GetValue(Family) ?? "sgd").Trim().ToLowerInvariant();
        Func<double, MethodTemplate> make = name switch
        {
            "sgd" => lr => MethodTemplate.Sgd(lr),
            "hb" => lr => MethodTemplate.HeavyBall(lr, b),
            "nesterov" => lr => MethodTemplate.Nesterov(lr, b),
            "torch" => lr => MethodTemplate.Torch(lr, b),
            _ => throw new InvalidInputException($"--family '{name}' is not supported; use sgd, hb, nesterov or torch."),
        };
        make(1); // validates beta
        var specs = parse.GetValue(Schedule) is { Length: > 0 } given ? given : DefaultSchedules(t);
        var schedules = ParseSchedules(specs);
        double lrMin = parse.GetValue(LrMin), lrMax = parse.GetValue(LrMax);
        if (!(lrMin > 0) || !(lrMax > lrMin) || !double.IsFinite(lrMax))
            throw new InvalidInputException($"--lr-min {ResultWriter.Text(lrMin)} and --lr-max {ResultWriter.Text(lrMax)} are not allowed; they need 0 < lr-min < lr-max < ∞.");
        double scale = 1 / problem.Spectrum.Max;
        var familyName = name == "sgd" ? "sgd" : $"{name}(β={ResultWriter.Readable(b)})";
        return new ScheduleBudget(make, familyName, b, t, schedules, lrMin * scale, lrMax * scale);
    }

    /// <summary>Schedule specs as schedules (<c>constant</c> = null).</summary>
    public static Schedule?[] ParseSchedules(IEnumerable<string> specs) =>
        specs.Select(s => s.Trim().Equals("constant", StringComparison.OrdinalIgnoreCase) ? null : ScheduleSpec.Parse(s, "--schedule")).ToArray();

    /// <summary>constant, step decay (halve every T/4), cosine to 0 over T, WSD with the last 20% decaying.</summary>
    public static string[] DefaultSchedules(long t) =>
    [
        "constant",
        $"step:every={Math.Max(1, t / 4)},factor=0.5",
        $"cosine:steps={t}",
        $"wsd:warmup=0,stable={t - Math.Max(1, t / 5)},decay={Math.Max(1, t / 5)}",
    ];

    /// <summary>The problem line under a table's title.</summary>
    public static string ProblemLine(Problem problem, string init)
    {
        var s = problem.Spectrum;
        return $"spectrum {s.Description} (d = {s.Dimension}, λ_max = {ResultWriter.Readable(s.Max)}), batch {ResultWriter.Readable(problem.Batch)}, " +
               $"kurtosis {ResultWriter.Readable(problem.Kurtosis)}, noise {ResultWriter.Readable(problem.Noise)}, init {init}";
    }
}
