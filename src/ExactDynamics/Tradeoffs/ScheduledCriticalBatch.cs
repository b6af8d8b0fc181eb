using ExactDynamics.Numerics;
using System.Collections.Concurrent;
using ExactDynamics.Methods;

namespace ExactDynamics.Tradeoffs;

/// <summary>Options of the schedule-aware batch-size tradeoffs (docs/math.md#schedule-aware-critical-batch).</summary>
public sealed record ScheduledBatchOptions
{
    /// <summary>The fixed budget of gradients G = B·T (samples); exactly one of <see cref="Budget"/> and <see cref="Target"/>.</summary>
    public double? Budget { get; init; }

    /// <summary>The target risk ε: each batch size takes the fewest gradients B·T to reach it.</summary>
    public double? Target { get; init; }

    /// <summary>The fraction f ∈ (0, 1) (default ½).</summary>
    public double Fraction { get; init; } = 0.5;

    /// <summary>Largest batch size searched (default 2^40; never above the budget, where T would be 0).</summary>
    public double MaxBatch { get; init; } = 1L << 40;

    /// <summary>Precision of the critical batch in ln B (default 1e-3).</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>The schedule tuned at each batch size.</summary>
    public TunedScheduleOptions Schedule { get; init; } = new();

    /// <summary>Points (or families) tuned at once (default: the processor count). The results do not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Reports each finished point of a sweep.</summary>
    public IProgress<ScheduledBatchPoint>? Progress { get; init; }
}

/// <summary>One batch size of a schedule-aware tradeoff.</summary>
/// <param name="Family">The family.</param>
/// <param name="Batch">The batch size B.</param>
/// <param name="Tuned">The tuned schedule at B (at the budget's horizon ⌊G/B⌋, or the fewest steps to the target); null when the target is not reached within the step limit.</param>
/// <param name="Efficiency">CE(B) (docs/math.md#schedule-aware-critical-batch): ln(E L_0/E L_T)/(B·T) at a budget, 1/(B·T) at a target (0 when not reached).</param>
public sealed record ScheduledBatchPoint(MethodFamily Family, double Batch, TunedBatchSchedule? Tuned, double Efficiency);

/// <summary>The schedule-aware critical batch of one family.</summary>
/// <param name="Family">The family.</param>
/// <param name="Shape">The schedule shape.</param>
/// <param name="Fraction">f.</param>
/// <param name="CriticalBatch">The smallest real B &gt; 1 with CE(B) = f·CE(1); null beyond the largest batch searched.</param>
/// <param name="SmallBatchEfficiency">CE(1).</param>
/// <param name="AtCritical">The tuned schedule at the critical batch (null when there is none).</param>
/// <param name="Curve">Every batch size evaluated on the way, sorted by B.</param>
public sealed record ScheduledCriticalBatchResult(MethodFamily Family, ScheduleShape Shape, double Fraction, double? CriticalBatch,
    double SmallBatchEfficiency, ScheduledBatchPoint? AtCritical, IReadOnlyList<ScheduledBatchPoint> Curve);

/// <summary>
/// Batch-size tradeoffs with a tuned learning-rate schedule at every batch size (docs/math.md#schedule-aware-critical-batch).
/// At a fixed budget of G gradients, batch B runs T = ⌊G/B⌋ updates with the schedule tuned for that horizon and
/// CE(B) = ln(E L_0/E L_T)/(B·T), the log-risk reduction bought per gradient (→ gap*(B)/B of the constant case as G → ∞);
/// at a target ε, CE(B) = 1/(B·T(B)) with T(B) the fewest updates to ε. The critical batch is defined as in the
/// constant case (docs/math.md#critical-batch): the smallest B &gt; 1 with CE(B) = f·CE(1), bracketed on B = 1, 2, 4, …
/// and refined by Brent's method in ln B (<see cref="CriticalBatch"/>'s crossing search).
/// </summary>
public static class ScheduledCriticalBatch
{
    /// <summary>
    /// CE(B): at a budget, ln(L₀/L_T)/(B·T) (the log-risk reduction per gradient spent); at a target, 1/(B·T) (+∞ when T = 0).
    /// </summary>
    /// <param name="batch">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="initialRisk">E L_0.</param>
    /// <param name="finalRisk">E L_T.</param>
    /// <param name="atTarget">True for the target definition.</param>
    public static double Efficiency(double batch, long steps, double initialRisk, double finalRisk, bool atTarget) =>
        atTarget ? (steps == 0 ? double.PositiveInfinity : 1 / (batch * steps)) : Math.Log(initialRisk / finalRisk) / (batch * steps);

    /// <summary>The tuned schedule and CE at one batch size.</summary>
    /// <exception cref="InvalidInputException">Neither or both of budget and target; a budget below B; as <see cref="BatchScheduleTuning"/>.</exception>
    public static ScheduledBatchPoint Point(Problem problem, MethodFamily family, double batch, ScheduledBatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var p = problem.WithBatch(batch);
        if (options.Budget is double g)
        {
            long steps = (long)Math.Floor(g / batch);
            if (steps < 1)
                throw new InvalidInputException($"A budget of {MethodFamilies.Fmt(g)} gradients is not allowed at batch size {MethodFamilies.Fmt(batch)}; the budget must be at least one batch.");
            var r = BatchScheduleTuning.AtHorizon(p, family, steps, options.Schedule);
            return new ScheduledBatchPoint(family, batch, r, Efficiency(batch, steps, r.InitialRisk, r.FinalRisk, false));
        }
        var t = BatchScheduleTuning.ToTarget(p, family, options.Target!.Value, options.Schedule);
        return new ScheduledBatchPoint(family, batch, t, t is null ? 0 : Efficiency(batch, t.Steps, t.InitialRisk, t.FinalRisk, true));
    }

    /// <summary>Every family at every batch size (in parallel; each point is tuned on its own, so the results do not depend on the order).</summary>
    /// <returns>Points ordered by family (as given) then batch size (ascending).</returns>
    /// <exception cref="InvalidInputException">No family or batch, a batch below 1, or as <see cref="Point"/>.</exception>
    public static IReadOnlyList<ScheduledBatchPoint> Sweep(Problem problem, IReadOnlyList<MethodFamily> families, IReadOnlyList<double> batches,
        ScheduledBatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        if (families.Count == 0) throw new InvalidInputException("No method family was given; give at least one of sgd, hb, nesterov.");
        if (batches.Count == 0 || batches.Any(b => !double.IsFinite(b) || b < 1))
            throw new InvalidInputException("A batch size below 1 (or none) was given; batch sizes must be at least 1.");
        var fams = families.Distinct().ToArray();
        var bs = batches.Distinct().OrderBy(b => b).ToArray();
        RequireHorizon(problem, options, bs[0], fams.Length * bs.Length);
        var work = fams.SelectMany(f => bs.Select(b => (f, b))).ToArray();
        var results = new ScheduledBatchPoint[work.Length];
        Run(work.Length, options.MaxDegreeOfParallelism, i =>
        {
            results[i] = Point(problem, work[i].f, work[i].b, options);
            options.Progress?.Report(results[i]);
        });
        return results;
    }

    /// <summary>The schedule-aware critical batch of one family: the smallest B &gt; 1 with CE(B) = f·CE(1).</summary>
    /// <exception cref="InvalidInputException">An option out of range, or as <see cref="Point"/>.</exception>
    public static ScheduledCriticalBatchResult Compute(Problem problem, MethodFamily family, ScheduledBatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        RequireHorizon(problem, options, 1, 16);
        double maxBatch = Math.Min(options.MaxBatch, options.Budget ?? double.PositiveInfinity);
        var points = new ConcurrentDictionary<double, ScheduledBatchPoint>();
        ScheduledBatchPoint At(double b) => points.GetOrAdd(b, x => Point(problem, family, x, options));
        double ce1 = At(1).Efficiency;
        if (!(ce1 > 0) || !double.IsFinite(ce1))
            throw new InvalidInputException($"The compute efficiency at batch size 1 is {MethodFamilies.Fmt(ce1)}; the tuned schedule must lower the risk at B = 1 for a critical batch to exist.");
        double f = options.Fraction;
        double? x = maxBatch > 1
            ? CriticalBatch.FirstCrossing(lnB => At(BatchAt(lnB, maxBatch)).Efficiency / ce1 - f, 0, Math.Log(maxBatch), options.Tolerance, decreasing: true)
            : null;
        double? bc = x is double v ? BatchAt(v, maxBatch) : null;
        return new ScheduledCriticalBatchResult(family, options.Schedule.Shape, f, bc, ce1, bc is double c ? At(c) : null,
            points.Values.OrderBy(p => p.Batch).ToArray());
    }

    /// <summary>Several families, in parallel (one task per family).</summary>
    public static IReadOnlyList<ScheduledCriticalBatchResult> Compute(Problem problem, IReadOnlyList<MethodFamily> families, ScheduledBatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(options);
        var res = new ScheduledCriticalBatchResult[families.Count];
        Run(families.Count, options.MaxDegreeOfParallelism, i => res[i] = Compute(problem, families[i], options));
        return res;
    }

    /// <summary>B = e^x, exactly the grid's power of two or the maximum where x is one (so that the grid's points are reused).</summary>
    private static double BatchAt(double lnB, double maxBatch)
    {
        double b = Math.Exp(lnB), r = Math.Round(Math.Log2(b));
        if (Math.Abs(Math.Log2(b) - r) < 1e-12) b = Math.Pow(2, r);
        return Math.Abs(lnB - Math.Log(maxBatch)) < 1e-12 ? maxBatch : Math.Min(b, maxBatch);
    }

    private static void Run(int n, int? threads, Action<int> body)
    {
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount };
        try { Parallel.For(0, n, po, body); }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>Refuses, before any work, a budget whose horizon ⌊G/B⌋ at the smallest batch exceeds the step limit of
    /// the schedule tuning (<see cref="TunedScheduleOptions.MaxSteps"/>), or whose tunings would take more than
    /// <see cref="CostEstimate.RefuseSeconds"/> (about 200 exact runs of the horizon on the search bins per tuned point).</summary>
    private static void RequireHorizon(Problem problem, ScheduledBatchOptions options, double smallestBatch, int points)
    {
        if (options.Budget is not double g) return;
        double steps = Math.Floor(g / smallestBatch);
        if (steps > options.Schedule.MaxSteps)
            throw new InvalidInputException(
                $"A budget of {MethodFamilies.Fmt(g)} gradients gives {MethodFamilies.Fmt(steps)} steps at batch size {MethodFamilies.Fmt(smallestBatch)}, " +
                $"more than the {options.Schedule.MaxSteps} steps a schedule is tuned over; lower the budget (or raise the step limit).");
        int bins = Math.Min(problem.Spectrum.Dimension, options.Schedule.SearchBins);
        CostEstimate.Require(points * 200 * CostEstimate.SteppingSeconds(2, bins, steps),
            $"tuning a schedule over {MethodFamilies.Fmt(steps)} steps at {points} batch sizes", "lower the budget or raise the smallest batch size");
    }

    private static void Validate(ScheduledBatchOptions options)
    {
        if ((options.Budget is null) == (options.Target is null))
            throw new InvalidInputException("A schedule-aware batch tradeoff needs exactly one of a gradient budget and a target risk.");
        if (options.Budget is double g && (!double.IsFinite(g) || !(g >= 1)))
            throw new InvalidInputException($"A budget of {MethodFamilies.Fmt(g)} gradients is not allowed; the budget must be a finite number of at least 1 gradient.");
        double f = options.Fraction;
        if (!double.IsFinite(f) || !(f > 0) || !(f < 1))
            throw new InvalidInputException($"Fraction {MethodFamilies.Fmt(f)} is not allowed; the fraction f must lie strictly between 0 and 1.");
        if (!(options.MaxBatch > 1) || !double.IsFinite(options.MaxBatch))
            throw new InvalidInputException($"Maximum batch {MethodFamilies.Fmt(options.MaxBatch)} is not allowed; it must be a finite number above 1.");
        if (!(options.Tolerance > 0)) throw new InvalidInputException($"Tolerance {MethodFamilies.Fmt(options.Tolerance)} is not allowed; it must be positive.");
        if (options.MaxDegreeOfParallelism is int m && m < 1) throw new InvalidInputException($"Thread count {m} is not allowed; it must be at least 1.");
    }
}
