using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ExactDynamics.Cli.Options;
using ExactDynamics.Data;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// The outputs of the rate commands with --data (docs/cli.md#data-options): a command's own writer runs into a buffer
/// and the data model is added — csv gets a leading column <c>moments</c>, json the fields <c>moments</c> and
/// <c>data</c> (on every object of a top-level array) and any extra fields, the table two leading lines and any notes.
/// </summary>
internal static class DataOutput
{
    public static void Emit(string? outPath, TextWriter stdout, OutputFormat format, DataRun run, Action<TextWriter> write,
        IReadOnlyDictionary<string, JsonNode?>? extra = null, IReadOnlyList<string>? notes = null)
    {
        var buffer = new StringWriter { NewLine = "\n" };
        write(buffer);
        string text = buffer.ToString();
        OutputTarget.Emit(outPath, stdout, w =>
        {
            switch (format)
            {
                case OutputFormat.Csv:
                {
                    var lines = text.Split('\n');
                    for (int i = 0; i < lines.Length; i++)
                    {
                        if (lines[i].Length == 0) continue;
                        w.WriteLine((i == 0 ? "moments," : run.ModelName + ",") + lines[i].TrimEnd('\r'));
                    }
                    break;
                }
                case OutputFormat.Json:
                {
                    var node = JsonNode.Parse(text)!;
                    void Add(JsonObject o)
                    {
                        o["moments"] = run.ModelName;
                        o["data"] = run.Description;
                        foreach (var (k, v) in extra ?? new Dictionary<string, JsonNode?>()) o[k] = v?.DeepClone();
                    }
                    if (node is JsonArray a) foreach (var o in a.OfType<JsonObject>()) Add(o);
                    else if (node is JsonObject o1) Add(o1);
                    w.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                    break;
                }
                default:
                    w.WriteLine($"moments: {run.ModelText}");
                    w.WriteLine(run.Description);
                    w.Write(text);
                    foreach (var n in notes ?? []) w.WriteLine(n);
                    break;
            }
        });
    }

    /// <summary>The rate of one method on the data: csv rho,gap,diverges,applications,residual (after moments); json
    /// {"method", "batch", "rho", "gap", "diverges", "applications", "residual", "tolerance"}; a table.</summary>
    public static void WriteRate(TextWriter w, OutputFormat format, DataRateResult r, string method, double batch)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["method", "batch", "rho", "gap", "diverges", "applications", "residual"],
                    [[method, ResultWriter.Num(batch), ResultWriter.Num(r.Rho), ResultWriter.Num(r.Gap), ResultWriter.Bool(r.Diverges), ResultWriter.Int(r.Applications), ResultWriter.Num(r.Residual)]]);
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("method", method);
                    j.WriteNumber("batch", batch);
                    ResultWriter.WriteNumberOrNull(j, "rho", r.Rho);
                    ResultWriter.WriteNumberOrNull(j, "gap", r.Gap);
                    j.WriteBoolean("diverges", r.Diverges);
                    j.WriteNumber("applications", r.Applications);
                    ResultWriter.WriteNumberOrNull(j, "residual", r.Residual);
                    j.WriteNumber("tolerance", r.Model == MomentModel.Gaussian ? 0 : DataRate.DefaultTolerance);
                    j.WriteEndObject();
                });
                break;
            default:
            {
                w.WriteLine($"Asymptotic rate on the data — {method}, batch {ResultWriter.Readable(batch)}");
                var t = new TextTable(("quantity", false), ("value", false));
                t.Add("rho", double.IsFinite(r.Rho) ? ResultWriter.Readable(r.Rho, 15) : "too large to represent");
                t.Add("gap", double.IsFinite(r.Gap) ? ResultWriter.Readable(r.Gap, 12) + (r.Diverges ? "  (diverges: ρ ≥ 1)" : $"  (1/gap = {ResultWriter.Readable(1 / r.Gap, 6)} steps per e-fold)") : "diverges");
                t.Add("solver", r.Model == MomentModel.Gaussian
                    ? "secular equation (full relative precision)"
                    : $"restarted Arnoldi on the map: {r.Applications} applications, residual {ResultWriter.Readable(r.Residual, 3)} (gap to relative {ResultWriter.Readable(DataRate.DefaultTolerance, 2)}{(r.Converged ? "" : "; NOT converged")})");
                t.Write(w, header: false);
                break;
            }
        }
    }
}
