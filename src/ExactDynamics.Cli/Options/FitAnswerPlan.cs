using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Fitting;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// What <c>fit</c> will answer with the fitted model (docs/cli.md#fit): the families, the batch sizes of the tuning and
/// the model the answers run on — the fitted one, except that a data fit under the empirical model whose tuning is
/// estimated above a minute answers under the matrix model, as the rate commands' default falls back
/// (docs/cli.md#data-rate-commands); the choice and the estimate are handed to <c>note</c> (said on stderr once the fit has accepted its work).
/// </summary>
/// <param name="Model">The model the answers run on.</param>
/// <param name="Families">The families.</param>
/// <param name="Batches">The batch sizes of the tuning.</param>
/// <param name="FallBack">Why the answers use another moment model than the fit (null when they do not).</param>
internal sealed record FitAnswerPlan(CurveModel Model, IReadOnlyList<MethodFamily> Families, IReadOnlyList<double> Batches, string? FallBack)
{
    /// <summary>Seconds above which the empirical model's tuning gives way to the matrix model (as the rate commands' default).</summary>
    public const double EmpiricalSeconds = 60;

    public static FitAnswerPlan Create(CurveModel model, IReadOnlyList<MethodFamily> families, IReadOnlyList<double> batches, Action<string> note)
    {
        if (model is not DataCurveModel data) return new FitAnswerPlan(model, families, batches, null);
        foreach (var b in batches)
            if (data.Moments != MomentModel.Gaussian && b != Math.Floor(b))
                throw new InvalidInputException($"--at-batch {ResultWriter.Text(b)} is not allowed with --moments {MomentModels.Name(data.Moments)}; the data models take whole batch sizes.");
        if (data.Moments != MomentModel.Empirical)
        {
            note($"exactdyn: answers: critical batch and tuning on the data under the {MomentModels.Name(data.Moments)} model (as critical-batch --data and tune --data)");
            return new FitAnswerPlan(model, families, batches, null);
        }
        // the critical batch takes about 25 tunings per family (as critical-batch --data budgets), then one per batch size
        long applications = families.Sum(f => (25 + batches.Count) * DataRates.TuneApplications(f));
        double seconds = DataOptions.EstimatedSeconds(data.Data, applications);
        if (seconds <= EmpiricalSeconds)
        {
            note($"exactdyn: answers: critical batch and tuning on the data under the empirical model; estimated up to {ResultWriter.Readable(seconds, 2)} s");
            return new FitAnswerPlan(model, families, batches, null);
        }
        string why = $"the answers use the matrix model: their tuning under the empirical model is estimated at {Numerics.CostEstimate.Duration(seconds)} (give --no-answers to skip them)";
        note($"exactdyn: {why}");
        return new FitAnswerPlan(data.WithMoments(MomentModel.Matrix), families, batches, why);
    }
}
