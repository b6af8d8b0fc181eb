using System.Globalization;

namespace ExactDynamics.IO;

/// <summary>
/// Reads a CSV or plain-text file with one number per line (the shared format of <see cref="SpectrumFile"/> and
/// <see cref="VectorFile"/>): an optional header line (the first non-blank line, when it is not a number), blank lines
/// and lines starting with <c>#</c> ignored, a value may be quoted, and numbers are read with the invariant culture
/// (a dot as decimal separator, no thousands separators).
/// </summary>
internal static class NumberListFile
{
    /// <param name="path">The file.</param>
    /// <param name="what">What the file holds, for messages (e.g. "Spectrum file").</param>
    public static double[] Read(string path, string what) => Read(path, what, out _);

    /// <param name="path">The file.</param>
    /// <param name="what">What the file holds, for messages (e.g. "Spectrum file").</param>
    /// <param name="lineNumbers">The (1-based) line of each value, for messages about values out of range.</param>
    public static double[] Read(string path, string what, out int[] lineNumbers)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidInputException($"{what} path is empty; give the path of a file with one number per line.");
        if (Directory.Exists(path))
            throw new InvalidInputException($"{what} '{path}' is a directory; give the path of a file with one number per line.");
        if (!File.Exists(path))
            throw new InvalidInputException($"{what} '{path}' does not exist; give the path of a file with one number per line.");

        var values = new List<double>();
        var lines = new List<int>();
        try
        {
            using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            string? line;
            int lineNumber = 0;
            bool seenContent = false;
            while ((line = BoundedLineReader.ReadLine(reader, what, path, lineNumber + 1)) is not null)
            {
                lineNumber++;
                var text = line.Trim();
                if (text.Length == 0 || text[0] == '#') continue;
                var field = SingleField(text, path, what, lineNumber);
                if (TryParse(field, out var x))
                {
                    BoundedLineReader.CheckCount(values.Count, what, path);
                    values.Add(x);
                    lines.Add(lineNumber);
                }
                else if (!seenContent && LooksLikeHeader(field))
                {
                    // The optional header line, e.g. "eigenvalue".
                }
                else
                {
                    throw new InvalidInputException(
                        $"{what} '{path}', line {lineNumber}: '{Shorten(field)}' is not a number; each line must hold one number such as 0.25 or 1e-3.");
                }
                seenContent = true;
            }
        }
        catch (IOException e)
        {
            throw new InvalidInputException($"{what} '{path}' could not be read ({e.Message.TrimEnd('.')}).", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidInputException($"{what} '{path}' could not be read because access was denied.", e);
        }

        if (values.Count == 0)
            throw new InvalidInputException($"{what} '{path}' holds no numbers; it needs one number per line.");
        lineNumbers = lines.ToArray();
        return values.ToArray();
    }

    /// <summary>Parses one number with the invariant culture; false for anything else (including empty text).</summary>
    public static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string SingleField(string text, string path, string what, int lineNumber)
    {
        // A CSV row with a single column; tolerate a trailing separator ("0.5,").
        var fields = text.Split([',', ';', '\t'], StringSplitOptions.TrimEntries);
        var nonEmpty = fields.Where(f => f.Length > 0).ToArray();
        if (nonEmpty.Length > 1)
            throw new InvalidInputException(
                $"{what} '{path}', line {lineNumber}: '{Shorten(text)}' has {nonEmpty.Length} fields; the file must hold one number per line.");
        var field = nonEmpty.Length == 1 ? nonEmpty[0] : text;
        if (field.Length >= 2 && field[0] == '"' && field[^1] == '"') field = field[1..^1].Trim();
        return field;
    }

    // a header reads as a column name: it starts with a letter or '_' (so typos such as 1e, 1O or 0x1 are named as bad
    // lines instead of being dropped as a header)
    private static bool LooksLikeHeader(string field) => (char.IsLetter(field[0]) || field[0] == '_') &&
        !field.Equals("nan", StringComparison.OrdinalIgnoreCase) &&
        !field.Contains("inf", StringComparison.OrdinalIgnoreCase);

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
