using ExactDynamics.Schedules;

namespace ExactDynamics.Validation.Simulation;

/// <summary>
/// The optimizer the Monte Carlo simulator runs for a method with or without schedules and modifiers
/// (docs/math.md#monte-carlo): a constant update is <see cref="LinearMethodOptimizer"/> drawing the whole batch B per
/// oracle call; a changing one (schedules, an EMA warm-up, a uniform average, schedule-free SGD) is
/// <see cref="ScheduledMethodOptimizer"/> drawing B_t single samples (run with an oracle batch of 1); a tail average
/// (docs/math.md#tail-averaging) is <see cref="TailAverageOptimizer"/> over the base recursion, whichever of the two
/// that is.
/// </summary>
public static class SimulatedMethod
{
    /// <summary>The batch the simulator's oracle draws per call: B for a constant update, 1 when B_t may change (the
    /// scheduled optimizer then averages B_t single-sample gradients).</summary>
    public static int OracleBatch(ScheduledMethod scheduled, double batch)
    {
        ArgumentNullException.ThrowIfNull(scheduled);
        return scheduled.BaseIsConstant ? ScheduledSimulation.SimulatedBatch(batch) : 1;
    }

    /// <summary>The optimizer for <paramref name="scheduled"/> at base batch <paramref name="batch"/>, simulated in
    /// <paramref name="dimension"/> coordinates to <paramref name="steps"/> with at most <paramref name="threads"/> runs
    /// at once (null: one per core, as <see cref="MonteCarloSimulator.Run"/>).</summary>
    /// <exception cref="InvalidInputException">A tail average whose windows would exceed
    /// <see cref="TailAverageOptimizer.MemoryBudget"/>.</exception>
    public static ISimulatedOptimizer Create(ScheduledMethod scheduled, double batch, int dimension, long steps, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(scheduled);
        bool tail = scheduled.TailFraction is not null;
        ISimulatedOptimizer inner = scheduled.BaseIsConstant
            ? new LinearMethodOptimizer(scheduled.Template.Base, tailBase: tail)
            : new ScheduledMethodOptimizer(scheduled, batch) { TailBase = tail };
        if (scheduled.TailFraction is not double f) return inner;
        TailAverageOptimizer.RequireMemory(dimension, f, steps, threads ?? Environment.ProcessorCount);
        return new TailAverageOptimizer(inner, f);
    }
}
