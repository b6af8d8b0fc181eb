using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// The part of <see cref="Tuner"/> that handles an EMA and weight decay on the tuned family and the final-risk objective
/// (docs/math.md#tuning-modifiers). The family's hyperparameters are searched by the same <see cref="FamilySearch"/>
/// (its <see cref="FamilySearch.Modify"/> puts the modifiers on every trial method):
/// <list type="bullet">
/// <item>gap objective, fixed τ (no decay): the global gap search on the (k+1)-state EMA method itself (a constant
/// linear method);</item>
/// <item>iterations and final-risk objectives: the global gap search of the unmodified family gives the start, then a
/// local search of the objective with the modifiers on (the crossing time of ε as for the unmodified iterations
/// objective, or −ln E L_T);</item>
/// <item>tuned τ, F and/or λ: an outer search over x = ln(1 − τ) (or x = ln F for a tail average, F snapped to
/// n_T/T) and y = ln λ — a coarse scan (9 points for one coordinate, 5 × 5 for two), then Brent (one) or Nelder–Mead
/// (two) around the best — re-tuning only the step at every outer point (warm-started from the previous one, the shape
/// kept), then the full local search of the family's hyperparameters once at the optimum. Tuned λ is also compared with
/// λ = 0 (no decay), which wins when decay does not help.</item>
/// </list>
/// A tail average (docs/math.md#tuned-tail-fraction) takes the final-risk objective only; its reported gap is that of
/// the averaged iterates' recursion.
/// </summary>
internal static class ModifiedTuning
{
    /// <summary>The score of a run whose risk overflows (every finite −ln E L_T is above it).</summary>
    private const double Overflowed = -2000;

    /// <summary>Refuses objective/modifier combinations that have no meaning, with one sentence.</summary>
    public static void Validate(TuneOptions o)
    {
        var m = o.Modifiers ?? TuneModifiers.None;
        m.Validate();
        if (o.Objective == TuneObjective.FinalRisk && !(o.Steps >= 1))
            throw new InvalidInputException("The final-risk objective needs a budget of at least 1 step.");
        if (o.Objective == TuneObjective.Gap && m.TuneEma)
            throw new InvalidInputException("An EMA never increases the contraction gap, so the gap objective would tune its decay τ to 0; tune τ for the iterations to a target or the final risk at a budget, or fix it.");
        if (o.Objective == TuneObjective.Gap && m.HasDecay)
            throw new InvalidInputException("With weight decay the gap is the rate of approach to a limit that itself depends on the decay λ, so it is not a tuning objective; tune for the iterations to a target or the final risk at a budget.");
        if (o.Objective != TuneObjective.FinalRisk && m.HasTail)
            throw new InvalidInputException(TailNeedsBudget);
    }

    /// <summary>Why a tail average is tuned for the final risk at a budget only (one sentence).</summary>
    public const string TailNeedsBudget =
        "A tail average is the mean of the last fraction F of a run of known length T, so it is tuned for the final risk after a budget of T steps: " +
        "the gap belongs to one constant recursion, which an average whose window moves with the horizon is not, and a target leaves no fixed length for F to be a fraction of.";

    /// <summary>The modifiers in the units of the normalised problem (λ scales like the eigenvalues).</summary>
    public static TuneModifiers? ToInternal(TuneModifiers? m, ProblemScale scale) =>
        m is null ? null : m with { WeightDecay = Math.ScaleB(m.WeightDecay, -scale.LambdaExponent) };

    /// <summary>The family's method with the modifiers' values in <paramref name="parameters"/> (<c>ema</c>, <c>wd</c>,
    /// <c>tail</c>).</summary>
    public static LinearMethod Create(MethodFamily family, IReadOnlyDictionary<string, double> parameters, TuneModifiers? modifiers)
    {
        var method = family.Create(parameters);
        if (modifiers is null || modifiers.IsNone) return method;
        return modifiers.Apply(method, parameters.GetValueOrDefault("ema"), parameters.GetValueOrDefault("wd"), parameters.GetValueOrDefault("tail"));
    }

    /// <summary>E L_T after <paramref name="steps"/> steps (+∞ when the risk overflows first).</summary>
    public static double FinalRisk(Problem problem, LinearMethod method, long steps)
    {
        var run = RiskRecursion.Run(problem, method, steps, steps);
        return run.Overflowed ? double.PositiveInfinity : run.Risk[^1];
    }

    private sealed record Point(double Tau, double Lambda, double Tail, FamilySearch.Candidate Candidate, LinearMethod Method,
        IterationsResult? Iterations, double? Risk, double Score);

    /// <summary>Tunes the family with the modifiers and/or for the final risk on <paramref name="model"/> (the spectral
    /// problem or a data model), searching with <paramref name="search"/> (made for that model).</summary>
    public static TuneResult Tune(IRiskModel model, FamilySearch search, MethodFamily family, TuneOptions options)
    {
        var mods = options.Modifiers ?? TuneModifiers.None;
        // the start: the gap optimum — of the EMA method itself under the gap objective (fixed τ), else of the family
        if (options.Objective == TuneObjective.Gap) search.Modify = m => mods.Apply(m, mods.Ema, 0);
        var start = Tuner.GapOptimum(search, family, options);
        Point best;
        if (options.Objective == TuneObjective.Gap)
        {
            var m = search.MethodAt(start);
            var its = options.Target is double eps ? model.Iterations(m, eps, options.MaxSteps) : null;
            best = new Point(mods.Ema, 0, 0, start, m, its, null, start.Score);
        }
        else
        {
            var last = start;
            Point Evaluate(double tau, double lambda, double tail, bool light)
            {
                var p = Refine(model, options, search, mods, tau, lambda, tail, last, light);
                last = p.Candidate;
                return p;
            }
            if (mods.TunedCount == 0) best = Evaluate(mods.Ema, mods.WeightDecay, mods.Tail, false);
            else
            {
                // the outer search re-tunes only the step at each (τ or F, λ); the full local search runs once at its optimum
                var outer = Outer(model, options, mods, (tau, lambda, tail) => Evaluate(tau, lambda, tail, true), search.BaseAt(start.Shape, start.Lr));
                last = outer.Candidate;
                var full = Evaluate(outer.Tau, outer.Lambda, outer.Tail, false);
                best = full.Score >= outer.Score ? full : outer;
            }
        }
        var parameters = search.Parameters(best.Candidate);
        if (mods.HasEma) parameters["ema"] = best.Tau;
        if (mods.HasDecay) parameters["wd"] = best.Lambda;
        if (mods.HasTail) parameters["tail"] = best.Tail;
        var method = mods.Apply(search.BaseAt(best.Candidate.Shape, best.Candidate.Lr), best.Tau, best.Lambda, best.Tail);
        var iterations = options.Target is double target
            ? best.Iterations ?? model.Iterations(method, target, options.MaxSteps)
            : null;
        // a tail average has no gap of its own: the gap reported is the averaged iterates' (docs/math.md#tuned-tail-fraction)
        var exact = model.Gap(mods.HasTail ? mods.Apply(search.BaseAt(best.Candidate.Shape, best.Candidate.Lr), best.Tau, best.Lambda) : method);
        // every trial diverged (e.g. a fixed weight decay so large that no step is stable): refuse rather than return it
        if (options.Objective == TuneObjective.FinalRisk ? !double.IsFinite(best.Risk ?? double.NaN) : exact.Diverges)
            throw new InvalidInputException(
                $"No {family.Name()} setting keeps the risk finite with EMA decay τ = {MethodFamilies.Fmt(best.Tau)} and weight decay λ = {MethodFamilies.Fmt(best.Lambda)}: " +
                "every learning rate diverges; lower the weight decay.");
        return new TuneResult(family, model.Batch, options.Objective, parameters, method, exact, iterations, search.ScoreEvaluations)
        {
            Candidate = best.Candidate,
            FinalRisk = options.Objective == TuneObjective.FinalRisk ? best.Risk : null,
        };
    }

    /// <summary>The family's hyperparameters at fixed (τ, λ, F): a local search of the objective from <paramref name="origin"/>.</summary>
    private static Point Refine(IRiskModel model, TuneOptions options, FamilySearch search, TuneModifiers mods, double tau, double lambda,
        double tail, FamilySearch.Candidate origin, bool light = false)
    {
        search.Modify = m => mods.Apply(m, tau, lambda, tail);
        var method = search.MethodAt(origin);
        if (options.Objective == TuneObjective.FinalRisk)
        {
            long steps = options.Steps!.Value;
            double Score(LinearMethod m)
            {
                double r = model.FinalRisk(m, steps);
                return double.IsFinite(r) && r > 0 ? -Math.Log(r) : r == 0 ? -Overflowed : Overflowed;
            }
            search.Score = Score;
            var local = Local(search, origin with { Score = Score(method) }, light);
            var m2 = search.MethodAt(local);
            double risk = model.FinalRisk(m2, steps);
            return new Point(tau, lambda, tail, local, m2, null, risk, local.Score);
        }
        double eps = options.Target!.Value;
        search.Score = search.GapOf;
        var its = model.Iterations(method, eps, options.MaxSteps);
        var cand = origin;
        if (its is { Exact: null, BelowFloor: true }) (cand, method, its) = Tuner.ReachableBelow(model, search, cand, its);
        if (its.Exact is long e && e > 0)
        {
            var crossing = new Tuner.CrossingTime(model, eps, options.MaxSteps, search, e);
            search.Score = crossing.Score;
            var local = Local(search, cand with { Score = crossing.Score(method) }, light);
            var m2 = search.MethodAt(local);
            var its2 = model.Iterations(m2, eps, options.MaxSteps);
            if (its2.Exact is long e2 && e2 < e) { cand = local; method = m2; its = its2; }
        }
        return new Point(tau, lambda, tail, cand, method, its, null, IterationsScore(model, options, search, method, its));
    }

    /// <summary>The local search of the family's hyperparameters; <paramref name="light"/>: the step size only, at the
    /// start's shape (β, ASGD's shape), to a relative 1e-4 in s.</summary>
    private static FamilySearch.Candidate Local(FamilySearch search, FamilySearch.Candidate start, bool light)
    {
        if (!light) return search.SearchLocal(start);
        var c = search.BestLr(start.Shape, start.S, start.LrMax, 0.25, 1e-4);
        return c.Score >= start.Score ? c : start;
    }

    /// <summary>
    /// The outer score of the iterations objective: minus the crossing time of ε (continuous, as in the search); a target
    /// never reached scores below every reached one, lower the farther its limit lies above ε.
    /// </summary>
    private static double IterationsScore(IRiskModel model, TuneOptions options, FamilySearch search, LinearMethod method, IterationsResult its)
    {
        double eps = options.Target!.Value;
        if (its.Exact is long e)
            return e == 0 ? 0 : new Tuner.CrossingTime(model, eps, options.MaxSteps, search, e).Score(method);
        double limit = its.Limit ?? (double.IsFinite(its.Floor) ? its.Floor : double.MaxValue);
        return -(options.MaxSteps + 1.0) * (2 + Math.Log(Math.Max(limit, eps) / eps));
    }

    /// <summary>The outer search over the tuned modifier coordinates x = ln(1 − τ) (or x = ln F), y = ln λ.</summary>
    private static Point Outer(IRiskModel model, TuneOptions options, TuneModifiers mods, Func<double, double, double, Point> evaluate,
        LinearMethod start)
    {
        // ranges: τ up to an averaging horizon of twice the budget (the final-risk budget, or the start's iterations);
        // F from one iterate (1/T) to the whole run; λ over [10⁻³ λ_min, λ_max] of the spectrum
        double horizon = options.Objective == TuneObjective.FinalRisk ? options.Steps!.Value : options.MaxSteps;
        if (options.Objective == TuneObjective.Iterations && options.Target is double eps0)
        {
            var its0 = model.Iterations(start, eps0, options.MaxSteps);
            if (its0.Exact is long e0 && e0 > 0) horizon = e0;
        }
        double xLo = mods.TuneTail ? -Math.Log(horizon) : -Math.Log(Math.Max(4, 2 * horizon));
        double yLo = Math.Log(model.MinEigenvalue * 1e-3), yHi = Math.Log(model.MaxEigenvalue);
        Point? best = null;
        var cache = new Dictionary<(double, double, double), Point>();
        double Tau(double x) => mods.TuneEma ? -double.ExpM1(x) : mods.Ema;
        double Lambda(double y) => mods.TuneWeightDecay ? Math.Exp(y) : mods.WeightDecay;
        // F = n_T/T: the window the fraction e^x gives at the budget (every F with that window scores the same)
        double Tail(double x) => mods.TuneTail ? (double)TailAverage.WindowLength(Math.Clamp(Math.Exp(x), 1.0 / horizon, 1), (long)horizon) / horizon : mods.Tail;
        double F(double x, double y)
        {
            double tau = Tau(x), lambda = Lambda(y), tail = Tail(x);
            if (!cache.TryGetValue((tau, lambda, tail), out var p))
            {
                p = evaluate(tau, lambda, tail);
                cache[(tau, lambda, tail)] = p;
            }
            if (best is null || p.Score > best.Score) best = p;
            return p.Score;
        }
        if (mods.TunedCount == 1)
        {
            bool ema = mods.TuneEma || mods.TuneTail; // the first coordinate x
            double lo = ema ? xLo : yLo, hi = ema ? 0 : yHi;
            const int n = 9;
            var xs = Enumerable.Range(0, n).Select(j => hi + (lo - hi) * j / (n - 1)).ToArray();
            int bj = 0;
            var fs = new double[n];
            for (int j = 0; j < n; j++)
            {
                fs[j] = ema ? F(xs[j], 0) : F(0, xs[j]);
                if (fs[j] > fs[bj]) bj = j;
            }
            double a = xs[Math.Min(n - 1, bj + 1)], c = xs[Math.Max(0, bj - 1)];
            Maximize1D.Refine(t => ema ? F(t, 0) : F(0, t), Math.Min(a, c), Math.Max(a, c), new Maximize1D.Point(xs[bj], fs[bj]), 1e-3);
        }
        else
        {
            const int n = 5;
            double[] bestX = [0, yHi];
            double bestF = double.NegativeInfinity;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double x = xLo * i / (n - 1), y = yHi + (yLo - yHi) * j / (n - 1);
                    double f = F(x, y);
                    if (f > bestF) { bestF = f; bestX = [x, y]; }
                }
            NelderMead.Maximize(v => F(v[0], v[1]), bestX, bestF, [-xLo / (2 * (n - 1)), (yHi - yLo) / (2 * (n - 1))],
                [xLo, yLo], [0, yHi], 1e-3, 60);
        }
        // no decay at all is a candidate of tuned decay
        if (mods.TuneWeightDecay) F(mods.TuneEma ? Math.Log(1 - best!.Tau) : mods.TuneTail ? Math.Log(best!.Tail) : 0, double.NegativeInfinity);
        return best!;
    }
}
