using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Validation.UserCurves;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn validate --data X.npy --against run.csv</c>: a measured curve of training on the user's own data (rows
/// drawn uniformly with replacement) against the exact curve of the chosen fourth-moment model
/// (docs/math.md#validation-test, docs/math.md#three-fourth-moment-models). With <c>--moments empirical</c> the exact
/// curve assumes nothing about the data, so an inconsistent verdict points at the training code. The same test, output
/// and exit codes as with <c>--spectrum</c>; without a stderr column, <c>--runs R</c> simulates the same rows, start and
/// method with R runs.
/// </summary>
internal static partial class ValidateCommand
{
    private static int RunOnData(CliContext ctx, ParseResult parse, SharedOptions shared, DataOptions dataOptions, LinearMethod method,
        SimulatedCurve curve, string path, int? runs, double alpha, string? outPath, string? plotPath, FigureSize? figure)
    {
        double batch = parse.GetValue(shared.Batch);
        var (data, description) = dataOptions.BuildData(parse);
        var problem = dataOptions.BuildProblem(parse, data, shared, batch);
        long last = curve.Steps[^1];
        var model = dataOptions.ChooseModel(parse, data, last);
        double kurtosis = DataOptions.GaussianKurtosis(parse, shared, data);
        string modelText = RiskCommand.ModelText(model, kurtosis);
        ctx.Note($"exactdyn: {description}");
        ctx.Note(model == MomentModel.Empirical
            ? $"exactdyn: moments: {modelText}; estimated {Numerics.CostEstimate.Duration(DataOptions.EstimatedSeconds(data, last))}"
            : $"exactdyn: moments: {modelText}{DataOptions.DefaultNote(parse, dataOptions, data, last)}");
        var validation = DataCurveValidator.Validate(problem, method, model, curve, runs, alpha, path, kurtosis);
        if (validation.PowerWarning is { } warning) ctx.Note($"exactdyn: warning: {warning}.");
        var info = new DataRunInfo(method.Spec, description, MomentModels.Name(model), modelText, batch,
            data.HasTarget ? "start w0 fixed (error w0 − w*)" : "random start (--init)");
        OutputTarget.Emit(outPath, ctx.Out, w => ValidationWriter.WriteValidation(w, shared.GetFormat(parse), validation, path, info));
        if (plotPath is not null)
            ValidationPlot.Save(plotPath, validation, curve, path, method.Spec, $"{description}; moments: {MomentModels.Name(model)}, B={ResultWriter.Text(batch)}", figure);
        return validation.Consistent ? 0 : Inconsistent;
    }
}
