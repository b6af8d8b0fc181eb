using System.Globalization;

namespace ExactDynamics.Cli.Parsing;

/// <summary>
/// A measured curve for <c>fit --against</c> (docs/cli.md#fit): a CSV whose header names <c>t</c> (or <c>step</c>), the
/// value — <c>risk</c> (the mean excess risk) or <c>loss</c> (a training loss, for <c>--objective loss</c>) — and
/// optionally <c>stderr</c>; other columns are ignored, blank and <c>#</c> lines skipped.
/// </summary>
internal static class FitCurveFile
{
    /// <summary>The steps, values and standard errors (null without a stderr column), and the value column's name.</summary>
    public static (long[] Steps, double[] Values, double[]? StdErr, string Column) Read(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new InvalidInputException("--against is empty; give the path of a CSV file with columns t,risk[,stderr].");
        if (Directory.Exists(path)) throw new InvalidInputException($"The curve file '{path}' is a directory; give a CSV file with columns t,risk[,stderr].");
        string text;
        try { text = IO.BoundedFile.ReadAllText(path, "The curve file"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InvalidInputException($"Cannot read the curve file '{path}': {e.Message.TrimEnd('.')}.", e);
        }
        var lines = text.Replace("\r\n", "\n").Split('\n');
        int tCol = -1, vCol = -1, seCol = -1, width = 0;
        string column = "risk";
        var steps = new List<long>();
        var values = new List<double>();
        var errors = new List<double>();
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim().TrimStart('\uFEFF');
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split(',').Select(f => f.Trim().Trim('"').Trim()).ToArray();
            if (width == 0)
            {
                width = fields.Length;
                for (int i = 0; i < fields.Length; i++)
                {
                    var name = fields[i].ToLowerInvariant();
                    if (name is "t" or "step" && tCol < 0) tCol = i;
                    else if (name is "risk" or "loss" && vCol < 0) { vCol = i; column = name; }
                    else if (name == "stderr" && seCol < 0) seCol = i;
                }
                if (tCol < 0 || vCol < 0)
                    throw new InvalidInputException($"The curve file '{path}' has no '{(tCol < 0 ? "t" : "risk")}' column; its first line must name the columns t,risk[,stderr] (or t,loss[,stderr]).");
                continue;
            }
            if (fields.Length != width)
                throw new InvalidInputException($"The curve file '{path}', line {n + 1}, has {fields.Length} fields but the header has {width}; every row needs one value per column.");
            if (!SpecParser.TryNumber(fields[tCol], out var t) || t < 0 || t != Math.Floor(t) || t > 9e15)
                throw new InvalidInputException($"The curve file '{path}', line {n + 1}: step t = '{fields[tCol]}' is not allowed; steps are whole numbers ≥ 0.");
            if (steps.Count > 0 && (long)t <= steps[^1])
                throw new InvalidInputException($"The curve file '{path}', line {n + 1}: step t = {(long)t} comes after t = {steps[^1]}; steps must be strictly increasing.");
            if (!SpecParser.TryNumber(fields[vCol], out var v) || !double.IsFinite(v))
                throw new InvalidInputException($"The curve file '{path}', line {n + 1}: {column} '{fields[vCol]}' is not a finite number.");
            steps.Add((long)t);
            values.Add(v);
            if (seCol >= 0)
            {
                if (!SpecParser.TryNumber(fields[seCol], out var s) || !(s > 0) || !double.IsFinite(s))
                    throw new InvalidInputException($"The curve file '{path}', line {n + 1}: stderr '{fields[seCol]}' is not allowed; a standard error used as a weight must be positive and finite.");
                errors.Add(s);
            }
        }
        if (width == 0) throw new InvalidInputException($"The curve file '{path}' is empty; it needs a header t,risk[,stderr] and one row per recorded step.");
        if (steps.Count == 0) throw new InvalidInputException($"The curve file '{path}' has a header but no rows; a fit needs at least one measured step.");
        return (steps.ToArray(), values.ToArray(), seCol >= 0 ? errors.ToArray() : null, column);
    }

    /// <summary>Parses <c>name=value[,name=value…]</c> lists of <c>--fix</c> or <c>--guess</c> (repeatable).</summary>
    public static Dictionary<string, double> Assignments(IEnumerable<string> texts, string option)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = raw.IndexOf('=');
                if (eq <= 0) throw new InvalidInputException($"{option} '{raw}' is not of the form name=value; write e.g. {option} kurtosis=3.");
                var name = raw[..eq].Trim().ToLowerInvariant();
                if (!SpecParser.TryNumber(raw[(eq + 1)..].Trim(), out var value))
                    throw new InvalidInputException($"{option} '{raw}': '{raw[(eq + 1)..].Trim()}' is not a number; write e.g. {option} {name}=3.");
                if (!result.TryAdd(name, value)) throw new InvalidInputException($"{option} gives '{name}' twice; give each parameter once.");
            }
        return result;
    }
}
