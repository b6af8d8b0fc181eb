using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// The structured search behind <see cref="Tuner"/> (docs/math.md#tuning): maximise a score (the contraction gap, or minus the
/// iterations to a target) over one family's hyperparameters.
/// <para>
/// Every family is "shape coordinates + a step size". For a fixed shape the stable step sizes form an interval
/// (0, lr_max(shape)); lr_max is a bracketed root of the stability residual at γ = 0 (one pass over the eigenvalues
/// per trial), and the step is searched as lr = lr_max·σ(s) (σ the logistic function), so that every trial point is
/// stable and both ends (tiny steps, and steps within a relative 1e-15 of the edge) are reachable. The best step for
/// a shape is a 1-D maximisation in s (uphill bracket, then Brent). The shape is searched outside that, on coordinates
/// in which the ridges of the landscape are short:
/// </para>
/// <list type="bullet">
/// <item>heavy ball and Nesterov: v = ln(1 − β) ∈ [v_min, 0] (v = 0 is SGD; v_min = ln(1 − β_det) − ln 30 with
/// β_det = ((√κ−1)/(√κ+1))²), by a coarse scan of 9 values and Brent around the best, then once more from the warm
/// start if one is given. Because the step is re-optimised exactly for every β, the narrow ridge in (lr, 1 − β) of
/// large κ (lr ≈ η_eff·(1 − β) below the critical batch) is followed exactly instead of being sampled;</item>
/// <item>ASGD: (v, w) with v = ln(1 − β') for the effective momentum β' = det A = p·α and w = logit(u), u the share of
/// the short step δ in the effective step b₀ = pδ + q(1 − α)·long (u → 0 is heavy ball), step size b₀; a 7 × 6
/// coarse scan, then Nelder–Mead from the best one or two basins (and the warm start), then a Brent polish of each
/// coordinate.</item>
/// </list>
/// For large d the search runs on a compressed spectrum (<see cref="SpectrumCompression"/>); scores are then accurate
/// to about 1e-5 relative, and the tuner reports the exact gap of the method found.
/// </summary>
internal sealed class FamilySearch
{
    private const double SMin = -40, SMax = 36;
    private const double STol = 1e-7, VTol = 1e-5;
    private const double WMin = -14, WMax = 14;
    private double _wMin = WMin, _wMax = WMax;

    /// <summary>Spectra larger than this are compressed for the search.</summary>
    public const int CompressAbove = 2000;
    public const double CompressionEps = 0.02;

    /// <summary>The compressed stand-in of each spectrum, made once (a sweep or critical-batch tunes dozens of times on one spectrum).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Spectra.Spectrum, Tuple<double[], double[]>> CompressedCache = new();

    private readonly SearchGap? _gap;
    private readonly IGapSearch _search;
    private readonly double _lambdaMax;
    private readonly MethodFamily _family;
    private readonly double _small;
    private double _lastGap = double.NaN;

    public FamilySearch(Problem problem, MethodFamily family, double asgdSmall = MethodFamilies.AsgdSmall, bool compress = true)
    {
        Problem = problem;
        _family = family;
        _small = asgdSmall;
        var sp = problem.Spectrum;
        Kappa = sp.Max / sp.Min;
        if (compress && sp.Dimension > CompressAbove)
        {
            var (nodes, weights) = CompressedCache.GetValue(sp, s => SpectrumCompression.Compress(s.Values, CompressionEps).ToTuple()).ToValueTuple();
            _gap = nodes.Length * 3 < sp.Dimension ? new SearchGap(problem, nodes, weights) : new SearchGap(problem);
        }
        else _gap = new SearchGap(problem);
        _search = _gap;
        _lambdaMax = sp.Max;
        Score = GapOf;
    }

    /// <summary>A search on any rate model (e.g. a dataset under a fourth-moment model, docs/math.md#data-rates).</summary>
    public FamilySearch(IRateModel model, MethodFamily family, double asgdSmall = MethodFamilies.AsgdSmall)
    {
        _family = family;
        _small = asgdSmall;
        _lambdaMax = model.MaxEigenvalue;
        Kappa = model.MaxEigenvalue / model.MinEigenvalue;
        _search = model.Search();
        Score = GapOf;
    }

    /// <summary>The spectral problem (null for a search on another <see cref="IRateModel"/>).</summary>
    public Problem? Problem { get; }
    public double Kappa { get; }
    public MethodFamily Family => _family;
    public long GapEvaluations => _gap?.Evaluations ?? 0;
    public long Passes => _gap?.Passes ?? 0;
    public long Residuals => _gap?.Residuals ?? 0;
    public int Nodes => _gap?.Nodes ?? 0;

    /// <summary>The score to maximise (default: the search gap). Must be finite for every stable method.</summary>
    public Func<LinearMethod, double> Score { get; set; }

    /// <summary>Number of score evaluations.</summary>
    public long ScoreEvaluations { get; private set; }

    /// <summary>A point of the search: shape coordinates, step size (lr; b₀ for ASGD), its edge, s, and its score.</summary>
    public sealed record Candidate(double[] Shape, double Lr, double LrMax, double S, double Score);

    // ---------------------------------------------------------------- coordinates → methods

    /// <summary>
    /// Applied to every family method the search builds (docs/math.md#tuning-modifiers: an EMA and/or weight decay on
    /// top); null for none. The stability edge lr_max is always that of the unmodified method: an EMA does not move it
    /// and weight decay only lowers it, so lr = lr_max·σ(s) still reaches every stable step.
    /// </summary>
    public Func<LinearMethod, LinearMethod>? Modify { get; set; }

    public LinearMethod MethodAt(ReadOnlySpan<double> shape, double lr) => Modify is { } modify ? modify(BaseAt(shape, lr)) : BaseAt(shape, lr);

    /// <summary>The family method without <see cref="Modify"/>.</summary>
    public LinearMethod BaseAt(ReadOnlySpan<double> shape, double lr) => _family switch
    {
        MethodFamily.Sgd => Sgd.Create(lr),
        MethodFamily.HeavyBall => HeavyBall.Create(lr, BetaOf(shape[0])),
        MethodFamily.Nesterov => Nesterov.Create(lr, BetaOf(shape[0])),
        MethodFamily.Asgd => AsgdOf(shape, lr),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    public LinearMethod MethodAt(Candidate c) => MethodAt(c.Shape, c.Lr);

    /// <summary>β = 1 − e^v (v ≤ 0), kept below 1.</summary>
    public static double BetaOf(double v) => v >= 0 ? 0 : Math.Min(1 - Math.Exp(v), Math.BitDecrement(1.0));

    private LinearMethod AsgdOf(ReadOnlySpan<double> shape, double b0)
    {
        var (lr, kappa, xi) = AsgdParams(shape, b0);
        return Asgd.Create(lr, kappa, xi, _small);
    }

    /// <summary>
    /// ASGD's (δ, κ̃, ξ) from the search coordinates (v, w) and the step b₀. For a two-state method with c = [1, 0],
    /// the deterministic characteristic polynomial of T(λ) is μ² − (1 + β' − λb₀)μ + β'(1 − λδ): β' = det A = p·α is the
    /// effective momentum, b₀ = pδ + q(1 − α)·long the effective step, δ a Nesterov-like correction. Inverse map:
    /// α = β'(c+1)/(c+β'), 1 − α = c(1 − β')/(c + β'), p = c/(c+1−α), q = 1 − p, u = σ(w), δ = u·b₀/p,
    /// long = (1−u)·b₀/(q(1−α)), κ̃ = c·long/δ, ξ = (1−α)κ̃/c².
    /// </summary>
    public (double Lr, double Kappa, double Xi) AsgdParams(ReadOnlySpan<double> shape, double b0)
    {
        double c = _small;
        double beta = BetaOf(shape[0]);
        double u = Sigmoid(shape[1]);
        double oneMinusAlpha = c * (1 - beta) / (c + beta);
        double p = c / (c + oneMinusAlpha), q = oneMinusAlpha / (c + oneMinusAlpha);
        double delta = u * b0 / p;
        double kappa = c * (1 - u) * p / (u * q * oneMinusAlpha);
        double xi = oneMinusAlpha * kappa / (c * c);
        return (delta, kappa, xi);
    }

    /// <summary>The user-facing hyperparameters of a candidate (names of <see cref="MethodFamilies.ParameterNames"/>).</summary>
    public Dictionary<string, double> Parameters(Candidate c)
    {
        var d = new Dictionary<string, double> { ["lr"] = c.Lr };
        switch (_family)
        {
            case MethodFamily.HeavyBall:
            case MethodFamily.Nesterov:
                d["beta"] = BetaOf(c.Shape[0]);
                break;
            case MethodFamily.Asgd:
                var (l, k, x) = AsgdParams(c.Shape, c.Lr);
                d["lr"] = l; d["kappa"] = k; d["xi"] = x;
                break;
        }
        return d;
    }

    // ---------------------------------------------------------------- evaluation

    /// <summary>The search gap of a method (−1 when it diverges), warm-started from the previous gap.</summary>
    public double GapOf(LinearMethod m)
    {
        // weight decay carries w* as a constant coordinate: the gap is the rate of approach to the limit (dense per direction)
        if (Modify is not null && Problem is not null && m.K > 1 && Spectral.AffineGap.ConstantCoordinates(m).Length > 0)
        {
            var affine = Spectral.ContractionGap.Compute(Problem, m);
            return affine.Diverges ? -1 : affine.Gap;
        }
        double g = _search.Gap(m, _lastGap);
        if (g > 0) _lastGap = g;
        return g;
    }

    private double ScoreOf(LinearMethod m)
    {
        ScoreEvaluations++;
        return Score(m);
    }

    private static double Sigmoid(double s) => s >= 0 ? 1 / (1 + Math.Exp(-s)) : Math.Exp(s) / (1 + Math.Exp(s));

    /// <summary>The largest stable step for a shape (relative precision ~1e-14), from a guess.</summary>
    public double LrMax(double[] shape, double guess)
    {
        if (!(guess > 0) || !double.IsFinite(guess)) guess = 2 / _lambdaMax;
        double Res(double x) => _search.StabilityResidual(BaseAt(shape, Math.Exp(x)));
        double x0 = Math.Log(guess);
        double r0 = Res(x0);
        double lo, hi, flo, fhi;
        double step = 1e-3;
        if (r0 > 0)
        {
            lo = x0; flo = r0;
            while (true)
            {
                double x = lo + step; double r = Res(x);
                if (!(r > 0)) { hi = x; fhi = r; break; }
                lo = x; flo = r; step *= 4;
                if (lo > 700) throw new InvalidOperationException("No stability edge was found for the step size.");
            }
        }
        else
        {
            hi = x0; fhi = r0;
            while (true)
            {
                double x = hi - step; double r = Res(x);
                if (r > 0) { lo = x; flo = r; break; }
                hi = x; fhi = r; step *= 4;
                if (hi < -745) throw new InvalidOperationException("No stable step size was found.");
            }
        }
        double root = Roots.Brent(Res, lo, hi, flo, fhi, 1e-14);
        // a stable point at (or just below) the edge
        double best = Math.Max(lo, root), back = 1e-14;
        for (int i = 0; i < 60 && best > lo && !(Res(best) > 0); i++) { best = Math.Max(lo, best - back); back *= 4; }
        return Math.Exp(best);
    }

    /// <summary>The best step size for a shape: maximise the score over s with lr = lr_max·σ(s).</summary>
    public Candidate BestLr(double[] shape, double sHint = 0, double lrMaxHint = double.NaN, double sStep = 1.0, double sTol = STol)
    {
        double lrMax = LrMax(shape, lrMaxHint);
        var p = Maximize1D.Run(s => ScoreOf(MethodAt(shape, lrMax * Sigmoid(s))), double.IsFinite(sHint) ? sHint : 0, sStep, SMin, SMax, sTol);
        return new Candidate((double[])shape.Clone(), lrMax * Sigmoid(p.X), lrMax, p.X, p.F);
    }

    private Candidate BestLr(double[] shape, Candidate? hint, double sTol = STol)
        => BestLr(shape, hint?.S ?? 0, hint?.LrMax ?? double.NaN, 1.0, sTol);

    // ---------------------------------------------------------------- global search

    /// <summary>The global search; <paramref name="warm"/> (a nearby optimum, e.g. the neighbouring batch size) is an extra start.</summary>
    public Candidate SearchGlobal(Candidate? warm) => _family switch
    {
        MethodFamily.Sgd => BestLr([], warm),
        MethodFamily.HeavyBall or MethodFamily.Nesterov => SearchMomentum(warm),
        MethodFamily.Asgd => SearchAsgd(warm),
        _ => throw new ArgumentOutOfRangeException(nameof(warm)),
    };

    /// <summary>ln(1 − β) of the deterministic heavy-ball optimum β_det = ((√κ−1)/(√κ+1))².</summary>
    public double VDeterministic()
    {
        double sk = Math.Sqrt(Kappa);
        return Math.Log(4 * sk / ((sk + 1) * (sk + 1)));
    }

    private double VMin => Math.Min(VDeterministic(), 0) - Math.Log(30);

    /// <summary>ln(1 − β) is never searched below this (β = 1 − 1e-15).</summary>
    private const double VFloor = -34.5;

    private Candidate SearchMomentum(Candidate? warm)
    {
        double vMin = VMin;
        const int n = 9;
        var cands = new List<Candidate>();
        Candidate? prev = null;
        // scan from β = 0 towards β → 1, each inner search warm-started from the previous one
        for (int j = 0; j < n; j++)
        {
            var c = BestLr([vMin * j / (n - 1)], prev);
            cands.Add(c);
            prev = c;
        }
        var best = cands.MaxBy(c => c.Score)!;
        double spacing = -vMin / (n - 1);
        best = RefineMomentum(best, Math.Max(vMin, best.Shape[0] - spacing), Math.Min(0, best.Shape[0] + spacing), vMin);
        if (warm is not null && warm.Shape.Length == 1)
        {
            // the neighbour's optimum as a second start (another basin, if any)
            var w = BestLr([Math.Clamp(warm.Shape[0], vMin, 0)], warm);
            if (w.Score > best.Score) best = LocalMomentum(w, spacing / 4, vMin);
        }
        // the range of β is a guess (it starts 30 times closer to 1 than the deterministic optimum): when the optimum
        // sits at its end, extend it and walk on
        while (best.Shape[0] <= vMin + 0.05 && vMin > VFloor)
        {
            vMin = Math.Max(VFloor, vMin - Math.Log(30));
            best = LocalMomentum(best, spacing / 4, vMin);
        }
        return best;
    }

    private Candidate RefineMomentum(Candidate start, double a, double c, double vMin)
    {
        Candidate best = start, last = start;
        double F(double v)
        {
            var r = BestLr([v], last);
            last = r;
            if (r.Score > best.Score) best = r;
            return r.Score;
        }
        Maximize1D.Refine(F, a, c, new Maximize1D.Point(start.Shape[0], start.Score), VTol);
        _ = vMin;
        return best;
    }

    private Candidate LocalMomentum(Candidate start, double step, double vMin)
    {
        Candidate best = start, last = start;
        double F(double v)
        {
            var r = BestLr([v], last);
            last = r;
            if (r.Score > best.Score) best = r;
            return r.Score;
        }
        Maximize1D.Run(F, start.Shape[0], step, vMin, 0, VTol, start.Score);
        return best;
    }

    private Candidate SearchAsgd(Candidate? warm)
    {
        double vMin = VMin;
        double[] vs = Enumerable.Range(0, 7).Select(j => vMin * (j + 0.5) / 7).ToArray();
        double[] ws = [-6, -3, -1, 1, 3, 5];
        var all = new List<Candidate>();
        Candidate? prev = null;
        foreach (double w in ws)
        {
            foreach (double v in vs)
            {
                var c = BestLr([v, w], prev, sTol: 1e-4);
                all.Add(c);
                prev = c;
            }
        }
        double top = all.Max(a => a.Score);
        var starts = new List<Candidate>();
        foreach (var c in all.OrderByDescending(c => c.Score))
        {
            if (starts.Count == 2 || c.Score < 0.8 * top) break;
            // distinct basins: not a grid neighbour of an already chosen start
            if (starts.Any(s => Math.Abs(s.Shape[0] - c.Shape[0]) <= -vMin / 7 * 1.01 && Math.Abs(s.Shape[1] - c.Shape[1]) <= 2.01)) continue;
            starts.Add(c);
        }
        if (warm is not null && warm.Shape.Length == 2)
            starts.Add(BestLr([Math.Clamp(warm.Shape[0], vMin, 0), Math.Clamp(warm.Shape[1], WMin, WMax)], warm));
        Candidate best = starts[0];
        foreach (var st in starts)
        {
            var r = RefineAsgd(st, vMin, [-vMin / 14, 1.0], 80);
            if (r.Score > best.Score) best = r;
        }
        // the heavy-ball edge w → −∞ (u → 0): a 1-D search in v there, so that tuned ASGD is never below tuned heavy
        // ball by more than the search tolerance (its optimum can be a cusp that Nelder–Mead approaches slowly)
        var edgeStart = all.Where(c => c.Shape[1] == ws[0]).MaxBy(c => c.Score)!;
        Candidate edge = BestLr([edgeStart.Shape[0], WMin], edgeStart), lastEdge = edge;
        double E(double v)
        {
            var c = BestLr([v, WMin], lastEdge);
            lastEdge = c;
            if (c.Score > edge.Score) edge = c;
            return c.Score;
        }
        Maximize1D.Run(E, edge.Shape[0], -vMin / 28, vMin, 0, VTol, edge.Score);
        if (edge.Score > best.Score) best = RefineAsgd(edge, vMin, [-vMin / 56, 0.5], 40);
        // the box is a guess: when the optimum sits on its v end (β' closer to 1 than 30× the deterministic heavy-ball
        // optimum) or on a w end, extend it and refine again
        for (int round = 0; round < 12; round++)
        {
            bool atV = best.Shape[0] <= vMin + 0.05 && vMin > VFloor;
            bool atW = best.Shape[1] <= _wMin + 0.05 || best.Shape[1] >= _wMax - 0.05;
            if (!atV && !atW) break;
            if (atV) vMin = Math.Max(VFloor, vMin - Math.Log(30));
            if (best.Shape[1] <= _wMin + 0.05) _wMin -= 10;
            if (best.Shape[1] >= _wMax - 0.05) _wMax += 10;
            if (_wMin < -40 || _wMax > 40) break;
            best = RefineAsgd(best, vMin, [0.5, 1.0], 60);
        }
        _wMin = WMin; _wMax = WMax;
        return best;
    }

    /// <summary>Nelder–Mead on (v, w) from a start, then a Brent polish of v and of w.</summary>
    private Candidate RefineAsgd(Candidate start, double vMin, double[] step, int maxEvaluations)
    {
        double[] lo = [vMin, _wMin], hi = [0, _wMax];
        Candidate best = start, last = start;
        double F(double[] x)
        {
            var c = BestLr([x[0], x[1]], last);
            last = c;
            if (c.Score > best.Score) best = c;
            return c.Score;
        }
        NelderMead.Maximize(F, start.Shape, start.Score, step, lo, hi, 1e-3, maxEvaluations);
        for (int k = 0; k < 2; k++)
        {
            var from = best;
            int kk = k;
            double G(double t)
            {
                var x = (double[])from.Shape.Clone();
                x[kk] = t;
                return F(x);
            }
            last = from;
            Maximize1D.Run(G, from.Shape[k], step[k] / 8, lo[k], hi[k], k == 0 ? VTol : 1e-4, from.Score);
        }
        return best;
    }

    // ---------------------------------------------------------------- local search (from a good start)

    /// <summary>A local search from <paramref name="start"/> (used for the iterations objective, started at the gap optimum).</summary>
    public Candidate SearchLocal(Candidate start)
    {
        switch (_family)
        {
            case MethodFamily.Sgd:
                return BestLr([], start.S, start.LrMax, 0.25);
            case MethodFamily.HeavyBall:
            case MethodFamily.Nesterov:
            {
                // the box of the global search, widened to contain the start (which may come from an extended box)
                double vMin = Math.Max(VFloor, Math.Min(VMin, start.Shape[0] - 1));
                var s0 = BestLr(start.Shape, start.S, start.LrMax, 0.25);
                return LocalMomentum(s0, 0.1, vMin);
            }
            case MethodFamily.Asgd:
            {
                double vMin = Math.Max(VFloor, Math.Min(VMin, start.Shape[0] - 1));
                _wMin = Math.Min(WMin, start.Shape[1] - 2);
                _wMax = Math.Max(WMax, start.Shape[1] + 2);
                try
                {
                    var s0 = BestLr(start.Shape, start.S, start.LrMax, 0.25);
                    return RefineAsgd(s0, vMin, [0.1, 0.25], 60);
                }
                finally
                {
                    _wMin = WMin; _wMax = WMax;
                }
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(start));
        }
    }
}
