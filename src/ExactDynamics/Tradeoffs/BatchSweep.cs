using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ExactDynamics.Methods;

namespace ExactDynamics.Tradeoffs;

/// <summary>Options of <see cref="BatchSweep.Run(Problem, IReadOnlyList{MethodFamily}, IReadOnlyList{double}, SweepOptions?)"/>.</summary>
public sealed record SweepOptions
{
    /// <summary>Target risk ε: when given, each row has the exact iterations T(B) to ε and CE = 1/(B·T(B)).</summary>
    public double? Target { get; init; }

    /// <summary>Objective of each tuning (default: gap; <see cref="TuneObjective.Iterations"/> needs a target).</summary>
    public TuneObjective Objective { get; init; } = TuneObjective.Gap;

    /// <summary>Step limit of the exact iteration counts.</summary>
    public long MaxSteps { get; init; } = Targets.IterationsToTarget.DefaultMaxSteps;

    /// <summary>Maximum number of tunings run at once (default: the processor count).</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>
    /// Batch sizes are tuned in runs of this many consecutive values, each run in order with every tuning
    /// warm-started from the previous batch size's optimum; runs (and families) go in parallel. Fixed, so that the
    /// results do not depend on the number of cores.
    /// </summary>
    public int RunLength { get; init; } = 4;

    /// <summary>Reports each finished tuning (completed count, total, the row).</summary>
    public IProgress<SweepProgress>? Progress { get; init; }

    /// <summary>Options passed to every tuning (objective, target and warm start are set by the sweep).</summary>
    public TuneOptions? Tune { get; init; }

    /// <summary>Cancels the sweep between tunings.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>Progress of a sweep.</summary>
public sealed record SweepProgress(int Completed, int Total, SweepRow Row);

/// <summary>One tuned (family, batch size) of a sweep (docs/math.md#batch-size-tradeoffs).</summary>
/// <param name="Family">The family.</param>
/// <param name="Batch">The batch size B.</param>
/// <param name="Tuned">The tuning.</param>
public sealed record SweepRow(MethodFamily Family, double Batch, TuneResult Tuned)
{
    /// <summary>The tuned contraction gap.</summary>
    public double Gap => Tuned.Gap;

    /// <summary>Serial runtime T(B): exact iterations to the target (null without a target, or when not reached).</summary>
    public long? Iterations => Tuned.Iterations?.Exact;

    /// <summary>
    /// Compute efficiency: 1/(B·T(B)) with a target (null if T was not reached); without a target, the asymptotic
    /// CE per unit of log-risk reduction, gap/B (docs/math.md#batch-size-tradeoffs: CE ∝ gap(B)/B).
    /// </summary>
    public double? Ce => Tuned.Iterations is null
        ? Gap / Batch
        : Iterations is long t && t > 0 ? 1.0 / (Batch * t) : Iterations == 0 ? double.PositiveInfinity : null;

    /// <summary>Total gradient cost B·T(B) (null without a target or when not reached).</summary>
    public double? Gradients => Iterations is long t ? Batch * t : null;

    /// <summary>The tuned method's spec string.</summary>
    public string Method => Tuned.Spec;
}

/// <summary>
/// Tunes several families over a grid of batch sizes (docs/math.md#batch-size-tradeoffs), in parallel over families and runs of batch sizes,
/// each tuning warm-started from its smaller neighbour's optimum.
/// </summary>
public static class BatchSweep
{
    /// <summary>Tunes every family at every batch size.</summary>
    /// <param name="problem">The problem (its batch size is replaced by each grid value).</param>
    /// <param name="families">The families.</param>
    /// <param name="batches">The batch sizes (each ≥ 1).</param>
    /// <param name="options">Target, objective, parallelism and progress; null for the defaults.</param>
    /// <returns>Rows ordered by family (as given) then batch size (ascending).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">A batch size or option is out of range.</exception>
    public static IReadOnlyList<SweepRow> Run(Problem problem, IReadOnlyList<MethodFamily> families, IReadOnlyList<double> batches,
        SweepOptions? options = null)
        => Run(new SpectralRates(problem ?? throw new ArgumentNullException(nameof(problem))), families, batches, options);

    /// <summary>Tunes every family at every batch size of any rate model (e.g. a dataset under a fourth-moment model,
    /// docs/math.md#data-rates); as <see cref="Run(Problem, IReadOnlyList{MethodFamily}, IReadOnlyList{double}, SweepOptions?)"/>.</summary>
    /// <param name="problem">The rate model (its batch size is replaced by each grid value).</param>
    /// <param name="families">The families.</param>
    /// <param name="batches">The batch sizes (each ≥ 1).</param>
    /// <param name="options">Target, objective, parallelism and progress; null for the defaults.</param>
    /// <returns>Rows ordered by family (as given) then batch size (ascending).</returns>
    public static IReadOnlyList<SweepRow> Run(IRateModel problem, IReadOnlyList<MethodFamily> families, IReadOnlyList<double> batches,
        SweepOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(batches);
        options ??= new SweepOptions();
        if (families.Count == 0) throw new InvalidInputException("No method family was given; give at least one of sgd, hb, nesterov, asgd.");
        if (batches.Count == 0) throw new InvalidInputException("No batch size was given; give at least one batch size ≥ 1.");
        foreach (var b in batches)
            if (!double.IsFinite(b) || b < 1)
                throw new InvalidInputException($"Batch size {b.ToString("R", CultureInfo.InvariantCulture)} is not allowed; batch sizes must be at least 1.");
        if (options.RunLength < 1) throw new InvalidInputException($"Run length {options.RunLength} is not allowed; it must be at least 1.");
        var fams = families.Distinct().ToArray();
        var bs = batches.Distinct().OrderBy(b => b).ToArray();
        var baseTune = (options.Tune ?? new TuneOptions()) with { Objective = options.Objective, Target = options.Target, MaxSteps = options.MaxSteps };
        if (baseTune.Objective == TuneObjective.Iterations && baseTune.Target is null)
            throw new InvalidInputException("The iterations objective needs a target risk ε.");

        var work = new List<(MethodFamily Family, int Start, int End)>();
        foreach (var f in fams)
            for (int s = 0; s < bs.Length; s += options.RunLength)
                work.Add((f, s, Math.Min(bs.Length, s + options.RunLength)));
        // the slowest families first
        work = work.OrderByDescending(w => Cost(w.Family)).ThenBy(w => w.Start).ToList();

        var results = new ConcurrentDictionary<(MethodFamily, int), SweepRow>();
        int total = fams.Length * bs.Length, done = 0;
        var po = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
            CancellationToken = options.Cancellation,
        };
        Parallel.ForEach(work, po, w =>
        {
            TuneResult? prev = null;
            for (int i = w.Start; i < w.End; i++)
            {
                po.CancellationToken.ThrowIfCancellationRequested();
                var tuned = Tuner.Tune(problem.WithBatch(bs[i]), w.Family, baseTune with { WarmStart = prev });
                prev = tuned;
                var row = new SweepRow(w.Family, bs[i], tuned);
                results[(w.Family, i)] = row;
                int n = Interlocked.Increment(ref done);
                options.Progress?.Report(new SweepProgress(n, total, row));
            }
        });
        var rows = new List<SweepRow>(total);
        foreach (var f in fams)
            for (int i = 0; i < bs.Length; i++) rows.Add(results[(f, i)]);
        return rows;
    }

    private static int Cost(MethodFamily f) => f switch
    {
        MethodFamily.Asgd => 3,
        MethodFamily.HeavyBall or MethodFamily.Nesterov => 2,
        _ => 1,
    };

    /// <summary>
    /// Parses a batch grid: a comma-separated list (<c>1,2,4,100</c>), a power-of-two range <c>1..4096</c>
    /// (1, 2, 4, …, 4096; the ends must be powers of two), or a mix (<c>1..64,100,1000</c>).
    /// </summary>
    /// <param name="spec">The grid text.</param>
    /// <returns>The batch sizes, ascending, without duplicates.</returns>
    /// <exception cref="InvalidInputException">The text is not such a grid.</exception>
    public static IReadOnlyList<double> ParseBatches(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var list = new List<double>();
        foreach (var raw in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int dots = raw.IndexOf("..", StringComparison.Ordinal);
            if (dots >= 0)
            {
                long lo = ParseInt(raw[..dots], spec), hi = ParseInt(raw[(dots + 2)..], spec);
                if (!IsPow2(lo) || !IsPow2(hi) || hi < lo)
                    throw new InvalidInputException($"Batch range '{raw}' is not allowed; a range lo..hi lists the powers of two from lo to hi, so both ends must be powers of two with lo ≤ hi (e.g. 1..4096).");
                for (long b = lo; b <= hi; b *= 2) list.Add(b);
            }
            else list.Add(ParseInt(raw, spec));
        }
        if (list.Count == 0) throw new InvalidInputException($"Batch list '{spec}' is empty; give batch sizes like 1,2,4 or 1..4096.");
        return list.Distinct().OrderBy(b => b).ToList();
    }

    private static bool IsPow2(long x) => x >= 1 && (x & (x - 1)) == 0;

    private static long ParseInt(string s, string spec)
    {
        if (!long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < 1 || v > (1L << 40))
            throw new InvalidInputException($"Batch size '{s.Trim()}' in '{spec}' is not allowed; batch sizes must be integers from 1 to 2^40.");
        return v;
    }
}
