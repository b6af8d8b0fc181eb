using ExactDynamics.Schedules;

namespace ExactDynamics.Cli.Options;

/// <summary>What <c>simulate</c> says about a scheduled run.</summary>
internal static class ScheduledSimulationNotes
{
    /// <summary>The first step ≤ <paramref name="steps"/> whose B_t is not a whole number (the simulator rounds it), or null.</summary>
    public static long? RoundedBatch(ScheduledMethod scheduled, double baseBatch, long steps)
    {
        if (scheduled.BatchSchedule is null) return baseBatch == Math.Floor(baseBatch) ? null : 0;
        for (long t = 0; t < steps; t++)
        {
            double b = scheduled.BatchAt(t, baseBatch);
            if (b != Math.Floor(b)) return t;
        }
        return null;
    }
}
