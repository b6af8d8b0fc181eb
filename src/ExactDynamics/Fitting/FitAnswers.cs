using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Fitting;

/// <summary>What the fitted model says about one family at one batch size (docs/math.md#fit-answers): its critical
/// batch size and the tuned hyperparameters at a chosen batch size, computed on the fitted model's rate
/// (<see cref="CurveModel.Rates"/>) by <see cref="CriticalBatch"/> and <see cref="Tuner"/>.</summary>
/// <param name="Family">The family.</param>
/// <param name="Critical">The critical batch size and deterministic scale on the fitted model.</param>
/// <param name="AtBatch">The batch size the tuning is for.</param>
/// <param name="Tuned">The tuned method at <paramref name="AtBatch"/> (its learning rate, and momentum for heavy ball and Nesterov).</param>
/// <param name="CriticalBatchStdErr">The standard error of the critical batch propagated from the fit (delta method:
/// central differences at ±1 standard error of each θ_k that enters the rate, combined with the covariance of θ); null
/// when no fitted parameter enters (<see cref="FittedInputs"/> empty), an entering parameter is not identified, or
/// a perturbed critical batch is beyond the largest batch.</param>
public sealed record FitAnswer(MethodFamily Family, CriticalBatchResult Critical, double AtBatch, TuneResult Tuned, double? CriticalBatchStdErr = null)
{
    /// <summary>The standard error of each tuned hyperparameter (by name, e.g. lr, beta), propagated as
    /// <see cref="CriticalBatchStdErr"/>; null when it cannot be formed.</summary>
    public IReadOnlyDictionary<string, double>? TunedStdErr { get; init; }

    /// <summary>The free fitted parameters the answers depend on (<see cref="CurveModel.RateParameters"/>); empty when
    /// nothing fitted enters them (e.g. a data model under the matrix or empirical moments), so that they carry no
    /// uncertainty from the fit.</summary>
    public IReadOnlyList<string> FittedInputs { get; init; } = [];
}

/// <summary>The usual questions answered by a fitted model (docs/math.md#fit-answers).</summary>
public static class FitAnswers
{
    /// <summary>The critical batch of each family and its tuned method at <paramref name="atBatch"/> on the fitted model's rate.</summary>
    /// <inheritdoc cref="Compute(CurveModel, FitResult, IReadOnlyList{MethodFamily}, IReadOnlyList{double}, CriticalBatchOptions?)"/>
    public static IReadOnlyList<FitAnswer> Compute(CurveModel model, FitResult fit, IReadOnlyList<MethodFamily> families, double atBatch,
        CriticalBatchOptions? options = null) => Compute(model, fit, families, [atBatch], options);

    /// <summary>
    /// The critical batch of each family and its tuned method at each of <paramref name="atBatches"/>, on the fitted
    /// model's rate <see cref="CurveModel.Rates"/> — the same <see cref="CriticalBatch.Compute(IRateModel, IReadOnlyList{MethodFamily}, CriticalBatchOptions?)"/>
    /// and <see cref="Tuner.Tune(IRateModel, MethodFamily, TuneOptions?)"/> that <c>critical-batch</c> and <c>tune</c>
    /// run (with <c>--data</c>: on the data's own rate under the fitted fourth-moment model), with the fit's uncertainty
    /// propagated through the parameters that enter the rate. One answer per family and batch size, families outer.
    /// </summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="fit">The fit.</param>
    /// <param name="families">The families to answer for.</param>
    /// <param name="atBatches">The batch sizes for the tuning (real numbers ≥ 1).</param>
    /// <param name="options">Critical-batch settings; null for the defaults.</param>
    /// <exception cref="InvalidInputException">A batch size is out of range, or the fitted values describe no valid problem.</exception>
    public static IReadOnlyList<FitAnswer> Compute(CurveModel model, FitResult fit, IReadOnlyList<MethodFamily> families, IReadOnlyList<double> atBatches,
        CriticalBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(families);
        ArgumentNullException.ThrowIfNull(atBatches);
        foreach (var b in atBatches)
            if (!double.IsFinite(b) || !(b >= 1))
                throw new InvalidInputException($"The batch size {MethodFamilies.Fmt(b)} for the fitted model's tuning is not allowed; it must be a finite number ≥ 1.");
        var rates = model.Rates(fit.Values);
        var critical = CriticalBatch.Compute(rates, families, options);
        var tuned = families.Select(f => atBatches.Select(b => Tuner.Tune(rates.WithBatch(b), f)).ToArray()).ToArray();
        var inputs = Entering(model, fit);
        var criticalErrors = Propagate(model, fit, inputs, families.Count, r =>
        {
            var c = CriticalBatch.Compute(r, families, options);
            return c.Select(x => x.CriticalBatch ?? double.NaN).ToArray();
        });
        var answers = new List<FitAnswer>();
        for (int i = 0; i < families.Count; i++)
            for (int j = 0; j < atBatches.Count; j++)
            {
                var names = tuned[i][j].ParameterNames;
                var tunedErrors = Propagate(model, fit, inputs, names.Count, r =>
                {
                    var t = Tuner.Tune(r.WithBatch(atBatches[j]), families[i]);
                    return names.Select(n => t.Parameters.TryGetValue(n, out var v) ? v : double.NaN).ToArray();
                });
                answers.Add(new FitAnswer(families[i], critical[i], atBatches[j], tuned[i][j], criticalErrors?[i])
                {
                    TunedStdErr = tunedErrors is null || tunedErrors.Any(e => e is null)
                        ? null
                        : names.Select((n, k) => (n, tunedErrors[k]!.Value)).ToDictionary(x => x.n, x => x.Value),
                    FittedInputs = inputs.Select(k => fit.Parameters.Where(p => !p.Fixed).ElementAt(k).Parameter.Name).ToArray(),
                });
            }
        return answers;
    }

    /// <summary>The indices (among the free parameters) of those that enter the rate.</summary>
    private static int[] Entering(CurveModel model, FitResult fit)
    {
        var free = fit.Parameters.Where(p => !p.Fixed).ToList();
        return Enumerable.Range(0, free.Count).Where(k => model.RateParameters.Contains(free[k].Parameter)).ToArray();
    }

    /// <summary>
    /// se(q)² = gᵀ·Cov θ·g with g_k = (q(θ + s_k e_k) − q(θ − s_k e_k))/(2 s_k), s_k = se(θ_k), over the free θ_k that
    /// enter the rate: the linear propagation of the fit's uncertainty over ±1 standard error
    /// (docs/math.md#fit-uncertainties), for each of <paramref name="count"/> quantities q (NaN where one cannot be
    /// formed). Null when no fitted parameter enters or one that enters is not identified; a null entry where that
    /// quantity could not be formed.
    /// </summary>
    private static double?[]? Propagate(CurveModel model, FitResult fit, int[] entering, int count, Func<IRateModel, double[]> quantity)
    {
        var free = fit.Parameters.Where(p => !p.Fixed).ToList();
        if (entering.Length == 0 || entering.Any(k => free[k].NotIdentified)) return null;
        var g = new double[count, entering.Length];
        var valid = Enumerable.Repeat(true, count).ToArray();
        for (int a = 0; a < entering.Length; a++)
        {
            var parameter = free[entering[a]];
            double s = parameter.ThetaStdErr!.Value;
            double theta = parameter.Parameter.ToInternal(parameter.Value);
            var ends = new double[2][];
            for (int side = 0; side < 2; side++)
            {
                var values = new Dictionary<string, double>(fit.Values) { [parameter.Parameter.Name] = parameter.Parameter.FromInternal(theta + (side == 0 ? s : -s)) };
                try { ends[side] = quantity(model.Rates(values)); }
                catch (InvalidInputException) { ends[side] = Enumerable.Repeat(double.NaN, count).ToArray(); }
            }
            for (int i = 0; i < count; i++)
            {
                double d = (ends[0][i] - ends[1][i]) / (2 * s);
                if (double.IsFinite(d)) g[i, a] = d;
                else valid[i] = false;
            }
        }
        var result = new double?[count];
        for (int i = 0; i < count; i++)
        {
            if (!valid[i]) continue;
            double v = 0;
            for (int a = 0; a < entering.Length; a++)
                for (int b = 0; b < entering.Length; b++) v += g[i, a] * fit.ThetaCovariance[entering[a], entering[b]] * g[i, b];
            if (v >= 0 && double.IsFinite(v)) result[i] = Math.Sqrt(v);
        }
        return result;
    }
}
