using ExactDynamics.Schedules;

namespace ExactDynamics.Tradeoffs;

/// <summary>Settings of <see cref="BatchSchedules.Compare"/>.</summary>
/// <param name="Search">The learning-rate search of every strategy (knots, iterations, search bins, tuning range, tail fraction).</param>
/// <param name="DoubleEvery">The doubling intervals N of the ramps compared (null: T₀/4, T₀/16 and T₀/64 with T₀ = ⌊G/B_min⌋).</param>
/// <param name="MaxBatch">The ramps' cap M (absolute batch; +∞ = uncapped).</param>
/// <param name="BatchKnots">Knots of the optimised ramp's log-batch shape.</param>
/// <param name="MaxConstantBatches">Most constant batches B_min·2^j compared.</param>
public sealed record BatchScheduleOptions(ScheduleOptimizationOptions? Search = null, IReadOnlyList<long>? DoubleEvery = null,
    double MaxBatch = double.PositiveInfinity, int BatchKnots = 16, int MaxConstantBatches = 16);

/// <summary>One batch strategy at the gradient budget, with its learning-rate schedule optimised (all risks exact).</summary>
/// <param name="Name">e.g. <c>constant B=8</c>, <c>ramp ×2 every 500</c>, <c>optimal ramp</c>.</param>
/// <param name="Kind">constant, ramp or optimal.</param>
/// <param name="Steps">T, the serial steps the budget pays for.</param>
/// <param name="GradientCost">Σ_t B_t (samples; ≤ the budget).</param>
/// <param name="FirstBatch">B_0.</param>
/// <param name="LastBatch">B_{T−1}.</param>
/// <param name="ConstantLrRisk">E L_T with the best constant learning rate (NaN for the optimal ramp, whose batches come with its own schedule).</param>
/// <param name="Schedule">The optimised learning-rate schedule with these batches (its <see cref="OptimizedSchedule.Batch"/> holds B_t; its baselines are the tuned families).</param>
public sealed record BatchStrategy(string Name, string Kind, int Steps, double GradientCost, double FirstBatch, double LastBatch,
    double ConstantLrRisk, OptimizedSchedule Schedule)
{
    /// <summary>E L_T with the optimised learning-rate schedule (exact).</summary>
    public double FinalRisk => Schedule.FinalRisk;

    /// <summary>B_t for t = 0 … T − 1.</summary>
    public double[] Batch => Schedule.Batch!;
}

/// <summary>The result of <see cref="BatchSchedules.Compare"/>.</summary>
/// <param name="Budget">G (samples).</param>
/// <param name="MinBatch">B_min: the smallest constant batch, the ramps' first batch and the optimal ramp's floor.</param>
/// <param name="Constants">Constant batches B_min·2^j, each for ⌊G/B⌋ steps.</param>
/// <param name="Ramps">Doubling ramps from B_min for as many steps as the budget pays for.</param>
/// <param name="Optimal">The optimal monotone ramp (or the best constant batch when no ramp beats it).</param>
/// <param name="OptimalIsConstant">True when no ramp searched beat the best constant batch, which is then reported as the optimum.</param>
public sealed record BatchScheduleComparison(double Budget, double MinBatch, IReadOnlyList<BatchStrategy> Constants, IReadOnlyList<BatchStrategy> Ramps,
    BatchStrategy Optimal, bool OptimalIsConstant)
{
    /// <summary>The constant batch with the lowest E L_T (optimised learning rate).</summary>
    public BatchStrategy BestConstant => Constants.MinBy(c => c.FinalRisk)!;
}

/// <summary>
/// Batch-size schedules at a fixed gradient budget G = Σ_t B_t (docs/math.md#optimal-batch-schedules), every strategy with
/// its learning-rate schedule optimised by <see cref="ScheduleOptimizer"/> (the same search, exact risks): constant batches
/// B = B_min·2^j for ⌊G/B⌋ steps; the doubling ramps of <see cref="BatchRamp"/> (B_t = B_min·min(M/B_min, 2^⌊t/N⌋) while
/// Σ B_t ≤ G); and the optimal monotone ramp — for T in the best constant batch's ⌊G/B⌋ and its two neighbours on the grid,
/// B_t = B_min + (G/T − B_min)·e^{h_t}/mean(e^h) with h non-decreasing (<see cref="MonotoneBatchShape"/>, Σ B_t = G exactly),
/// searched jointly with the learning rate from that constant batch's optimal learning rates. The reported optimum is never
/// worse than the best constant batch: if no ramp beats it, it is that batch.
/// </summary>
public static class BatchSchedules
{
    /// <summary>The constant-batch grid stops after a batch whose optimised E L_T is this many times the best so far.</summary>
    public const double StopFactor = 4;

    /// <summary>Every strategy at the gradient budget <paramref name="budget"/>, each with its optimised learning-rate schedule, and the optimal ramp.</summary>
    /// <param name="problem">The problem; its batch is B_min.</param>
    /// <param name="family">The method for a base learning rate.</param>
    /// <param name="budget">G ≥ B_min (samples).</param>
    /// <param name="baselines">The learning-rate baselines tuned at a horizon T (e.g. constant, step, cosine, WSD for that T).</param>
    /// <param name="options">Search settings, ramps and grid.</param>
    /// <exception cref="InvalidInputException">The budget, ramp intervals, cap or knots are out of range.</exception>
    public static BatchScheduleComparison Compare(Problem problem, Func<double, MethodTemplate> family, double budget,
        Func<int, IReadOnlyList<Schedule?>> baselines, BatchScheduleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(baselines);
        options ??= new BatchScheduleOptions();
        var search = options.Search ?? new ScheduleOptimizationOptions();
        double bmin = problem.Batch;
        if (!double.IsFinite(budget) || budget < bmin)
            throw new InvalidInputException($"A gradient budget of {F(budget)} samples is not allowed; it must be finite and at least one batch ({F(bmin)}).");
        if (budget / bmin > BatchRamp.MaxSteps)
            throw new InvalidInputException($"A gradient budget of {F(budget)} samples at batch {F(bmin)} would take more than the {BatchRamp.MaxSteps} steps allowed; lower the budget or raise the batch.");
        if (double.IsNaN(options.MaxBatch) || options.MaxBatch < bmin)
            throw new InvalidInputException($"A largest batch of {F(options.MaxBatch)} is not allowed; the ramps' cap must be at least the smallest batch ({F(bmin)}).");
        if (options.MaxConstantBatches < 1) throw new InvalidInputException($"{options.MaxConstantBatches} constant batches is not allowed; compare at least 1.");
        var plan = BatchPlan.Ramp(budget, bmin, options.BatchKnots); // validates the knots before any work
        double limit = budget * (1 + 1e-12); // Σ B_t = G exactly is not lost to the rounding of the sum

        var constants = new List<BatchStrategy>();
        for (double b = bmin; constants.Count < options.MaxConstantBatches; b *= 2)
        {
            int steps = (int)Math.Floor(limit / b);
            if (steps < 1) break;
            var atB = new Problem(problem.Spectrum, problem.InitialArray, b, problem.Kurtosis, problem.Noise);
            var r = ScheduleOptimizer.Optimize(atB, family, steps, baselines(steps), search);
            var batch = Enumerable.Repeat(b, steps).ToArray();
            constants.Add(new BatchStrategy($"constant B={F(b)}", "constant", steps, b * steps, b, b, ConstantLr(r), r with { Batch = batch }));
            if (r.FinalRisk > StopFactor * constants.Min(c => c.FinalRisk)) break; // larger batches only get worse
        }

        var ramps = new List<BatchStrategy>();
        long t0 = (long)Math.Floor(limit / bmin);
        var every = options.DoubleEvery ?? new[] { t0 / 4, t0 / 16, t0 / 64 }.Where(n => n >= 1).Distinct().ToArray();
        foreach (long n in every)
        {
            if (n < 1) throw new InvalidInputException($"A doubling interval of {n} steps is not allowed; a ramp doubles the batch every N ≥ 1 steps.");
            var schedule = Schedule.Step(n, 2, options.MaxBatch / bmin);
            var batch = new List<double>();
            double cost = 0;
            for (long t = 0; ; t++)
            {
                double bt = bmin * schedule.Value(t);
                if (cost + bt > limit) break;
                cost += bt;
                batch.Add(bt);
            }
            int steps = batch.Count;
            var r = ScheduleOptimizer.Optimize(problem, family, steps, baselines(steps), search, BatchPlan.Of(batch));
            string cap = double.IsPositiveInfinity(options.MaxBatch) ? "" : $" up to {F(options.MaxBatch)}";
            ramps.Add(new BatchStrategy($"ramp ×2 every {n}{cap}", "ramp", steps, cost, batch[0], batch[^1], ConstantLr(r), r));
        }

        // the optimal ramp: at the horizons of the best constant batch, its two neighbours and every ramp, each started from
        // that strategy's optimal learning rates (and a ramp's batches)
        int best = constants.IndexOf(constants.MinBy(c => c.FinalRisk)!);
        var starts = constants.Skip(Math.Max(0, best - 1)).Take(best == 0 ? 2 : 3).Concat(ramps)
            .Where(c => budget / c.Steps > bmin) // else the mean batch is the floor: no room for a ramp
            .DistinctBy(c => c.Steps).ToList();
        BatchStrategy? optimal = null;
        foreach (var c in starts)
        {
            var r = ScheduleOptimizer.Optimize(problem, family, c.Steps, [null], search, plan, c.Schedule.Lr, c.Kind == "ramp" ? c.Batch : null);
            if (optimal is null || r.FinalRisk < optimal.FinalRisk)
                optimal = new BatchStrategy("optimal ramp", "optimal", c.Steps, r.Batch!.Sum(), r.Batch![0], r.Batch![^1], double.NaN, r);
        }
        var bestConstant = constants[best];
        bool isConstant = optimal is null || !(optimal.FinalRisk < bestConstant.FinalRisk);
        if (isConstant) optimal = bestConstant;
        return new BatchScheduleComparison(budget, bmin, constants, ramps, optimal!, isConstant);
    }

    private static double ConstantLr(OptimizedSchedule r) => r.Baselines.FirstOrDefault(b => b.Schedule is null)?.FinalRisk ?? double.NaN;

    private static string F(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
