using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Targets;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary><c>exactdyn tune</c>: the hyperparameters of a family that maximise the gap (or minimise iterations) at a batch size (docs/math.md#tuning).</summary>
internal static class TuneCommand
{
    public const string Example = "exactdyn tune --spectrum powerlaw:a=1,d=200 --family hb --batch 64 --format json";

    /// <summary>The second example of --help: a tuned EMA for the final risk at a budget, with label noise.</summary>
    public const string ModifierExample = "exactdyn tune --spectrum powerlaw:a=1,d=200 --family sgd --batch 8 --noise 0.1 --modifiers ema=tune --objective risk --steps 1000";

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("tune", integerBatch: false);
        var family = FamilyOption("Method family to tune: sgd (lr), hb (lr, beta), nesterov (lr, beta) or asgd (lr, kappa, xi; small = 0.7).", list: false, required: true);
        var objective = Objective(withRisk: true);
        var target = Target("Target risk ε > 0. Needed by --objective iterations; with the gap objective the tuned method's iterations to ε are reported too.");
        var maxSteps = MaxSteps();
        var modifiers = Modifiers();
        var steps = OptionFactory.Integer("--steps", "The budget T of --objective risk (steps): the tuned method minimises the exact E L_T.", showDefault: false);
        var command = new ExampleCommand("tune",
            "Tune a method family at a batch size: the hyperparameters that maximise the contraction gap (default) or minimise the exact iterations to a target. " +
            "The search stays inside the stable region (the step as a fraction of its stability edge), scans coarsely for the global basin and refines with Brent / Nelder–Mead; " +
            "the reported gap is the exact gap of the returned method, and method is a spec that --method accepts and that reproduces that gap. " +
            "json: {\"family\", \"batch\", \"gap\", \"params\": {…}, \"method\", \"rho\", \"objective\"} (+ \"target\", \"iterations\" with --target; iterations is null if not reached); " +
            "csv: family,batch,gap,rho,method, one column per parameter (+ target,iterations; + steps,final_risk with --objective risk). " +
            "--modifiers puts an EMA and/or weight decay on the family, each fixed or tuned (ema and wd then appear as parameters), e.g. " + ModifierExample + ". " +
            "With --data the tuner maximises the chosen fourth-moment model's gap on the data, or minimises its exact iterations to --target or final risk after --steps, with --modifiers too (never leaving that model's stable region), and reports the learning-rate edge along the tuned shape " +
            "under the gaussian and the empirical model (json \"edge_lr\"), and for another model the tuned method's empirical ρ (json \"empirical_rho\", \"stable_on_data\").",
            Example);
        shared.AddTo(command, withMethod: false);
        command.Options.Add(family);
        command.Options.Add(objective);
        command.Options.Add(target);
        command.Options.Add(maxSteps);
        command.Options.Add(modifiers);
        command.Options.Add(steps);
        var dataOptions = new DataOptions();
        dataOptions.AddTo(command);
        shared.Spectrum.Required = false; // --spectrum or --data
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            NoteFamilySpelling(parse, family, ctx);
            var mods = Parsing.TuneModifierSpec.Parse(parse.GetValue(modifiers));
            var fam = MethodFamilies.Parse(parse.GetValue(family)!);
            var obj = ParseObjective(parse.GetValue(objective), withRisk: true);
            double? eps = GetTarget(parse, target, obj);
            long max = GetMaxSteps(parse, maxSteps);
            dataOptions.RequireOneSource(parse, shared);
            if (dataOptions.Given(parse))
            {
                if (mods.HasDecay && parse.GetValue(dataOptions.Start) is not null)
                    throw new InvalidInputException("Weight decay on data starts from w0 = 0 (the recursion carries w* as a constant state); drop --start or the weight decay.");
                var dataTune = new TuneOptions { Objective = obj, Target = eps, MaxSteps = max, Modifiers = mods, Steps = GetSteps(parse, steps, obj) };
                Tuner.Validate(dataTune); // before the data is read and announced
                return TuneOnData(ctx, parse, shared, dataOptions, fam, dataTune, outPath);
            }
            var (problem, init) = shared.BuildProblem(parse);
            if (eps is not null) RequireWholeBatch(problem.Batch, "tune with --target");
            long? budget = GetSteps(parse, steps, obj);
            if (budget is not null) RequireWholeBatch(problem.Batch, "tune with --objective risk");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = Tuner.Tune(problem, fam, new TuneOptions { Objective = obj, Target = eps, MaxSteps = max, Modifiers = mods, Steps = budget });
            double seconds = clock.Elapsed.TotalSeconds;
            OutputTarget.Emit(outPath, ctx.Out, w => Write(w, shared.GetFormat(parse), result, problem, init, seconds, budget));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Tuning on the user's data (docs/math.md#data-rates): the library's tuner on the chosen fourth-moment model's rate
    /// (and, for --objective iterations or risk, its exact risk curve from the data's start), so every trial and the
    /// result lie inside that model's stability region. The output adds the learning-rate edge
    /// along the tuned shape under the gaussian and the empirical model (when the empirical one is affordable), the
    /// empirical ρ of the tuned method when another model was tuned, and says when the gaussian edge lies beyond the
    /// data's or the tuned method diverges on the data.
    /// </summary>
    private static int TuneOnData(CliContext ctx, ParseResult parse, SharedOptions shared, DataOptions dataOptions, MethodFamily fam,
        TuneOptions options, string? outPath)
    {
        var run = dataOptions.Prepare(ctx, parse, shared, parse.GetValue(shared.Batch), DataRates.TuneApplications(fam, options.Objective, options.Steps), "tuning");
        if (options.Objective == TuneObjective.Iterations && run.Model != MomentModel.Gaussian && options.Target is double eps)
        {
            // its curves run to ε: their length is only known once the data are read
            double steps = DataRates.IterationsCurveSteps(run.Problem, fam, eps, options.MaxSteps, run.Kurtosis);
            double curves = DataOptions.EstimatedSeconds(run.Model, run.Data, (long)Math.Min(4e18, DataRates.RiskCurvesPerTuning * steps));
            Numerics.CostEstimate.Require(curves,
                $"tuning for the iterations to ε = {ResultWriter.Readable(eps)} under the {MomentModels.Name(run.Model)} model (about {DataRates.RiskCurvesPerTuning} risk curves of up to {ResultWriter.Readable(Math.Ceiling(steps))} steps)",
                run.Model == MomentModel.Empirical ? "raise the target, use --objective gap, or --moments matrix" : "raise the target, use --objective gap, or --moments gaussian", ctx.Note);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = Tuner.Tune(run.Rates, fam, options);
        var check = DataEdges.Check(run, fam, result.Parameters, result.Method, ctx, options.Modifiers);
        double seconds = clock.Elapsed.TotalSeconds;
        var fmt = shared.GetFormat(parse);
        var init = run.Data.HasTarget ? "fixed start w0" : parse.GetValue(shared.Init) ?? "isotropic";
        DataOutput.Emit(outPath, ctx.Out, fmt, run, w => Write(w, fmt, result, run.GaussianView, init, seconds, options.Steps), check.Json, check.Lines);
        return 0;
    }

    private static void Write(TextWriter w, OutputFormat format, TuneResult r, Problem problem, string init, double seconds, long? budget)
    {
        var names = r.ParameterNames;
        switch (format)
        {
            case OutputFormat.Csv:
            {
                var header = new List<string> { "family", "batch", "gap", "rho", "method" };
                header.AddRange(names);
                var row = new List<string> { r.Family.Name(), ResultWriter.Num(r.Batch), ResultWriter.Num(r.Gap), ResultWriter.Num(r.Rho), r.Spec };
                row.AddRange(names.Select(n => ResultWriter.Num(r.Parameters[n])));
                if (r.Iterations is { } it)
                {
                    header.Add("target"); header.Add("iterations");
                    row.Add(ResultWriter.Num(it.Target)); row.Add(ResultWriter.Int(it.Exact));
                }
                if (r.FinalRisk is double fr)
                {
                    header.Add("steps"); header.Add("final_risk");
                    row.Add(ResultWriter.Int(budget)); row.Add(ResultWriter.Num(fr));
                }
                ResultWriter.WriteCsv(w, header, [row]);
                break;
            }
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("family", r.Family.Name());
                    ResultWriter.WriteNumberOrNull(j, "batch", r.Batch);
                    ResultWriter.WriteNumberOrNull(j, "gap", r.Gap);
                    j.WriteStartObject("params");
                    foreach (var n in names) ResultWriter.WriteNumberOrNull(j, n, r.Parameters[n]);
                    j.WriteEndObject();
                    j.WriteString("method", r.Spec);
                    ResultWriter.WriteNumberOrNull(j, "rho", r.Rho);
                    j.WriteString("objective", ObjectiveName(r.Objective));
                    if (r.Iterations is { } it)
                    {
                        ResultWriter.WriteNumberOrNull(j, "target", it.Target);
                        ResultWriter.WriteIntOrNull(j, "iterations", it.Exact);
                    }
                    if (r.FinalRisk is double fr)
                    {
                        ResultWriter.WriteIntOrNull(j, "steps", budget);
                        ResultWriter.WriteNumberOrNull(j, "final_risk", fr);
                    }
                    ResultWriter.WriteModel(j, problem);
                    j.WriteEndObject();
                });
                break;
            default:
            {
                ResultWriter.WriteHeader(w, "Tuned hyperparameters", problem, init,
                    r.Objective switch
                    {
                        TuneObjective.Gap => $"{r.Family.Name()} (maximum gap)",
                        TuneObjective.FinalRisk => $"{r.Family.Name()} (lowest E L_T after {ResultWriter.Int(budget)} steps)",
                        _ => $"{r.Family.Name()} (fewest iterations to {ResultWriter.Readable(r.Iterations!.Target)})",
                    });
                var table = new TextTable(("quantity", false), ("value", false));
                table.Add("method", r.Spec);
                foreach (var n in names) table.Add(n, ResultWriter.Readable(r.Parameters[n], 10));
                table.Add("gap", ResultWriter.Readable(r.Gap, 10));
                table.Add("rho", ResultWriter.Readable(r.Rho, 15));
                table.Add("gap / B", ResultWriter.Readable(r.Gap / r.Batch, 6) + "  (compute efficiency per sample, ∝ CE)");
                if (r.FinalRisk is double risk) table.Add("final risk", $"{ResultWriter.Readable(risk, 10)}  (E L_T, exact)");
                if (r.Iterations is { } it)
                    table.Add("iterations", it.Exact is long e
                        ? $"{ResultWriter.Int(e)} steps to E L_t ≤ {ResultWriter.Readable(it.Target)} (exact); B·T = {ResultWriter.Readable(r.Batch * e)} gradients"
                        : $"not reached within {ResultWriter.Int(it.MaxSteps)} steps");
                table.Add("search", $"{ResultWriter.Int(r.Evaluations)} evaluations, {ResultWriter.Readable(seconds, 3)} s");
                table.Write(w, header: false);
                break;
            }
        }
    }

    // ---------------------------------------------------------------- options shared by the tradeoff commands

    /// <summary>
    /// --family (one spelling for every tradeoff command), with --families accepted as its alias: sweep used to spell it
    /// so (<see cref="NoteFamilySpelling"/> says so when it is used).
    /// </summary>
    internal static Option<string> FamilyOption(string description, bool list, bool required = false, string? defaultValue = null)
    {
        var option = OptionFactory.Text("--family", list ? "LIST" : "FAMILY", description, defaultValue, required);
        option.Aliases.Add("--families");
        return option;
    }

    /// <summary>A note on stderr when the old spelling --families was used.</summary>
    internal static void NoteFamilySpelling(ParseResult parse, Option<string> family, CliContext ctx)
    {
        if (parse.GetResult(family) is { IdentifierToken.Value: "--families" })
            ctx.Note("exactdyn: note: --families is now spelled --family in every command (both are accepted).");
    }

    internal static Option<string> Objective(bool withRisk = false) => withRisk
        ? OptionFactory.Text("--objective", "gap|iterations|risk",
            "What to optimise: gap (maximise the contraction gap, default), iterations (minimise the exact iterations to --target) or risk (minimise the exact final risk E L_T after --steps).", "gap")
        : OptionFactory.Text("--objective", "gap|iterations",
            "What to optimise: gap (maximise the contraction gap, default) or iterations (minimise the exact iterations to --target).", "gap");

    internal static TuneObjective ParseObjective(string? text, bool withRisk = false) => (text ?? "gap").Trim().ToLowerInvariant() switch
    {
        "gap" => TuneObjective.Gap,
        "iterations" or "its" => TuneObjective.Iterations,
        "risk" or "final-risk" when withRisk => TuneObjective.FinalRisk,
        _ => throw new InvalidInputException($"--objective '{text}' is not supported; use gap or iterations{(withRisk ? " or risk" : "")}."),
    };

    private static string ObjectiveName(TuneObjective o) => o switch
    {
        TuneObjective.Gap => "gap",
        TuneObjective.FinalRisk => "risk",
        _ => "iterations",
    };

    /// <summary>--steps: required by --objective risk (and only meaningful there).</summary>
    private static long? GetSteps(ParseResult parse, Option<long> steps, TuneObjective objective)
    {
        bool given = parse.GetResult(steps) is not null;
        if (objective != TuneObjective.FinalRisk)
        {
            if (given) throw new InvalidInputException("--steps is the budget of --objective risk; add --objective risk or drop --steps.");
            return null;
        }
        if (!given) throw new InvalidInputException("--objective risk needs --steps T, the budget after which the final risk E L_T is minimised, e.g. --steps 1000.");
        long t = parse.GetValue(steps);
        if (t < 1) throw new InvalidInputException($"--steps {t} is not allowed; the budget must be at least 1 step.");
        return t;
    }

    /// <summary>--modifiers of the tradeoff commands (docs/cli.md#tune-modifiers).</summary>
    internal static Option<string> Modifiers(string extra = "") =>
        OptionFactory.Text("--modifiers", "SPEC",
            "An EMA and/or weight decay on the tuned family, each fixed or tuned: ema=τ or ema=tune, wd=λ or wd=tune, decay=coupled|decoupled (comma-separated, e.g. ema=tune,wd=1e-3). " +
            "A tuned τ needs --objective iterations or risk (an EMA never raises the gap); weight decay too (its limit depends on λ). " +
            "A tail average average=tail:F or average=tail:tune (the mean of the last fraction F of the run) needs tune's --objective risk --steps T." + extra);

    internal static Option<double?> Target(string description)
    {
        var o = new Option<double?>("--target")
        {
            Description = description,
            HelpName = "EPS",
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x)) return x;
                r.AddError($"--target '{text}' is not a number; write a positive number such as 1e-6.");
                return null;
            },
        };
        return o;
    }

    internal static double? GetTarget(ParseResult parse, Option<double?> target, TuneObjective objective)
    {
        double? eps = parse.GetValue(target);
        if (eps is double e && (!double.IsFinite(e) || !(e > 0)))
            throw new InvalidInputException($"--target {ResultWriter.Text(e)} is not allowed; the target risk must be a positive finite number such as 1e-6.");
        if (objective == TuneObjective.Iterations && eps is null)
            throw new InvalidInputException("--objective iterations needs --target ε (the risk to reach), e.g. --target 1e-6.");
        return eps;
    }

    /// <summary>The --threads option of the commands that run tunings in parallel (0: the processor count).</summary>
    internal static Option<long> Threads(string description) =>
        OptionFactory.Integer("--threads", description + " The results do not depend on it.", 0, showDefault: false);

    /// <summary>--threads as a degree of parallelism (null: the processor count); a negative value is refused.</summary>
    internal static int? GetThreads(ParseResult parse, Option<long> threads)
    {
        long n = parse.GetValue(threads);
        if (n < 0) throw new InvalidInputException($"--threads {n} is not allowed; give a positive number (or 0 for the processor count).");
        return n > 0 ? (int)Math.Min(n, 1024) : null;
    }

    internal static Option<long> MaxSteps() =>
        OptionFactory.Integer("--max-steps", "Step limit of the exact iteration counts (iterations is null beyond it).", IterationsToTarget.DefaultMaxSteps);

    internal static long GetMaxSteps(ParseResult parse, Option<long> maxSteps)
    {
        long max = parse.GetValue(maxSteps);
        if (max < 1) throw new InvalidInputException($"--max-steps {max} is not allowed; it must be at least 1.");
        return max;
    }

    internal static void RequireWholeBatch(double batch, string what)
    {
        if (batch != Math.Floor(batch))
            throw new InvalidInputException($"--batch {ResultWriter.Text(batch)} is not allowed for {what}; the exact recursion needs a whole number of samples B ≥ 1 (a real B is accepted without --target).");
    }
}
