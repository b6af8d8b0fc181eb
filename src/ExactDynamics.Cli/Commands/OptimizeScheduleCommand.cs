using System.CommandLine;
using System.Globalization;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn optimize-schedule</c>: the learning-rate (and optionally momentum) schedule minimising the exact final risk
/// E L_T, by L-BFGS on the exact adjoint gradient (docs/math.md#optimal-schedules), next to the tuned baselines of
/// <c>schedules</c>.
/// </summary>
internal static class OptimizeScheduleCommand
{
    public const string Example =
        "exactdyn optimize-schedule --spectrum powerlaw:a=1,d=200 --family hb --batch 8 --noise 0.1 --steps 1000";

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("optimize-schedule", integerBatch: true);
        var budget = new ScheduleBudgetOptions("Method family whose learning-rate schedule is optimised.",
            "Momentum (beta for hb/nesterov, momentum for torch): fixed, or the starting value with --momentum.",
            "The step budget T: the schedule minimises E L_T.", "A baseline learning-rate schedule, tuned and compared; the search starts from the best of them",
            " for the baselines");
        var knots = OptionFactory.Integer("--knots", "Knots of the schedule: log lr (and logit β) is interpolated linearly between them, denser towards the end (at most T).", 200);
        var momentum = new Option<bool>("--momentum") { Description = "Optimise the momentum schedule too (hb, nesterov, torch), starting from --beta." };
        var bins = OptionFactory.Integer("--search-bins", "Spectra with more eigenvalues are searched on this many bins of log λ (every reported risk is exact, on the full spectrum).", 64);
        var iterations = OptionFactory.Integer("--max-iterations", "L-BFGS iterations.", 100);
        var tail = OptionFactory.Real("--tail", "The fraction of the run at its end over which the exponent p of lr_t ∝ (1 − t/T)^p is fitted.", 0.2);
        var scheduleOut = OptionFactory.Text("--schedule-out", "PATH.csv",
            "Write the optimal learning rates as a schedule file (header value, one absolute lr per update) that --lr-schedule file:PATH.csv reads back.");
        var momentumOut = OptionFactory.Text("--momentum-out", "PATH.csv", "With --momentum: write the optimal momenta as a schedule file for --momentum-schedule file:PATH.csv.");
        var plot = OptionFactory.Plot("Draw the schedules (learning rate against t, linear scale) and their exact risk curves, side by side (.png or .svg); " +
                                      "with --batch-schedule optimal also the batch sizes, and the risk against the samples spent.");
        var batch = new BatchScheduleOptionSet();
        var command = new ExampleCommand("optimize-schedule",
            "The learning-rate schedule (optionally with the momentum) that minimises the exact final risk E L_T at a budget of T steps: log lr on " +
            "knots, optimised by L-BFGS with the exact adjoint gradient, started from the best of the baselines (each with its base lr tuned as in " +
            "'schedules'). The result is never worse than a baseline (if the search cannot beat the best, that baseline is returned, and said). " +
            "Also reports the exponent p of a fit lr_t ∝ (1 − t/T)^p over the end of the run. csv columns: schedule,base_lr,final_risk,ratio_to_optimal.",
            Example);
        shared.AddTo(command, withMethod: false);
        budget.AddTo(command);
        foreach (var o in new Option[] { knots, momentum, bins, iterations, tail, scheduleOut, momentumOut, plot })
            command.Options.Add(o);
        batch.AddTo(command);
        shared.AddOutputTo(command);
        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var plotPath = parse.GetValue(plot);
            Plots.Validate(plotPath);
            var lrOut = parse.GetValue(scheduleOut);
            var momOut = parse.GetValue(momentumOut);
            OutputTarget.Validate(lrOut, "--schedule-out");
            OutputTarget.Validate(momOut, "--momentum-out");
            bool withMomentum = parse.GetValue(momentum);
            if (momOut is not null && !withMomentum)
                throw new InvalidInputException("--momentum-out needs --momentum; without it the momentum stays at --beta and there is no momentum schedule to write.");
            var (problem, init) = shared.BuildProblem(parse);
            var (make, familyName, _, t, baselines, lrMin, lrMax) = budget.Read(parse, problem);
            if (t > int.MaxValue) throw new InvalidInputException($"--steps {t} is not allowed; the budget must be at most {int.MaxValue} steps.");
            long k = parse.GetValue(knots), nb = parse.GetValue(bins), it = parse.GetValue(iterations);
            if (k < 2 || k > 100_000) throw new InvalidInputException($"--knots {k} is not allowed; use between 2 and 100000 knots.");
            if (nb < 1 || nb > 1_000_000) throw new InvalidInputException($"--search-bins {nb} is not allowed; use between 1 and 1000000.");
            if (it < 0 || it > 100_000) throw new InvalidInputException($"--max-iterations {it} is not allowed; use between 0 and 100000.");
            var options = new ScheduleOptimizationOptions((int)k, withMomentum, (int)nb, (int)it, lrMin, lrMax, parse.GetValue(tail));
            if (batch.Read(parse, budget, problem, options) is { } batchOptions)
            {
                BatchScheduleComparison comparison;
                using (var progress = Progress.Start(ctx.Error, "optimize-schedule", 1))
                {
                    comparison = BatchSchedules.Compare(problem, make, batch.Budget(parse), BatchScheduleOptionSet.Baselines(parse, budget, baselines), batchOptions);
                    progress.Advance();
                }
                var best = comparison.Optimal.Schedule;
                if (lrOut is not null) WriteSchedule(lrOut, "--schedule-out", best.Lr, "optimal learning rate");
                if (momOut is not null && best.Momentum is not null) WriteSchedule(momOut, "--momentum-out", best.Momentum, "optimal momentum");
                if (batch.OutPath(parse) is { } bOut) WriteSchedule(bOut, "--batch-out", comparison.Optimal.Batch, "optimal batch size");
                if (plotPath is not null) BatchScheduleWriter.Plot(plotPath, problem, make, comparison, familyName);
                OutputTarget.Emit(outPath, ctx.Out, w => BatchScheduleWriter.Write(w, shared.GetFormat(parse), familyName, comparison, problem, init));
                return 0;
            }
            OptimizedSchedule result;
            using (var progress = Progress.Start(ctx.Error, "optimize-schedule", 1))
            {
                result = ScheduleOptimizer.Optimize(problem, make, (int)t, baselines, options);
                progress.Advance();
            }
            if (lrOut is not null) WriteSchedule(lrOut, "--schedule-out", result.Lr, "optimal learning rate");
            if (momOut is not null && result.Momentum is not null) WriteSchedule(momOut, "--momentum-out", result.Momentum, "optimal momentum");
            if (plotPath is not null) Plot(plotPath, problem, make, (int)t, result, familyName);
            OutputTarget.Emit(outPath, ctx.Out, w => Write(w, shared.GetFormat(parse), familyName, t, result, problem, init));
            return 0;
        });
        return command;
    }

    /// <summary>A <c>value</c> schedule file: one absolute value per update, round-trip precision (so it reads back to the same bits).</summary>
    private static void WriteSchedule(string path, string option, double[] values, string what) =>
        OutputTarget.WriteAtomically(path, option, s =>
        {
            using var w = new StreamWriter(s, leaveOpen: true);
            w.WriteLine($"# {what} for updates t = 0..{values.Length - 1} (exactdyn optimize-schedule)");
            w.WriteLine("value");
            foreach (var v in values) w.WriteLine(v.ToString("R", CultureInfo.InvariantCulture));
        });

    private static void Plot(string path, Problem problem, Func<double, MethodTemplate> make, int steps, OptimizedSchedule r, string family)
    {
        var lrSeries = new List<PlotSeries>();
        var riskSeries = new List<PlotSeries>();
        var xs = Enumerable.Range(0, steps).Select(i => (double)i).ToArray();
        var xr = Enumerable.Range(0, steps + 1).Select(i => (double)i).ToArray();
        foreach (var b in r.Baselines)
        {
            var m = new ScheduledMethod(make(b.BaseLr), b.Schedule);
            lrSeries.Add(new PlotSeries(b.Name, xs, xs.Select(x => m.LrAt((long)x)).ToArray()));
            riskSeries.Add(new PlotSeries(b.Name, xr, RiskRecursion.Trajectory(problem, m, steps)));
        }
        lrSeries.Add(new PlotSeries("optimal", xs, r.Lr));
        riskSeries.Add(new PlotSeries("optimal", xr, RiskRecursion.Trajectory(problem, ScheduleOptimizer.AsScheduled(make, r.Lr, r.Momentum), steps)));
        Plots.SavePanels(path,
        [
            new PlotSpec($"Learning-rate schedules — {family}", "update t", "learning rate", LogX: false, LogY: false)
            {
                Series = lrSeries, IntegerX = true, LegendAt = ScottPlot.Alignment.LowerLeft,
            },
            new PlotSpec($"Exact risk — {Plots.Describe(problem)}", "step t", "expected risk E L_t (log scale)", LogX: false, LogY: true) { Series = riskSeries, IntegerX = true },
        ]);
    }

    private static void Write(TextWriter w, OutputFormat format, string family, long steps, OptimizedSchedule r, Problem problem, string init)
    {
        var rows = r.Baselines.Select(b => (Name: b.Name, BaseLr: b.BaseLr, Risk: b.FinalRisk)).ToList();
        rows.Add(("optimal", double.NaN, r.FinalRisk));
        string Ratio(double risk) => ResultWriter.Num(risk / r.FinalRisk);
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["schedule", "base_lr", "final_risk", "ratio_to_optimal"],
                    rows.Select(x => new[] { x.Name, ResultWriter.Num(x.BaseLr), ResultWriter.Num(x.Risk), Ratio(x.Risk) }));
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("family", family);
                    j.WriteNumber("steps", steps);
                    ResultWriter.WriteNumberOrNull(j, "final_risk", r.FinalRisk);
                    j.WriteBoolean("used_baseline", r.UsedBaseline);
                    j.WriteString("start", r.Start.Name);
                    j.WriteNumber("iterations", r.Iterations);
                    j.WriteNumber("evaluations", r.Evaluations);
                    j.WriteString("stop", r.Stop);
                    j.WriteNumber("search_blocks", r.SearchBlocks);
                    j.WriteStartObject("tail");
                    ResultWriter.WriteNumberOrNull(j, "exponent", r.Tail.Exponent);
                    ResultWriter.WriteNumberOrNull(j, "r_squared", r.Tail.RSquared);
                    j.WriteNumber("from", r.Tail.From);
                    j.WriteEndObject();
                    j.WriteStartArray("rows");
                    foreach (var x in rows)
                    {
                        j.WriteStartObject();
                        j.WriteString("schedule", x.Name);
                        ResultWriter.WriteNumberOrNull(j, "base_lr", x.BaseLr);
                        ResultWriter.WriteNumberOrNull(j, "final_risk", x.Risk);
                        ResultWriter.WriteNumberOrNull(j, "ratio_to_optimal", x.Risk / r.FinalRisk);
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    j.WriteEndObject();
                });
                break;
            default:
            {
                int d = problem.Spectrum.Dimension;
                w.WriteLine($"Optimal learning-rate schedule at a budget of {ResultWriter.Int(steps)} steps — {family}" + (r.Momentum is null ? "" : " (momentum optimised too)"));
                w.WriteLine(ScheduleBudgetOptions.ProblemLine(problem, init));
                w.WriteLine();
                var table = new TextTable(("schedule", false), ("tuned base lr", true), ("E L_T", true), ("vs optimal", true));
                foreach (var x in rows)
                    table.Add(x.Name, double.IsNaN(x.BaseLr) ? "-" : ResultWriter.Readable(x.BaseLr, 4), ResultWriter.Readable(x.Risk, 4),
                        ResultWriter.Readable(x.Risk / r.FinalRisk, 4) + "×");
                table.Write(w);
                w.WriteLine();
                w.WriteLine(r.UsedBaseline
                    ? $"The search did not beat the best baseline on the full spectrum, so the optimal row is that baseline ({r.Baselines.MinBy(b => b.FinalRisk)!.Name})."
                    : $"Search: L-BFGS from {r.Start.Name}, {r.Iterations} iterations, {r.Evaluations} gradient evaluations ({r.Stop})" +
                      (r.SearchBlocks < d ? $", on {r.SearchBlocks} bins of the spectrum; every E L_T above is exact on the full spectrum." : "."));
                w.WriteLine($"Tail: lr_t ∝ (1 − t/T)^p over t ≥ {ResultWriter.Int(r.Tail.From)} gives p = {ResultWriter.Readable(r.Tail.Exponent, 3)} (R² = {ResultWriter.Readable(r.Tail.RSquared, 3)}); " +
                            $"last learning rate {ResultWriter.Readable(r.Lr[^1], 3)}, largest {ResultWriter.Readable(r.Lr.Max(), 3)}.");
                break;
            }
        }
    }
}
