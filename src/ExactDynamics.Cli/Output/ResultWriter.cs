using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;

namespace ExactDynamics.Cli.Output;

/// <summary>What a result was computed for, shown in the table header.</summary>
internal sealed record RunInfo(Problem Problem, LinearMethod Method, string Init);

/// <summary>
/// Prints results as a table (for people), csv or json (for programs; names per docs/cli.md). Numbers in csv and json are
/// round-trip ("R") invariant; a value that is not finite (a diverging crude estimate, an unreached exact count) is
/// json null and an empty csv field, never NaN.
/// </summary>
internal static class ResultWriter
{
    // ---------------------------------------------------------------- risk

    public static void WriteRisk(TextWriter w, OutputFormat format, RiskTrajectory r, RunInfo info)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                WriteCsv(w, ["t", "risk"], r.Steps.Select((t, i) => new[] { Int(t), Num(r.Risk[i]) }));
                break;
            case OutputFormat.Json:
                WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteStartArray("t");
                    foreach (var t in r.Steps) j.WriteNumberValue(t);
                    j.WriteEndArray();
                    j.WriteStartArray("risk");
                    foreach (var x in r.Risk) WriteNumberOrNull(j, x);
                    j.WriteEndArray();
                    WriteModel(j, info.Problem);
                    j.WriteEndObject();
                }, indented: false);
                break;
            default:
                WriteHeader(w, "Exact expected risk E L_t", info);
                var table = new TextTable(("t", true), ("E L_t", true));
                for (int i = 0; i < r.Steps.Length; i++) table.Add(Int(r.Steps[i]), Readable(r.Risk[i]));
                table.Write(w);
                if (r.Overflowed) w.WriteLine("(the risk overflowed after the last row: the method diverges)");
                break;
        }
    }

    /// <summary>
    /// Several methods' risk curves on the same problem (<c>risk</c> with a repeated <c>--method</c>): csv in long format
    /// <c>method,t,risk</c> (one row per method and step); json <c>{"methods": [{"method", "t": [...], "risk": [...]}, ...]}</c>;
    /// a table with one column per method.
    /// </summary>
    public static void WriteRisks(TextWriter w, OutputFormat format, IReadOnlyList<(LinearMethod Method, RiskTrajectory Risk)> curves,
        Problem problem, string init)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                WriteCsv(w, ["method", "t", "risk"],
                    curves.SelectMany(c => c.Risk.Steps.Select((t, i) => new[] { c.Method.Spec, Int(t), Num(c.Risk.Risk[i]) })));
                break;
            case OutputFormat.Json:
                WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteStartArray("methods");
                    foreach (var (method, r) in curves)
                    {
                        j.WriteStartObject();
                        j.WriteString("method", method.Spec);
                        j.WriteStartArray("t");
                        foreach (var t in r.Steps) j.WriteNumberValue(t);
                        j.WriteEndArray();
                        j.WriteStartArray("risk");
                        foreach (var x in r.Risk) WriteNumberOrNull(j, x);
                        j.WriteEndArray();
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    WriteModel(j, problem);
                    j.WriteEndObject();
                }, indented: false);
                break;
            default:
                WriteHeader(w, "Exact expected risk E L_t", problem, init, $"{curves.Count} methods");
                var steps = curves.SelectMany(c => c.Risk.Steps).Distinct().Order().ToArray();
                var columns = new List<(string, bool)> { ("t", true) };
                columns.AddRange(curves.Select(c => (c.Method.Spec, true)));
                var table = new TextTable([.. columns]);
                var lookup = curves.Select(c => c.Risk.Steps.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => c.Risk.Risk[p.i])).ToArray();
                foreach (var t in steps)
                {
                    var row = new string[curves.Count + 1];
                    row[0] = Int(t);
                    for (int m = 0; m < curves.Count; m++)
                        row[m + 1] = lookup[m].TryGetValue(t, out var x) ? Readable(x) : curves[m].Risk.Overflowed && t > curves[m].Risk.Steps[^1] ? "overflow" : "";
                    table.Add(row);
                }
                table.Write(w);
                foreach (var (method, r) in curves.Where(c => c.Risk.Overflowed))
                    w.WriteLine($"({method.Spec}: the risk overflowed after step {Int(r.Steps[^1])}: the method diverges)");
                break;
        }
    }

    // ---------------------------------------------------------------- gap

    private static readonly string[] GapFields = ["rho", "gap", "diverges", "rho_local", "secular_root"];

    public static void WriteGap(TextWriter w, OutputFormat format, GapResult g, RunInfo info)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                WriteCsv(w, GapFields, [[Num(g.Rho), Num(g.Gap), Bool(g.Diverges), Num(g.RhoLocal), Bool(g.SecularRoot)]]);
                break;
            case OutputFormat.Json:
                WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    WriteNumberOrNull(j, "rho", g.Rho);
                    WriteNumberOrNull(j, "gap", g.Gap);
                    j.WriteBoolean("diverges", g.Diverges);
                    WriteNumberOrNull(j, "rho_local", g.RhoLocal);
                    j.WriteBoolean("secular_root", g.SecularRoot);
                    WriteModel(j, info.Problem);
                    j.WriteEndObject();
                });
                break;
            default:
                WriteHeader(w, "Contraction gap (E L_t ∝ ρ^t, gap = 1 − ρ)", info);
                var table = new TextTable(("quantity", false), ("value", false));
                if (g.Diverges)
                {
                    table.Add("gap", double.IsFinite(g.Rho)
                        ? $"diverges (ρ = {Readable(g.Rho, 10)}, gap = {Readable(g.Gap, 6)})"
                        : "diverges (ρ is too large to represent in double precision)");
                }
                else
                {
                    table.Add("gap", Readable(g.Gap, 10));
                    table.Add("rho", Readable(g.Rho, 15));
                }
                table.Add("rho_local", (double.IsFinite(g.RhoLocal) ? Readable(g.RhoLocal, 15) : "too large to represent") + "  (max_i ρ(D_i), without the rank-one coupling)");
                table.Add("secular_root", g.SecularRoot ? "yes (ρ solves the secular equation)" : "no (ρ is the local radius)");
                if (!g.Diverges && g.Gap > 0) table.Add("1/gap", Readable(1 / g.Gap, 6) + "  (steps per e-fold of the risk)");
                table.Write(w, header: false);
                break;
        }
    }

    // ---------------------------------------------------------------- iterations

    private static readonly string[] IterationFields =
        ["target", "exact", "closed_form", "rho", "gap", "prefactor", "crude", "initial_risk", "max_steps", "floor"];

    public static void WriteIterations(TextWriter w, OutputFormat format, IterationsResult r, RunInfo info)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                WriteCsv(w, IterationFields,
                [[
                    Num(r.Target), Int(r.Exact), Num(r.ClosedForm), Num(r.Rho), Num(r.Gap), Num(r.Prefactor),
                    Num(r.Crude), Num(r.InitialRisk), Int(r.MaxSteps), Num(r.Floor),
                ]]);
                break;
            case OutputFormat.Json:
                WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    WriteNumberOrNull(j, "target", r.Target);
                    WriteIntOrNull(j, "exact", r.Exact);
                    WriteNumberOrNull(j, "closed_form", r.ClosedForm);
                    WriteNumberOrNull(j, "rho", r.Rho);
                    WriteNumberOrNull(j, "gap", r.Gap);
                    WriteNumberOrNull(j, "prefactor", r.Prefactor);
                    WriteNumberOrNull(j, "crude", r.Crude);
                    WriteNumberOrNull(j, "initial_risk", r.InitialRisk);
                    j.WriteNumber("max_steps", r.MaxSteps);
                    WriteNumberOrNull(j, "floor", r.Floor);
                    WriteModel(j, info.Problem);
                    if (r.Limit is double limit) WriteNumberOrNull(j, "limit", limit);
                    j.WriteEndObject();
                });
                break;
            default:
                WriteHeader(w, $"Iterations until E L_t ≤ {Readable(r.Target)}", info);
                var table = new TextTable(("quantity", false), ("value", false));
                if (r.BelowFloor)
                {
                    table.Add("exact", $"never: the target is at or below the noise floor L_∞ = {Readable(r.Floor, 6)} (the limit risk), so no count exists");
                    table.Add("closed form", "none (target below the noise floor)");
                    table.Add("crude", "none (target below the noise floor)");
                }
                else
                {
                    table.Add("exact", r.Exact is long e ? $"{Int(e)} steps  (first t with E L_t ≤ target, exact recursion)"
                        : r.Limit is double lim && lim > r.Target ? $"never (the risk levels off at {Readable(lim, 10)}, above the target)" : $"not reached within {Int(r.MaxSteps)} steps");
                    if (r.Limit is double limit) table.Add("limit", $"{Readable(limit, 10)}  (E L_∞: ridge bias plus noise floor)");
                    table.Add("closed form", r.ClosedForm is double c
                        ? $"{Count(c)} steps  (⌈ln(C/ε)/ln(1/ρ)⌉, asymptotic)" + (r.Exact is long e2 && e2 > 0 && c != e2 ? $", {Readable(Math.Abs(100.0 * (c - e2) / e2), 3)}% {(c < e2 ? "below" : "above")} the exact count" : "")
                        : r.Rho >= 1 ? "none (the method diverges)"
                        : r.Limit is null && !(r.Floor > 0) && double.IsNaN(r.Prefactor) ? "none (needs the Perron prefactor C, not computed for this model)"
                        : "none (the risk tends to a non-zero limit, as with weight decay)");
                    table.Add("crude", double.IsFinite(r.Crude) ? $"{Readable(r.Crude, 6)} steps  (ln(L_0/ε)/gap, as the papers quote)"
                        : r.Rho >= 1 ? "none (the method diverges)" : "none (the risk tends to a non-zero limit, as with weight decay)");
                }
                table.Add("initial risk", Readable(r.InitialRisk, 10));
                if (r.Floor > 0 && double.IsFinite(r.Floor)) table.Add("noise floor", $"{Readable(r.Floor, 10)}  (L_∞ = lim E L_t; the counts use E L_t − L_∞ ≈ C ρ^t)");
                table.Add("rho", r.Rho >= 1 ? $"{Readable(r.Rho, 15)}  (diverges)" : Readable(r.Rho, 15));
                table.Add("gap", Readable(r.Gap, 10));
                table.Add("prefactor", double.IsFinite(r.Prefactor) ? $"{Readable(r.Prefactor, 10)}  (C in E L_t ≈ C ρ^t)" : "none");
                table.Write(w, header: false);
                break;
        }
    }

    // ---------------------------------------------------------------- shared

    /// <summary>A two-line description of the run above a table.</summary>
    public static void WriteHeader(TextWriter w, string title, RunInfo info) =>
        WriteHeader(w, title, info.Problem, info.Init, info.Method.Spec);

    /// <summary>A two-line description of the run above a table; <paramref name="what"/> follows the title (e.g. the method).</summary>
    public static void WriteHeader(TextWriter w, string title, Problem p, string init, string what)
    {
        var s = p.Spectrum;
        w.WriteLine(w is TerminalWriter t ? t.Bold($"{title} — {what}") : $"{title} — {what}");
        w.WriteLine($"spectrum {s.Description} (d = {s.Dimension}, λ_max = {Readable(s.Max)}, λ_min = {Readable(s.Min)}, tr H = {Readable(s.Trace)}), " +
                    $"batch {Readable(p.Batch)}, kurtosis {Readable(p.Kurtosis)}, noise {Readable(p.Noise)}, init {init}");
        w.WriteLine();
    }

    /// <summary>Round-trip invariant text of a double; empty for a value that is not finite.</summary>
    public static string Num(double x) => double.IsFinite(x) ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    /// <summary>Round-trip invariant text of any double, including NaN and infinities (for messages).</summary>
    public static string Text(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>An empty csv field for null, else the round-trip text.</summary>
    public static string Num(double? x) => x is double v ? Num(v) : "";

    /// <summary>A step count for people: an integer, or G6 when it is beyond 1e15.</summary>
    public static string Count(double x) => Math.Abs(x) < 1e15 ? x.ToString("F0", CultureInfo.InvariantCulture) : Readable(x);

    public static string Int(long x) => x.ToString(CultureInfo.InvariantCulture);

    public static string Int(long? x) => x is long v ? Int(v) : "";

    public static string Bool(bool b) => b ? "true" : "false";

    /// <summary>A short human-readable number (G digits), "∞"/"−∞" for infinities.</summary>
    public static string Readable(double x, int digits = 6)
    {
        if (double.IsPositiveInfinity(x)) return "∞";
        if (double.IsNegativeInfinity(x)) return "−∞";
        if (double.IsNaN(x)) return "undefined";
        return x.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
    }

    public static void WriteCsv(TextWriter w, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using var csv = new CsvWriter(w, config, leaveOpen: true);
        foreach (var h in header) csv.WriteField(h);
        csv.NextRecord();
        foreach (var row in rows)
        {
            foreach (var cell in row) csv.WriteField(cell);
            csv.NextRecord();
        }
        csv.Flush();
    }

    /// <summary>The data model the numbers assume, as json fields: "kurtosis" (E z⁴) and "noise" (σ²).</summary>
    public static void WriteModel(Utf8JsonWriter j, Problem p)
    {
        WriteNumberOrNull(j, "kurtosis", p.Kurtosis);
        WriteNumberOrNull(j, "noise", p.Noise);
    }

    public static void WriteJson(TextWriter w, Action<Utf8JsonWriter> body, bool indented = true)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var options = new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var j = new Utf8JsonWriter(buffer, options))
        {
            body(j);
            j.Flush();
        }
        w.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    public static void WriteNumberOrNull(Utf8JsonWriter j, double x)
    {
        if (double.IsFinite(x)) j.WriteNumberValue(x);
        else j.WriteNullValue();
    }

    public static void WriteNumberOrNull(Utf8JsonWriter j, string name, double x)
    {
        j.WritePropertyName(name);
        WriteNumberOrNull(j, x);
    }

    public static void WriteNumberOrNull(Utf8JsonWriter j, string name, double? x)
    {
        j.WritePropertyName(name);
        if (x is double v) WriteNumberOrNull(j, v);
        else j.WriteNullValue();
    }

    public static void WriteIntOrNull(Utf8JsonWriter j, string name, long? x)
    {
        if (x is long v) j.WriteNumber(name, v);
        else j.WriteNull(name);
    }
}
