using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;

namespace ExactDynamics.Cli.Commands;

/// <summary>The scheduled risk curve for <c>risk</c>, with the last finite step appended when a divergent run overflows.</summary>
internal static class ScheduledRisk
{
    public static RiskTrajectory Run(Problem problem, ScheduledMethod scheduled, long steps, long every)
    {
        var r = ScheduledRecursion.Run(problem, scheduled, steps, every);
        if (!r.Overflowed) return r;
        var state = new ScheduledRecursion.Stepper(problem, scheduled);
        long t = 0;
        double last = state.Risk;
        while (t < steps)
        {
            state.Step();
            if (!double.IsFinite(state.Risk)) break;
            t++;
            last = state.Risk;
        }
        if (t <= r.Steps[^1]) return r;
        return r with { Steps = [.. r.Steps, t], Risk = [.. r.Risk, last] };
    }
}
