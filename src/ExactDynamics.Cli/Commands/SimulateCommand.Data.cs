using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.UserCurves;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn simulate --data X.npy</c>: Monte Carlo of the method on the user's data (docs/math.md#monte-carlo,
/// docs/math.md#the-empirical-model) — each step draws B_t of the data's rows uniformly with replacement, from the
/// data's start (w0 with a target, else a random start of --init) — with the validation project's simulator, the one
/// <c>validate --data --runs</c> uses. The same outputs as <c>simulate</c> (csv t,risk,stderr after the data commands'
/// leading moments column; json adds "moments" and "data"); the table's exact curve and z-scores are those of the
/// chosen fourth-moment model.
/// </summary>
internal static partial class SimulateCommand
{
    private static int RunOnData(CliContext ctx, ParseResult parse, SharedOptions shared, DataOptions dataOptions, ScheduledMethod scheduled,
        Budget budget, string? outPath)
    {
        var (t, n, r, s, dop) = budget;
        if (t > int.MaxValue - 1) throw new InvalidInputException($"--steps {t} is too large for --data; at most {int.MaxValue - 1}.");
        double batch = parse.GetValue(shared.Batch);
        var method = scheduled.Template.Base;
        var run = dataOptions.Prepare(ctx, parse, shared, batch, Math.Max(1, t), $"the exact risk to t = {t}");
        if (!scheduled.IsConstant && ScheduledSimulationNotes.RoundedBatch(scheduled, batch, t) is long firstRounded)
            ctx.Note($"exactdyn: the batch schedule gives a B_t that is not a whole number (first at step {firstRounded}); the simulation rounds it to the nearest whole number of rows, the exact curve uses it as it is.");
        var settings = DataCurveValidator.Setting(run.Problem, scheduled) with
        {
            Steps = t, Every = n, Runs = (int)r, Seed = (ulong)s, MaxDegreeOfParallelism = dop,
        };
        CostEstimate.Require(CostEstimate.SimulationSeconds(method.K, run.Data.Dimension, batch, t, r),
            $"simulating {r} runs of {method.Spec} on the data to t = {t} at d = {run.Data.Dimension}",
            "use fewer runs or steps, or 'exactdyn risk --data' for the exact curve", ctx.Note);
        CostEstimate.RequireMemory(32.0 * (t / n + 2) * Math.Max(1, Environment.ProcessorCount), $"recording {t / n + 1} steps");
        SimulationResult result;
        using (var progress = Progress.Start(ctx.Error, "simulate --data", r))
            result = MonteCarloSimulator.Run(settings, DataCurveValidator.Optimizer(run.Problem, scheduled), finished => progress.Advance(finished));
        var exact = DataCurveValidator.ExactAt(run.Problem, scheduled, run.Model, result.Steps, run.Kurtosis);
        (result, exact) = StopAtOverflow(ctx, result, exact, null, null, t);
        var format = shared.GetFormat(parse);
        var init = run.Data.HasTarget ? "fixed start w0 (error w0 − w*)" : parse.GetValue(shared.Init) ?? "isotropic";
        DataOutput.Emit(outPath, ctx.Out, format, run, w =>
        {
            ValidationWriter.WriteSimulation(w, format, result, exact, DataRowsLaw, new RunInfo(run.GaussianView, method, init));
            if (format == OutputFormat.Table && !scheduled.IsConstant) ScheduleResultWriter.WriteScheduleLines(w, scheduled);
        });
        return 0;
    }

    /// <summary>How the samples are drawn with --data (the "covariates" of the outputs).</summary>
    public const string DataRowsLaw = "data rows, drawn uniformly with replacement";
}
