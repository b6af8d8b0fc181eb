using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;

namespace ExactDynamics.Tradeoffs;

/// <summary>What the tuner optimises.</summary>
public enum TuneObjective
{
    /// <summary>Maximise the contraction gap 1 − ρ (docs/math.md#contraction-gap).</summary>
    Gap,
    /// <summary>Minimise the exact number of iterations to reach E L_t ≤ ε (docs/math.md#iterations-to-target); needs a target.</summary>
    Iterations,
    /// <summary>Minimise the exact final risk E L_T after <see cref="TuneOptions.Steps"/> steps (docs/math.md#tuning-modifiers).</summary>
    FinalRisk,
}

/// <summary>Options of <see cref="Tuner.Tune(Problem, MethodFamily, TuneOptions?)"/>.</summary>
public sealed record TuneOptions
{
    /// <summary>The objective (default: the gap).</summary>
    public TuneObjective Objective { get; init; } = TuneObjective.Gap;

    /// <summary>Target risk ε. Required for <see cref="TuneObjective.Iterations"/>; with the gap objective, the
    /// iterations of the tuned method to this target are reported too.</summary>
    public double? Target { get; init; }

    /// <summary>Step limit of the exact iteration counts.</summary>
    public long MaxSteps { get; init; } = IterationsToTarget.DefaultMaxSteps;

    /// <summary>A nearby optimum (e.g. the same family at the neighbouring batch size) used as an extra start.</summary>
    public TuneResult? WarmStart { get; init; }

    /// <summary>AccSGD's small constant c for the ASGD family (default 0.7).</summary>
    public double AsgdSmall { get; init; } = MethodFamilies.AsgdSmall;

    /// <summary>Search on a compressed spectrum when d is large (default true; the reported gap is always exact).</summary>
    public bool CompressLargeSpectra { get; init; } = true;

    /// <summary>
    /// Local mode: instead of the global search, a local search from each of these optima of the same family (at
    /// nearby batch sizes), keeping the best. Used by <see cref="CriticalBatch"/> inside a bracket whose ends were
    /// tuned globally; null or empty for the global search.
    /// </summary>
    internal IReadOnlyList<TuneResult>? LocalStarts { get; init; }

    /// <summary>An EMA and/or weight decay on the family, each fixed or tuned (docs/math.md#tuning-modifiers); null or
    /// <see cref="TuneModifiers.None"/> for the unmodified family.</summary>
    public TuneModifiers? Modifiers { get; init; }

    /// <summary>The budget T of <see cref="TuneObjective.FinalRisk"/> (steps, ≥ 1).</summary>
    public long? Steps { get; init; }
}

/// <summary>The tuned hyperparameters of one family at one batch size.</summary>
/// <param name="Family">The family.</param>
/// <param name="Batch">The batch size B.</param>
/// <param name="Objective">What was optimised.</param>
/// <param name="Parameters">The hyperparameters (<c>lr</c>; <c>lr, beta</c>; <c>lr, kappa, xi</c>).</param>
/// <param name="Method">The tuned method; <c>Method.Spec</c> reproduces it (and its gap) exactly.</param>
/// <param name="Exact">The exact gap of <paramref name="Method"/> from <see cref="ContractionGap.Compute(Problem, Methods.LinearMethod)"/>.</param>
/// <param name="Iterations">Iterations of the tuned method to the target, when a target was given.</param>
/// <param name="Evaluations">Objective evaluations used by the search.</param>
public sealed record TuneResult(MethodFamily Family, double Batch, TuneObjective Objective,
    IReadOnlyDictionary<string, double> Parameters, LinearMethod Method, GapResult Exact, IterationsResult? Iterations,
    long Evaluations)
{
    /// <summary>The tuned contraction gap 1 − ρ (exact, full relative precision).</summary>
    public double Gap => Exact.Gap;

    /// <summary>ρ of the tuned method.</summary>
    public double Rho => Exact.Rho;

    /// <summary>The method spec string (e.g. <c>hb:lr=0.5,beta=0.9</c>) that <c>--method</c> accepts.</summary>
    public string Spec => Method.Spec;

    /// <summary>The search state of the optimum (for warm starts).</summary>
    internal FamilySearch.Candidate? Candidate { get; init; }

    /// <summary>With <see cref="TuneObjective.FinalRisk"/>: the exact E L_T of <see cref="Method"/> after the budget.</summary>
    public double? FinalRisk { get; init; }

    /// <summary>The names of <see cref="Parameters"/> in spec order: the family's, then <c>ema</c>, <c>wd</c> and
    /// <c>tail</c> (the tail fraction F) when the family carries those modifiers.</summary>
    public IReadOnlyList<string> ParameterNames =>
        [.. Family.ParameterNames(), .. new[] { "ema", "wd", "tail" }.Where(Parameters.ContainsKey)];
}

/// <summary>
/// Tunes a method family's hyperparameters at a batch size (docs/math.md#tuning): maximise the contraction gap (default) or
/// minimise the exact iterations to a target. See <see cref="FamilySearch"/> for the algorithm: nested 1-D searches
/// on transformed coordinates that stay inside the stable region (the step size as a fraction of its stability edge),
/// coarse scans for the global basin, Brent / Nelder–Mead refinement.
/// </summary>
/// <example>
/// <code>
/// var problem = new Problem(Spectrum.PowerLaw(1, 200), batch: 16);
/// var hb = Tuner.Tune(problem, MethodFamily.HeavyBall);
/// Console.WriteLine($"{hb.Spec}: gap {hb.Gap}");
/// </code>
/// </example>
public static class Tuner
{
    /// <summary>Tunes <paramref name="family"/> on <paramref name="problem"/> (at its batch size).</summary>
    /// <param name="problem">The problem; its batch size is the one tuned for.</param>
    /// <param name="family">The family.</param>
    /// <param name="options">Objective, target and search settings; null for the defaults (maximise the gap).</param>
    /// <returns>The tuned hyperparameters, the method and its exact gap (and iterations when a target is given).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">The options are inconsistent (the iterations objective without a target) or out of range.</exception>
    public static TuneResult Tune(Problem problem, MethodFamily family, TuneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        options ??= new TuneOptions();
        Validate(options);
        // The search runs on the normalised problem (λ_max ∈ [1, 2), O(1) moments: docs/math.md#scale-invariance); the
        // result is carried back to the user's units: the learning rate by 2^(−e), the risks by 2^(e+f).
        var scale = ProblemScale.Of(problem);
        if (scale.IsIdentity) return TuneNormalised(problem, family, options);
        var inner = TuneNormalised(scale.Apply(problem), family,
            options with { Target = options.Target is double eps0 ? scale.RiskToInternal(eps0) : null, Modifiers = ModifiedTuning.ToInternal(options.Modifiers, scale) });
        var parameters = new Dictionary<string, double>(inner.Parameters) { ["lr"] = scale.StepToUser(inner.Parameters["lr"]) };
        if (parameters.TryGetValue("wd", out var wdInternal)) parameters["wd"] = Math.ScaleB(wdInternal, scale.LambdaExponent);
        if (family == MethodFamily.Asgd) parameters["small"] = options.AsgdSmall;
        var method = ModifiedTuning.Create(family, parameters, options.Modifiers);
        parameters.Remove("small");
        var its = inner.Iterations is { } i0
            ? i0 with { Target = options.Target!.Value, Prefactor = scale.RiskToUser(i0.Prefactor), InitialRisk = scale.RiskToUser(i0.InitialRisk), Floor = scale.RiskToUser(i0.Floor) }
            : null;
        return inner with { Batch = problem.Batch, Parameters = parameters, Method = method, Iterations = its,
            FinalRisk = inner.FinalRisk is null ? null : ModifiedTuning.FinalRisk(problem, method, options.Steps!.Value) };
    }

    /// <summary>Refuses inconsistent or out-of-range options with one sentence (as <see cref="Tune(Problem, MethodFamily, TuneOptions?)"/>
    /// does first), so that a caller can check them before loading a problem.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidInputException">The options are inconsistent or out of range.</exception>
    public static void Validate(TuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Target is double t) IterationsToTarget.ValidateTarget(t);
        if (options.Objective == TuneObjective.Iterations && options.Target is null)
            throw new InvalidInputException("The iterations objective needs a target risk ε.");
        if (options.MaxSteps < 1)
            throw new InvalidInputException($"Max steps {options.MaxSteps} is not allowed; it must be at least 1.");
        if (!double.IsFinite(options.AsgdSmall) || !(options.AsgdSmall > 0))
            throw new InvalidInputException($"ASGD small constant {MethodFamilies.Fmt(options.AsgdSmall)} is not allowed; it must be positive and finite.");
        ModifiedTuning.Validate(options);
    }

    private static TuneResult TuneNormalised(Problem problem, MethodFamily family, TuneOptions options) =>
        TuneOn(new SpectralRates(problem), new FamilySearch(problem, family, options.AsgdSmall, options.CompressLargeSpectra), family, options);

    /// <summary>The search on a rate model (the spectral problem or a data model): the gap optimum, then, for the
    /// iterations objective, a local search of the crossing time of ε; the modifiers and the final-risk objective go to
    /// <see cref="ModifiedTuning"/>. A target or a risk objective needs an <see cref="IRiskModel"/>.</summary>
    private static TuneResult TuneOn(IRateModel model, FamilySearch search, MethodFamily family, TuneOptions options)
    {
        var risk = model as IRiskModel;
        if (!(options.Modifiers ?? TuneModifiers.None).IsNone || options.Objective == TuneObjective.FinalRisk)
            return ModifiedTuning.Tune(risk ?? throw NoRisk(), search, family, options);
        var best = GapOptimum(search, family, options);
        var method = search.MethodAt(best);
        IterationsResult? its = options.Target is double eps ? (risk ?? throw NoRisk()).Iterations(method, eps, options.MaxSteps) : null;
        if (options.Objective == TuneObjective.Iterations && its is { Exact: null, BelowFloor: true })
            (best, method, its) = ReachableBelow(risk!, search, best, its);

        if (options.Objective == TuneObjective.Iterations && its is not null && its.Exact is long gapIts && gapIts > 0)
        {
            var crossing = new CrossingTime(risk!, options.Target!.Value, options.MaxSteps, search, gapIts);
            search.Score = crossing.Score;
            var startScore = crossing.Score(method);
            var local = search.SearchLocal(best with { Score = startScore });
            var m2 = search.MethodAt(local);
            var its2 = risk!.Iterations(m2, options.Target.Value, options.MaxSteps);
            if (its2.Exact is long e2 && e2 < gapIts)
            {
                best = local; method = m2; its = its2;
            }
        }
        var exact = model.Gap(method);
        return new TuneResult(family, model.Batch, options.Objective, search.Parameters(best), method, exact, its,
            search.ScoreEvaluations) { Candidate = best };
    }

    private static InvalidInputException NoRisk() =>
        new("Tuning for the iterations to a target or the final risk needs the exact risk curve, which this rate model does not provide; tune for the gap.");

    /// <summary>The gap optimum of the search: local searches from <see cref="TuneOptions.LocalStarts"/> (the best of
    /// them) when given, else the global search warm-started from <see cref="TuneOptions.WarmStart"/>.</summary>
    internal static FamilySearch.Candidate GapOptimum(FamilySearch search, MethodFamily family, TuneOptions options)
    {
        var warm = options.WarmStart is { } ws && ws.Family == family ? ws.Candidate : null;
        FamilySearch.Candidate? best = null;
        foreach (var start in options.LocalStarts ?? [])
        {
            if (start.Family != family || start.Candidate is null) continue;
            var local = search.SearchLocal(start.Candidate);
            if (best is null || local.Score > best.Score) best = local;
        }
        return best ?? search.SearchGlobal(warm);
    }

    /// <summary>
    /// Tunes <paramref name="family"/> on any rate model at its batch size (docs/math.md#data-rates): a spectral problem
    /// goes to <see cref="Tune(Problem, MethodFamily, TuneOptions?)"/>; another model (e.g. a dataset under a
    /// fourth-moment model) runs the same search on its gap, which keeps every trial inside the model's own stable
    /// region, and reports the model's gap of the method found. The iterations to a target, the final-risk objective
    /// and the modifiers need the model's exact risk curve (an <see cref="IRiskModel"/>), and then run as on a spectrum
    /// (<see cref="TuneObjective"/>), on that model's own recursion.
    /// </summary>
    /// <param name="model">The rate model; its batch size is the one tuned for.</param>
    /// <param name="family">The family.</param>
    /// <param name="options">As in <see cref="Tune(Problem, MethodFamily, TuneOptions?)"/>.</param>
    /// <returns>The tuned hyperparameters, the method and its gap under the model (and its iterations or final risk).</returns>
    /// <exception cref="InvalidInputException">The options are invalid, or need a risk curve the model does not provide.</exception>
    public static TuneResult Tune(IRateModel model, MethodFamily family, TuneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is SpectralRates spectral) return Tune(spectral.Problem, family, options);
        options ??= new TuneOptions();
        Validate(options);
        return TuneOn(model, new FamilySearch(model, family, options.AsgdSmall), family, options);
    }

    /// <summary>
    /// The gap optimum can level off above ε (its noise floor L_∞ grows with the step size) while smaller steps reach
    /// it: walk the step down (s → s − ½, lr = lr_max·σ(s), the shape kept) until a setting reaches ε within the step
    /// limit, and start the iterations search from there. Stops, keeping the gap optimum, when a step is too slow to
    /// reach ε within the limit (smaller ones are slower still) or after 80 halvings of σ(s).
    /// </summary>
    internal static (FamilySearch.Candidate, LinearMethod, IterationsResult) ReachableBelow(IRiskModel model, FamilySearch search,
        FamilySearch.Candidate best, IterationsResult its)
    {
        for (int j = 1; j <= 80; j++)
        {
            double s = best.S - 0.5 * j;
            var candidate = best with { S = s, Lr = best.LrMax * (s >= 0 ? 1 / (1 + Math.Exp(-s)) : Math.Exp(s) / (1 + Math.Exp(s))) };
            var m = search.MethodAt(candidate);
            var it = model.Iterations(m, its.Target, its.MaxSteps);
            if (it.Exact is not null) return (candidate, m, it);
            if (!it.BelowFloor) break;
        }
        return (best, search.MethodAt(best), its);
    }

    /// <summary>Tunes the family named <paramref name="family"/> (<c>sgd</c>, <c>hb</c>, <c>nesterov</c>, <c>asgd</c>).</summary>
    /// <param name="problem">The problem; its batch size is the one tuned for.</param>
    /// <param name="family">The family's name.</param>
    /// <param name="options">As in <see cref="Tune(Problem, MethodFamily, TuneOptions?)"/>.</param>
    /// <returns>As <see cref="Tune(Problem, MethodFamily, TuneOptions?)"/>.</returns>
    /// <exception cref="InvalidInputException">The name is not a family, or the options are invalid.</exception>
    public static TuneResult Tune(Problem problem, string family, TuneOptions? options = null)
        => Tune(problem, MethodFamilies.Parse(family), options);

    /// <summary>
    /// The iterations objective as a continuous score: minus the crossing time of ε by the exact risk curve, linear in
    /// log-risk between the two steps around the first crossing (so it is ⌈score⌉ = first t with E L_t ≤ ε), and
    /// extrapolated with the asymptotic rate beyond a cap of twice the best count so far.
    /// </summary>
    internal sealed class CrossingTime(IRiskModel model, double target, long maxSteps, FamilySearch search, long initialBest)
    {
        private double _best = initialBest;

        public double Score(LinearMethod method)
        {
            long cap = (long)Math.Min(maxSteps, 2 * _best + 16);
            // the exact curve to the cap (the spectral model computes it by the renewal form where that is faster)
            var (prev, next) = model.Curve(method, cap);
            if (prev <= target) return 0;
            for (long t = 1; t <= cap; t++)
            {
                double r = next();
                if (!double.IsFinite(r)) return -(cap + 1e6);
                if (r <= target)
                {
                    double time = t - 1 + Math.Log(prev / target) / Math.Log(prev / r);
                    if (time < _best) _best = time;
                    return -time;
                }
                prev = r;
            }
            double gap = search.GapOf(method);
            if (!(gap > 0)) return -(cap + 1e6);
            double lnInvRho = gap < 1e-8 ? gap : -Math.Log(1 - gap);
            return -(cap + (Math.Log(prev) - Math.Log(target)) / lnInvRho);
        }
    }

    /// <summary>
    /// The candidate with the largest contraction gap (docs/math.md#tuning) among a finite list — the first one on
    /// ties; the gaps are computed in parallel. For a grid of round values, where the continuous search of
    /// <see cref="Tune(Problem, MethodFamily, TuneOptions?)"/> is not wanted.
    /// </summary>
    /// <returns>The best candidate and its gap.</returns>
    /// <exception cref="InvalidInputException">The list is empty or every candidate diverges.</exception>
    public static (LinearMethod Method, GapResult Gap) BestOf(Problem problem, IEnumerable<LinearMethod> candidates)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(candidates);
        var list = candidates.ToArray();
        var gaps = new GapResult[list.Length];
        Parallel.For(0, list.Length, i => gaps[i] = ContractionGap.Compute(problem, list[i]));
        int best = -1;
        for (int i = 0; i < list.Length; i++)
        {
            if (gaps[i].Diverges) continue;
            if (best < 0 || gaps[i].Gap > gaps[best].Gap) best = i;
        }
        if (best < 0) throw new InvalidInputException($"Every one of the {list.Length} candidate methods diverges on this problem.");
        return (list[best], gaps[best]);
    }
}
