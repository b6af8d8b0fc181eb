using System.CommandLine;
using System.Diagnostics;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Cli.Parsing;
using ExactDynamics.Data;
using ExactDynamics.Fitting;
using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn fit --against FILE.csv …</c>: fits a power-law spectrum model or the user's data matrix to measured
/// curves by least squares (docs/math.md#fitting), with standard errors, and answers the usual questions with the
/// fitted model (docs/cli.md#fit).
/// </summary>
internal static class FitCommand
{
    public const string Example =
        "exactdyn fit --against sgd.csv --method sgd:lr=0.1 --batch 1 --against hb.csv --method hb:lr=0.1,beta=0.8 --batch 8 --model powerlaw:d=100 --fix kurtosis=3";

    public static Command Create(CliContext ctx)
    {
        var against = new Option<string[]>("--against")
        {
            Description = "A measured curve: a CSV whose header names t (or step), risk (the mean excess risk E L_t) or loss (with --objective loss), and optionally stderr " +
                          "(the standard error of each value: the residuals are then weighted by it). Repeat for several curves; the n-th --method and --batch belong to the n-th --against.",
            HelpName = "FILE.csv",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var methods = new Option<string[]>("--method")
        {
            Description = "The method each curve was measured with (a method spec, as for risk): one for all curves, or one per --against in the same order.",
            HelpName = "SPEC",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var batches = new Option<string[]>("--batch")
        {
            Description = "The batch size of each curve: one for all curves, or one per --against in the same order (a whole number ≥ 1 with --data).",
            HelpName = "B",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var model = OptionFactory.Text("--model", "powerlaw:d=D",
            "The parametric model: λ_i = S·i^(−a), i = 1..D, initial second moments s_i = c·i^(−p), label noise σ², kurtosis m4; parameters a, scale, init-scale, init-exponent, noise, kurtosis. Required unless --data.");
        var fix = new Option<string[]>("--fix")
        {
            Description = "Hold parameters at values: name=value[,name=value…], e.g. --fix kurtosis=3,noise=0. Names: a, scale, noise, init-exponent, init-scale, kurtosis, floor (those of the model). Repeatable.",
            HelpName = "NAME=VALUE,…",
            AllowMultipleArgumentsPerToken = false,
        };
        var guess = new Option<string[]>("--guess")
        {
            Description = "Starting values of free parameters (name=value,…); a guessed parameter is not scanned. Without it the exponents are scanned on a grid and the amplitudes (init-scale, noise, floor) solved for.",
            HelpName = "NAME=VALUE,…",
            AllowMultipleArgumentsPerToken = false,
        };
        var objective = OptionFactory.Text("--objective", "log-risk|loss",
            "log-risk: the files hold the mean excess risk, compared as ln(model) − ln(measured); loss: the files hold a loss E L_t + f whose floor f is a parameter (floor), compared as (model − measured)/measured. With stderr columns both divide by the standard error instead.",
            "log-risk");
        var families = OptionFactory.Text("--family", "LIST",
            "Families for the fitted model's answers (critical batch, tuned method): a comma-separated list of sgd, hb, nesterov, asgd. Default: the families of the curves' methods (sgd when none is one of these).");
        var atBatch = OptionFactory.Text("--at-batch", "B[,B…]",
            "The batch sizes at which the fitted model tunes each family, comma-separated (default: the first curve's batch). With --data the tuning is the data's own, as tune --data runs it.");
        var noAnswers = new Option<bool>("--no-answers") { Description = "Fit only: skip the critical batch and the tuning of the fitted model." };
        var dataOptions = new DataOptions();
        dataOptions.Data.Description = "Fit on this data matrix (n rows × d features; a 2-D .npy from np.save, or a CSV with one sample per line) instead of --model: its spectrum and fourth moments are used as they are " +
                                       "(columns centred unless --no-centre). Without a target the free parameters are noise, init-scale, init-exponent (s_j = c·j^(−p) in the eigenbasis) and, with --moments gaussian, kurtosis.";
        dataOptions.TargetData.Description = "The target y of --data (one value per row). The optimum w*, the start w0 = 0 (or --start) and the residual noise are then fixed, and only the kurtosis of --moments gaussian (and a loss floor) is left to fit.";
        dataOptions.Moments!.Description = "Fourth-moment model with --data: gaussian (default: one scalar kurtosis, fitted unless fixed), matrix (the data's E[z_i² z_j²]) or empirical (exact for the dataset; O(n d²) per step, so only for small data: a fit evaluates a few hundred trajectories).";
        var plot = new PlotOptions("Also draw the measured curves with the fitted model (log scale, top) and the residuals (bottom).", $"{FitPlot.Width}x{FitPlot.Height}");
        var format = OptionFactory.Format();
        var outOption = OptionFactory.Out();
        var command = new ExampleCommand("fit",
            "Fits the exact model to measured curves by least squares (MathNet's Levenberg–Marquardt): a power-law spectrum (--model powerlaw:d=D) or your data matrix (--data), " +
            "one or several curves at once (different methods and batch sizes identify what one curve cannot). Prints each parameter with its standard error and 95% interval, χ²/row, " +
            "and the fitted model's critical batch and tuned method at --at-batch (with --data: on the data's rate under the fitted fourth-moment model, as critical-batch --data and tune --data compute them, with the stability edge on the data). csv: quantity,name,value,stderr,lower,upper; json: {\"model\", \"objective\", \"parameters\", \"curves\", \"answers\", …}.",
            Example);
        command.Options.Add(against);
        command.Options.Add(methods);
        command.Options.Add(batches);
        command.Options.Add(model);
        command.Options.Add(fix);
        command.Options.Add(guess);
        command.Options.Add(objective);
        command.Options.Add(families);
        command.Options.Add(atBatch);
        command.Options.Add(noAnswers);
        dataOptions.AddTo(command);
        plot.AddTo(command);
        command.Options.Add(format);
        command.Options.Add(outOption);

        command.SetAction(parse =>
        {
            var outPath = parse.GetValue(outOption);
            OutputTarget.Validate(outPath);
            var (plotPath, figure) = plot.Read(parse);
            var fmt = OptionFactory.ParseFormat(parse.GetValue(format));
            var files = parse.GetValue(against) ?? [];
            var methodSpecs = Paired(parse.GetValue(methods) ?? [], files.Length, "--method");
            var batchTexts = Paired(parse.GetValue(batches) ?? [], files.Length, "--batch");
            var fitObjective = FitObjectives.Parse(parse.GetValue(objective) ?? "log-risk");
            var curves = new List<FitCurve>();
            for (int i = 0; i < files.Length; i++)
            {
                var (steps, values, stdErr, column) = FitCurveFile.Read(files[i]);
                if (column == "loss" && fitObjective == FitObjective.LogRisk)
                    throw new InvalidInputException($"The curve file '{files[i]}' holds a loss, which sits above the excess risk by its floor; fit it with --objective loss (the floor is then a parameter), or give the excess risk in a risk column.");
                if (!SpecParser.TryNumber(batchTexts[i], out var b))
                    throw new InvalidInputException($"--batch '{batchTexts[i]}' is not a number; give the batch size of the curve, e.g. --batch 8.");
                curves.Add(new FitCurve(Path.GetFileName(files[i]), steps, values, stdErr, SpecParser.ParseMethod(methodSpecs[i]), b));
            }
            // the notes on the data and the answers wait until the fit has accepted its work, so that a refusal (a bad
            // curve, a curve too long for the data model) is the one line on stderr
            var pending = new List<string>();
            CurveModel curveModel = BuildModel(parse, model, dataOptions, pending.Add);
            // the answers' plan (families, batch sizes, the model and its cost) is settled before the fit, so that a
            // refusal comes before it
            FitAnswerPlan? plan = parse.GetValue(noAnswers)
                ? null
                : FitAnswerPlan.Create(curveModel, parse.GetValue(families) is { } text ? MethodFamilies.ParseList(text) : DefaultFamilies(curves),
                    parse.GetValue(atBatch) is { } atText ? Batches(atText) : [curves[0].Batch], pending.Add);
            var options = new FitOptions
            {
                Objective = fitObjective,
                Fixed = FitCurveFile.Assignments(parse.GetValue(fix) ?? [], "--fix"),
                Guess = FitCurveFile.Assignments(parse.GetValue(guess) ?? [], "--guess"),
            };
            var watch = Stopwatch.StartNew();
            var fit = CurveFit.Fit(curveModel, curves, options);
            double seconds = watch.Elapsed.TotalSeconds;
            foreach (var note in pending) ctx.Note(note);
            ctx.Note($"exactdyn: fitted in {ResultWriter.Readable(seconds, 3)} s ({fit.Evaluations} exact trajectories)");
            foreach (var p in fit.Parameters.Where(p => p.NotIdentified))
                ctx.Note($"exactdyn: the curves do not determine {p.Parameter.Name} ({p.Parameter.Meaning}); fix it with --fix {p.Parameter.Name}=VALUE, or add curves at other learning rates or batch sizes.");
            if (fit.StrongCorrelations() is { Count: > 0 } correlated)
                ctx.Note($"exactdyn: strongly correlated estimates ({string.Join(", ", correlated.Select(c => $"{c.First}–{c.Second} r = {ResultWriter.Readable(c.Correlation, 3)}"))}): the curves determine combinations of these rather than each, and the standard errors understate how far they can move together; fix some, or add curves at other learning rates or batch sizes.");
            FitAnswerSet? answers = null;
            if (plan is not null)
            {
                IReadOnlyList<FitAnswer> list;
                using (var progress = Progress.Start(ctx.Error, "answers", 0))
                    list = FitAnswers.Compute(plan.Model, fit, plan.Families, plan.Batches);
                answers = FitAnswerSet.Check(plan, list, fit, ctx);
            }
            OutputTarget.Emit(outPath, ctx.Out, w => FitWriter.Write(w, fmt, fit, answers, seconds));
            if (plotPath is not null) FitPlot.Save(plotPath, fit, figure);
            return 0;
        });
        return command;
    }

    /// <summary>One value for every curve, or one per curve.</summary>
    private static string[] Paired(string[] given, int curves, string option)
    {
        if (given.Length == curves) return given;
        if (given.Length == 1) return Enumerable.Repeat(given[0], curves).ToArray();
        throw new InvalidInputException($"There are {curves} curves (--against) but {given.Length} values of {option}; give one {option} for all curves or one per curve, in the same order.");
    }

    /// <summary>The batch sizes of --at-batch (comma-separated, each ≥ 1).</summary>
    private static double[] Batches(string text)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var result = new double[items.Length];
        for (int i = 0; i < items.Length; i++)
            if (!SpecParser.TryNumber(items[i], out result[i]) || !double.IsFinite(result[i]) || !(result[i] >= 1))
                throw new InvalidInputException($"--at-batch '{text}' is not allowed; give batch sizes ≥ 1, comma-separated, e.g. --at-batch 4,16.");
        return result;
    }

    /// <summary>The families of the curves' methods that can be tuned (sgd when none).</summary>
    private static IReadOnlyList<MethodFamily> DefaultFamilies(IEnumerable<FitCurve> curves)
    {
        var tunable = new[] { MethodFamily.Sgd, MethodFamily.HeavyBall, MethodFamily.Nesterov, MethodFamily.Asgd };
        var list = curves.Select(c => c.Method.Parameters?.Family).OfType<MethodFamily>().Where(tunable.Contains).Distinct().ToList();
        return list.Count > 0 ? list : [MethodFamily.Sgd];
    }

    private static CurveModel BuildModel(ParseResult parse, Option<string> model, DataOptions dataOptions, Action<string> note)
    {
        var spec = parse.GetValue(model);
        if (dataOptions.Given(parse))
        {
            if (spec is not null) throw new InvalidInputException("Give either --model or --data, not both: with --data the spectrum is the data's own.");
            var (data, description) = dataOptions.BuildData(parse);
            note($"exactdyn: {description}");
            var moments = parse.GetValue(dataOptions.Moments!) is { } m ? MomentModels.Parse(m) : MomentModel.Gaussian;
            return new DataCurveModel(data, moments, dataOptions.StartError(parse, data));
        }
        if (spec is null) throw new InvalidInputException("The fit needs a model: give --model powerlaw:d=D, or --data X.npy for your own data matrix.");
        var text = spec.Trim();
        int colon = text.IndexOf(':');
        var family = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        if (family != "powerlaw")
            throw new InvalidInputException($"--model '{spec}' is not known; the parametric model is powerlaw:d=D (or give --data X.npy).");
        var kv = KeyValues.Parse(colon < 0 ? null : text[(colon + 1)..], spec, "--model", "powerlaw", "powerlaw:d=D", ["d"], []);
        double d = kv.Number("d");
        if (!(d >= 1) || d != Math.Floor(d) || d > int.MaxValue)
            throw new InvalidInputException($"--model '{spec}': d = {ResultWriter.Text(d)} is not allowed; the dimension is a whole number ≥ 1.");
        return new PowerLawCurveModel((int)d);
    }
}
