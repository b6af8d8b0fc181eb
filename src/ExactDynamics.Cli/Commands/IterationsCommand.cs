using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
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
            "json: {\"target\", \"exact\", \"closed_form\", \"rho\", \"gap\", \"prefactor\", \"crude\", \"initial_risk\", \"max_steps\"} (exact is null if not reached); csv: the same fields as one row.",
            Example);
        shared.AddTo(command);
        command.Options.Add(target);
        command.Options.Add(maxSteps);
        var schedules = new ScheduleOptions("With a schedule, exact follows it; closed_form, rho, gap and prefactor describe its constant tail (the settings reached as t → ∞) and are null when there is none.");
        schedules.AddTo(command);
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            double eps = parse.GetValue(target);
            if (!double.IsFinite(eps) || !(eps > 0))
                throw new InvalidInputException($"--target {ResultWriter.Text(eps)} is not allowed; the target risk must be a positive finite number such as 1e-6.");
            long max = parse.GetValue(maxSteps);
            if (max < 1) throw new InvalidInputException($"--max-steps {max} is not allowed; it must be at least 1 (as for tune).");
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
}
