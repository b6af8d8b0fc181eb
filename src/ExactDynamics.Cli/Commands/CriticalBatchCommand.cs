using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary><c>exactdyn critical-batch</c>: where the tuned compute efficiency stops growing linearly (docs/math.md#critical-batch).</summary>
internal static class CriticalBatchCommand
{
    private static class CriticalBatchDefaults
    {
        public static readonly double MaxBatch = new CriticalBatchOptions().MaxBatch;
    }

    public const string Example = "exactdyn critical-batch --spectrum powerlaw:a=1,d=200 --family hb --format json";

    private static readonly string[] Fields = ["family", "fraction", "critical_batch", "small_batch_ce", "deterministic_scale"];

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("critical-batch", integerBatch: false);
        var family = TuneCommand.FamilyOption(
            "Family (sgd, hb, nesterov, asgd), or a comma-separated list (one result each, computed in parallel, with each family's critical batch relative to SGD's when sgd is in the list).",
            list: true, required: true);
        var fraction = OptionFactory.Real("--fraction", "The fraction f ∈ (0, 1): CE(B) = f·CE(1) defines the critical batch, gap*(B) = f·gap*(∞) the deterministic scale.", 0.5);
        fraction.HelpName = "F";
        var maxBatch = OptionFactory.Real("--max-batch", "Largest batch size searched (default 2^40 ≈ 1.1e12, in effect no limit); beyond it the answer is null.", CriticalBatchDefaults.MaxBatch, showDefault: false);
        var threads = TuneCommand.Threads("Parallelism (default: the number of processors): 1 runs every tuning on one thread; above 1 the doubling grid is tuned two batch sizes at a time alongside the B → ∞ tuning, the two refinements run together, and several families at once (up to this many).");
        var modifiers = TuneCommand.Modifiers(" The critical batch is defined on the tuned gap, so only a fixed EMA (e.g. --modifiers ema=0.99) applies here; it caps the gap at 1 − τ².");
        var plot = new PlotOptions("Also draw CE(B)/CE(1) with the line f and each family's critical batch (a labelled vertical line in its colour), and the tuned gap (with the deterministic scale for one family); all families on the same range of B " +
            "(with a schedule: CE(B)/CE(1) with the critical batches marked, and E L_T at the budget or B·T to the target).", "1040x400");
        var scheduled = new ScheduledTradeoffOptions();
        var target = TuneCommand.Target("Target risk ε > 0: schedule-aware critical batch at a target, CE(B) = 1/(B·T(B)) with T(B) the fewest updates to ε of the schedule tuned at B (with any --schedule).");
        var maxSteps = OptionFactory.Integer("--max-steps", "Step limit of the target search (with --target).", ExactDynamics.Targets.IterationsToTarget.DefaultMaxSteps);
        var command = new ExampleCommand("critical-batch",
            "The critical batch size: the smallest real B > 1 at which the compute efficiency CE(B) ∝ gap*(B)/B of the tuned family has fallen to a fraction f of CE(1), " +
            "found by root-finding in log B on the tuned gap (not read off a grid); and the deterministic scale, the B at which gap*(B) reaches f times its B → ∞ limit " +
            "(1 − ((κ−1)/(κ+1))² for SGD, 1 − ((√κ−1)/(√κ+1))² for heavy ball). " +
            "json: {\"family\", \"fraction\", \"critical_batch\", \"small_batch_ce\", \"deterministic_scale\", \"deterministic_gap\"} (+ \"critical_batch_vs_sgd\" when sgd is also given; an array for several families); " +
            "csv: the same fields, one row per family. " +
            "With --data the tuned gaps are the chosen fourth-moment model's on the data (every tuning inside that model's stable region); json adds \"moments\", \"data\" and \"stability_on_data\" " +
            "(per family: the learning-rate edges at the critical tuning under the gaussian and empirical models, and its empirical ρ when another model was used), csv a leading moments column.",
            Example);
        command.Options.Add(shared.Spectrum);
        command.Options.Add(family);
        command.Options.Add(fraction);
        command.Options.Add(maxBatch);
        scheduled.AddTo(command);
        command.Options.Add(target);
        command.Options.Add(maxSteps);
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
            TuneCommand.NoteFamilySpelling(parse, family, ctx);
            var fams = MethodFamilies.ParseList(parse.GetValue(family)!);
            var mods = Parsing.TuneModifierSpec.Parse(parse.GetValue(modifiers));
            double f = parse.GetValue(fraction);
            if (!double.IsFinite(f) || !(f > 0) || !(f < 1))
                throw new InvalidInputException($"--fraction {ResultWriter.Text(f)} is not allowed; the fraction must lie strictly between 0 and 1, e.g. 0.5.");
            double mb = parse.GetResult(maxBatch) is null ? CriticalBatchDefaults.MaxBatch : parse.GetValue(maxBatch);
            if (!double.IsFinite(mb) || !(mb > 1))
                throw new InvalidInputException($"--max-batch {ResultWriter.Text(mb)} is not allowed; it must be a finite number above 1.");
            int? nThreads = TuneCommand.GetThreads(parse, threads);
            dataOptions.RequireOneSource(parse, shared);
            if (dataOptions.Given(parse))
            {
                if (!mods.IsNone)
                    throw new InvalidInputException("With --data, critical-batch tunes the plain family; --modifiers is not available with it yet.");
                if (scheduled.Given(parse) || parse.GetResult(target) is not null)
                    ScheduledTradeoffOptions.RequirePlain(true, mods);
                // the library's one critical-batch search on the chosen fourth-moment model's rate (docs/math.md#data-rates)
                var run = dataOptions.Prepare(ctx, parse, shared, 1, fams.Sum(fm => 25 * DataRates.TuneApplications(fm)), "the critical batch");
                IReadOnlyList<CriticalBatchResult> dataResults;
                using (var progress = Progress.Start(ctx.Error, "critical batch", 0))
                    dataResults = CriticalBatch.Compute(run.Rates, fams, new CriticalBatchOptions { Fraction = f, MaxBatch = mb, MaxDegreeOfParallelism = nThreads });
                var stability = new System.Text.Json.Nodes.JsonArray();
                var lines = new List<string>();
                foreach (var r in dataResults.Where(r => r.CriticalTuning is not null))
                {
                    var t = r.CriticalTuning!;
                    var (json, text) = DataEdges.Check(run with { Problem = run.Problem.WithRealBatch(t.Batch) }, r.Family, t.Parameters, t.Method, ctx);
                    var o = new System.Text.Json.Nodes.JsonObject { ["family"] = r.Family.Name() };
                    foreach (var (k, v) in json) o[k] = v;
                    stability.Add(o);
                    lines.AddRange(text.Select(x => $"{r.Family.Name()} at the critical batch: {x}"));
                }
                double? sgdData = dataResults.FirstOrDefault(r => r.Family == MethodFamily.Sgd)?.CriticalBatch;
                var view = run.GaussianView;
                var fmt = shared.GetFormat(parse);
                DataOutput.Emit(outPath, ctx.Out, fmt, run, w => Write(w, fmt, dataResults, sgdData, view, parse.GetValue(shared.Init) ?? "isotropic"),
                    new Dictionary<string, System.Text.Json.Nodes.JsonNode?> { ["stability_on_data"] = stability }, lines);
                if (plotPath is not null) Plot(plotPath, view, dataResults, figure, nThreads, run.Rates);
                return 0;
            }
            var problem = SweepCommand.BuildProblem(parse, shared);
            var init = parse.GetValue(shared.Init) ?? "isotropic";
            double? eps = TuneCommand.GetTarget(parse, target, TuneObjective.Gap);
            if (scheduled.Read(parse, eps, targetMakesScheduled: true, f, mb, TuneCommand.GetMaxSteps(parse, maxSteps), nThreads) is { } so)
            {
                ScheduledTradeoffOptions.RequirePlain(false, mods);
                IReadOnlyList<ScheduledCriticalBatchResult> sr;
                using (var progress = Progress.Start(ctx.Error, "critical batch", 0))
                    sr = ScheduledCriticalBatch.Compute(problem, fams, so);
                OutputTarget.Emit(outPath, ctx.Out, w => ScheduledBatchWriter.WriteCritical(w, shared.GetFormat(parse), sr, so, problem, init));
                if (plotPath is not null) ScheduledBatchWriter.Plot(plotPath, problem, sr.Select(r => (r.Family, r.Curve, r.CriticalBatch)).ToArray(), so, figure);
                return 0;
            }
            IReadOnlyList<CriticalBatchResult> results;
            using (var progress = Progress.Start(ctx.Error, "critical batch", 0))
                results = CriticalBatch.Compute(problem, fams, new CriticalBatchOptions
                {
                    Fraction = f, MaxBatch = mb, MaxDegreeOfParallelism = nThreads, Tune = new TuneOptions { Modifiers = mods },
                });
            double? sgdCritical = results.FirstOrDefault(r => r.Family == MethodFamily.Sgd)?.CriticalBatch;
            OutputTarget.Emit(outPath, ctx.Out, w => Write(w, shared.GetFormat(parse), results, sgdCritical, problem, init));
            if (plotPath is not null) Plot(plotPath, problem, results, figure, nThreads);
            return 0;
        });
        return command;
    }

    private static double? VsSgd(CriticalBatchResult r, double? sgd) =>
        sgd is double s && r.CriticalBatch is double c ? c / s : null;

    private static void Write(TextWriter w, OutputFormat format, IReadOnlyList<CriticalBatchResult> results, double? sgd, Problem problem, string init)
    {
        bool ratio = results.Count > 1 && results.Any(r => r.Family == MethodFamily.Sgd);
        switch (format)
        {
            case OutputFormat.Csv:
            {
                var header = Fields.Append("deterministic_gap").ToList();
                if (ratio) header.Add("critical_batch_vs_sgd");
                // appended after the established columns: the tuned method at the critical batch, and the data model
                var names = results.SelectMany(r => r.CriticalTuning?.ParameterNames ?? r.Family.ParameterNames()).Distinct().ToArray();
                header.Add("method");
                header.AddRange(names);
                header.Add("kurtosis");
                header.Add("noise");
                ResultWriter.WriteCsv(w, header, results.Select(r =>
                {
                    var row = new List<string>
                    {
                        r.Family.Name(), ResultWriter.Num(r.Fraction), ResultWriter.Num(r.CriticalBatch), ResultWriter.Num(r.SmallBatchCe),
                        ResultWriter.Num(r.DeterministicScale), ResultWriter.Num(r.DeterministicGap),
                    };
                    if (ratio) row.Add(ResultWriter.Num(VsSgd(r, sgd)));
                    row.Add(r.CriticalTuning?.Spec ?? "");
                    row.AddRange(names.Select(n => r.CriticalTuning is { } t && t.Parameters.TryGetValue(n, out var v) ? ResultWriter.Num(v) : ""));
                    row.Add(ResultWriter.Num(problem.Kurtosis));
                    row.Add(ResultWriter.Num(problem.Noise));
                    return (IReadOnlyList<string>)row;
                }));
                break;
            }
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    if (results.Count > 1) j.WriteStartArray();
                    foreach (var r in results)
                    {
                        j.WriteStartObject();
                        j.WriteString("family", r.Family.Name());
                        ResultWriter.WriteNumberOrNull(j, "fraction", r.Fraction);
                        ResultWriter.WriteNumberOrNull(j, "critical_batch", r.CriticalBatch);
                        ResultWriter.WriteNumberOrNull(j, "small_batch_ce", r.SmallBatchCe);
                        ResultWriter.WriteNumberOrNull(j, "deterministic_scale", r.DeterministicScale);
                        ResultWriter.WriteNumberOrNull(j, "deterministic_gap", r.DeterministicGap);
                        if (ratio) ResultWriter.WriteNumberOrNull(j, "critical_batch_vs_sgd", VsSgd(r, sgd));
                        if (r.CriticalTuning is { } t)
                        {
                            j.WriteString("method", t.Spec);
                            j.WriteStartObject("params");
                            foreach (var n in t.ParameterNames) ResultWriter.WriteNumberOrNull(j, n, t.Parameters[n]);
                            j.WriteEndObject();
                        }
                        else
                        {
                            j.WriteNull("method");
                            j.WriteNull("params");
                        }
                        ResultWriter.WriteNumberOrNull(j, "kurtosis", problem.Kurtosis);
                        ResultWriter.WriteNumberOrNull(j, "noise", problem.Noise);
                        j.WriteEndObject();
                    }
                    if (results.Count > 1) j.WriteEndArray();
                });
                break;
            default:
            {
                double f = results[0].Fraction;
                SweepCommand.WriteHeader(w, "Critical batch size (tuned; CE(B) ∝ gap*(B)/B)", problem, init, $"fraction f = {ResultWriter.Readable(f)}");
                var s = problem.Spectrum;
                var table = new TextTable(("family", false), ("critical batch", true), ("CE(1) = gap*(1)", true), ("deterministic scale", true),
                    ("gap*(∞)", true), ("vs sgd", true));
                foreach (var r in results)
                    table.Add(r.Family.Name(), r.CriticalBatch is double c ? ResultWriter.Readable(c, 5) : "beyond max",
                        ResultWriter.Readable(r.SmallBatchCe, 5), r.DeterministicScale is double ds ? ResultWriter.Readable(ds, 5) : "beyond max",
                        ResultWriter.Readable(r.DeterministicGap, 5), VsSgd(r, sgd) is double v ? ResultWriter.Readable(v, 4) : "");
                table.Write(w);
                w.WriteLine();
                w.WriteLine("tuned at the critical batch (paste into --method):");
                foreach (var r in results)
                    w.WriteLine($"  {r.Family.Name(),-9} {(r.CriticalTuning is { } t ? $"{t.Spec}  (B = {ResultWriter.Readable(t.Batch, 5)}, gap {ResultWriter.Readable(t.Gap, 5)})" : "beyond max")}");
                w.WriteLine();
                w.WriteLine($"critical batch: smallest B > 1 with gap*(B)/B = f·gap*(1); deterministic scale: gap*(B) = f·gap*(∞); √κ = {ResultWriter.Readable(Math.Sqrt(s.Max / s.Min), 5)}");
                break;
            }
        }
    }

    private static void Plot(string path, Problem problem, IReadOnlyList<CriticalBatchResult> results, FigureSize size, int? threads,
        IRateModel? rates = null)
    {
        var title = Plots.DescribeNoBatch(problem);
        SweepPoint[] Points(CriticalBatchResult r, IReadOnlyList<(double Batch, double Gap)> curve) =>
            curve.Select(p => new SweepPoint(r.Family.Name(), p.Batch, p.Gap, null, p.Gap / p.Batch)).ToArray();
        if (results.Count == 1 && results[0].CriticalBatch is double c)
        {
            var r = results[0];
            TradeoffPlots.CriticalBatch(path, title, r.Family.Name(), Points(r, r.Curve), r.Fraction, c, r.DeterministicScale, size);
            return;
        }
        // every family over the same range of B: the largest any family's search reached
        double upTo = results.Max(r => r.Curve.Count > 0 ? r.Curve[^1].Batch : 1);
        var curves = new IReadOnlyList<(double Batch, double Gap)>[results.Count];
        Parallel.For(0, results.Count, new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount },
            i => curves[i] = TunedCurve.Extend(rates ?? new SpectralRates(problem), results[i].Family, results[i].Curve, upTo));
        TradeoffPlots.CriticalBatches(path, title,
            results.Select((r, i) => new TradeoffPlots.FamilyCurve(r.Family.Name(), Points(r, curves[i]), r.CriticalBatch)).ToArray(),
            results[0].Fraction, size);
    }
}
