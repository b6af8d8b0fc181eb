using System.Globalization;

namespace ExactDynamics.Schedules;

/// <summary>
/// A schedule: the value used for the update from step t to step t + 1 (t = 0, 1, 2, …), as a multiple of a
/// method's base value (<see cref="IsAbsolute"/> false) or as the absolute value itself (a <c>value</c> file).
/// <para>Conventions (documented in docs/schedules.md):</para>
/// <list type="bullet">
/// <item><c>constant</c>: 1.</item>
/// <item><c>step:every=N,factor=F[,max=M]</c>: min(M, F^⌊t/N⌋) (F &gt; 1 ramps up, e.g. a batch-size doubling ramp capped at M).</item>
/// <item><c>cosine:steps=T[,floor=F]</c>: F + (1 − F)·½(1 + cos(π t/T)) for t &lt; T, then F (PyTorch's CosineAnnealingLR; the
/// first update uses the full value, the last one before T a value just above F).</item>
/// <item><c>linear-warmup:steps=W</c> (or <c>warmup:W</c>): min(1, (t + 1)/W) — the first update already moves (1/W), update
/// W − 1 uses the full value.</item>
/// <item><c>warmup:W+DECAY</c>: the warmup for t &lt; W, then DECAY with its clock started after the warmup, DECAY(t − W).</item>
/// <item><c>wsd:warmup=W,stable=S,decay=D[,floor=F]</c>: linear warmup for t &lt; W, 1 for W ≤ t &lt; W + S, then a linear decay
/// F + (1 − F)(1 − j/D) at j = t − W − S &lt; D, then F (default 0).</item>
/// <item><c>inverse-sqrt[:tau=τ]</c>: 1/√(1 + t/τ) (τ = 1 by default: η/√(t + 1)); compose with a warmup as
/// <c>warmup:W+inverse-sqrt:tau=W</c>.</item>
/// <item><c>file:PATH.csv</c>: row t for update t (the last row repeated); header <c>multiplier</c> or <c>value</c>.</item>
/// </list>
/// </summary>
public abstract class Schedule
{
    /// <summary>The value for the update t → t + 1, t ≥ 0.</summary>
    public abstract double Value(long t);

    /// <summary>A spec string that the command line's schedule parser reads back to this schedule.</summary>
    public abstract string Spec { get; }

    /// <summary>True when the values are absolute (a <c>value</c> file), false when they multiply the base value.</summary>
    public virtual bool IsAbsolute => false;

    /// <summary>The first step from which the value never changes again; null if it keeps changing forever.</summary>
    public abstract long? ConstantFrom { get; }

    /// <summary>lim_{t→∞} Value(t): 0 for a decay to zero, +∞ for an unbounded ramp.</summary>
    public abstract double Limit { get; }

    /// <summary>True for the constant schedule (every value is 1, a multiplier).</summary>
    public bool IsIdentity => this is ConstantSchedule;

    /// <summary>The spec string.</summary>
    /// <returns><see cref="Spec"/>.</returns>
    public override string ToString() => Spec;

    internal static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ factories

    /// <summary>The value 1 at every step.</summary>
    public static Schedule Constant { get; } = new ConstantSchedule();

    /// <summary>F^⌊t/N⌋, capped at <paramref name="max"/> (a multiplier; +∞ = no cap).</summary>
    public static Schedule Step(long every, double factor, double max = double.PositiveInfinity)
    {
        if (double.IsNaN(max) || !(max > 0))
            throw new InvalidInputException($"step: max={F(max)} is not allowed; the cap must be a positive multiplier such as 16.");
        if (every < 1) throw new InvalidInputException($"step: every={every} is not allowed; it must be a whole number of steps ≥ 1.");
        if (!double.IsFinite(factor) || !(factor > 0))
            throw new InvalidInputException($"step: factor={F(factor)} is not allowed; it must be a positive finite number (below 1 decays, above 1 ramps up).");
        return new StepSchedule(every, factor, max);
    }

    /// <summary>F + (1 − F)·½(1 + cos(π t/T)) for t &lt; T, then F.</summary>
    public static Schedule Cosine(long steps, double floor = 0)
    {
        if (steps < 1) throw new InvalidInputException($"cosine: steps={steps} is not allowed; it must be a whole number of steps ≥ 1.");
        RequireFloor(floor, "cosine");
        return new CosineSchedule(steps, floor);
    }

    /// <summary>min(1, (t + 1)/W).</summary>
    public static Schedule LinearWarmup(long steps)
    {
        if (steps < 1) throw new InvalidInputException($"linear-warmup: steps={steps} is not allowed; it must be a whole number of steps ≥ 1.");
        return new WarmupSchedule(steps);
    }

    /// <summary>A linear warmup over <paramref name="warmupSteps"/> steps, then <paramref name="decay"/> with its clock started after it.</summary>
    public static Schedule WarmupThen(long warmupSteps, Schedule decay)
    {
        ArgumentNullException.ThrowIfNull(decay);
        if (warmupSteps < 1) throw new InvalidInputException($"warmup: {warmupSteps} steps is not allowed; the warmup must last at least 1 step.");
        if (decay.IsAbsolute) throw new InvalidInputException("warmup:W+file:… is not allowed with a 'value' file; a warmup multiplies the base value, so use a 'multiplier' file after it.");
        if (decay is WarmupThenSchedule) throw new InvalidInputException("A schedule can have one warmup only; write warmup:W+DECAY with a single decay after the plus.");
        return new WarmupThenSchedule(warmupSteps, decay);
    }

    /// <summary>Warmup–stable–decay: linear warmup (W), constant 1 (S), linear decay to <paramref name="floor"/> (D), then the floor.</summary>
    public static Schedule Wsd(long warmup, long stable, long decay, double floor = 0)
    {
        if (warmup < 0 || stable < 0 || decay < 1)
            throw new InvalidInputException($"wsd: warmup={warmup}, stable={stable}, decay={decay} is not allowed; warmup and stable must be ≥ 0 and decay ≥ 1 steps.");
        RequireFloor(floor, "wsd");
        return new WsdSchedule(warmup, stable, decay, floor);
    }

    /// <summary>1/√(1 + t/τ).</summary>
    public static Schedule InverseSqrt(double tau = 1)
    {
        if (!double.IsFinite(tau) || !(tau > 0))
            throw new InvalidInputException($"inverse-sqrt: tau={F(tau)} is not allowed; it must be a positive finite number of steps.");
        return new InverseSqrtSchedule(tau);
    }

    /// <summary>Row t for update t, the last row repeated; <paramref name="absolute"/> for a <c>value</c> file.</summary>
    public static Schedule FromValues(IReadOnlyList<double> values, bool absolute, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new InvalidInputException("A schedule file must hold at least one row.");
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]) || values[i] < 0)
                throw new InvalidInputException($"Schedule row {i + 1} is {F(values[i])}; every value must be a finite number ≥ 0.");
        return new TableSchedule(values.ToArray(), absolute, source);
    }

    private static void RequireFloor(double floor, string family)
    {
        if (!double.IsFinite(floor) || floor < 0 || floor > 1)
            throw new InvalidInputException($"{family}: floor={F(floor)} is not allowed; it must lie in [0, 1] (a fraction of the base value).");
    }

    // ------------------------------------------------------------------ kinds

    private sealed class ConstantSchedule : Schedule
    {
        public override double Value(long t) => 1;
        public override string Spec => "constant";
        public override long? ConstantFrom => 0;
        public override double Limit => 1;
    }

    private sealed class StepSchedule(long every, double factor, double max) : Schedule
    {
        public override double Value(long t) => Math.Min(max, Math.Pow(factor, t / every));
        public override string Spec => $"step:every={every},factor={F(factor)}" + (double.IsPositiveInfinity(max) ? "" : $",max={F(max)}");

        public override long? ConstantFrom
        {
            get
            {
                if (factor == 1 || max <= 1) return 0;
                if (factor < 1 || double.IsPositiveInfinity(max)) return null;
                long n = 0; // first period whose value reaches the cap
                while (Math.Pow(factor, n) < max) n++;
                return n * every;
            }
        }

        public override double Limit => factor < 1 ? 0 : factor == 1 ? Math.Min(1, max) : max;
    }

    private sealed class CosineSchedule(long steps, double floor) : Schedule
    {
        public override double Value(long t) => t >= steps ? floor : floor + (1 - floor) * 0.5 * (1 + Math.Cos(Math.PI * t / steps));
        public override string Spec => floor == 0 ? $"cosine:steps={steps}" : $"cosine:steps={steps},floor={F(floor)}";
        public override long? ConstantFrom => steps;
        public override double Limit => floor;
    }

    private sealed class WarmupSchedule(long steps) : Schedule
    {
        public long Steps => steps;
        public override double Value(long t) => t + 1 >= steps ? 1 : (t + 1) / (double)steps;
        public override string Spec => $"linear-warmup:steps={steps}";
        public override long? ConstantFrom => steps - 1;
        public override double Limit => 1;
    }

    private sealed class WarmupThenSchedule(long warmup, Schedule decay) : Schedule
    {
        public override double Value(long t) => t < warmup ? (t + 1) / (double)warmup : decay.Value(t - warmup);
        public override string Spec => $"warmup:{warmup}+{decay.Spec}";
        public override long? ConstantFrom => decay.ConstantFrom is long c ? warmup + c : null;
        public override double Limit => decay.Limit;
    }

    private sealed class WsdSchedule(long warmup, long stable, long decay, double floor) : Schedule
    {
        public override double Value(long t)
        {
            if (t < warmup) return (t + 1) / (double)warmup;
            long j = t - warmup - stable;
            if (j < 0) return 1;
            if (j >= decay) return floor;
            return floor + (1 - floor) * (1 - j / (double)decay);
        }

        public override string Spec => $"wsd:warmup={warmup},stable={stable},decay={decay}" + (floor == 0 ? "" : $",floor={F(floor)}");
        public override long? ConstantFrom => warmup + stable + decay;
        public override double Limit => floor;
    }

    private sealed class InverseSqrtSchedule(double tau) : Schedule
    {
        public override double Value(long t) => 1 / Math.Sqrt(1 + t / tau);
        public override string Spec => tau == 1 ? "inverse-sqrt" : $"inverse-sqrt:tau={F(tau)}";
        public override long? ConstantFrom => null;
        public override double Limit => 0;
    }

    private sealed class TableSchedule(double[] values, bool absolute, string? source) : Schedule
    {
        public override double Value(long t) => values[t < values.Length ? t : values.Length - 1];
        public override string Spec => source is null ? $"file:(inline, {values.Length} rows)" : $"file:{source}";
        public override bool IsAbsolute => absolute;
        public override long? ConstantFrom
        {
            get
            {
                long from = values.Length - 1;
                while (from > 0 && values[from - 1] == values[^1]) from--;
                return from;
            }
        }

        public override double Limit => values[^1];
    }
}
