using ExactDynamics.Methods;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// A family's tuned gap as a function of batch size, gap*(B) (docs/math.md#batch-size-tradeoffs), extended to a
/// common range: figures that compare families (e.g. their critical batches) draw every family over the same B.
/// </summary>
public static class TunedCurve
{
    /// <summary>
    /// <paramref name="curve"/> (points (B, gap*(B)) sorted by B, e.g. <see cref="CriticalBatchResult.Curve"/>) with
    /// tunings added at the powers of two above its largest B, up to and including the first one ≥ <paramref name="upTo"/>
    /// (each warm-started from the previous one). The points already there are kept as they are.
    /// </summary>
    public static IReadOnlyList<(double Batch, double Gap)> Extend(Problem problem, MethodFamily family,
        IReadOnlyList<(double Batch, double Gap)> curve, double upTo, TuneOptions? options = null)
        => Extend(new SpectralRates(problem ?? throw new ArgumentNullException(nameof(problem))), family, curve, upTo, options);

    /// <summary>As <see cref="Extend(Problem, MethodFamily, IReadOnlyList{ValueTuple{double, double}}, double, TuneOptions?)"/> on any rate model (docs/math.md#data-rates).</summary>
    public static IReadOnlyList<(double Batch, double Gap)> Extend(IRateModel problem, MethodFamily family,
        IReadOnlyList<(double Batch, double Gap)> curve, double upTo, TuneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(curve);
        var result = curve.OrderBy(p => p.Batch).ToList();
        double last = result.Count > 0 ? result[^1].Batch : 0;
        if (!(upTo > last) || !double.IsFinite(upTo)) return result;
        var tune = (options ?? new TuneOptions()) with { Objective = TuneObjective.Gap, Target = null, WarmStart = null };
        TuneResult? previous = null;
        for (double b = Math.Pow(2, Math.Floor(Math.Log2(Math.Max(1, last))) + 1); ; b *= 2)
        {
            if (b <= last) continue;
            previous = Tuner.Tune(problem.WithBatch(b), family, tune with { WarmStart = previous });
            result.Add((b, previous.Gap));
            if (b >= upTo) break;
        }
        return result;
    }
}
