using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Tradeoffs;

/// <summary>Settings of the schedule tuned at one batch size (docs/math.md#schedule-aware-critical-batch).</summary>
public sealed record TunedScheduleOptions
{
    /// <summary>The schedule shape (default WSD).</summary>
    public ScheduleShape Shape { get; init; } = ScheduleShape.Wsd;

    /// <summary>Smallest peak learning rate tried, in units of 1/λ_max (default 10⁻³).</summary>
    public double LrMin { get; init; } = 1e-3;

    /// <summary>Largest peak learning rate tried, in units of 1/λ_max (default 4).</summary>
    public double LrMax { get; init; } = 4;

    /// <summary>
    /// The momentum of heavy ball and Nesterov; null (default) tunes it: a scan of 9 values of v = ln(1 − β) over
    /// [ln(1 − β_det) − ln 30, 0], then golden section around the best (docs/math.md#schedule-aware-critical-batch).
    /// </summary>
    public double? Momentum { get; init; }

    /// <summary>Spectra with more eigenvalues are searched on this many bins of log λ (every reported risk is exact).</summary>
    public int SearchBins { get; init; } = 64;

    /// <summary>Knots of the optimal schedule (at most T).</summary>
    public int Knots { get; init; } = 200;

    /// <summary>L-BFGS iterations of the optimal schedule.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>Step limit of the target search.</summary>
    public long MaxSteps { get; init; } = Targets.IterationsToTarget.DefaultMaxSteps;
}

/// <summary>A schedule tuned at one batch size and horizon.</summary>
/// <param name="Family">The family (sgd, hb or nesterov).</param>
/// <param name="Shape">The schedule shape.</param>
/// <param name="Batch">The batch size B.</param>
/// <param name="Steps">The horizon T (updates).</param>
/// <param name="Method">The tuned method with its schedule (absolute per-step learning rates for the optimal shape):
/// <c>RiskRecursion.FinalRisk(problem.WithBatch(Batch), Method, Steps)</c> is <see cref="FinalRisk"/>.</param>
/// <param name="PeakLr">The largest learning rate of the schedule (the tuned base rate for constant, WSD and cosine).</param>
/// <param name="Momentum">The momentum β (null for SGD).</param>
/// <param name="InitialRisk">E L_0.</param>
/// <param name="FinalRisk">E L_T, exact on the full problem.</param>
/// <param name="Evaluations">Risk evaluations of the search.</param>
public sealed record TunedBatchSchedule(MethodFamily Family, ScheduleShape Shape, double Batch, long Steps, ScheduledMethod Method,
    double PeakLr, double? Momentum, double InitialRisk, double FinalRisk, long Evaluations)
{
    /// <summary>Gradients spent, B·T.</summary>
    public double Gradients => Batch * Steps;

    /// <summary>The schedule: its spec (e.g. <c>wsd:warmup=0,stable=800,decay=200</c>), or <c>optimal</c>.</summary>
    public string Schedule => Shape == ScheduleShape.Optimal ? "optimal" : Method.LrSchedule?.Spec ?? "constant";
}

/// <summary>
/// The schedule of a shape tuned at one batch size (docs/math.md#schedule-aware-critical-batch): at a horizon T, the peak
/// learning rate minimising the exact E L_T (<see cref="ScheduleTuning"/>'s search), for heavy ball and Nesterov with the
/// momentum tuned around it, and for the optimal shape <see cref="ScheduleOptimizer"/>'s optimum started from the tuned
/// WSD at its momentum; or, at a target ε, the fewest steps T for which that tuned schedule reaches ε.
/// </summary>
public static class BatchScheduleTuning
{
    /// <summary>The families with a schedule-aware tradeoff.</summary>
    public static IReadOnlyList<MethodFamily> Families { get; } = [MethodFamily.Sgd, MethodFamily.HeavyBall, MethodFamily.Nesterov];

    /// <summary>The schedule tuned to minimise E L_T after <paramref name="steps"/> updates at the problem's batch size.</summary>
    /// <param name="problem">The problem (its batch size is used at every update).</param>
    /// <param name="family">sgd, hb or nesterov.</param>
    /// <param name="steps">The horizon T ≥ 1.</param>
    /// <param name="options">Shape, learning-rate range, momentum and search settings; null for the defaults.</param>
    /// <exception cref="InvalidInputException">An unsupported family, a horizon below 1 or a setting out of range; every learning rate diverges.</exception>
    public static TunedBatchSchedule AtHorizon(Problem problem, MethodFamily family, long steps, TunedScheduleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        options ??= new TunedScheduleOptions();
        Validate(family, options);
        if (steps < 1) throw new InvalidInputException($"A horizon of {steps} steps is not allowed; the horizon must be at least 1 step.");
        if (options.Shape == ScheduleShape.Optimal && steps > int.MaxValue)
            throw new InvalidInputException($"A horizon of {steps} steps is not allowed for the optimal schedule; it must be at most {int.MaxValue} steps.");
        var schedule = (options.Shape == ScheduleShape.Optimal ? ScheduleShape.Wsd : options.Shape).At(steps);
        double lo = options.LrMin / problem.Spectrum.Max, hi = options.LrMax / problem.Spectrum.Max;
        var search = WeightedDirections.Compress(problem, options.SearchBins);
        bool compressed = search.Count < problem.Spectrum.Dimension;
        double SearchRisk(ScheduledMethod m) => compressed
            ? StepGradients.Compute(search, problem.Kurtosis, problem.Noise, t => { var s = m.At(t, problem.Batch); return (s.Method, s.Batch); },
                checked((int)steps), StepGradients.StoredDoublesBudget, gradient: false).Risk
            : RiskRecursion.FinalRisk(problem, m, steps);
        long evaluations = 0;
        TunedSchedule TuneLr(double beta, int grid, int refine)
        {
            var r = ScheduleTuning.TuneBaseLr(SearchRisk, lr => Make(family, lr, beta), schedule, steps, lo, hi, grid, refine);
            Interlocked.Add(ref evaluations, r.Evaluations);
            return r;
        }

        double beta = 0;
        TunedSchedule tuned;
        if (family == MethodFamily.Sgd) tuned = TuneLr(0, 32, 30);
        else if (options.Momentum is double fixedBeta) { beta = fixedBeta; tuned = TuneLr(beta, 32, 30); }
        else (beta, tuned) = TuneMomentum(problem, b => TuneLr(b, 16, 16), b => TuneLr(b, 32, 30));

        var template = Make(family, tuned.BaseLr, beta);
        var method = new ScheduledMethod(template, schedule);
        double peak = tuned.BaseLr;
        if (options.Shape == ScheduleShape.Optimal)
        {
            var opt = ScheduleOptimizer.Optimize(problem, lr => Make(family, lr, beta), (int)steps, [schedule],
                new ScheduleOptimizationOptions(Math.Max(2, Math.Min(options.Knots, (int)steps)), Momentum: false, options.SearchBins, options.MaxIterations, lo, hi));
            evaluations += opt.Evaluations + opt.Baselines.Sum(b => b.Evaluations);
            method = ScheduleOptimizer.AsScheduled(lr => Make(family, lr, beta), opt.Lr, null);
            peak = opt.Lr.Max();
        }
        double l0 = new SecondMoments(problem, method).Risk;
        double risk = RiskRecursion.FinalRisk(problem, method, steps);
        return new TunedBatchSchedule(family, options.Shape, problem.Batch, steps, method, peak, family == MethodFamily.Sgd ? null : beta, l0,
            double.IsFinite(risk) ? risk : double.PositiveInfinity, evaluations);
    }

    /// <summary>
    /// The fewest updates T for which the schedule tuned at horizon T reaches E L_T ≤ <paramref name="target"/>: horizons
    /// 1, 2, 4, … until one reaches it, then bisection between the last two (the tuned risk decreases with the horizon);
    /// null when no horizon up to <see cref="TunedScheduleOptions.MaxSteps"/> reaches it.
    /// </summary>
    /// <exception cref="InvalidInputException">ε is not positive and finite, or not below E L_0 (nothing to reach); as <see cref="AtHorizon"/>.</exception>
    public static TunedBatchSchedule? ToTarget(Problem problem, MethodFamily family, double target, TunedScheduleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        options ??= new TunedScheduleOptions();
        Validate(family, options);
        Targets.IterationsToTarget.ValidateTarget(target);
        double l0 = new SecondMoments(problem, new ScheduledMethod(Make(family, 1, 0))).Risk;
        if (!(target < l0))
            throw new InvalidInputException($"Target risk {MethodFamilies.Fmt(target)} is not below the initial risk {MethodFamilies.Fmt(l0)}; the target must lie below E L_0.");
        TunedBatchSchedule? reached = null;
        long below = 0; // the largest horizon known not to reach ε
        for (long t = 1; ; t = Math.Min(2 * t, options.MaxSteps))
        {
            var r = AtHorizon(problem, family, t, options);
            if (r.FinalRisk <= target) { reached = r; break; }
            below = t;
            if (t >= options.MaxSteps) return null;
        }
        while (reached.Steps - below > 1)
        {
            long mid = below + (reached.Steps - below) / 2;
            var r = AtHorizon(problem, family, mid, options);
            if (r.FinalRisk <= target) reached = r;
            else below = mid;
        }
        return reached;
    }

    /// <summary>The method of a family at a learning rate and momentum.</summary>
    internal static MethodTemplate Make(MethodFamily family, double lr, double beta) => family switch
    {
        MethodFamily.HeavyBall => MethodTemplate.HeavyBall(lr, beta),
        MethodFamily.Nesterov => MethodTemplate.Nesterov(lr, beta),
        _ => MethodTemplate.Sgd(lr),
    };

    /// <summary>
    /// The momentum search: v = ln(1 − β) on 9 points of [v_min, 0], v_min = ln(1 − β_det) − ln 30 with
    /// β_det = ((√κ − 1)/(√κ + 1))² (the tuner's range, docs/math.md#tuning), each with a coarse learning-rate tuning;
    /// 10 golden-section steps between the best point's neighbours; the best β found then gets the full learning-rate tuning.
    /// </summary>
    private static (double Beta, TunedSchedule Tuned) TuneMomentum(Problem problem, Func<double, TunedSchedule> coarse, Func<double, TunedSchedule> full)
    {
        double sk = Math.Sqrt(problem.Spectrum.Max / problem.Spectrum.Min);
        double betaDet = Math.Pow((sk - 1) / (sk + 1), 2);
        double vMin = Math.Min(Math.Log(1 - betaDet), 0) - Math.Log(30);
        static double Beta(double v) => 1 - Math.Exp(v);
        double Score(double v)
        {
            try { return Math.Log(coarse(Beta(v)).FinalRisk); }
            catch (InvalidInputException) { return double.PositiveInfinity; }
        }
        const int n = 9;
        var vs = Enumerable.Range(0, n).Select(j => vMin * j / (n - 1)).ToArray();
        var fs = new double[n];
        Parallel.For(0, n, j => fs[j] = Score(vs[j]));
        int best = Array.IndexOf(fs, fs.Min());
        double left = vs[Math.Min(n - 1, best + 1)], right = vs[Math.Max(0, best - 1)];
        double bestV = vs[best], bestF = fs[best];
        const double invPhi = 0.6180339887498949;
        double c = right - invPhi * (right - left), d = left + invPhi * (right - left);
        double fc = Score(c), fd = Score(d);
        for (int it = 0; it < 10; it++)
        {
            if (fc <= fd) { right = d; d = c; fd = fc; c = right - invPhi * (right - left); fc = Score(c); }
            else { left = c; c = d; fc = fd; d = left + invPhi * (right - left); fd = Score(d); }
        }
        if (fc < bestF) { bestF = fc; bestV = c; }
        if (fd < bestF) bestV = d;
        double beta = Beta(bestV);
        return (beta, full(beta));
    }

    private static void Validate(MethodFamily family, TunedScheduleOptions options)
    {
        if (!Families.Contains(family))
            throw new InvalidInputException($"The family {family.Name()} has no schedule-aware batch tradeoff; the family must be sgd, hb or nesterov.");
        if (!(options.LrMin > 0) || !(options.LrMax > options.LrMin) || !double.IsFinite(options.LrMax))
            throw new InvalidInputException($"The learning-rate range [{MethodFamilies.Fmt(options.LrMin)}, {MethodFamilies.Fmt(options.LrMax)}] is not allowed; it needs 0 < lo < hi < ∞.");
        if (options.Momentum is double b && !(b >= 0 && b < 1))
            throw new InvalidInputException($"Momentum {MethodFamilies.Fmt(b)} is not allowed; the momentum must lie in [0, 1).");
        if (options.SearchBins < 1) throw new InvalidInputException($"{options.SearchBins} search bins is not allowed; use at least 1.");
        if (options.MaxSteps < 1) throw new InvalidInputException($"Max steps {options.MaxSteps} is not allowed; it must be at least 1.");
    }
}
