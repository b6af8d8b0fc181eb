using ExactDynamics.Dynamics;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Tradeoffs;

/// <summary>Settings of <see cref="ScheduleOptimizer"/>.</summary>
/// <param name="Knots">Knots of the interpolated log learning rate (and logit momentum); at most T.</param>
/// <param name="Momentum">Optimise the momentum schedule too (families with a momentum only).</param>
/// <param name="SearchBins">The search runs on at most this many blocks of the spectrum (bins of log λ); larger problems are compressed for the search only.</param>
/// <param name="MaxIterations">L-BFGS iterations.</param>
/// <param name="LrMin">Smallest base learning rate of the baselines' tuning (absolute).</param>
/// <param name="LrMax">Largest base learning rate of the baselines' tuning (absolute).</param>
/// <param name="TailFraction">The tail exponent p is fitted over the last TailFraction·T updates.</param>
public sealed record ScheduleOptimizationOptions(int Knots = 200, bool Momentum = false, int SearchBins = 64, int MaxIterations = 100,
    double LrMin = 1e-3, double LrMax = 4, double TailFraction = 0.2);

/// <summary>The optimised schedule and the tuned baselines it is compared with (all risks exact, on the full problem).</summary>
/// <param name="Lr">lr_t for t = 0 … T − 1 (absolute).</param>
/// <param name="Momentum">β_t (absolute), or null when the momentum was not optimised.</param>
/// <param name="FinalRisk">E L_T of the schedule, by the library's scheduled recursion on the full problem.</param>
/// <param name="Baselines">The tuned baselines, each with its exact E L_T on the full problem.</param>
/// <param name="Start">The baseline the search started from (the best of them on the search spectrum).</param>
/// <param name="Iterations">L-BFGS iterations taken.</param>
/// <param name="Evaluations">Risk-and-gradient evaluations taken.</param>
/// <param name="Stop">Why the search stopped.</param>
/// <param name="UsedBaseline">True when the optimised schedule was not better than the best baseline on the full problem,
/// so that baseline's own schedule is returned instead (the result is never worse than any baseline).</param>
/// <param name="SearchBlocks">Blocks of the spectrum the search ran on (= d when it was not compressed).</param>
/// <param name="Tail">The fit of lr_t ∝ (1 − t/T)^p over the last part of the run.</param>
public sealed record OptimizedSchedule(double[] Lr, double[]? Momentum, double FinalRisk, IReadOnlyList<TunedSchedule> Baselines,
    TunedSchedule Start, int Iterations, int Evaluations, string Stop, bool UsedBaseline, int SearchBlocks, TailFit Tail)
{
    /// <summary>B_t for t = 0 … T − 1 when the run had a <see cref="BatchPlan"/> (given or optimised); null when the
    /// problem's batch was used at every step.</summary>
    public double[]? Batch { get; init; }
}

/// <summary>log lr_t = a + p log(1 − t/T) by least squares over the updates t ≥ From.</summary>
/// <param name="Exponent">p.</param>
/// <param name="RSquared">The fit's coefficient of determination.</param>
/// <param name="From">The first update of the fitted range.</param>
public sealed record TailFit(double Exponent, double RSquared, long From)
{
    /// <summary>Fits lr_t ∝ (1 − t/T)^p over the last <paramref name="fraction"/> of the updates.</summary>
    public static TailFit Of(IReadOnlyList<double> lr, double fraction)
    {
        ArgumentNullException.ThrowIfNull(lr);
        int n = lr.Count;
        int from = Math.Clamp((int)Math.Floor(n * (1 - fraction)), 0, Math.Max(0, n - 3));
        var x = new List<double>();
        var y = new List<double>();
        for (int t = from; t < n; t++)
        {
            if (!(lr[t] > 0)) continue;
            x.Add(Math.Log(1 - t / (double)n));
            y.Add(Math.Log(lr[t]));
        }
        if (x.Count < 3) return new TailFit(double.NaN, double.NaN, from);
        var (a, p) = Fit.Line(x.ToArray(), y.ToArray());
        double r2 = GoodnessOfFit.RSquared(x.Select(v => a + p * v), y);
        return new TailFit(p, r2, from);
    }
}

/// <summary>
/// The learning-rate (and optionally momentum) schedule that minimises the exact final risk E L_T
/// (docs/math.md#optimal-schedules): log lr_t (and logit β_t) linearly interpolated between knots, denser towards the end
/// (knot j at (T − 1)(1 − (1 − j/(K − 1))²)); the objective log E L_T and its exact gradient, chained from
/// <see cref="ScheduleGradient"/> through the interpolation, are minimised by MathNet's L-BFGS, started from the best of
/// the baselines (each with its base learning rate tuned by <see cref="ScheduleTuning"/>). Problems larger than
/// <see cref="ScheduleOptimizationOptions.SearchBins"/> directions are searched on a compressed spectrum
/// (<see cref="WeightedDirections.Compress"/>); every reported risk is exact, on the full problem, and the returned schedule
/// is never worse there than the best baseline (that baseline is returned otherwise).
/// </summary>
public static class ScheduleOptimizer
{
    /// <param name="problem">The problem (its batch is used at every step).</param>
    /// <param name="family">The method for a base learning rate (momentum fixed at the family's value).</param>
    /// <param name="steps">The budget T.</param>
    /// <param name="baselines">Learning-rate schedules to tune and compare (null = constant).</param>
    /// <param name="options">Knots, momentum, search size, iterations, tuning range.</param>
    public static OptimizedSchedule Optimize(Problem problem, Func<double, MethodTemplate> family, int steps, IReadOnlyList<Schedule?> baselines,
        ScheduleOptimizationOptions? options = null) => Optimize(problem, family, steps, baselines, options, null, null);

    /// <summary>
    /// As <see cref="Optimize(Problem, Func{double, MethodTemplate}, int, IReadOnlyList{Schedule?}, ScheduleOptimizationOptions?)"/>
    /// with per-update batch sizes: given (the baselines and the search run with them), or a monotone ramp spending the
    /// budget G exactly over the T steps, optimised jointly with the learning rate (docs/math.md#optimal-batch-schedules).
    /// </summary>
    /// <param name="problem">The problem (its batch is not used).</param>
    /// <param name="family">The method for a base learning rate.</param>
    /// <param name="steps">T (the length of a given batch list).</param>
    /// <param name="baselines">Learning-rate schedules to tune and compare, run with the given batches or the constant batch G/T.</param>
    /// <param name="options">Knots, momentum, search size, iterations, tuning range.</param>
    /// <param name="batch">The batch plan.</param>
    public static OptimizedSchedule Optimize(Problem problem, Func<double, MethodTemplate> family, int steps, IReadOnlyList<Schedule?> baselines,
        ScheduleOptimizationOptions? options, BatchPlan batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Optimize(problem, family, steps, baselines, options, batch, null);
    }

    /// <summary>
    /// The search on the problem normalised by <see cref="ProblemScale"/> (docs/math.md#scale-invariance): λ' = 2^(−e)λ and
    /// lr' = 2^e lr give the same dynamics for every family without modifiers (b ∝ lr, or a diagonal change of the state for
    /// PyTorch's rule), so spectra at any scale are searched on O(1) numbers; learning rates and risks are scaled back
    /// exactly (powers of two). <paramref name="startLr"/> (absolute, per update) replaces the best baseline as the start, and
    /// <paramref name="startBatch"/> (a non-decreasing batch per update) the nearly constant start of an optimised ramp.
    /// </summary>
    internal static OptimizedSchedule Optimize(Problem problem, Func<double, MethodTemplate> family, int steps, IReadOnlyList<Schedule?> baselines,
        ScheduleOptimizationOptions? options, BatchPlan? batch, IReadOnlyList<double>? startLr, IReadOnlyList<double>? startBatch = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(baselines);
        options ??= new ScheduleOptimizationOptions();
        var template = family(1);
        bool scalable = template.Family is MethodFamily.Sgd or MethodFamily.HeavyBall or MethodFamily.Nesterov or MethodFamily.Torch or MethodFamily.Asgd
                        && template.Modifiers.IsNone;
        var scale = scalable ? ProblemScale.Of(problem) : default;
        if (scale.IsIdentity) return OptimizeNormalised(problem, family, steps, baselines, options, batch, startLr, startBatch);
        int e = scale.LambdaExponent, r = scale.RiskExponent;
        var inner = OptimizeNormalised(scale.Apply(problem), family, steps, baselines,
            options with { LrMin = Math.ScaleB(options.LrMin, e), LrMax = Math.ScaleB(options.LrMax, e) }, batch,
            startLr?.Select(v => Math.ScaleB(v, e)).ToArray(), startBatch);
        TunedSchedule User(TunedSchedule t) => t with { BaseLr = Math.ScaleB(t.BaseLr, -e), FinalRisk = Math.ScaleB(t.FinalRisk, r) };
        var lr = inner.Lr.Select(v => Math.ScaleB(v, -e)).ToArray();
        return inner with
        {
            Lr = lr, FinalRisk = Math.ScaleB(inner.FinalRisk, r), Baselines = inner.Baselines.Select(User).ToArray(), Start = User(inner.Start),
            Tail = TailFit.Of(lr, options.TailFraction),
        };
    }

    private static OptimizedSchedule OptimizeNormalised(Problem problem, Func<double, MethodTemplate> family, int steps, IReadOnlyList<Schedule?> baselines,
        ScheduleOptimizationOptions options, BatchPlan? batchPlan, IReadOnlyList<double>? startLr, IReadOnlyList<double>? startRamp)
    {
        if (steps < 1) throw new InvalidInputException($"A budget of {steps} steps is not allowed; it must be at least 1 step.");
        if (baselines.Count == 0) throw new InvalidInputException("The schedule optimisation needs at least one baseline schedule to start from.");
        if (options.Knots < 2) throw new InvalidInputException($"{options.Knots} knots is not allowed; the schedule needs at least 2 knots.");
        if (options.SearchBins < 1) throw new InvalidInputException($"{options.SearchBins} search bins is not allowed; use at least 1.");
        if (!(options.TailFraction > 0 && options.TailFraction <= 1))
            throw new InvalidInputException($"A tail fraction of {options.TailFraction} is not allowed; it must lie in (0, 1].");
        var template = family(1);
        if (!template.HasLearningRate) throw new InvalidInputException("A custom method has no named learning rate, so it has no learning-rate schedule to optimise.");
        bool withMomentum = options.Momentum;
        if (withMomentum && !template.HasMomentum)
            throw new InvalidInputException($"{template.FamilyName} has no momentum parameter, so its momentum schedule cannot be optimised.");

        if (batchPlan?.Given is { } given && given.Count != steps)
            throw new InvalidInputException($"{given.Count} batch sizes were given for {steps} steps; give one batch size per step.");
        var shape = batchPlan is { IsOptimised: true } ? new MonotoneBatchShape(steps, batchPlan.Budget, batchPlan.MinBatch, batchPlan.Knots) : null;
        double[]? startBatch = batchPlan is null ? null : batchPlan.Given?.ToArray() ?? Enumerable.Repeat(batchPlan.Budget / steps, steps).ToArray();
        var batchSchedule = startBatch is null ? null : Schedule.FromValues(startBatch, absolute: true);
        ScheduledMethod WithBatch(ScheduledMethod m) => batchSchedule is null ? m : new ScheduledMethod(m.Template, m.LrSchedule, m.MomentumSchedule, batchSchedule);

        var search = WeightedDirections.Compress(problem, options.SearchBins);
        bool compressed = search.Count < problem.Spectrum.Dimension;
        double SearchRisk(ScheduledMethod m0) => SearchRiskOf(WithBatch(m0));
        double SearchRiskOf(ScheduledMethod m) => compressed
            ? StepGradients.Compute(search, problem.Kurtosis, problem.Noise, t => { var s = m.At(t, problem.Batch); return (s.Method, s.Batch); },
                steps, StepGradients.StoredDoublesBudget, gradient: false).Risk
            : RiskRecursion.FinalRisk(problem, m, steps);

        // baselines: base lr tuned on the search spectrum, then scored exactly on the full problem
        var tuned = new TunedSchedule[baselines.Count];
        var searchScore = new double[baselines.Count];
        for (int i = 0; i < baselines.Count; i++)
        {
            var onSearch = ScheduleTuning.TuneBaseLr(SearchRisk, family, baselines[i], steps, options.LrMin, options.LrMax);
            searchScore[i] = onSearch.FinalRisk;
            double exact = RiskRecursion.FinalRisk(problem, WithBatch(new ScheduledMethod(family(onSearch.BaseLr), baselines[i])), steps);
            tuned[i] = onSearch with { FinalRisk = double.IsFinite(exact) ? exact : double.PositiveInfinity };
        }
        int startIdx = Array.IndexOf(searchScore, searchScore.Min());
        var start = tuned[startIdx];
        var startMethod = new ScheduledMethod(family(start.BaseLr), start.Schedule);
        double baseMomentum = template.Momentum;

        // the knots and the interpolation weights of every update
        int knots = Math.Min(options.Knots, steps);
        var tau = new double[knots];
        for (int j = 0; j < knots; j++)
        {
            double x = knots == 1 ? 0 : j / (double)(knots - 1);
            tau[j] = knots * 4 <= steps ? (steps - 1) * (1 - (1 - x) * (1 - x)) : (steps - 1) * x;
        }
        var left = new int[steps];
        var weight = new double[steps];
        for (int t = 0, j = 0; t < steps; t++)
        {
            while (j < knots - 2 && tau[j + 1] <= t) j++;
            left[t] = j;
            weight[t] = knots == 1 ? 0 : Math.Clamp((t - tau[j]) / (tau[j + 1] - tau[j]), 0, 1);
        }
        double Interp(Vector<double> v, int offset, int t) =>
            knots == 1 ? v[offset] : (1 - weight[t]) * v[offset + left[t]] + weight[t] * v[offset + Math.Min(left[t] + 1, knots - 1)];
        void Spread(double[] g, int offset, int t, double value)
        {
            g[offset + left[t]] += (1 - weight[t]) * value;
            if (knots > 1) g[offset + Math.Min(left[t] + 1, knots - 1)] += weight[t] * value;
        }
        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
        (double[] Lr, double[]? Mom) Expand(Vector<double> x)
        {
            var lr = new double[steps];
            double[]? mom = withMomentum ? new double[steps] : null;
            for (int t = 0; t < steps; t++)
            {
                lr[t] = Math.Exp(Interp(x, 0, t));
                if (mom is not null) mom[t] = Sigmoid(Math.Clamp(Interp(x, knots, t), -30, 30));
            }
            return (lr, mom);
        }

        int batchOffset = withMomentum ? 2 * knots : knots;
        var x0 = Vector<double>.Build.Dense(batchOffset + (shape?.Parameters ?? 0));
        for (int j = 0; j < knots; j++)
        {
            long t = (long)Math.Round(tau[j]);
            x0[j] = Math.Log(startLr is null ? startMethod.LrAt(t) : startLr[(int)t]);
            if (withMomentum) x0[knots + j] = Math.Log(baseMomentum / (1 - baseMomentum));
        }
        var startDelta = shape is not null && startRamp is not null ? shape.Fit(startRamp) : null;
        for (int j = batchOffset; j < x0.Count; j++) x0[j] = startDelta?[j - batchOffset] ?? MonotoneBatchShape.StartIncrement;
        double[]? BatchOf(Vector<double> x) => shape is null ? startBatch : shape.Expand(x.ToArray().AsSpan(batchOffset));

        double bestF = double.PositiveInfinity;
        Vector<double> bestX = x0;
        int evaluations = 0;
        var methodTemplate = family(start.BaseLr);
        (double, Vector<double>) Objective(Vector<double> x)
        {
            evaluations++;
            var (lr, mom) = Expand(x);
            var batch = BatchOf(x);
            var grad = new double[x.Count];
            ScheduleGradientResult g;
            try
            {
                g = compressed
                    ? GradientOnSearch(search, problem, methodTemplate, lr, mom, batch)
                    : ScheduleGradient.Compute(problem, methodTemplate, lr, mom, batch);
            }
            catch (InvalidInputException)
            {
                return (1e6, Vector<double>.Build.Dense(grad));
            }
            if (!(g.Risk > 0) || !double.IsFinite(g.Risk)) return (1e6, Vector<double>.Build.Dense(grad));
            double f = Math.Log(g.Risk);
            for (int t = 0; t < steps; t++)
            {
                Spread(grad, 0, t, g.Lr![t] * lr[t] / g.Risk);
                if (mom is not null)
                {
                    double v = Interp(x, knots, t);
                    double dv = v is > -30 and < 30 ? mom[t] * (1 - mom[t]) : 0;
                    Spread(grad, knots, t, g.Momentum![t] * dv / g.Risk);
                }
            }
            if (shape is not null)
            {
                var dB = new double[steps];
                for (int t = 0; t < steps; t++) dB[t] = g.Batch[t] / g.Risk;
                shape.Chain(x.ToArray().AsSpan(batchOffset), dB, grad.AsSpan(batchOffset));
            }
            if (f < bestF) { bestF = f; bestX = x.Clone(); }
            return (f, Vector<double>.Build.Dense(grad));
        }

        int iterations = 0;
        string stop;
        try
        {
            var minimizer = new LimitedMemoryBfgsMinimizer(1e-9, 1e-12, 1e-12, 10, options.MaxIterations);
            var r = minimizer.FindMinimum(ObjectiveFunction.Gradient(Objective), x0);
            // MathNet 5 reports AbsoluteGradient whatever ended the loop, and MaximumIterations + 1 iterations when the
            // budget ran out without throwing: read the reason from the count
            iterations = Math.Min(r.Iterations, options.MaxIterations);
            stop = r.Iterations >= options.MaxIterations ? "MaximumIterations" : "Converged";
        }
        catch (MaximumIterationsException)
        {
            iterations = options.MaxIterations;
            stop = "MaximumIterations";
        }
        catch (Exception e) when (e is OptimizationException or ArgumentException or InvalidOperationException)
        {
            stop = "LineSearchFailed: " + e.Message.TrimEnd('.');
        }

        var (bestLr, bestMom) = Expand(bestX);
        var bestBatch = BatchOf(bestX);
        double finalRisk = ExactRisk(problem, family, bestLr, bestMom, bestBatch, steps);
        var bestBaseline = tuned.MinBy(b => b.FinalRisk)!;
        bool usedBaseline = !(finalRisk <= bestBaseline.FinalRisk);
        if (usedBaseline)
        {
            var m = new ScheduledMethod(family(bestBaseline.BaseLr), bestBaseline.Schedule);
            bestLr = Enumerable.Range(0, steps).Select(t => m.LrAt(t)).ToArray();
            bestMom = withMomentum ? Enumerable.Repeat(baseMomentum, steps).ToArray() : null;
            bestBatch = startBatch;
            finalRisk = ExactRisk(problem, family, bestLr, bestMom, bestBatch, steps);
        }
        return new OptimizedSchedule(bestLr, bestMom, finalRisk, tuned, start, iterations, evaluations, stop, usedBaseline, search.Count,
            TailFit.Of(bestLr, options.TailFraction)) { Batch = bestBatch };
    }

    /// <summary>E L_T of absolute per-step learning rates (and momenta) by the library's scheduled recursion, as <c>risk --lr-schedule file:</c> computes it.</summary>
    public static double ExactRisk(Problem problem, Func<double, MethodTemplate> family, double[] lr, double[]? momentum, int steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(lr);
        return RiskRecursion.FinalRisk(problem, AsScheduled(family, lr, momentum), steps);
    }

    /// <summary>As <see cref="ExactRisk(Problem, Func{double, MethodTemplate}, double[], double[], int)"/> with per-step batch sizes (null: the problem's batch).</summary>
    public static double ExactRisk(Problem problem, Func<double, MethodTemplate> family, double[] lr, double[]? momentum, double[]? batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(lr);
        return RiskRecursion.FinalRisk(problem, AsScheduled(family, lr, momentum, batch), steps);
    }

    /// <summary>The method with the absolute per-step learning rates, momenta and batch sizes (each null: not scheduled) as <c>value</c> schedules.</summary>
    public static ScheduledMethod AsScheduled(Func<double, MethodTemplate> family, double[] lr, double[]? momentum, double[]? batch)
    {
        var m = AsScheduled(family, lr, momentum);
        return batch is null ? m : new ScheduledMethod(m.Template, m.LrSchedule, m.MomentumSchedule, Schedule.FromValues(batch, absolute: true));
    }

    /// <summary>The method with the absolute per-step values as <c>value</c> schedules.</summary>
    public static ScheduledMethod AsScheduled(Func<double, MethodTemplate> family, double[] lr, double[]? momentum)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(lr);
        return new ScheduledMethod(family(lr[0] > 0 ? lr[0] : 1), Schedule.FromValues(lr, absolute: true), momentum is null ? null : Schedule.FromValues(momentum, absolute: true));
    }

    private static ScheduleGradientResult GradientOnSearch(WeightedDirections search, Problem problem, MethodTemplate template, double[] lr, double[]? mom, double[]? batch)
    {
        // the family chain rule of ScheduleGradient on the compressed spectrum: run it through a view with the weights
        return ScheduleGradient.Compute(problem, template, lr, mom, batch, StepGradients.StoredDoublesBudget, search);
    }
}
