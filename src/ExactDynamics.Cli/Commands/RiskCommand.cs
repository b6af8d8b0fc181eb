using System.CommandLine;
using ExactDynamics.Cli.Output;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Commands;

/// <summary><c>exactdyn risk</c>: the exact expected risk E L_t (MATH.md §3) at t = 0, N, 2N, … and the last step T.</summary>
internal static class RiskCommand
{
    public const string Example =
        "exactdyn risk --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 8 --steps 1000 --every 100 --format csv";

    /// <summary>Most rows one run prints (each row is kept in memory until the run ends).</summary>
    public const long MaxRows = 10_000_000;

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("risk", integerBatch: true);
        var steps = OptionFactory.Integer("--steps", "Number of steps T ≥ 0 to run the exact recursion for.", 1000);
        steps.HelpName = "T";
        var every = OptionFactory.Integer("--every", "Print every N-th step (rows t = 0, N, 2N, … and always the last step T), N ≥ 1.", 1);
        var command = new ExampleCommand("risk",
            "The exact expected excess risk E L_t of the method at each printed step, from the closed-form second-moment recursion (no sampling). " +
            "csv columns: t,risk; json: {\"t\": [...], \"risk\": [...]}. A diverging method prints its growing values and stops with a message on stderr if they overflow.",
            Example);
        shared.AddTo(command);
        command.Options.Add(steps);
        command.Options.Add(every);
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var (problem, init) = shared.BuildProblem(parse);
            var method = shared.BuildMethod(parse);
            long t = parse.GetValue(steps), n = parse.GetValue(every);
            if (t < 0) throw new InvalidInputException($"--steps {t} is not allowed; the number of steps must be at least 0.");
            if (n < 1) throw new InvalidInputException($"--every {n} is not allowed; it must be at least 1.");
            if (t / n > MaxRows)
                throw new InvalidInputException(
                    $"--steps {t} with --every {n} would print {t / n + 1} rows, more than the {MaxRows} allowed; raise --every to at least {(t + MaxRows - 1) / MaxRows}.");
            var trajectory = WithLastFiniteStep(RiskRecursion.Run(problem, method, t, n), problem, method, t);
            OutputTarget.Emit(outPath, ctx.Out, w => ResultWriter.WriteRisk(w, shared.GetFormat(parse), trajectory, new RunInfo(problem, method, init)));
            if (trajectory.Overflowed)
            {
                ctx.Error.WriteLine(
                    $"exactdyn: the risk overflows after step {trajectory.Steps[^1]} (the method diverges); the output stops there, at the last finite value, instead of at step {t}.");
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// When the risk overflowed between two printed rows, appends the last step whose risk is still finite, so a
    /// diverging curve shows how far it got (rows are then t = 0, N, 2N, …, t_last).
    /// </summary>
    private static RiskTrajectory WithLastFiniteStep(RiskTrajectory r, Problem problem, LinearMethod method, long steps)
    {
        if (!r.Overflowed) return r;
        var state = new SecondMoments(problem, method);
        long t = 0;
        double last = state.Risk;
        while (t < steps)
        {
            state.Step();
            if (!double.IsFinite(state.Risk)) break;
            t++;
            last = state.Risk;
        }
        if (t <= r.Steps[^1]) return r;
        return r with { Steps = [.. r.Steps, t], Risk = [.. r.Risk, last] };
    }
}
