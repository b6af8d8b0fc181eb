using System.CommandLine;
using ExactDynamics.Cli.Output;
using ExactDynamics.Schedules;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// The batch-size options of <c>optimize-schedule</c> (docs/math.md#optimal-batch-schedules): --batch-schedule optimal,
/// --budget, --double-every (repeatable), --max-batch, --batch-knots, --batch-out.
/// </summary>
internal sealed class BatchScheduleOptionSet
{
    private readonly Option<string> _schedule = OptionFactory.Text("--batch-schedule", "optimal",
        "optimal: at the gradient budget --budget (Σ_t B_t = G), the monotone batch ramp B_t ≥ --batch optimised jointly with the learning rate, " +
        "next to constant batches --batch·2^j (⌊G/B⌋ steps each) and doubling ramps from --batch, every one with its learning-rate schedule optimised.");
    private readonly Option<double> _budget = OptionFactory.Real("--budget", "With --batch-schedule optimal: the gradient budget G in samples (Σ_t B_t).");
    private readonly Option<long[]> _every = new("--double-every")
    {
        Description = "With --batch-schedule optimal: a doubling ramp to compare, B_t = B·2^⌊t/N⌋ (repeat the option); default N = T₀/4, T₀/16, T₀/64 with T₀ = ⌊G/B⌋.",
        HelpName = "N",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<double> _maxBatch = OptionFactory.Real("--max-batch", "With --batch-schedule optimal: the doubling ramps' cap M (≥ --batch). Default: no cap.");
    private readonly Option<long> _knots = OptionFactory.Integer("--batch-knots", "With --batch-schedule optimal: knots of the optimal ramp's log-batch shape (uniform in t).", 16);
    private readonly Option<string> _out = OptionFactory.Text("--batch-out", "PATH.csv",
        "With --batch-schedule optimal: write the optimal batch sizes as a schedule file (header value) that --batch-schedule file:PATH.csv reads back.");

    public BatchScheduleOptionSet()
    {
        _budget.HelpName = "G";
        _maxBatch.HelpName = "M";
    }

    /// <summary>Adds the options in help order.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _schedule, _budget, _every, _maxBatch, _knots, _out }) command.Options.Add(o);
    }

    /// <summary>The comparison's settings with --batch-schedule optimal; null without it (then none of the batch options may be given).</summary>
    public BatchScheduleOptions? Read(ParseResult parse, ScheduleBudgetOptions budget, Problem problem, ScheduleOptimizationOptions search)
    {
        var spec = parse.GetValue(_schedule);
        if (spec is null)
        {
            foreach (var o in new Option[] { _budget, _every, _maxBatch, _knots, _out })
                if (parse.GetResult(o) is { Implicit: false })
                    throw new InvalidInputException($"{o.Name} needs --batch-schedule optimal; without it the batch is --batch at every step.");
            return null;
        }
        if (!spec.Trim().Equals("optimal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidInputException($"--batch-schedule '{spec}' is not supported here; optimize-schedule takes --batch-schedule optimal (with --budget G).");
        if (parse.GetResult(_budget) is null) throw new InvalidInputException("--batch-schedule optimal needs --budget G, the gradient budget in samples.");
        if (parse.GetResult(budget.Steps) is { Implicit: false })
            throw new InvalidInputException("--steps does not apply with --batch-schedule optimal: each batch strategy runs as many steps as --budget pays for.");
        long k = parse.GetValue(_knots);
        if (k < 2 || k > 10_000) throw new InvalidInputException($"--batch-knots {k} is not allowed; use between 2 and 10000 knots.");
        double cap = double.PositiveInfinity;
        if (parse.GetResult(_maxBatch) is not null)
        {
            cap = parse.GetValue(_maxBatch);
            if (!double.IsFinite(cap) || cap < problem.Batch)
                throw new InvalidInputException($"--max-batch {ResultWriter.Text(cap)} is not allowed; the ramps' cap must be a finite batch ≥ --batch ({ResultWriter.Readable(problem.Batch)}).");
        }
        var every = parse.GetValue(_every) is { Length: > 0 } given ? given : null;
        if (every is not null && every.Any(n => n < 1))
            throw new InvalidInputException($"--double-every {every.First(n => n < 1)} is not allowed; a ramp doubles the batch every N ≥ 1 steps.");
        OutputTarget.Validate(parse.GetValue(_out), "--batch-out");
        return new BatchScheduleOptions(search, every, cap, (int)k);
    }

    /// <summary>--budget.</summary>
    public double Budget(ParseResult parse) => parse.GetValue(_budget);

    /// <summary>--batch-out.</summary>
    public string? OutPath(ParseResult parse) => parse.GetValue(_out);

    /// <summary>The baselines at a horizon T: the --schedule list as given, else the defaults for that T.</summary>
    public static Func<int, IReadOnlyList<Schedule?>> Baselines(ParseResult parse, ScheduleBudgetOptions budget, Schedule?[] given) =>
        parse.GetValue(budget.Schedule) is { Length: > 0 } ? _ => given : t => ScheduleBudgetOptions.ParseSchedules(ScheduleBudgetOptions.DefaultSchedules(t));
}
