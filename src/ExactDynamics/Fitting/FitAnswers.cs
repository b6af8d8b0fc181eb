using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Fitting;

/// <summary>What the fitted model says about one family (docs/math.md#fitting): its critical batch size and the tuned
/// hyperparameters at a chosen batch size, computed on the fitted problem by <see cref="CriticalBatch"/> and
/// <see cref="Tuner"/>.</summary>
/// <param name="Family">The family.</param>
/// <param name="Critical">The critical batch size and deterministic scale on the fitted problem.</param>
/// <param name="AtBatch">The batch size the tuning is for.</param>
/// <param name="Tuned">The tuned method at <paramref name="AtBatch"/> (its learning rate, and momentum for heavy ball and Nesterov).</param>
/// <param name="CriticalBatchStdErr">The standard error of the critical batch propagated from the fit (delta method:
/// central differences at ±1 standard error of each θ_k, combined with the covariance of θ); null when a parameter is
/// not identified or a perturbed critical batch is beyond the largest batch.</param>
public sealed record FitAnswer(MethodFamily Family, CriticalBatchResult Critical, double AtBatch, TuneResult Tuned, double? CriticalBatchStdErr = null);

/// <summary>The usual questions answered by a fitted model (docs/math.md#fitting).</summary>
public static class FitAnswers
{
    /// <summary>The critical batch of each family and its tuned method at <paramref name="atBatch"/>, on the fitted
    /// model's spectral problem; null when the model has none (the matrix and empirical data models).</summary>
    /// <param name="model">The fitted model.</param>
    /// <param name="fit">The fit.</param>
    /// <param name="families">The families to answer for.</param>
    /// <param name="atBatch">The batch size for the tuning (a real number ≥ 1).</param>
    /// <param name="options">Critical-batch settings; null for the defaults.</param>
    /// <exception cref="InvalidInputException">The batch size is out of range.</exception>
    public static IReadOnlyList<FitAnswer>? Compute(CurveModel model, FitResult fit, IReadOnlyList<MethodFamily> families, double atBatch,
        CriticalBatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(families);
        var problem = model.SpectralProblem(fit.Values, 1);
        if (problem is null) return null;
        var at = problem.WithBatch(atBatch);
        var critical = CriticalBatch.Compute(problem, families, options);
        var errors = CriticalBatchStdErrs(model, fit, families, options);
        return families.Select((f, i) => new FitAnswer(f, critical[i], atBatch, Tuner.Tune(at, f), errors?[i])).ToList();
    }

    /// <summary>
    /// se(B_crit)² = gᵀ·Cov θ·g with g_k = (B_crit(θ + s_k e_k) − B_crit(θ − s_k e_k))/(2 s_k), s_k = se(θ_k): the
    /// linear propagation of the fit's uncertainty over ±1 standard error (docs/math.md#fit-uncertainties). Null per
    /// family when it cannot be formed.
    /// </summary>
    private static double?[]? CriticalBatchStdErrs(CurveModel model, FitResult fit, IReadOnlyList<MethodFamily> families, CriticalBatchOptions? options)
    {
        var free = fit.Parameters.Where(p => !p.Fixed).ToList();
        if (free.Count == 0 || free.Any(p => p.NotIdentified)) return null;
        int p = free.Count, m = families.Count;
        var g = new double[m, p];
        var valid = Enumerable.Repeat(true, m).ToArray();
        for (int k = 0; k < p; k++)
        {
            double s = free[k].ThetaStdErr!.Value;
            double theta = free[k].Parameter.ToInternal(free[k].Value);
            var ends = new IReadOnlyList<CriticalBatchResult>?[2];
            for (int side = 0; side < 2; side++)
            {
                var values = new Dictionary<string, double>(fit.Values) { [free[k].Parameter.Name] = free[k].Parameter.FromInternal(theta + (side == 0 ? s : -s)) };
                Problem? perturbed;
                try { perturbed = model.SpectralProblem(values, 1); }
                catch (InvalidInputException) { perturbed = null; }
                ends[side] = perturbed is null ? null : CriticalBatch.Compute(perturbed, families, options);
            }
            for (int i = 0; i < m; i++)
            {
                if (ends[0]?[i].CriticalBatch is double plus && ends[1]?[i].CriticalBatch is double minus) g[i, k] = (plus - minus) / (2 * s);
                else valid[i] = false;
            }
        }
        var result = new double?[m];
        for (int i = 0; i < m; i++)
        {
            if (!valid[i]) continue;
            double v = 0;
            for (int k = 0; k < p; k++)
                for (int l = 0; l < p; l++) v += g[i, k] * fit.ThetaCovariance[k, l] * g[i, l];
            if (v >= 0 && double.IsFinite(v)) result[i] = Math.Sqrt(v);
        }
        return result;
    }
}
