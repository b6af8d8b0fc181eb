using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Schedules;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn ramp</c>: a doubling batch-size ramp against a constant batch at equal total gradient cost
/// (docs/schedules.md#batch-ramps), exact.
/// </summary>
internal static class RampCommand
{
    public const string Example =
        "exactdyn ramp --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 8 --budget 200000 --double-every 1000 --max-batch 256";

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("ramp", integerBatch: true);
        var budget = OptionFactory.Real("--budget", "Total gradient budget G in samples (Σ_t B_t); every strategy spends at most G.", required: true);
        budget.HelpName = "G";
        var every = OptionFactory.Integer("--double-every", "The ramp doubles the batch every N steps: B_t = B·2^⌊t/N⌋.", required: true);
        var maxBatch = OptionFactory.Real("--max-batch", "Cap of the ramp's batch (≥ --batch); also run as a constant batch for comparison. Default: no cap.");
        maxBatch.HelpName = "M";
        var command = new ExampleCommand("ramp",
            "Batch-size ramp vs constant batch at equal gradient cost: the constant batch B runs ⌊G/B⌋ steps; the ramp B_t = B·min(M/B, 2^⌊t/N⌋) " +
            "runs as many steps as Σ B_t ≤ G allows (same learning rate and momentum; everything exact). Reports each strategy's serial steps, " +
            "gradient cost and final risk, the serial-runtime saving at equal budget (1 − T_ramp/T_constant), and the steps the ramp needs to reach " +
            "the constant batch's final risk. csv columns: strategy,first_batch,last_batch,steps,gradient_cost,final_risk,steps_to_match,cost_to_match.",
            Example);
        shared.AddTo(command);
        command.Options.Add(budget);
        command.Options.Add(every);
        command.Options.Add(maxBatch);
        shared.AddOutputTo(command);
        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var (problem, init) = shared.BuildProblem(parse);
            var method = shared.BuildMethod(parse);
            double g = parse.GetValue(budget);
            long n = parse.GetValue(every);
            if (n < 1) throw new InvalidInputException($"--double-every {n} is not allowed; it must be a whole number of steps ≥ 1.");
            double cap = double.PositiveInfinity;
            if (parse.GetResult(maxBatch) is not null)
            {
                double m = parse.GetValue(maxBatch);
                if (!double.IsFinite(m) || m < problem.Batch)
                    throw new InvalidInputException($"--max-batch {ResultWriter.Text(m)} is not allowed; the ramp's cap must be a finite batch ≥ --batch ({ResultWriter.Readable(problem.Batch)}).");
                cap = m / problem.Batch;
            }
            var result = BatchRamp.Compare(problem, method, g, n, cap);
            OutputTarget.Emit(outPath, ctx.Out, w => RampWriter.Write(w, shared.GetFormat(parse), result, new RunInfo(problem, method, init)));
            return 0;
        });
        return command;
    }
}
