using System.Globalization;
using ExactDynamics.Validation.Simulation;

namespace ExactDynamics.Validation.UserCurves;

/// <summary>
/// A simulated mean-risk curve as users export it: csv with a header naming <c>t</c>, <c>risk</c> and optionally
/// <c>stderr</c> (any order, case-insensitive; other columns are ignored; blank lines and lines starting with '#' are
/// skipped). Steps are non-negative integers, strictly increasing; risk is finite and ≥ 0; stderr finite and ≥ 0.
/// </summary>
public sealed record SimulatedCurve(long[] Steps, double[] Risk, double[]? StdErr)
{
    /// <summary>Read a csv file (errors name the file and the line).</summary>
    public static SimulatedCurve Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new InvalidInputException($"The simulation file {path} is a directory; give the path of a csv file with columns t, risk and optionally stderr.");
        string text;
        try
        {
            text = IO.BoundedFile.ReadAllText(path, "The simulation file");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InvalidInputException($"Cannot read the simulation file {path}: {e.Message.TrimEnd('.')}.", e);
        }
        return Parse(new StringReader(text), path);
    }

    /// <summary>Parse csv text; <paramref name="source"/> names it in error messages.</summary>
    public static SimulatedCurve Parse(TextReader reader, string source = "the simulation file")
    {
        ArgumentNullException.ThrowIfNull(reader);
        int lineNo = 0;
        string? line;
        string[]? header = null;
        int tCol = -1, riskCol = -1, seCol = -1;
        var steps = new List<long>();
        var risk = new List<double>();
        var se = new List<double>();
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            var fields = trimmed.Split(',').Select(f => f.Trim().Trim('"').Trim()).ToArray();
            if (header is null)
            {
                if (lineNo == 1 && fields[0].Length > 0 && fields[0][0] == '\uFEFF') fields[0] = fields[0][1..];
                header = fields;
                for (int i = 0; i < fields.Length; i++)
                {
                    string name = fields[i].ToLowerInvariant();
                    if (name is "t" or "step") tCol = tCol < 0 ? i : throw Dup(source, fields[i]);
                    else if (name == "risk") riskCol = riskCol < 0 ? i : throw Dup(source, fields[i]);
                    else if (name == "stderr") seCol = seCol < 0 ? i : throw Dup(source, fields[i]);
                }
                if (tCol < 0 || riskCol < 0)
                {
                    bool numeric = double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
                    throw new InvalidInputException(numeric
                        ? $"{source} has no header line; its first line must name the columns t,risk[,stderr]."
                        : $"{source} has no '{(tCol < 0 ? "t" : "risk")}' column; the header must name the columns t,risk[,stderr] (it names {string.Join(",", fields)}).");
                }
                continue;
            }
            if (fields.Length != header.Length)
                throw new InvalidInputException($"{source} line {lineNo} has {fields.Length} fields but the header has {header.Length}; every row needs one value per column.");
            double tv = Number(fields[tCol], "t", source, lineNo);
            if (tv < 0 || tv != Math.Floor(tv) || tv > 9e15)
                throw new InvalidInputException($"{source} line {lineNo}: step t = {fields[tCol]} is not allowed; steps must be non-negative integers.");
            long t = (long)tv;
            if (steps.Count > 0 && t <= steps[^1])
                throw new InvalidInputException(t == steps[^1]
                    ? $"{source} line {lineNo}: step t = {t} appears twice; steps must be strictly increasing, one row per step."
                    : $"{source} line {lineNo}: step t = {t} comes after t = {steps[^1]}; rows must be sorted by increasing step.");
            double r = Number(fields[riskCol], "risk", source, lineNo);
            if (r < 0) throw new InvalidInputException($"{source} line {lineNo}: risk {fields[riskCol]} is negative; a risk is at least 0.");
            steps.Add(t);
            risk.Add(r);
            if (seCol >= 0)
            {
                double s = Number(fields[seCol], "stderr", source, lineNo);
                if (s < 0) throw new InvalidInputException($"{source} line {lineNo}: stderr {fields[seCol]} is negative; a standard error is at least 0.");
                se.Add(s);
            }
        }
        if (header is null) throw new InvalidInputException($"{source} is empty; it must have a header line t,risk[,stderr] and one row per step.");
        if (steps.Count == 0) throw new InvalidInputException($"{source} has a header but no data rows; it needs one row per step.");
        return new SimulatedCurve(steps.ToArray(), risk.ToArray(), seCol >= 0 ? se.ToArray() : null);
    }

    /// <summary>The csv of a Monte Carlo result, <c>t,risk,stderr</c>, numbers in round-trip precision.</summary>
    public static void WriteCsv(SimulationResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("t,risk,stderr\n");
        for (int i = 0; i < result.Steps.Length; i++)
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{result.Steps[i]},{R(result.Mean[i])},{R(result.StdErr[i])}\n"));
    }

    /// <summary>This curve as csv (<c>t,risk[,stderr]</c>).</summary>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(StdErr is null ? "t,risk\n" : "t,risk,stderr\n");
        for (int i = 0; i < Steps.Length; i++)
            writer.Write(StdErr is null
                ? string.Create(CultureInfo.InvariantCulture, $"{Steps[i]},{R(Risk[i])}\n")
                : string.Create(CultureInfo.InvariantCulture, $"{Steps[i]},{R(Risk[i])},{R(StdErr[i])}\n"));
    }

    /// <summary>The curve of a Monte Carlo result.</summary>
    public static SimulatedCurve From(SimulationResult r) => new(r.Steps, r.Mean, r.StdErr);

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static InvalidInputException Dup(string source, string name) =>
        new($"{source} names the column '{name}' twice; each of t, risk and stderr may appear once.");

    private static double Number(string text, string column, string source, int line)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new InvalidInputException($"{source} line {line}: {column} value '{text}' is not a finite number.");
        return v;
    }
}
