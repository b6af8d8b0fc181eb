using System.Globalization;
using ExactDynamics.Spectra;

namespace ExactDynamics.Tradeoffs;

/// <summary>Options of <see cref="CriticalBatch.Compute(Problem, MethodFamily, CriticalBatchOptions?)"/>.</summary>
public sealed record CriticalBatchOptions
{
    /// <summary>The fraction f ∈ (0, 1) (default ½).</summary>
    public double Fraction { get; init; } = 0.5;

    /// <summary>Largest batch size searched (default 2^40); beyond it the answer is reported as not found (null).</summary>
    public double MaxBatch { get; init; } = 1L << 40;

    /// <summary>Relative precision of the batch sizes found (default 1e-4).</summary>
    public double RelativeTolerance { get; init; } = 1e-4;

    /// <summary>Options passed to every tuning (the gap objective is always used).</summary>
    public TuneOptions? Tune { get; init; }
}

/// <summary>The critical batch size and deterministic scale of one family (MATH.md §6, CLI.md <c>critical-batch</c>).</summary>
/// <param name="Family">The family.</param>
/// <param name="Fraction">f.</param>
/// <param name="CriticalBatch">The smallest real B &gt; 1 with CE(B) = f·CE(1), CE(B) = gap*(B)/B; null if beyond <see cref="CriticalBatchOptions.MaxBatch"/>.</param>
/// <param name="SmallBatchCe">CE(1) = gap*(1) (tuned gap per sample at B = 1).</param>
/// <param name="DeterministicScale">The B at which gap*(B) = f·gap*(∞); 1 when gap*(1) already exceeds it; null if beyond the maximum batch.</param>
/// <param name="DeterministicGap">gap*(∞), the tuned gap of full-batch gradient descent (closed form for SGD and heavy ball).</param>
/// <param name="Tunings">Number of tunings used.</param>
public sealed record CriticalBatchResult(MethodFamily Family, double Fraction, double? CriticalBatch, double SmallBatchCe,
    double? DeterministicScale, double DeterministicGap, int Tunings)
{
    /// <summary>Every tuning done on the way, (B, tuned gap) sorted by B: the curve behind the two roots (for plots).</summary>
    public IReadOnlyList<(double Batch, double Gap)> Curve { get; init; } = [];
}

/// <summary>
/// Critical batch sizes by root-finding in log B on the tuned gap (MATH.md §6): the smallest B &gt; 1 where the
/// compute efficiency gap*(B)/B has fallen to a fraction f of gap*(1), and the deterministic scale where gap*(B)
/// reaches f·gap*(∞). Brackets are found by doubling B (so "smallest" is the first crossing on that grid), then
/// refined by Brent's method in ln B.
/// </summary>
public static class CriticalBatch
{
    /// <summary>Critical batch size and deterministic scale of one family.</summary>
    public static CriticalBatchResult Compute(Problem problem, MethodFamily family, CriticalBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        options ??= new CriticalBatchOptions();
        double f = options.Fraction;
        if (!double.IsFinite(f) || !(f > 0) || !(f < 1))
            throw new InvalidInputException($"Fraction {Fmt(f)} is not allowed; the fraction f must lie strictly between 0 and 1.");
        if (!(options.MaxBatch > 1) || !double.IsFinite(options.MaxBatch))
            throw new InvalidInputException($"Maximum batch {Fmt(options.MaxBatch)} is not allowed; it must be a finite number above 1.");
        var tuneBase = (options.Tune ?? new TuneOptions()) with { Objective = TuneObjective.Gap, Target = null };
        var cache = new SortedDictionary<double, TuneResult>();
        TuneResult Tuned(double b)
        {
            if (cache.TryGetValue(b, out var r)) return r;
            // warm start from the nearest batch size tuned so far
            TuneResult? warm = null;
            double bestDist = double.PositiveInfinity;
            foreach (var (k, v) in cache)
            {
                double dist = Math.Abs(Math.Log(k / b));
                if (dist < bestDist) { bestDist = dist; warm = v; }
            }
            r = Tuner.Tune(problem.WithBatch(b), family, tuneBase with { WarmStart = warm });
            cache[b] = r;
            return r;
        }

        double g1 = Tuned(1).Gap;
        double ce1 = g1;
        // critical batch: root of ln(gap*(B)/(B·gap*(1))) − ln f in ln B
        double? critical = FirstCrossing(x => Math.Log(Tuned(Math.Exp(x)).Gap / (Math.Exp(x) * g1)) - Math.Log(f),
            0, Math.Log(options.MaxBatch), options.RelativeTolerance, decreasing: true);

        double gInf = DeterministicGap(problem.Spectrum, family, tuneBase, problem);
        double? lnScale = g1 >= f * gInf ? 0 : FirstCrossing(x => Math.Log(Tuned(Math.Exp(x)).Gap / gInf) - Math.Log(f),
            0, Math.Log(options.MaxBatch), options.RelativeTolerance, decreasing: false);
        return new CriticalBatchResult(family, f, critical is double c ? Math.Exp(c) : null, ce1,
            lnScale is double s ? Math.Exp(s) : null, gInf, cache.Count)
        {
            Curve = cache.Select(kv => (kv.Key, kv.Value.Gap)).ToArray(),
        };
    }

    /// <summary>Several families in parallel (one task per family).</summary>
    public static IReadOnlyList<CriticalBatchResult> Compute(Problem problem, IReadOnlyList<MethodFamily> families, CriticalBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        var res = new CriticalBatchResult[families.Count];
        Parallel.For(0, families.Count, i => res[i] = Compute(problem, families[i], options));
        return res;
    }

    /// <summary>
    /// The tuned gap of full-batch gradient descent (B → ∞): exactly 1 − ((κ−1)/(κ+1))² for SGD and
    /// 1 − ((√κ−1)/(√κ+1))² for heavy ball (MATH.md §6); for Nesterov and ASGD, the tuned gap at B = 2^50.
    /// </summary>
    public static double DeterministicGap(Spectrum spectrum, MethodFamily family, TuneOptions? tune = null, Problem? problem = null)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        double kappa = spectrum.Max / spectrum.Min;
        switch (family)
        {
            case MethodFamily.Sgd:
            {
                // 1 − ((κ−1)/(κ+1))² = 4κ/(κ+1)²
                return 4 * kappa / ((kappa + 1) * (kappa + 1));
            }
            case MethodFamily.HeavyBall:
            {
                double s = Math.Sqrt(kappa);
                return 4 * s / ((s + 1) * (s + 1));
            }
            default:
            {
                var p = (problem ?? new Problem(spectrum)).WithBatch(Math.Pow(2, 50));
                return Tuner.Tune(p, family, (tune ?? new TuneOptions()) with { Objective = TuneObjective.Gap, Target = null, WarmStart = null }).Gap;
            }
        }
    }

    /// <summary>
    /// The first crossing of zero of h on [x0, xMax] on a doubling grid (steps of ln 2 in x), refined by Brent;
    /// null when h keeps its starting sign up to xMax. <paramref name="decreasing"/> says which sign h has before the crossing (+ if decreasing).
    /// </summary>
    private static double? FirstCrossing(Func<double, double> h, double x0, double xMax, double tol, bool decreasing)
    {
        double sign = decreasing ? 1 : -1;
        double a = x0, fa = h(x0) * sign;
        if (fa <= 0) return x0;
        double step = Math.Log(2);
        while (true)
        {
            double b = Math.Min(xMax, a + step);
            double fb = h(b) * sign;
            if (fb <= 0) return Roots.Brent(x => h(x) * sign, a, b, fa, fb, tol);
            if (b >= xMax) return null;
            a = b; fa = fb;
        }
    }

    private static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
