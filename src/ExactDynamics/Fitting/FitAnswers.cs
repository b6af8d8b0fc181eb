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
public sealed record FitAnswer(MethodFamily Family, CriticalBatchResult Critical, double AtBatch, TuneResult Tuned);

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
        return families.Select((f, i) => new FitAnswer(f, critical[i], atBatch, Tuner.Tune(at, f))).ToList();
    }
}
