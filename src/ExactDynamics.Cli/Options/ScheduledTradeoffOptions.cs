using System.CommandLine;
using ExactDynamics.Cli.Output;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// The options that make <c>sweep</c> and <c>critical-batch</c> schedule-aware (docs/math.md#schedule-aware-critical-batch):
/// --schedule constant|wsd|cosine|optimal and --budget G (a fixed budget of gradients B·T); the target comes from the
/// command's own --target.
/// </summary>
internal sealed class ScheduledTradeoffOptions
{
    public ScheduledTradeoffOptions()
    {
        Schedule = OptionFactory.Text("--schedule", "constant|wsd|cosine|optimal",
            "The learning-rate schedule tuned at every batch size (peak lr, and the momentum for hb and nesterov; optimal: the optimal schedule started from the tuned WSD). " +
            "With wsd, cosine or optimal, or with --budget, each batch size B is scored at a fixed budget of gradients (--budget G: T = ⌊G/B⌋ updates, CE = ln(L_0/L_T)/(B·T)) " +
            "or at a target (--target ε: the fewest gradients B·T to reach ε, CE = 1/(B·T)). constant without --budget is the constant-step tradeoff of the tuned gap.", "constant");
        Budget = OptionFactory.Real("--budget", "Fixed budget of gradients G = B·T (samples): every batch size B runs T = ⌊G/B⌋ updates with its schedule tuned for that horizon.");
        Budget.HelpName = "G";
    }

    /// <summary>--schedule.</summary>
    public Option<string> Schedule { get; }

    /// <summary>--budget.</summary>
    public Option<double> Budget { get; }

    /// <summary>Adds both options.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Schedule);
        command.Options.Add(Budget);
    }

    /// <summary>
    /// The schedule-aware settings, or null for today's constant-step tradeoff (--schedule constant without --budget,
    /// and, when <paramref name="targetMakesScheduled"/> is false, whatever --target says).
    /// </summary>
    /// <param name="parse">The parse result.</param>
    /// <param name="target">The command's --target value.</param>
    /// <param name="targetMakesScheduled">True when --target alone selects the schedule-aware tradeoff (critical-batch).</param>
    /// <param name="fraction">f.</param>
    /// <param name="maxBatch">The largest batch searched.</param>
    /// <param name="maxSteps">The step limit of the target search.</param>
    /// <param name="threads">Parallelism.</param>
    public ScheduledBatchOptions? Read(ParseResult parse, double? target, bool targetMakesScheduled, double fraction, double maxBatch, long maxSteps, int? threads)
    {
        var shape = ScheduleShapes.Parse(parse.GetValue(Schedule) ?? "constant");
        double? budget = parse.GetResult(Budget) is null ? null : parse.GetValue(Budget);
        bool scheduled = shape != ScheduleShape.Constant || budget is not null || targetMakesScheduled && target is not null;
        if (!scheduled) return null;
        if (budget is double g && (!double.IsFinite(g) || !(g >= 1)))
            throw new InvalidInputException($"--budget {ResultWriter.Text(g)} is not allowed; the budget must be a finite number of at least 1 gradient.");
        if (budget is not null && target is not null)
            throw new InvalidInputException("--budget and --target cannot be combined; give a fixed budget of gradients or a target risk, not both.");
        if (budget is null && target is null)
            throw new InvalidInputException($"--schedule {shape.Name()} needs --budget G (a fixed budget of gradients) or --target ε (the risk to reach), e.g. --budget 65536.");
        return new ScheduledBatchOptions
        {
            Budget = budget, Target = budget is null ? target : null, Fraction = fraction, MaxBatch = maxBatch, MaxDegreeOfParallelism = threads,
            Schedule = new TunedScheduleOptions { Shape = shape, MaxSteps = maxSteps },
        };
    }

    /// <summary>Whether a schedule-aware run was asked for by --schedule (other than constant) or --budget.</summary>
    public bool Given(ParseResult parse) =>
        ScheduleShapes.Parse(parse.GetValue(Schedule) ?? "constant") != ScheduleShape.Constant || parse.GetResult(Budget) is not null;

    /// <summary>Refuses what the schedule-aware tradeoffs do not combine with: a data matrix (they tune on a spectrum)
    /// and --modifiers (the schedule is tuned for the plain family).</summary>
    public static void RequirePlain(bool data, Tradeoffs.TuneModifiers modifiers)
    {
        if (data)
            throw new InvalidInputException("A learning-rate schedule (--schedule, --budget) is tuned on a spectrum; with --data only the constant-step tradeoffs are available yet.");
        if (!modifiers.IsNone)
            throw new InvalidInputException("--modifiers applies to the constant-step tradeoffs; with a learning-rate schedule (--schedule, --budget) the plain family is tuned.");
    }
}
