using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.UserCurves;

namespace ExactDynamics.Cli.Output;

/// <summary>Output of <c>simulate</c> and <c>validate</c> (same conventions as <see cref="ResultWriter"/>).</summary>
internal static class ValidationWriter
{
    /// <summary>csv <c>t,risk,stderr</c>; json <c>{"t", "risk", "stderr", "runs", "seed"}</c>; table with the exact curve beside.</summary>
    public static void WriteSimulation(TextWriter w, OutputFormat format, SimulationResult r, double[] exact, string covariates, RunInfo info)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["t", "risk", "stderr"],
                    r.Steps.Select((t, i) => new[] { ResultWriter.Int(t), ResultWriter.Num(r.Mean[i]), ResultWriter.Num(r.StdErr[i]) }));
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteStartArray("t");
                    foreach (var t in r.Steps) j.WriteNumberValue(t);
                    j.WriteEndArray();
                    j.WriteStartArray("risk");
                    foreach (var x in r.Mean) ResultWriter.WriteNumberOrNull(j, x);
                    j.WriteEndArray();
                    j.WriteStartArray("stderr");
                    foreach (var x in r.StdErr) ResultWriter.WriteNumberOrNull(j, x);
                    j.WriteEndArray();
                    j.WriteNumber("runs", r.Runs);
                    j.WriteNumber("seed", r.Seed);
                    j.WriteString("covariates", covariates);
                    j.WriteEndObject();
                }, indented: false);
                break;
            default:
                ResultWriter.WriteHeader(w, $"Monte Carlo risk over {r.Runs} runs (seed {r.Seed}, covariates {covariates})", info);
                var table = new TextTable(("t", true), ("mean L_t", true), ("stderr", true), ("exact E L_t", true), ("z", true));
                for (int i = 0; i < r.Steps.Length; i++)
                {
                    double z = ExactDynamics.Validation.Statistics.CurveComparer.ZScore(r.Mean[i], exact[i], r.StdErr[i]);
                    table.Add(ResultWriter.Int(r.Steps[i]), ResultWriter.Readable(r.Mean[i]), ResultWriter.Readable(r.StdErr[i], 3),
                        ResultWriter.Readable(exact[i]), ResultWriter.Readable(z, 3));
                }
                table.Write(w);
                w.WriteLine("(z = (mean − exact)/stderr; 'exactdyn validate' turns this into a verdict.)");
                break;
        }
    }

    private static readonly string[] ValidationFields =
        ["consistent", "verdict", "worst_z", "worst_t", "threshold", "alpha", "steps_compared", "first_t_outside", "stderr_source", "runs"];

    /// <summary>The evidence of a validation: worst z, where, the threshold and the verdict.</summary>
    public static void WriteValidation(TextWriter w, OutputFormat format, CurveValidation v, string file, RunInfo info) =>
        WriteValidation(w, format, v, file, title => ResultWriter.WriteHeader(w, title, info), j => ResultWriter.WriteModel(j, info.Problem));

    /// <summary>
    /// The same against a fourth-moment model on the user's data (<c>validate --data</c>): the table's header names
    /// the data and the model; json and csv add <c>moments</c> (json also <c>data</c>) in place of kurtosis and noise.
    /// </summary>
    public static void WriteValidation(TextWriter w, OutputFormat format, CurveValidation v, string file, DataRunInfo data) =>
        WriteValidation(w, format, v, file, title =>
        {
            w.WriteLine($"{title} — {data.Method} — moments: {data.ModelText}");
            w.WriteLine(data.Description);
            w.WriteLine($"batch B={ResultWriter.Text(data.Batch)}; {data.Start}");
            w.WriteLine();
        }, j =>
        {
            j.WriteString("moments", data.Model);
            j.WriteString("data", data.Description);
        }, data.Model);

    private static void WriteValidation(TextWriter w, OutputFormat format, CurveValidation v, string file, Action<string> header,
        Action<System.Text.Json.Utf8JsonWriter> model, string? moments = null)
    {
        var c = v.Comparison;
        string source = v.Source == StdErrSource.File ? "file" : "simulation";
        switch (format)
        {
            case OutputFormat.Csv:
                string[] row =
                [
                    ResultWriter.Bool(v.Consistent), v.Verdict, ResultWriter.Num(c.WorstZ), ResultWriter.Int(c.WorstStep), ResultWriter.Num(c.Threshold),
                    ResultWriter.Num(c.Alpha), ResultWriter.Int(c.StepsCompared), ResultWriter.Int(c.FirstExceedanceStep), source,
                    v.Runs is int r ? ResultWriter.Int(r) : "",
                ];
                ResultWriter.WriteCsv(w, moments is null ? ValidationFields : [.. ValidationFields, "moments"], [moments is null ? row : [.. row, moments]]);
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteBoolean("consistent", v.Consistent);
                    j.WriteString("verdict", v.Verdict);
                    ResultWriter.WriteNumberOrNull(j, "worst_z", c.WorstZ);
                    j.WriteNumber("worst_t", c.WorstStep);
                    j.WriteNumber("threshold", c.Threshold);
                    j.WriteNumber("alpha", c.Alpha);
                    j.WriteNumber("steps_compared", c.StepsCompared);
                    ResultWriter.WriteIntOrNull(j, "first_t_outside", c.FirstExceedanceStep);
                    j.WriteString("stderr_source", source);
                    ResultWriter.WriteIntOrNull(j, "runs", v.Runs);
                    model(j);
                    j.WriteEndObject();
                });
                break;
            default:
                header($"Validation of {file} against the exact expected risk");
                var table = new TextTable(("quantity", false), ("value", false));
                table.Add("steps compared", $"{c.StepsCompared} (t = {ResultWriter.Int(c.Steps[0])} … {ResultWriter.Int(c.Steps[^1])})");
                table.Add("stderr", v.Source == StdErrSource.File
                    ? "from the file's stderr column"
                    : $"not in the file: estimated by simulating the same {(moments is null ? "problem" : "rows, start")} and method with R = {v.Runs} runs (export stderr for a test of your own spread)");
                table.Add("worst z", $"{ResultWriter.Readable(c.WorstZ, 4)} at t = {ResultWriter.Int(c.WorstStep)}  (z = (simulated − exact)/stderr)");
                table.Add("threshold", $"|z| ≤ {ResultWriter.Readable(c.Threshold, 4)}  (Bonferroni over {c.StepsCompared} steps, α = {ResultWriter.Readable(c.Alpha)})");
                table.Add("verdict", v.Verdict);
                table.Write(w, header: false);
                break;
        }
    }
}

/// <summary>What <c>validate --data</c> states about its run: the method, the data (as described by the data options),
/// the model (name and sentence), the batch and the start.</summary>
internal sealed record DataRunInfo(string Method, string Description, string Model, string ModelText, double Batch, string Start);
