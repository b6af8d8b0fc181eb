using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Schedules;
using ExactDynamics.Targets;

namespace ExactDynamics.Cli.Commands;

/// <summary><c>exactdyn iterations</c>: steps until E L_t ≤ ε, exactly and in closed form (docs/math.md#iterations-to-target).</summary>
internal static class IterationsCommand
{
    public const string Example =
        "exactdyn iterations --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 8 --target 1e-6 --format json";

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("iterations", integerBatch: true);
        var target = OptionFactory.Real("--target", "Target risk ε > 0: count the steps until E L_t ≤ ε.", required: true);
        target.HelpName = "EPS";
        var maxSteps = OptionFactory.Integer("--max-steps",
            "Give up the exact count after this many steps (exact is then null; closed_form is still given).",
            IterationsToTarget.DefaultMaxSteps);
        var command = new ExampleCommand("iterations",
            "Iterations until the expected risk reaches a target ε, exact and closed form. " +
            "exact is the first t with E L_t ≤ ε (from the exact recursion), " +
            "closed_form ⌈ln(C/ε)/ln(1/ρ)⌉ from E L_t ≈ C ρ^t, and the papers' crude ln(L_0/ε)/gap. " +
            "json: {\"target\", \"exact\", \"closed_form\", \"rho\", \"gap\", \"prefactor\", \"crude\", \"initial_risk\", \"max_steps\"} (exact is null if not reached); csv: the same fields as one row. " +
            "With --data the chosen fourth-moment model's exact recursion is stepped (json adds \"moments\" and \"data\", csv a leading moments column); closed_form and prefactor are given for the gaussian model only.",
            Example);
        shared.AddTo(command);
        command.Options.Add(target);
        command.Options.Add(maxSteps);
        var schedules = new ScheduleOptions("With a schedule, exact follows it; closed_form, rho, gap and prefactor describe its constant tail (the settings reached as t → ∞) and are null when there is none.");
        schedules.AddTo(command);
        var dataOptions = new DataOptions();
        dataOptions.AddTo(command);
        shared.Spectrum.Required = false; // --spectrum or --data
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            double eps = parse.GetValue(target);
            if (!double.IsFinite(eps) || !(eps > 0))
                throw new InvalidInputException($"--target {ResultWriter.Text(eps)} is not allowed; the target risk must be a positive finite number such as 1e-6.");
            long max = parse.GetValue(maxSteps);
            if (max < 1) throw new InvalidInputException($"--max-steps {max} is not allowed; it must be at least 1 (as for tune).");
            dataOptions.RequireOneSource(parse, shared);
            if (dataOptions.Given(parse)) return RunOnData(ctx, parse, shared, dataOptions, schedules, eps, max, outPath);
            var (problem, init) = shared.BuildProblem(parse);
            var method = shared.BuildMethod(parse);
            var scheduled = schedules.Build(parse, method);
            if (!scheduled.IsConstant)
            {
                var sr = IterationsToTarget.Compute(problem, scheduled, eps, max);
                OutputTarget.Emit(outPath, ctx.Out, w => ScheduleResultWriter.WriteIterations(w, shared.GetFormat(parse), sr, new RunInfo(problem, method, init), scheduled));
                return 0;
            }
            var result = IterationsToTarget.Compute(problem, method, eps, max);
            OutputTarget.Emit(outPath, ctx.Out, w => ResultWriter.WriteIterations(w, shared.GetFormat(parse), result, new RunInfo(problem, method, init)));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The counts on the user's data under the chosen fourth-moment model (docs/math.md#data-rates): the gaussian model
    /// as on a spectrum; the matrix and empirical models step their exact recursion to the first hit, with ρ from the
    /// Perron root of their map. The empirical model's time is estimated up front (from ρ and L₀) and refused above five minutes.
    /// </summary>
    private static int RunOnData(CliContext ctx, ParseResult parse, SharedOptions shared, DataOptions dataOptions, ScheduleOptions schedules,
        double eps, long max, string? outPath)
    {
        var method = shared.BuildMethod(parse);
        var scheduled = schedules.Build(parse, method);
        var run = dataOptions.Prepare(ctx, parse, shared, parse.GetValue(shared.Batch), 200, "the rate");
        if (run.Model != MomentModel.Gaussian)
        {
            // the rate of the settings the run ends in (the constant method, or the schedules' tail) bounds the search
            var tail = scheduled.Tail(run.Problem.Batch);
            double steps = max;
            if (tail.Method is not null)
            {
                var rate = DataRate.Compute(run.Problem.WithRealBatch(tail.Batch), tail.Method, run.Model, run.Kurtosis);
                double l0 = DataRisk.Trajectory(run.Problem, scheduled, 0, run.Model, run.Kurtosis)[0];
                steps = DataRisk.StepLimit(run.Problem, tail, rate.Rho, max);
                if (!rate.Diverges && l0 > eps) steps = Math.Min(steps, (tail.From ?? 0) + 1.5 * Math.Log(l0 / eps) / rate.Gap + 64);
            }
            double seconds = DataOptions.EstimatedSeconds(run.Model, run.Data, (long)Math.Ceiling(steps));
            Numerics.CostEstimate.Require(seconds, $"stepping the {MomentModels.Name(run.Model)} model to E L_t ≤ {ResultWriter.Readable(eps)} (up to {ResultWriter.Readable(Math.Ceiling(steps))} steps)",
                run.Model == MomentModel.Empirical ? "use --moments matrix, raise the target or lower --max-steps" : "use --moments gaussian, raise the target or lower --max-steps", ctx.Note);
            ctx.Note($"exactdyn: stepping up to {ResultWriter.Readable(Math.Ceiling(steps))} steps, estimated {ResultWriter.Readable(seconds, 2)} s");
        }
        var fmt = shared.GetFormat(parse);
        var init = run.Data.HasTarget ? "fixed start w0 (error w0 − w*)" : parse.GetValue(shared.Init) ?? "isotropic";
        if (!scheduled.IsConstant)
        {
            var sr = DataRisk.Iterations(run.Problem, scheduled, run.Model, eps, max, run.Kurtosis);
            DataOutput.Emit(outPath, ctx.Out, fmt, run, w => ScheduleResultWriter.WriteIterations(w, fmt, sr, new RunInfo(run.GaussianView, method, init), scheduled),
                notes: run.Model == MomentModel.Gaussian ? null : ["prefactor and closed form: computed for the gaussian model only; exact follows the schedules, rho, gap and crude describe this model's constant tail."]);
            return 0;
        }
        var result = DataRisk.Iterations(run.Problem, method, run.Model, eps, max, run.Kurtosis);
        DataOutput.Emit(outPath, ctx.Out, fmt, run, w => ResultWriter.WriteIterations(w, fmt, result, new RunInfo(run.GaussianView, method, init)),
            notes: run.Model == MomentModel.Gaussian ? null :
            ["closed form and prefactor: the Perron prefactor C is computed for the gaussian model only; exact and crude are this model's."]);
        return 0;
    }
}
