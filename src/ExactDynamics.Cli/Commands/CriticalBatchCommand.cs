using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary><c>exactdyn critical-batch</c>: where the tuned compute efficiency stops growing linearly (docs/math.md#critical-batch).</summary>
internal static class CriticalBatchCommand
{
    public const string Example = "exactdyn critical-batch --spectrum powerlaw:a=1,d=200 --family hb --format json";

    private static readonly string[] Fields = ["family", "fraction", "critical_batch", "small_batch_ce", "deterministic_scale"];

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("critical-batch", integerBatch: false);
        var family = TuneCommand.FamilyOption("--family",
            "Family (sgd, hb, nesterov, asgd), or a comma-separated list (one result each, computed in parallel, with each family's critical batch relative to SGD's when sgd is in the list).",
            required: true);
        var fraction = OptionFactory.Real("--fraction", "The fraction f ∈ (0, 1): CE(B) = f·CE(1) defines the critical batch, gap*(B) = f·gap*(∞) the deterministic scale.", 0.5);
        fraction.HelpName = "F";
        var maxBatch = OptionFactory.Real("--max-batch", "Largest batch size searched; beyond it the answer is null.", 1L << 40);
        var threads = TuneCommand.Threads("Parallelism (default: the number of processors): 1 runs every tuning on one thread; above 1 the doubling grid is tuned two batch sizes at a time alongside the B → ∞ tuning, the two refinements run together, and several families at once (up to this many).");
        var plot = OptionFactory.Plot("Also draw CE(B)/CE(1) with f and the critical batch, and the tuned gap with the deterministic scale (one family), or the curves of all families.");
        var command = new ExampleCommand("critical-batch",
            "The critical batch size: the smallest real B > 1 at which the compute efficiency CE(B) ∝ gap*(B)/B of the tuned family has fallen to a fraction f of CE(1), " +
            "found by root-finding in log B on the tuned gap (not read off a grid); and the deterministic scale, the B at which gap*(B) reaches f times its B → ∞ limit " +
            "(1 − ((κ−1)/(κ+1))² for SGD, 1 − ((√κ−1)/(√κ+1))² for heavy ball). " +
            "json: {\"family\", \"fraction\", \"critical_batch\", \"small_batch_ce\", \"deterministic_scale\", \"deterministic_gap\"} (+ \"critical_batch_vs_sgd\" when sgd is also given; an array for several families); " +
            "csv: the same fields, one row per family.",
            Example);
        command.Options.Add(shared.Spectrum);
        command.Options.Add(family);
        command.Options.Add(fraction);
        command.Options.Add(maxBatch);
        command.Options.Add(shared.Kurtosis);
        command.Options.Add(shared.Noise);
        command.Options.Add(shared.Init);
        command.Options.Add(threads);
        command.Options.Add(plot);
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            var plotPath = parse.GetValue(plot);
            Plots.Validate(plotPath);
            var fams = MethodFamilies.ParseList(parse.GetValue(family)!);
            double f = parse.GetValue(fraction);
            if (!double.IsFinite(f) || !(f > 0) || !(f < 1))
                throw new InvalidInputException($"--fraction {ResultWriter.Text(f)} is not allowed; the fraction must lie strictly between 0 and 1, e.g. 0.5.");
            double mb = parse.GetValue(maxBatch);
            if (!double.IsFinite(mb) || !(mb > 1))
                throw new InvalidInputException($"--max-batch {ResultWriter.Text(mb)} is not allowed; it must be a finite number above 1.");
            int? nThreads = TuneCommand.GetThreads(parse, threads);
            var problem = SweepCommand.BuildProblem(parse, shared);
            var init = parse.GetValue(shared.Init) ?? "isotropic";
            IReadOnlyList<CriticalBatchResult> results;
            using (var progress = Progress.Start(ctx.Error, "critical batch", 0))
                results = CriticalBatch.Compute(problem, fams, new CriticalBatchOptions
                {
                    Fraction = f, MaxBatch = mb, MaxDegreeOfParallelism = nThreads,
                });
            double? sgdCritical = results.FirstOrDefault(r => r.Family == MethodFamily.Sgd)?.CriticalBatch;
            OutputTarget.Emit(outPath, ctx.Out, w => Write(w, shared.GetFormat(parse), results, sgdCritical, problem, init));
            if (plotPath is not null) Plot(plotPath, problem, results);
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
                ResultWriter.WriteCsv(w, header, results.Select(r =>
                {
                    var row = new List<string>
                    {
                        r.Family.Name(), ResultWriter.Num(r.Fraction), ResultWriter.Num(r.CriticalBatch), ResultWriter.Num(r.SmallBatchCe),
                        ResultWriter.Num(r.DeterministicScale), ResultWriter.Num(r.DeterministicGap),
                    };
                    if (ratio) row.Add(ResultWriter.Num(VsSgd(r, sgd)));
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
                w.WriteLine($"critical batch: smallest B > 1 with gap*(B)/B = f·gap*(1); deterministic scale: gap*(B) = f·gap*(∞); √κ = {ResultWriter.Readable(Math.Sqrt(s.Max / s.Min), 5)}");
                break;
            }
        }
    }

    private static void Plot(string path, Problem problem, IReadOnlyList<CriticalBatchResult> results)
    {
        SweepPoint[] Points(CriticalBatchResult r) =>
            r.Curve.Select(p => new SweepPoint(r.Family.Name(), p.Batch, p.Gap, null, p.Gap / p.Batch)).ToArray();
        if (results.Count == 1 && results[0].CriticalBatch is double c)
        {
            var r = results[0];
            TradeoffPlots.CriticalBatch(path, problem.Spectrum.Description, r.Family.Name(), Points(r), r.Fraction, c, r.DeterministicScale);
            return;
        }
        var marks = results.Where(r => r.CriticalBatch is not null)
            .Select(r => new FamilyMark(r.Family.Name(), r.CriticalBatch!.Value, r.Fraction * r.SmallBatchCe,
                $"{r.Family.Name()} critical batch B = {ResultWriter.Readable(r.CriticalBatch.Value, 4)}"))
            .ToArray();
        TradeoffPlots.Sweep(path, problem.Spectrum.Description, results.SelectMany(Points).ToArray(), marks);
    }
}
