using System.Globalization;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
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

    /// <summary>
    /// Parallelism (default: the number of processors). 1 runs every tuning on the calling thread; above 1 a family's
    /// grid is tuned two batch sizes at a time alongside its B → ∞ tuning and its two refinements run together (up to
    /// three tunings at once per family), and up to this many families run at once. The result does not depend on it.
    /// </summary>
    public int? MaxDegreeOfParallelism { get; init; }
}

/// <summary>The critical batch size and deterministic scale of one family (docs/math.md#critical-batch, docs/cli.md#critical-batch).</summary>
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

    /// <summary>
    /// The tuned method at the critical batch (its hyperparameters, spec and gap at B = <see cref="CriticalBatch"/>);
    /// null when the critical batch is beyond the maximum.
    /// </summary>
    public TuneResult? CriticalTuning { get; init; }
}

/// <summary>
/// Critical batch sizes by root-finding in log B on the tuned gap (docs/math.md#critical-batch): the smallest B &gt; 1 where the
/// compute efficiency gap*(B)/B has fallen to a fraction f of gap*(1), and the deterministic scale where gap*(B)
/// reaches f·gap*(∞). Brackets are found by doubling B (so "smallest" is the first crossing on that grid), then
/// refined by Brent's method in ln B.
/// </summary>
public static class CriticalBatch
{
    /// <summary>Critical batch size and deterministic scale of one family.</summary>
    /// <remarks>
    /// The doubling grid B = 1, 2, 4, … is tuned globally, two batch sizes at a time (B = 2^j warm-started from
    /// 2^(j−2), so that the pair runs in parallel), while the deterministic gap (for Nesterov and ASGD a tuning at
    /// B = 2^50) is computed alongside; the grid stops once both crossings are bracketed. The two brackets are then
    /// refined by Brent's method in ln B, in parallel, each point tuned by local searches from the optima at both ends
    /// of its bracket (the better of the two). Every dependency is fixed in advance, so the result does not depend on
    /// the number of threads.
    /// </remarks>
    /// <param name="problem">The problem (its batch size is ignored).</param>
    /// <param name="family">The family.</param>
    /// <param name="options">Fraction f, largest batch, parallelism and tuning settings; null for the defaults.</param>
    /// <returns>The critical batch and deterministic scale (null beyond the largest batch) and the tuned curve behind them.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">An option is out of range (e.g. f outside (0, 1)).</exception>
    public static CriticalBatchResult Compute(Problem problem, MethodFamily family, CriticalBatchOptions? options = null)
        => Compute(new SpectralRates(problem ?? throw new ArgumentNullException(nameof(problem))), family, options);

    /// <summary>Critical batch size and deterministic scale of one family on any rate model (e.g. a dataset under a
    /// fourth-moment model, docs/math.md#data-rates); as <see cref="Compute(Problem, MethodFamily, CriticalBatchOptions?)"/>.</summary>
    /// <param name="problem">The rate model (its batch size is ignored).</param>
    /// <param name="family">The family.</param>
    /// <param name="options">As for a spectral problem.</param>
    /// <returns>The critical batch and deterministic scale (null beyond the largest batch) and the tuned curve behind them.</returns>
    public static CriticalBatchResult Compute(IRateModel problem, MethodFamily family, CriticalBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        options ??= new CriticalBatchOptions();
        Validate(options);
        double f = options.Fraction;
        var tuneBase = (options.Tune ?? new TuneOptions()) with { Objective = TuneObjective.Gap, Target = null, WarmStart = null, LocalStarts = null };
        bool parallel = (options.MaxDegreeOfParallelism ?? Environment.ProcessorCount) > 1;
        double lnF = Math.Log(f), xMax = Math.Log(options.MaxBatch), ln2 = Math.Log(2);
        int lastJ = Math.Max(1, (int)Math.Ceiling(xMax / ln2 - 1e-12));
        double BatchAt(int j) => j == 0 ? 1 : j < lastJ ? Math.Pow(2, j) : options.MaxBatch;

        // the deterministic gap, alongside the grid
        Task<double>? gInfTask = parallel ? Task.Run(() => DeterministicGap(problem, family, tuneBase)) : null;
        double? gInfValue = null;
        double GInf() => gInfValue ??= gInfTask is null ? DeterministicGap(problem, family, tuneBase) : gInfTask.GetAwaiter().GetResult();

        // the doubling grid, tuned in pairs: 2^j warm-starts from 2^(j−2) (2 from 1), so both members of a pair
        // depend only on earlier pairs
        var grid = new List<TuneResult>();
        double g1 = double.NaN;
        TuneResult TuneGrid(int j) => Tuner.Tune(problem.WithBatch(BatchAt(j)), family,
            tuneBase with { WarmStart = j == 0 ? null : grid[Math.Max(0, j - 2)] });
        double HCritical(TuneResult r) => Math.Log(r.Gap / (r.Batch * g1)) - lnF;   // > 0 before the crossing, then ≤ 0
        double HScale(TuneResult r) => lnF - Math.Log(r.Gap / GInf());               // the same signs
        // the scale is looked for once the critical batch is bracketed (so that the B → ∞ tuning can run alongside the
        // grid until then), on all grid points so far, then on each new one: the grid computed does not depend on timing
        int critJ = -1, scaleJ = -1, scaleChecked = 0;
        void CheckScale()
        {
            for (; scaleJ < 0 && scaleChecked < grid.Count; scaleChecked++)
                if (HScale(grid[scaleChecked]) <= 0) scaleJ = scaleChecked;
        }
        try
        {
            grid.Add(TuneGrid(0));
            g1 = grid[0].Gap;
            for (int j = 1; (critJ < 0 || scaleJ < 0) && j <= lastJ; j += 2)
            {
                int n = Math.Min(2, lastJ - j + 1);
                var pair = new TuneResult[n];
                if (n == 2 && parallel)
                {
                    int jj = j;
                    Both(() => pair[0] = TuneGrid(jj), () => pair[1] = TuneGrid(jj + 1));
                }
                else for (int i = 0; i < n; i++) pair[i] = TuneGrid(j + i);
                foreach (var r in pair)
                {
                    grid.Add(r);
                    if (critJ < 0 && HCritical(r) <= 0) critJ = grid.Count - 1;
                }
                if (critJ >= 0) CheckScale();
            }
            CheckScale();
        }
        finally
        {
            // a failed grid must not leave the B → ∞ tuning's outcome unobserved
            if (gInfValue is null) gInfTask?.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }
        double gInf = GInf();

        // Brent in ln B inside each bracket (the two in parallel), each point tuned locally from both ends
        var extra = new List<TuneResult>[] { [], [] };
        double? Refine(int jHi, Func<TuneResult, double> h, List<TuneResult> log)
        {
            if (jHi < 0) return null;
            if (jHi == 0) return 0;
            var lo = grid[jHi - 1]; var hi = grid[jHi];
            double Eval(double x)
            {
                var r = Tuner.Tune(problem.WithBatch(Math.Exp(x)), family, tuneBase with { LocalStarts = [lo, hi] });
                log.Add(r);
                return h(r);
            }
            double xa = Math.Log(lo.Batch), xb = Math.Log(hi.Batch), fa = h(lo), fb = h(hi);
            // relative tolerance in B is absolute in ln B — except in the first bracket, whose lower end is B = 1 (x = 0):
            // there it is taken relative to the root's size (secant estimate), so that B − 1 is resolved and B > 1
            double tol = options.RelativeTolerance;
            if (xa == 0) tol *= Math.Min(1, Math.Max(1e-12, xb * fa / (fa - fb)));
            return Roots.Brent(Eval, xa, xb, fa, fb, tol);
        }
        double? critical = null, lnScale = null;
        void RunCritical() => critical = Refine(critJ, HCritical, extra[0]);
        void RunScale() => lnScale = Refine(scaleJ, HScale, extra[1]);
        if (parallel) Both(RunCritical, RunScale);
        else { RunCritical(); RunScale(); }

        var curve = grid.Concat(extra[0]).Concat(extra[1]).GroupBy(r => r.Batch).Select(g => g.First()).OrderBy(r => r.Batch).ToArray();
        // the tuning at the critical batch: Brent returns a point it evaluated; tune it afresh only if not (never expected)
        TuneResult? atCritical = null;
        if (critical is double xc)
        {
            double bc = Math.Exp(xc);
            atCritical = extra[0].Concat(grid).FirstOrDefault(r => r.Batch == bc)
                ?? Tuner.Tune(problem.WithBatch(bc), family, tuneBase with { LocalStarts = [grid[Math.Max(0, critJ - 1)], grid[critJ]] });
        }
        return new CriticalBatchResult(family, f, critical is double c ? Math.Exp(c) : null, g1,
            lnScale is double s ? Math.Exp(s) : null, gInf, curve.Length)
        {
            Curve = curve.Select(r => (r.Batch, r.Gap)).ToArray(),
            CriticalTuning = atCritical,
        };
    }

    /// <summary>Several families in parallel (one task per family).</summary>
    /// <param name="problem">The problem (its batch size is ignored).</param>
    /// <param name="families">The families.</param>
    /// <param name="options">As in <see cref="Compute(Problem, MethodFamily, CriticalBatchOptions?)"/>.</param>
    /// <returns>One result per family, in the order given.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">An option is out of range.</exception>
    public static IReadOnlyList<CriticalBatchResult> Compute(Problem problem, IReadOnlyList<MethodFamily> families, CriticalBatchOptions? options = null)
        => Compute(new SpectralRates(problem ?? throw new ArgumentNullException(nameof(problem))), families, options);

    /// <summary>Several families in parallel on any rate model (one task per family).</summary>
    /// <param name="problem">The rate model (its batch size is ignored).</param>
    /// <param name="families">The families.</param>
    /// <param name="options">As in <see cref="Compute(Problem, MethodFamily, CriticalBatchOptions?)"/>.</param>
    /// <returns>One result per family, in the order given.</returns>
    public static IReadOnlyList<CriticalBatchResult> Compute(IRateModel problem, IReadOnlyList<MethodFamily> families, CriticalBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(families);
        Validate(options ?? new CriticalBatchOptions());
        var res = new CriticalBatchResult[families.Count];
        var po = new ParallelOptions { MaxDegreeOfParallelism = options?.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        try
        {
            Parallel.For(0, families.Count, po, i => res[i] = Compute(problem, families[i], options));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            RethrowInner(e);
        }
        return res;
    }

    /// <summary>
    /// The tuned gap of full-batch gradient descent (B → ∞): exactly 1 − ((κ−1)/(κ+1))² for SGD and
    /// 1 − ((√κ−1)/(√κ+1))² for heavy ball (docs/math.md#closed-form-gaps); for Nesterov and ASGD, the tuned gap at B = 2^50.
    /// </summary>
    public static double DeterministicGap(Spectrum spectrum, MethodFamily family, TuneOptions? tune = null, Problem? problem = null)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        double kappa = spectrum.Max / spectrum.Min;
        // a fixed EMA adds the eigenvalue τ² (and τ·eig T_i, never larger than max(τ², ρ)): gap ≤ 1 − τ² at every B
        double emaCap = tune?.Modifiers is { TuneEma: false, Ema: > 0 } m ? 1 - m.Ema * m.Ema : 1;
        switch (family)
        {
            case MethodFamily.Sgd:
            {
                // 1 − ((κ−1)/(κ+1))² = 4κ/(κ+1)²
                return Math.Min(emaCap, 4 * kappa / ((kappa + 1) * (kappa + 1)));
            }
            case MethodFamily.HeavyBall:
            {
                double s = Math.Sqrt(kappa);
                return Math.Min(emaCap, 4 * s / ((s + 1) * (s + 1)));
            }
            default:
            {
                var p = (problem ?? new Problem(spectrum)).WithBatch(Math.Pow(2, 50));
                return Tuner.Tune(p, family, (tune ?? new TuneOptions()) with { Objective = TuneObjective.Gap, Target = null, WarmStart = null }).Gap;
            }
        }
    }

    /// <summary>gap*(∞) of a rate model: as B → ∞ every model's map tends to the deterministic one on the eigenvalues
    /// of H, so the closed forms hold for SGD and heavy ball; otherwise the tuned gap at B = 2^50.</summary>
    private static double DeterministicGap(IRateModel model, MethodFamily family, TuneOptions tune)
    {
        if (model is SpectralRates s) return DeterministicGap(s.Problem.Spectrum, family, tune, s.Problem);
        if (family is MethodFamily.Sgd or MethodFamily.HeavyBall)
            return DeterministicGap(Spectrum.FromValues([model.MaxEigenvalue, model.MinEigenvalue], "extremes"), family);
        return Tuner.Tune(model.WithBatch(Math.Pow(2, 50)), family, tune with { Objective = TuneObjective.Gap, Target = null, WarmStart = null }).Gap;
    }

    /// <summary>
    /// The first crossing of zero of h on [x0, xMax] on a doubling grid (steps of ln 2 in x), refined by Brent;
    /// null when h keeps its starting sign up to xMax. <paramref name="decreasing"/> says which sign h has before the crossing (+ if decreasing).
    /// </summary>
    internal static double? FirstCrossing(Func<double, double> h, double x0, double xMax, double tol, bool decreasing)
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

    private static void Validate(CriticalBatchOptions options)
    {
        double f = options.Fraction;
        if (!double.IsFinite(f) || !(f > 0) || !(f < 1))
            throw new InvalidInputException($"Fraction {Fmt(f)} is not allowed; the fraction f must lie strictly between 0 and 1.");
        if (!(options.MaxBatch > 1) || !double.IsFinite(options.MaxBatch))
            throw new InvalidInputException($"Maximum batch {Fmt(options.MaxBatch)} is not allowed; it must be a finite number above 1.");
        if (options.MaxDegreeOfParallelism is int mdop && mdop < 1)
            throw new InvalidInputException($"Thread count {mdop} is not allowed; it must be at least 1.");
    }

    /// <summary>Runs two actions at once; an exception of either is rethrown as it is (not wrapped).</summary>
    private static void Both(Action a, Action b)
    {
        var task = Task.Run(b);
        try { a(); }
        finally
        {
            try { task.Wait(); }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1) { RethrowInner(e); }
        }
    }

    /// <summary>Rethrows the one failure of parallel work as it was thrown (a library caller sees its own exception type).</summary>
    private static void RethrowInner(AggregateException e) =>
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();

    private static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
