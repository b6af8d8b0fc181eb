using System.Globalization;
using ExactDynamics.Cli.Options;
using ExactDynamics.Fitting;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// The output of <c>exactdyn fit</c> (docs/cli.md#fit): the parameters with standard errors and 95% intervals, the fit's
/// χ², each curve's χ²/row, and the answers of the fitted model (critical batch, tuned method at a batch size).
/// csv is long (<c>quantity,name,value,stderr,lower,upper</c>); json one object.
/// </summary>
internal static class FitWriter
{
    public static void Write(TextWriter w, OutputFormat format, FitResult fit, FitAnswerSet? answers, double seconds)
    {
        switch (format)
        {
            case OutputFormat.Csv: WriteCsv(w, fit, answers); break;
            case OutputFormat.Json: WriteJson(w, fit, answers, seconds); break;
            default: WriteTable(w, fit, answers, seconds); break;
        }
    }

    private static double? StdErr(FitAnswer a, string key) => a.TunedStdErr is { } e && e.TryGetValue(key, out var v) ? v : null;

    private static string N(double x) => ResultWriter.Num(x);
    private static string N(double? x) => ResultWriter.Num(x);

    private static double CurveChi(FittedCurve c) => c.Residuals.Sum(r => r * r) / c.Residuals.Length;

    private static void WriteCsv(TextWriter w, FitResult fit, FitAnswerSet? set)
    {
        var rows = new List<string[]>();
        foreach (var p in fit.Parameters)
            rows.Add([p.Fixed ? "fixed" : "parameter", p.Parameter.Name, N(p.Value), N(p.StdErr), N(p.Lower), N(p.Upper)]);
        rows.Add(["fit", "chi2", N(fit.ChiSquare), "", "", ""]);
        rows.Add(["fit", "chi2_per_row", N(fit.ChiSquarePerRow), "", "", ""]);
        rows.Add(["fit", "rows", ResultWriter.Int(fit.Rows), "", "", ""]);
        rows.Add(["fit", "free", ResultWriter.Int(fit.FreeParameters), "", "", ""]);
        foreach (var c in fit.Curves) rows.Add(["curve_chi2_per_row", c.Curve.Label, N(CurveChi(c)), "", "", ""]);
        if (set?.Moments is { } moments) rows.Add(["answers_moments", moments, "", "", "", ""]);
        var answers = set?.Answers ?? [];
        for (int i = 0; i < answers.Count; i++)
        {
            var a = answers[i];
            string f = a.Family.Name();
            if (i == 0 || answers[i - 1].Family != a.Family) rows.Add(["critical_batch", f, N(a.Critical.CriticalBatch), N(a.CriticalBatchStdErr), "", ""]);
            rows.Add(["tuned_batch", f, N(a.AtBatch), "", "", ""]);
            foreach (var (key, value) in a.Tuned.Parameters) rows.Add([$"tuned_{key}", f, N(value), N(StdErr(a, key)), "", ""]);
            rows.Add(["tuned_gap", f, N(a.Tuned.Gap), "", "", ""]);
            if (set!.Stability?[i].Json is { } s)
            {
                var edge = s["edge_lr"]!.AsObject();
                rows.Add(["edge_lr_gaussian", f, N(edge["gaussian"]?.GetValue<double>()), "", "", ""]);
                rows.Add(["edge_lr_empirical", f, N(edge["empirical"]?.GetValue<double>()), "", "", ""]);
                if (s.TryGetValue("empirical_rho", out var rho)) rows.Add(["empirical_rho", f, N(rho?.GetValue<double>()), "", "", ""]);
            }
        }
        ResultWriter.WriteCsv(w, ["quantity", "name", "value", "stderr", "lower", "upper"], rows);
    }

    private static void WriteJson(TextWriter w, FitResult fit, FitAnswerSet? set, double seconds) => ResultWriter.WriteJson(w, j =>
    {
        j.WriteStartObject();
        j.WriteString("model", fit.Model);
        j.WriteString("objective", FitObjectives.Name(fit.Objective));
        j.WriteBoolean("weighted", fit.Weighted);
        j.WriteNumber("rows", fit.Rows);
        j.WriteNumber("free", fit.FreeParameters);
        ResultWriter.WriteNumberOrNull(j, "chi2", fit.ChiSquare);
        ResultWriter.WriteNumberOrNull(j, "chi2_per_row", fit.ChiSquarePerRow);
        ResultWriter.WriteNumberOrNull(j, "reduced_chi2", fit.ReducedChiSquare);
        j.WriteNumber("iterations", fit.Iterations);
        j.WriteNumber("evaluations", fit.Evaluations);
        j.WriteString("exit", fit.ExitReason);
        j.WriteNumber("seconds", Math.Round(seconds, 3));
        j.WriteStartArray("parameters");
        foreach (var p in fit.Parameters)
        {
            j.WriteStartObject();
            j.WriteString("name", p.Parameter.Name);
            j.WriteString("symbol", p.Parameter.Symbol);
            ResultWriter.WriteNumberOrNull(j, "value", p.Value);
            j.WriteBoolean("fixed", p.Fixed);
            j.WriteBoolean("identified", !p.NotIdentified);
            ResultWriter.WriteNumberOrNull(j, "stderr", p.StdErr);
            ResultWriter.WriteNumberOrNull(j, "lower", p.Lower);
            ResultWriter.WriteNumberOrNull(j, "upper", p.Upper);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("strong_correlations");
        foreach (var (first, second, r) in fit.StrongCorrelations())
        {
            j.WriteStartObject();
            j.WriteString("first", first);
            j.WriteString("second", second);
            j.WriteNumber("r", r);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("curves");
        foreach (var c in fit.Curves)
        {
            j.WriteStartObject();
            j.WriteString("file", c.Curve.Label);
            j.WriteString("method", c.Curve.Method.Spec);
            j.WriteNumber("batch", c.Curve.Batch);
            j.WriteNumber("points", c.Curve.Steps.Length);
            ResultWriter.WriteNumberOrNull(j, "chi2_per_row", CurveChi(c));
            j.WriteStartArray("t");
            foreach (var t in c.Curve.Steps) j.WriteNumberValue(t);
            j.WriteEndArray();
            Array(j, "measured", c.Curve.Values);
            Array(j, "model", c.Model);
            Array(j, "residual", c.Residuals);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        if (set?.Moments is { } moments) j.WriteString("answers_moments", moments);
        else j.WriteNull("answers_moments");
        if (set is null) j.WriteNull("answers");
        else
        {
            j.WriteStartArray("answers");
            for (int i = 0; i < set.Answers.Count; i++)
            {
                var a = set.Answers[i];
                j.WriteStartObject();
                j.WriteString("family", a.Family.Name());
                ResultWriter.WriteNumberOrNull(j, "critical_batch", a.Critical.CriticalBatch);
                ResultWriter.WriteNumberOrNull(j, "critical_batch_stderr", a.CriticalBatchStdErr);
                ResultWriter.WriteNumberOrNull(j, "deterministic_scale", a.Critical.DeterministicScale);
                j.WriteNumber("at_batch", a.AtBatch);
                j.WriteString("method", a.Tuned.Spec);
                j.WriteStartObject("params");
                foreach (var (key, value) in a.Tuned.Parameters) ResultWriter.WriteNumberOrNull(j, key, value);
                j.WriteEndObject();
                if (a.TunedStdErr is { } errors)
                {
                    j.WriteStartObject("params_stderr");
                    foreach (var (key, value) in errors) ResultWriter.WriteNumberOrNull(j, key, value);
                    j.WriteEndObject();
                }
                else j.WriteNull("params_stderr");
                ResultWriter.WriteNumberOrNull(j, "gap", a.Tuned.Gap);
                j.WriteStartArray("fitted_inputs");
                foreach (var name in a.FittedInputs) j.WriteStringValue(name);
                j.WriteEndArray();
                if (set.Stability?[i].Json is { } stability)
                {
                    j.WritePropertyName("stability_on_data");
                    new System.Text.Json.Nodes.JsonObject(stability.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))).WriteTo(j);
                }
                j.WriteEndObject();
            }
            j.WriteEndArray();
        }
        j.WriteEndObject();
    });

    private static void Array(System.Text.Json.Utf8JsonWriter j, string name, double[] values)
    {
        j.WriteStartArray(name);
        foreach (var v in values) ResultWriter.WriteNumberOrNull(j, v);
        j.WriteEndArray();
    }

    private static void WriteTable(TextWriter w, FitResult fit, FitAnswerSet? set, double seconds)
    {
        string R(double x) => ResultWriter.Readable(x, 5);
        w.WriteLine($"Fit of {fit.Model} to {fit.Curves.Count} curve{(fit.Curves.Count == 1 ? "" : "s")} — objective {FitObjectives.Name(fit.Objective)}, " +
                    $"{fit.Rows} points, {fit.FreeParameters} free parameter{(fit.FreeParameters == 1 ? "" : "s")}");
        w.WriteLine($"χ²/row {R(fit.ChiSquarePerRow)} (χ²/(N − p) {R(fit.ReducedChiSquare)}); standard errors {(fit.Weighted ? "from the curves' stderr columns" : "scaled by the residual variance")}; " +
                    $"{fit.Iterations} iterations, {fit.Evaluations} evaluations, {ResultWriter.Readable(seconds, 3)} s ({fit.ExitReason})");
        var table = new TextTable(("parameter", false), ("symbol", false), ("value", true), ("stderr", true), ("95% interval", false));
        foreach (var p in fit.Parameters)
            table.Add(p.Parameter.Name, p.Parameter.Symbol, R(p.Value),
                p.Fixed ? "fixed" : p.StdErr is double se ? R(se) : "not identified",
                p.Lower is double lo && p.Upper is double hi ? $"[{R(lo)}, {R(hi)}]" : "");
        table.Write(w);
        var curves = new TextTable(("curve", false), ("method", false), ("batch", true), ("points", true), ("χ²/row", true));
        foreach (var c in fit.Curves)
            curves.Add(c.Curve.Label, c.Curve.Method.Spec, ResultWriter.Readable(c.Curve.Batch), c.Curve.Steps.Length.ToString(CultureInfo.InvariantCulture), R(CurveChi(c)));
        w.WriteLine();
        curves.Write(w);
        if (set is null || set.Answers.Count == 0) return;
        var answers = set.Answers;
        w.WriteLine();
        w.WriteLine("The fitted model's answers (paste the method into --method):");
        if (set.ModelText is { } model) w.WriteLine($"on the data, moments: {model}{(set.FallBack is { } why ? $" — {why}" : "")}");
        var t = new TextTable(("family", false), ("critical batch", true), ("stderr", true), ("tuned at B", true), ("method", false), ("lr stderr", true), ("gap", true));
        foreach (var a in answers)
            t.Add(a.Family.Name(), a.Critical.CriticalBatch is double cb ? R(cb) : "beyond the largest batch", a.CriticalBatchStdErr is double se ? R(se) : "",
                ResultWriter.Readable(a.AtBatch), a.Tuned.Spec, StdErr(a, "lr") is double le ? R(le) : "", R(a.Tuned.Gap));
        t.Write(w);
        var inputs = answers[0].FittedInputs;
        w.WriteLine(inputs.Count > 0
            ? $"standard errors propagated from the fitted {string.Join(", ", inputs)} (the only fitted parameter{(inputs.Count == 1 ? "" : "s")} the rate depends on)"
            : "no fitted parameter enters these answers (the rate depends on the data and the method alone): they carry no uncertainty from the fit");
        for (int i = 0; i < answers.Count; i++)
            foreach (var line in set.Stability?[i].Lines ?? [])
                w.WriteLine($"{answers[i].Family.Name()} at B = {ResultWriter.Readable(answers[i].AtBatch)}: {line}");
    }
}
