using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary><c>exactdyn sweep</c>: tuned gap, iterations and compute efficiency of several families over a batch grid (docs/math.md#batch-size-tradeoffs).</summary>
internal static class SweepCommand
{
    public const string Example = "exactdyn sweep --spectrum powerlaw:a=1,d=200 --family sgd,hb,asgd --batches 1..4096 --format csv";

    private static readonly string[] Fields = ["family", "batch", "gap", "iterations", "ce", "method"];

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("sweep", integerBatch: true);
        var families = TuneCommand.FamilyOption("Comma-separated families to tune: sgd, hb, nesterov, asgd.", list: true, defaultValue: "sgd,hb,asgd");
        var batches = OptionFactory.Text("--batches", "LIST",
            "Batch sizes: a list such as 1,2,4,100, a power-of-two range lo..hi such as 1..4096 (1, 2, 4, …, 4096), or both (1..64,100).", "1..4096");
        var target = TuneCommand.Target(
            "Target risk ε > 0: each row then has the exact iterations T(B) to ε (serial runtime) and ce = 1/(B·T(B)). " +
            "Without it, iterations is empty and ce is the asymptotic gap/B.");
        var objective = TuneCommand.Objective();
        var maxSteps = TuneCommand.MaxSteps();
        var threads = TuneCommand.Threads("Tunings run at once (default: the number of processors).");
        var modifiers = TuneCommand.Modifiers(" E.g. --modifiers ema=tune --objective iterations --target 0.05 --noise 0.1 tunes τ at every B.");
        var plot = new PlotOptions("Also draw the tuned gap and CE against B, each family's critical batch on the grid (CE = ½·CE at the smallest B, interpolated) marked, and, with --target, iterations against total gradients B·T " +
            "(with a schedule: CE(B)/CE at the smallest B with the crossings marked, and E L_T at the budget or B·T to the target).", "1560x400");
        var scheduled = new ScheduledTradeoffOptions();
        var command = new ExampleCommand("sweep",
            "Tune each family at each batch size and tabulate the tradeoff: tuned gap, iterations to a target (serial runtime T(B)), compute efficiency CE(B) and the tuned method. " +
            "Runs in parallel over families and runs of batch sizes, each tuning warm-started from the smaller neighbour's optimum. " +
            "csv: family,batch,gap,iterations,ce,method (one row per family × batch); json: {\"target\", \"rows\": [{the same fields}]}. " +
            "With --data each tuning maximises the chosen fourth-moment model's gap on the data (json adds \"moments\" and \"data\", csv a leading moments column).",
            Example);
        command.Options.Add(shared.Spectrum);
        command.Options.Add(families);
        command.Options.Add(batches);
        command.Options.Add(target);
        command.Options.Add(objective);
        command.Options.Add(maxSteps);
        scheduled.AddTo(command);
        command.Options.Add(shared.Kurtosis);
        command.Options.Add(shared.Noise);
        command.Options.Add(shared.Init);
        command.Options.Add(threads);
        command.Options.Add(modifiers);
        plot.AddTo(command);
        var dataOptions = new DataOptions();
        dataOptions.AddTo(command);
        shared.Spectrum.Required = false; // --spectrum or --data
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var (plotPath, figure) = plot.Read(parse);
            TuneCommand.NoteFamilySpelling(parse, families, ctx);
            var fams = MethodFamilies.ParseList(parse.GetValue(families)!);
            var mods = Parsing.TuneModifierSpec.Parse(parse.GetValue(modifiers));
            var bs = BatchSweep.ParseBatches(parse.GetValue(batches)!);
            var obj = TuneCommand.ParseObjective(parse.GetValue(objective));
            double? eps = TuneCommand.GetTarget(parse, target, obj);
            long max = TuneCommand.GetMaxSteps(parse, maxSteps);
            int? nThreads = TuneCommand.GetThreads(parse, threads);
            dataOptions.RequireOneSource(parse, shared);
            Tradeoffs.IRateModel? rates = null;
            DataRun? run = null;
            if (dataOptions.Given(parse))
            {
                if (obj != TuneObjective.Gap || eps is not null)
                    throw new InvalidInputException("With --data, sweep tunes the contraction gap; --target and --objective iterations are not available with it yet.");
                if (!mods.IsNone)
                    throw new InvalidInputException("With --data, sweep tunes the plain family; --modifiers is not available with it yet.");
                if (scheduled.Given(parse)) ScheduledTradeoffOptions.RequirePlain(true, mods);
                run = dataOptions.Prepare(ctx, parse, shared, 1, fams.Sum(fm => bs.Count * DataRates.TuneApplications(fm)), "the sweep");
                rates = run.Rates;
            }
            var problem = run?.GaussianView ?? BuildProblem(parse, shared);
            var init = parse.GetValue(shared.Init) ?? "isotropic";
            if (scheduled.Read(parse, eps, targetMakesScheduled: false, 0.5, double.MaxValue, max, nThreads) is { } so)
            {
                ScheduledTradeoffOptions.RequirePlain(false, mods);
                return RunScheduled(ctx, parse, shared, so, obj, fams, bs, problem, init, outPath, plotPath, figure);
            }

            IReadOnlyList<SweepRow> rows;
            using (var progress = Progress.Start(ctx.Error, "sweep", fams.Count * bs.Count))
            {
                rows = BatchSweep.Run(rates ?? new SpectralRates(problem), fams, bs, new SweepOptions
                {
                    Target = eps,
                    Objective = obj,
                    MaxSteps = max,
                    MaxDegreeOfParallelism = nThreads,
                    Progress = new SyncProgress(_ => progress.Advance()),
                    Tune = new TuneOptions { Modifiers = mods },
                });
            }
            if (run is not null)
                DataOutput.Emit(outPath, ctx.Out, shared.GetFormat(parse), run, w => Write(w, shared.GetFormat(parse), rows, eps, problem, init));
            else OutputTarget.Emit(outPath, ctx.Out, w => Write(w, shared.GetFormat(parse), rows, eps, problem, init));
            if (plotPath is not null)
                TradeoffPlots.Sweep(plotPath, Plots.DescribeNoBatch(problem), rows.Select(Point).ToArray(), eps, size: figure);
            return 0;
        });
        return command;
    }

    /// <summary>The schedule-aware sweep (docs/math.md#schedule-aware-critical-batch): the schedule tuned at every batch size.</summary>
    private static int RunScheduled(CliContext ctx, ParseResult parse, SharedOptions shared, ScheduledBatchOptions options, TuneObjective objective,
        IReadOnlyList<MethodFamily> fams, IReadOnlyList<double> bs, Problem problem, string init, string? outPath, string? plotPath, FigureSize figure)
    {
        if (objective != TuneObjective.Gap)
            throw new InvalidInputException("--objective is not allowed with a schedule; each batch size's schedule is tuned for its final risk at the budget, or for the fewest gradients to --target.");
        IReadOnlyList<ScheduledBatchPoint> points;
        using (var progress = Progress.Start(ctx.Error, "sweep", fams.Count * bs.Count))
            points = ScheduledCriticalBatch.Sweep(problem, fams, bs, options with { Progress = new SyncPointProgress(progress.Advance) });
        OutputTarget.Emit(outPath, ctx.Out, w => ScheduledBatchWriter.WriteSweep(w, shared.GetFormat(parse), points, options, problem, init));
        if (plotPath is not null)
            ScheduledBatchWriter.Plot(plotPath, problem, fams.Select(f => (f, (IReadOnlyList<ScheduledBatchPoint>)points.Where(p => p.Family == f).ToArray(), (double?)null)).ToArray(),
                options, figure);
        return 0;
    }

    /// <summary>The problem without --batch (each row sets its own).</summary>
    internal static Problem BuildProblem(ParseResult parse, SharedOptions shared)
    {
        var spectrum = Parsing.SpecParser.ParseSpectrum(parse.GetValue(shared.Spectrum)!);
        var initial = Parsing.SpecParser.ParseInit(parse.GetValue(shared.Init) ?? "isotropic")(spectrum.Dimension);
        return new Problem(spectrum, initial, 1, parse.GetValue(shared.Kurtosis), parse.GetValue(shared.Noise));
    }

    internal static SweepPoint Point(SweepRow r) =>
        new(r.Family.Name(), r.Batch, r.Gap, r.Iterations, r.Ce ?? double.NaN);

    private static void Write(TextWriter w, OutputFormat format, IReadOnlyList<SweepRow> rows, double? target, Problem problem, string init)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, Fields, rows.Select(r => (IReadOnlyList<string>)
                [
                    r.Family.Name(), ResultWriter.Num(r.Batch), ResultWriter.Num(r.Gap), ResultWriter.Int(r.Iterations), ResultWriter.Num(r.Ce), r.Method,
                ]));
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    ResultWriter.WriteNumberOrNull(j, "target", target);
                    j.WriteStartArray("rows");
                    foreach (var r in rows)
                    {
                        j.WriteStartObject();
                        j.WriteString("family", r.Family.Name());
                        ResultWriter.WriteNumberOrNull(j, "batch", r.Batch);
                        ResultWriter.WriteNumberOrNull(j, "gap", r.Gap);
                        ResultWriter.WriteIntOrNull(j, "iterations", r.Iterations);
                        ResultWriter.WriteNumberOrNull(j, "ce", r.Ce);
                        j.WriteString("method", r.Method);
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    ResultWriter.WriteModel(j, problem);
                    j.WriteEndObject();
                });
                break;
            default:
            {
                var fams = rows.Select(r => r.Family).Distinct().ToArray();
                WriteHeader(w, "Batch-size sweep (tuned per batch)", problem, init,
                    string.Join(", ", fams.Select(f => f.Name())) + (target is double e ? $"; target ε = {ResultWriter.Readable(e)}" : ""));
                var table = new TextTable(("family", false), ("B", true), ("tuned gap", true), ("gap/B", true), ("iterations", true),
                    (target is null ? "CE = gap/B" : "CE = 1/(B·T)", true), ("method", false));
                foreach (var r in rows)
                    table.Add(r.Family.Name(), ResultWriter.Readable(r.Batch), ResultWriter.Readable(r.Gap, 6), ResultWriter.Readable(r.Gap / r.Batch, 4),
                        r.Iterations is long t ? ResultWriter.Int(t) : target is null ? "" : "not reached",
                        r.Ce is double ce ? ResultWriter.Readable(ce, 4) : "", r.Method);
                table.Write(w);
                break;
            }
        }
    }

    /// <summary>The two header lines of a table, for commands that run many batch sizes (no single batch to show).</summary>
    internal static void WriteHeader(TextWriter w, string title, Problem p, string init, string what)
    {
        var s = p.Spectrum;
        w.WriteLine(w is TerminalWriter t ? t.Bold($"{title} — {what}") : $"{title} — {what}");
        w.WriteLine($"spectrum {s.Description} (d = {s.Dimension}, λ_max = {ResultWriter.Readable(s.Max)}, λ_min = {ResultWriter.Readable(s.Min)}, " +
                    $"κ = {ResultWriter.Readable(s.Max / s.Min)}, tr H = {ResultWriter.Readable(s.Trace)}), kurtosis {ResultWriter.Readable(p.Kurtosis)}, " +
                    $"noise {ResultWriter.Readable(p.Noise)}, init {init}");
        w.WriteLine();
    }

    /// <summary>Counts finished points of a schedule-aware sweep on the reporting thread.</summary>
    private sealed class SyncPointProgress(Action<long> advance) : IProgress<ScheduledBatchPoint>
    {
        public void Report(ScheduledBatchPoint value) => advance(1);
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread (no synchronisation context).</summary>
    internal sealed class SyncProgress(Action<SweepProgress> report) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value) => report(value);
    }
}
