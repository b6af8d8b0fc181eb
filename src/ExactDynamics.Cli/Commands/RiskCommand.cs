using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Cli.Parsing;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Commands;

/// <summary><c>exactdyn risk</c>: the exact expected risk E L_t (docs/math.md#second-moment-recursion) at t = 0, N, 2N, … and the last step T.</summary>
internal static partial class RiskCommand
{
    public const string Example =
        "exactdyn risk --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 8 --steps 1000 --every 100 --format csv";

    /// <summary>Most rows one run prints (each row is kept in memory until the run ends).</summary>
    public const long MaxRows = 10_000_000;

    /// <summary>Most points one curve of a <c>--plot</c> has (the plot samples the trajectory at a stride of its own).</summary>
    public const long MaxPlotPoints = 2000;

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("risk", integerBatch: true);
        var methods = new Option<string[]>("--method")
        {
            Description = shared.Method.Description + " Repeat --method to compare several methods on the same problem " +
                          "(csv then has columns method,t,risk; json {\"methods\": [{\"method\", \"t\", \"risk\"}, ...]}; the table one column per method).",
            HelpName = "SPEC",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var steps = OptionFactory.Integer("--steps", "Number of steps T ≥ 0 to run the exact recursion for.", 1000);
        steps.HelpName = "T";
        var every = OptionFactory.Integer("--every", "Print every N-th step (rows t = 0, N, 2N, … and always the last step T), N ≥ 1.", 1);
        var at = new Option<string?>("--at")
        {
            Description = "Print E L_t only at these steps, e.g. --at 10,1000,1000000000 (overrides --steps/--every). For SGD (one state) far " +
                          "horizons use the exact eigendecomposition of the diagonal-plus-rank-one operator (O(d) per t, any t); other methods compute the exact trajectory up to the largest t (renewal form with an FFT convolution, or the fused pass; a horizon that would take more than about five minutes is refused). A risk below the double range (≈ 2.2e-308) prints as 0.",
            HelpName = "t1,t2,…",
        };
        var plot = new PlotOptions("Also draw E L_t against t (log scale), one line per method, into this file.", $"{Plots.Width}x{Plots.Height}");
        var overlay = new Option<string[]>("--overlay")
        {
            Description = "With --plot: also draw measured curves from CSV files (columns t,risk — e.g. your own training or simulation log; " +
                          "extra columns are ignored), as points next to the exact lines. Repeat for several files.",
            HelpName = "FILE.csv",
            AllowMultipleArgumentsPerToken = false,
        };
        var overlayOffset = new Option<string?>("--overlay-offset")
        {
            Description = "With --overlay: subtract this from every measured value before drawing it. 'floor' subtracts σ²/2 (half of --noise): " +
                          "a training loss ½(y − xᵀw)² averages to E L_t + σ²/2, while this tool computes the excess risk E L_t. " +
                          "A number subtracts that value (e.g. your loss's own floor; for a mean squared error without the ½, halve the file's values first).",
            HelpName = "VALUE|floor",
        };
        var command = new ExampleCommand("risk",
            "The exact expected risk E L_t at each step (closed-form recursion, no sampling). " +
            "csv columns: t,risk; json: {\"t\": [...], \"risk\": [...]}. Repeat --method to overlay several methods (csv method,t,risk). " +
            "A diverging method prints its growing values and stops with a message on stderr if they overflow.",
            Example);
        shared.AddTo(command, withMethod: false);
        command.Options.Insert(command.Options.IndexOf(shared.Spectrum) + 1, methods);
        command.Options.Add(steps);
        command.Options.Add(every);
        command.Options.Add(at);
        var schedules = new ScheduleOptions();
        schedules.AddTo(command);
        plot.AddTo(command);
        command.Options.Add(overlay);
        command.Options.Add(overlayOffset);
        var dataOptions = new DataOptions();
        dataOptions.AddTo(command);
        shared.Spectrum.Required = false; // --spectrum or --data
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var (plotPath, figure) = plot.Read(parse);
            if (dataOptions.Given(parse))
            {
                if (parse.GetValue(shared.Spectrum) is not null)
                    throw new InvalidInputException("Give either --spectrum or --data, not both: the data's own spectrum is used with --data.");
                if ((parse.GetValue(overlay) ?? []).Length > 0)
                    throw new InvalidInputException("--overlay is not available with --data yet; draw the exact curves with --plot, or check a measured curve with 'exactdyn validate --data'.");
                var onData = (parse.GetValue(methods) ?? []).Select(SpecParser.ParseMethod).ToArray();
                return RunOnData(ctx, parse, shared, dataOptions, onData.Select(m => schedules.Build(parse, m)).ToArray(),
                    parse.GetValue(steps), parse.GetValue(every), parse.GetValue(at), outPath, plotPath);
            }
            if (parse.GetValue(shared.Spectrum) is null)
                throw new InvalidInputException("The problem needs a spectrum: give --spectrum SPEC, or --data X.npy for your own data matrix.");
            var overlays = parse.GetValue(overlay) ?? [];
            if (overlays.Length > 0 && plotPath is null)
                throw new InvalidInputException("--overlay draws measured curves on the figure; give --plot FILE.png (or .svg) too.");
            var (problem, init) = shared.BuildProblem(parse);
            var measured = Overlays.Read(overlays, parse.GetValue(overlayOffset), problem, parse.GetValue(steps), ctx);
            var specs = parse.GetValue(methods) ?? [];
            var parsed = specs.Select(SpecParser.ParseMethod).ToArray();
            var atText = parse.GetValue(at);
            if (atText is not null)
            {
                if (plotPath is not null) throw new InvalidInputException("--at prints chosen steps only; draw a figure with --steps/--every and --plot instead.");
                var points = SpecParser.ParseSteps(atText, "--at");
                var atCurves = new List<(LinearMethod Method, RiskTrajectory Risk)>();
                using (var progress = Progress.Start(ctx.Error, "risk --at", parsed.Length * points[^1]))
                {
                    foreach (var method in parsed)
                    {
                        long reported = 0; // steps of this method already counted
                        atCurves.Add((method, RiskRecursion.At(problem, schedules.Build(parse, method), points,
                            t => { progress.Advance(t - reported); reported = t; }, ctx.Note)));
                    }
                }
                foreach (var (method, trajectory) in atCurves)
                    if (trajectory.Overflowed)
                        ctx.Note(
                            $"exactdyn: the risk {(atCurves.Count > 1 ? $"of {method.Spec} " : "")}overflows {(trajectory.Steps.Length > 0 ? $"after step {trajectory.Steps[^1]} " : "")}before step {points.First(p => trajectory.Steps.Length == 0 || p > trajectory.Steps[^1])} (the method diverges); the steps from there on are left out.");
                var fmt = shared.GetFormat(parse);
                OutputTarget.Emit(outPath, ctx.Out, w =>
                {
                    if (atCurves.Count == 1) ResultWriter.WriteRisk(w, fmt, atCurves[0].Risk, new RunInfo(problem, atCurves[0].Method, init));
                    else ResultWriter.WriteRisks(w, fmt, atCurves, problem, init);
                });
                return 0;
            }
            long t = parse.GetValue(steps), n = parse.GetValue(every);
            if (t < 0) throw new InvalidInputException($"--steps {t} is not allowed; the number of steps must be at least 0.");
            if (n < 1) throw new InvalidInputException($"--every {n} is not allowed; it must be at least 1.");
            if (t / n > MaxRows / Math.Max(1, parsed.Length))
                throw new InvalidInputException(
                    $"--steps {t} with --every {n} would print {(t / n + 1) * parsed.Length} rows, more than the {MaxRows} allowed; raise --every to at least {(t * parsed.Length + MaxRows - 1) / MaxRows}.");

            // the same schedules for every method (each built on its own base values)
            var scheduledOf = parsed.ToDictionary(m => m, m => schedules.Build(parse, m));
            long plotStride = Math.Max(1, (t + MaxPlotPoints - 1) / MaxPlotPoints);
            var curves = new List<(LinearMethod Method, RiskTrajectory Risk)>();
            var plotted = new List<PlotSeries>();
            using (var progress = Progress.Start(ctx.Error, "risk", parsed.Length * (plotPath is null ? 1 : 2)))
            {
                foreach (var method in parsed)
                {
                    var scheduled = scheduledOf[method];
                    var trajectory = RiskRecursion.Run(problem, scheduled, t, n, ctx.Note);
                    curves.Add((method, trajectory));
                    progress.Advance();
                    if (plotPath is null) continue;
                    var dense = plotStride == n ? trajectory : RiskRecursion.Run(problem, scheduled, t, plotStride);
                    plotted.Add(new PlotSeries(method.Spec, dense.Steps.Select(x => (double)x).ToArray(), dense.Risk));
                    progress.Advance();
                }
            }

            var format = shared.GetFormat(parse);
            var anySchedule = scheduledOf.Values.FirstOrDefault(x => !x.IsConstant);
            OutputTarget.Emit(outPath, ctx.Out, w =>
            {
                if (curves.Count == 1) ResultWriter.WriteRisk(w, format, curves[0].Risk, new RunInfo(problem, curves[0].Method, init));
                else ResultWriter.WriteRisks(w, format, curves, problem, init);
                if (format == OutputFormat.Table && anySchedule is not null) ScheduleResultWriter.WriteScheduleLines(w, anySchedule);
            });
            if (plotPath is not null)
            {
                var title = curves.Count == 1
                    ? $"Exact expected risk — {curves[0].Method.Spec}\n{Plots.Describe(problem)}"
                    : $"Exact expected risk — {Plots.Describe(problem)}";
                if (anySchedule is not null) title += "\n" + ScheduleResultWriter.ScheduleSummary(anySchedule);
                Plots.RiskCurves(plotPath, title, [.. plotted, .. measured], figure);
            }
            foreach (var (method, trajectory) in curves.Where(c => c.Risk.Overflowed))
            {
                ctx.Note(
                    $"exactdyn: the risk {(curves.Count > 1 ? $"of {method.Spec} " : "")}overflows after step {trajectory.Steps[^1]} (the method diverges); the output stops there, at the last finite value, instead of at step {t}.");
            }
            return 0;
        });
        return command;
    }
}
