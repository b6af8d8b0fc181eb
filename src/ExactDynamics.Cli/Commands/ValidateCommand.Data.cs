using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Schedules;
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
    private static int RunOnData(CliContext ctx, ParseResult parse, SharedOptions shared, DataOptions dataOptions, ScheduledMethod scheduled,
        SimulatedCurve curve, string path, int? runs, double alpha, string? outPath, string? plotPath, FigureSize? figure)
    {
        double batch = parse.GetValue(shared.Batch);
        long last = curve.Steps.Length == 0 ? 0 : curve.Steps[^1];
        if (last > int.MaxValue - 1) throw new InvalidInputException($"{path}: step {last} is too far for --data; compare steps up to {int.MaxValue - 1}.");
        var run = dataOptions.Prepare(ctx, parse, shared, batch, Math.Max(1, last), $"the exact risk to t = {last}");
        var method = scheduled.Template.Base;
        if (!scheduled.IsConstant && runs is not null && curve.StdErr is null && ScheduledSimulationNotes.RoundedBatch(scheduled, batch, last) is long rounded)
            ctx.Note($"exactdyn: the batch schedule gives a B_t that is not a whole number (first at step {rounded}); the simulation rounds it to the nearest whole number of rows, the exact curve uses it as it is.");
        var validation = DataCurveValidator.Validate(run.Problem, scheduled, run.Model, curve, runs, alpha, path, run.Kurtosis);
        if (validation.PowerWarning is { } warning) ctx.Note($"exactdyn: warning: {warning}.");
        var info = new DataRunInfo(scheduled.IsConstant ? method.Spec : scheduled.Description, run.Description, run.ModelName, run.ModelText, batch,
            run.Data.HasTarget ? "start w0 fixed (error w0 − w*)" : "random start (--init)");
        OutputTarget.Emit(outPath, ctx.Out, w => ValidationWriter.WriteValidation(w, shared.GetFormat(parse), validation, path, info));
        if (plotPath is not null)
            ValidationPlot.Save(plotPath, validation, curve, path, method.Spec, $"{run.Description}; moments: {run.ModelName}, B={ResultWriter.Text(batch)}", figure);
        return validation.Consistent ? 0 : Inconsistent;
    }
}
