using System.Globalization;

namespace ExactDynamics.Schedules;

/// <summary>
/// A schedule file (<c>file:PATH.csv</c>): a header line <c>multiplier</c> (values multiply the method's base value) or
/// <c>value</c> (absolute values), then one number per line, row t (t = 0, 1, …) for the update from t to t + 1; the last
/// row is repeated when the run is longer. Blank lines and lines starting with <c>#</c> are skipped; numbers use a dot as
/// decimal separator. Anything else is an <see cref="InvalidInputException"/> with a one-sentence message.
/// </summary>
public static class ScheduleFile
{
    /// <summary>Reads a schedule file.</summary>
    /// <param name="path">The CSV file.</param>
    /// <returns>The schedule: multipliers, or absolute values for a <c>value</c> header.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="InvalidInputException">The file does not exist, cannot be read, or is malformed (one sentence naming the line).</exception>
    public static Schedule Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new InvalidInputException($"Schedule file '{path}' is a directory; give a CSV file with a header 'multiplier' or 'value' and one number per line.");
        if (!File.Exists(path))
            throw new InvalidInputException($"Schedule file '{path}' does not exist; give a CSV file with a header 'multiplier' or 'value' and one number per line.");
        string[] lines;
        try { lines = IO.BoundedFile.ReadAllLines(path, "Schedule file"); }
        catch (IOException e) { throw new InvalidInputException($"Schedule file '{path}' could not be read ({e.Message.TrimEnd('.')}).", e); }
        catch (UnauthorizedAccessException e) { throw new InvalidInputException($"Schedule file '{path}' could not be read because access was denied.", e); }

        bool? absolute = null;
        var values = new List<double>();
        for (int n = 0; n < lines.Length; n++)
        {
            var text = lines[n].Trim();
            if (text.Length == 0 || text[0] == '#') continue;
            if (text.Contains(','))
                throw new InvalidInputException($"Schedule file '{path}', line {n + 1}: '{Shorten(text)}' has more than one column; the file holds one column, a header 'multiplier' or 'value' and then one number per line.");
            var field = text.Trim('"').Trim();
            if (absolute is null)
            {
                absolute = field.ToLowerInvariant() switch
                {
                    "multiplier" => false,
                    "value" => true,
                    _ => throw new InvalidInputException(
                        $"Schedule file '{path}', line {n + 1}: the header is '{Shorten(field)}' but it must be 'multiplier' (multiples of the base value) or 'value' (absolute values)."),
                };
                continue;
            }
            if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                throw new InvalidInputException($"Schedule file '{path}', line {n + 1}: '{Shorten(field)}' is not a number; each row after the header must hold one number such as 0.5 or 1e-3.");
            if (!double.IsFinite(x) || x < 0)
                throw new InvalidInputException($"Schedule file '{path}', line {n + 1}: {Shorten(field)} is not allowed; every value must be a finite number ≥ 0.");
            values.Add(x);
        }
        if (absolute is null)
            throw new InvalidInputException($"Schedule file '{path}' is empty; it needs a header 'multiplier' or 'value' and at least one row.");
        if (values.Count == 0)
            throw new InvalidInputException($"Schedule file '{path}' has a header but no rows; it needs at least one number after the header.");
        return Schedule.FromValues(values, absolute.Value, path);
    }

    private static string Shorten(string s) => ExactDynamics.IO.TextExcerpt.Escape(s, 40);
}
