using ExactDynamics.Schedules;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// The learning-rate schedule a schedule-aware batch-size tradeoff tunes at every batch size
/// (docs/math.md#schedule-aware-critical-batch): its shape scales with the horizon T, its peak learning rate (and, for
/// heavy ball and Nesterov, the momentum) is tuned.
/// </summary>
public enum ScheduleShape
{
    /// <summary>A constant learning rate.</summary>
    Constant,
    /// <summary>Warmup–stable–decay without warmup: full rate for the first 80 % of the updates, then linear to 0 (docs/math.md#schedule-tuning).</summary>
    Wsd,
    /// <summary>Cosine decay to 0 over the horizon.</summary>
    Cosine,
    /// <summary>The optimal schedule of docs/math.md#optimal-schedules, started from the tuned WSD.</summary>
    Optimal,
}

/// <summary>Names and horizon-scaled schedules of <see cref="ScheduleShape"/>.</summary>
public static class ScheduleShapes
{
    /// <summary>The name used by the CLI and the output (<c>constant</c>, <c>wsd</c>, <c>cosine</c>, <c>optimal</c>).</summary>
    public static string Name(this ScheduleShape shape) => shape switch
    {
        ScheduleShape.Wsd => "wsd",
        ScheduleShape.Cosine => "cosine",
        ScheduleShape.Optimal => "optimal",
        _ => "constant",
    };

    /// <summary>Parses <c>constant</c>, <c>wsd</c>, <c>cosine</c> or <c>optimal</c> (case-insensitive).</summary>
    /// <exception cref="InvalidInputException">Another name.</exception>
    public static ScheduleShape Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "constant" => ScheduleShape.Constant,
            "wsd" => ScheduleShape.Wsd,
            "cosine" => ScheduleShape.Cosine,
            "optimal" => ScheduleShape.Optimal,
            _ => throw new InvalidInputException($"Schedule shape '{name.Trim()}' is not known; the schedule shape must be constant, wsd, cosine or optimal."),
        };
    }

    /// <summary>
    /// The multiplier schedule of a shape at horizon T: null for constant; <c>wsd:warmup=0,stable=T−D,decay=D</c> with
    /// D = max(1, ⌊T/5⌋) for WSD (and as the start of the optimal schedule); <c>cosine:steps=T</c> for cosine — the
    /// defaults of docs/math.md#schedule-tuning.
    /// </summary>
    /// <exception cref="InvalidInputException">T &lt; 1.</exception>
    public static Schedule? At(this ScheduleShape shape, long steps)
    {
        if (steps < 1) throw new InvalidInputException($"A horizon of {steps} steps is not allowed; the horizon must be at least 1 step.");
        long decay = Math.Max(1, steps / 5);
        return shape switch
        {
            ScheduleShape.Constant => null,
            ScheduleShape.Cosine => Schedule.Cosine(steps),
            _ => Schedule.Wsd(0, steps - decay, decay),
        };
    }
}
