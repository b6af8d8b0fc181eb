using System.Globalization;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// A user's measured risk curve for <c>risk --overlay</c>: a CSV file with columns <c>t</c> and <c>risk</c> (found by
/// name in a header line, else the first two columns), other columns ignored, blank and <c>#</c> lines skipped.
/// </summary>
internal static class MeasuredCurve
{
    public static PlotSeries Read(string path) => ReadFile(path).Series;

    /// <summary>
    /// The curve (with a ±2·stderr band when the file has a <c>stderr</c> column) and the name of the column read as the
    /// risk (<c>risk</c>, <c>loss</c>, or the second column when there is no header).
    /// </summary>
    public static (PlotSeries Series, string Column) ReadFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new InvalidInputException("--overlay is empty; give the path of a CSV file with columns t,risk.");
        if (Directory.Exists(path)) throw new InvalidInputException($"--overlay '{path}' is a directory; give the path of a CSV file with columns t,risk.");
        if (!File.Exists(path)) throw new InvalidInputException($"--overlay '{path}' does not exist; give the path of a CSV file with columns t,risk.");
        string[] lines;
        try
        {
            lines = IO.BoundedFile.ReadAllLines(path, "--overlay");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"--overlay '{path}' could not be read ({e.Message.TrimEnd('.')}).", e);
        }
        int tColumn = 0, riskColumn = 1, errColumn = -1;
        string column = "risk";
        var err = new List<double>();
        bool headerSeen = false;
        var t = new List<double>();
        var risk = new List<double>();
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split(',', StringSplitOptions.TrimEntries).Select(f => f.Trim('"')).ToArray();
            if (!headerSeen && t.Count == 0 && !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                headerSeen = true;
                int ti = Array.FindIndex(fields, f => f.Equals("t", StringComparison.OrdinalIgnoreCase) || f.Equals("step", StringComparison.OrdinalIgnoreCase));
                int ri = Array.FindIndex(fields, f => f.Equals("risk", StringComparison.OrdinalIgnoreCase) || f.Equals("loss", StringComparison.OrdinalIgnoreCase));
                if (ti >= 0) tColumn = ti;
                if (ri >= 0) riskColumn = ri;
                column = ri >= 0 ? fields[ri].ToLowerInvariant() : "the second column";
                errColumn = Array.FindIndex(fields, f => f.Equals("stderr", StringComparison.OrdinalIgnoreCase));
                continue;
            }
            if (fields.Length <= Math.Max(tColumn, riskColumn)
                || !double.TryParse(fields[tColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out var tv)
                || !double.TryParse(fields[riskColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out var rv))
                throw new InvalidInputException(
                    $"--overlay '{path}', line {n + 1}: '{ExactDynamics.IO.TextExcerpt.Escape(line, 40)}' does not have numbers in the t and risk columns; the file needs columns t,risk.");
            t.Add(tv);
            risk.Add(rv);
            if (errColumn >= 0)
                err.Add(fields.Length > errColumn && double.TryParse(fields[errColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out var ev) ? 2 * ev : double.NaN);
        }
        if (t.Count == 0) throw new InvalidInputException($"--overlay '{path}' holds no rows; it needs columns t,risk.");
        var series = new PlotSeries($"{Path.GetFileName(path)} (measured)", t, risk) { Measured = true };
        if (errColumn >= 0) series = series with { Band = err, BandLabel = $"{Path.GetFileName(path)} ± 2·stderr" };
        return (series, column);
    }
}
