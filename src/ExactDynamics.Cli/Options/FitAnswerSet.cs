using System.Text.Json.Nodes;
using ExactDynamics.Data;
using ExactDynamics.Fitting;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// The fitted model's answers as <c>fit</c> reports them (docs/cli.md#fit): the library's answers, and with a data
/// model the moment model they ran under and, for each tuned method, its stability on the data as <c>tune --data</c>
/// reports it (<see cref="DataEdges"/>: the learning-rate edges along its shape under the gaussian and empirical
/// models, and its empirical ρ when tuned under another model).
/// </summary>
/// <param name="Answers">One per family and batch size.</param>
/// <param name="Moments">The moment model's name with a data model; null for the power law.</param>
/// <param name="ModelText">The moment model as stated in outputs; null for the power law.</param>
/// <param name="Stability">Per answer, the stability on the data (json fields and table lines); null for the power law.</param>
/// <param name="FallBack">Why the answers use another moment model than the fit; null when they do not.</param>
internal sealed record FitAnswerSet(IReadOnlyList<FitAnswer> Answers, string? Moments, string? ModelText,
    IReadOnlyList<(Dictionary<string, JsonNode?> Json, List<string> Lines)>? Stability, string? FallBack)
{
    public static FitAnswerSet Check(FitAnswerPlan plan, IReadOnlyList<FitAnswer> answers, FitResult fit, CliContext ctx)
    {
        if (plan.Model is not DataCurveModel data) return new FitAnswerSet(answers, null, null, null, null);
        // m4 of the gaussian edge: the fitted one, or (under the other models) the data's scalar kurtosis, as the rate
        // commands take it without --kurtosis
        double m4 = fit.Values.TryGetValue(FitParameter.Kurtosis.Name, out var k) ? k : data.Data.Kurtosis.Average();
        string text = Commands.RiskCommand.ModelText(data.Moments, m4);
        var problem = data.ProblemAt(fit.Values, 1);
        var stability = answers.Select(a =>
        {
            var run = new DataRun(data.Data, problem.WithRealBatch(a.AtBatch), data.Moments, m4, data.Description, text);
            return DataEdges.Check(run, a.Family, a.Tuned.Parameters, a.Tuned.Method, ctx);
        }).ToList();
        return new FitAnswerSet(answers, MomentModels.Name(data.Moments), text, stability, plan.FallBack);
    }
}
