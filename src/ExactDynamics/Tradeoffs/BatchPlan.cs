namespace ExactDynamics.Tradeoffs;

/// <summary>
/// The batch sizes of a schedule optimisation (docs/math.md#optimal-batch-schedules): either given per update (e.g. a
/// doubling ramp), or optimised jointly with the learning rate as a monotone ramp that spends a gradient budget exactly,
/// Σ_t B_t = G over the T updates, with B_t ≥ B_min (see <see cref="MonotoneBatchShape"/>).
/// </summary>
public sealed record BatchPlan
{
    private BatchPlan(double[]? given, double budget, double minBatch, int knots)
    {
        Given = given;
        Budget = budget;
        MinBatch = minBatch;
        Knots = knots;
    }

    /// <summary>The batch of every update when it is given (null when it is optimised).</summary>
    public IReadOnlyList<double>? Given { get; }

    /// <summary>G = Σ_t B_t, the gradient budget in samples, of an optimised ramp (NaN when the batches are given).</summary>
    public double Budget { get; }

    /// <summary>B_min, the smallest batch an optimised ramp may use.</summary>
    public double MinBatch { get; }

    /// <summary>Knots of the optimised ramp's log-batch shape (uniform in t).</summary>
    public int Knots { get; }

    /// <summary>True when the batch ramp is optimised.</summary>
    public bool IsOptimised => Given is null;

    /// <summary>The batch B_t of every update t = 0 … T − 1, as given (each a finite number ≥ 1).</summary>
    /// <exception cref="InvalidInputException">A batch is not a finite number ≥ 1.</exception>
    public static BatchPlan Of(IReadOnlyList<double> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int t = 0; t < batch.Count; t++)
            if (!double.IsFinite(batch[t]) || batch[t] < 1)
                throw new InvalidInputException($"The batch size of step {t} is {batch[t]}; it must be a finite number ≥ 1.");
        return new BatchPlan(batch.ToArray(), double.NaN, batch.Count == 0 ? 1 : batch.Min(), 0);
    }

    /// <summary>A monotone ramp B_t ≥ <paramref name="minBatch"/> with Σ_t B_t = <paramref name="budget"/>, optimised with the learning rate.</summary>
    /// <exception cref="InvalidInputException">The budget, smallest batch or knot count is out of range.</exception>
    public static BatchPlan Ramp(double budget, double minBatch, int knots = 16)
    {
        if (!double.IsFinite(minBatch) || minBatch < 1)
            throw new InvalidInputException($"A smallest batch of {minBatch} is not allowed; it must be a finite number ≥ 1.");
        if (!double.IsFinite(budget) || budget < minBatch)
            throw new InvalidInputException($"A gradient budget of {budget} samples is not allowed; it must be finite and at least one batch ({minBatch}).");
        if (knots < 2) throw new InvalidInputException($"{knots} batch knots is not allowed; the batch ramp needs at least 2 knots.");
        return new BatchPlan(null, budget, minBatch, knots);
    }
}
