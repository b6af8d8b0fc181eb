using ExactDynamics.Dynamics;
using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Numerics;
using ExactDynamics.Validation.Statistics;
using ExactDynamics.Validation.UserCurves;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn validate --against FILE.csv</c>: is a user's simulated mean-risk curve consistent with the exact
/// expectation? Exit 0 consistent, 1 inconsistent, 2 bad input (docs/cli.md#validate).
/// </summary>
internal static partial class ValidateCommand
{
    public const string Example =
        "exactdyn validate --against sim.csv --spectrum powerlaw:a=1,d=100 --method torch:lr=0.05,momentum=0.9 --batch 8";

    /// <summary>Exit code of a failed validation.</summary>
    public const int Inconsistent = 1;

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("validate", integerBatch: true);
        var against = OptionFactory.Text("--against", "FILE.csv",
            "The simulated curve: csv with a header naming t, risk and optionally stderr (the standard error of the mean risk); " +
            "one row per recorded step, steps increasing. Other columns are ignored.", required: true);
        var runs = OptionFactory.Integer("--runs",
            "Runs averaged in the file, needed when it has no stderr column: the standard errors are then estimated by simulating the same problem and method with R runs (refused when that would take minutes: add the column). With a stderr column, R gives the per-run spread stderr·√R, and a curve whose spread exceeds 10× the mean is flagged (the test has no power there).");
        runs.HelpName = "R";
        var alpha = OptionFactory.Real("--alpha", "Family-wise false-alarm probability over all compared steps (Bonferroni), 0 < α < 1.", CurveComparer.DefaultAlpha);
        alpha.HelpName = "ALPHA";
        var command = new ExampleCommand("validate",
            "Checks a simulated mean-risk curve (e.g. from your own PyTorch loop) against the exact expected risk of the given problem and method: " +
            "z_t = (risk_t − exact_t)/stderr_t at every step, consistent when max |z_t| stays within the Bonferroni bound Φ⁻¹(1 − α/(2n)). " +
            "Prints the worst z, where it occurs and a verdict; exit code 0 when consistent, 1 when not, 2 for a malformed file or bad options. " +
            "json: {\"consistent\", \"verdict\", \"worst_z\", \"worst_t\", \"threshold\", \"alpha\", \"steps_compared\", \"first_t_outside\", \"stderr_source\", \"runs\"}; csv: the same fields as one row.",
            Example);
        command.Options.Add(against);
        shared.AddTo(command);
        command.Options.Add(runs);
        command.Options.Add(alpha);
        var dataOptions = new DataOptions();
        dataOptions.AddTo(command);
        shared.Spectrum.Required = false; // --spectrum or --data
        var schedules = new ScheduleOptions("The exact curve follows the schedules step by step.");
        schedules.AddTo(command);
        var plot = new PlotOptions("Also draw the simulated curve with its ±2·stderr band next to the exact one, and the z-scores with the ± threshold, one panel above the other.",
            $"{ValidationPlot.Width}x{ValidationPlot.Height}");
        plot.AddTo(command);
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var (plotPath, figure) = plot.Read(parse);
            if (dataOptions.Given(parse) && parse.GetValue(shared.Spectrum) is not null)
                throw new InvalidInputException("Give either --spectrum or --data, not both: the data's own spectrum is used with --data.");
            if (!dataOptions.Given(parse) && parse.GetValue(shared.Spectrum) is null)
                throw new InvalidInputException("The problem needs a spectrum: give --spectrum SPEC, or --data X.npy for your own data matrix.");
            var method = shared.BuildMethod(parse);
            int? r = null;
            if (parse.GetResult(runs) is { Implicit: false })
            {
                long value = parse.GetValue(runs);
                if (value < 2 || value > int.MaxValue) throw new InvalidInputException($"--runs {value} is not allowed; give the number of runs averaged, a whole number of at least 2.");
                r = (int)value;
            }
            double a = parse.GetValue(alpha);
            if (!(a > 0 && a < 1)) throw new InvalidInputException($"--alpha {ResultWriter.Text(a)} is not allowed; it must lie strictly between 0 and 1, e.g. 0.001.");
            var path = parse.GetValue(against)!;
            var curve = SimulatedCurve.Load(path);
            if (dataOptions.Given(parse))
                return RunOnData(ctx, parse, shared, dataOptions, schedules.Build(parse, method), curve, path, r, a, outPath, plotPath, figure);
            var (problem, init) = shared.BuildProblem(parse);
            if (curve.Steps.Length > 0)
                CostEstimate.Require(CostEstimate.SteppingSeconds(method.K, problem.Spectrum.Dimension, curve.Steps[^1]),
                    $"the exact risk of {method.Spec} to t = {curve.Steps[^1]} at d = {problem.Spectrum.Dimension}", "compare fewer or earlier steps, or a smaller spectrum", ctx.Note);
            var scheduled = schedules.Build(parse, method);
            var validation = scheduled.IsConstant
                ? CurveValidator.Validate(problem, method, curve, r, a, path)
                : ScheduledCurveValidator.Validate(problem, scheduled, curve, r, a, path);
            if (validation.PowerWarning is { } warning) ctx.Note($"exactdyn: warning: {warning}.");
            OutputTarget.Emit(outPath, ctx.Out, w => ValidationWriter.WriteValidation(w, shared.GetFormat(parse), validation, path, new RunInfo(problem, method, init)));
            if (plotPath is not null) ValidationPlot.Save(plotPath, validation, curve, path, method.Spec, Plots.Describe(problem), figure);
            return validation.Consistent ? 0 : Inconsistent;
        });
        return command;
    }
}
