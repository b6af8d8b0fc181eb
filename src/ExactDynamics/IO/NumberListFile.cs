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
            int rowLine = 0; // the line of a one-line vector, when the file is one
            while ((line = BoundedLineReader.ReadLine(reader, what, path, lineNumber + 1)) is not null)
            {
                lineNumber++;
                var text = line.Trim();
                if (text.Length == 0 || text[0] == '#') continue;
                if (rowLine > 0)
                    throw new InvalidInputException(
                        $"{what} '{path}' has {values.Count} values on line {rowLine} and more on line {lineNumber}; give one number per line, or all the numbers on a single line (a 1×n row).");
                RefuseBinary(text, path, what, lineNumber);
                if (values.Count == 0 && RowVector(text) is double[] row)
                {
                    // One line holding the whole vector, e.g. np.savetxt of a 1×n array (values separated by spaces or commas).
                    values.AddRange(row);
                    lines.AddRange(Enumerable.Repeat(lineNumber, row.Length));
                    rowLine = lineNumber;
                    seenContent = true;
                    continue;
                }
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

    /// <summary>
    /// A header is a column name: it starts with a letter or an underscore (so a mistyped number such as <c>1e</c>,
    /// <c>1O</c> or <c>0x1</c> is reported, not skipped) and holds no control characters.
    /// </summary>
    internal static bool LooksLikeHeader(string field) =>
        field.Length > 0 && (char.IsLetter(field[0]) || field[0] == '_') &&
        !field.Any(c => char.IsControl(c) || c == '\uFFFD') &&
        !field.Equals("nan", StringComparison.OrdinalIgnoreCase) &&
        !field.Contains("inf", StringComparison.OrdinalIgnoreCase);

    /// <summary>The numbers of a line holding two or more values separated by spaces, tabs, commas or semicolons; null otherwise.</summary>
    private static double[]? RowVector(string text)
    {
        var fields = text.Split([',', ';', '\t', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields.Length < 2) return null;
        var row = new double[fields.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            var f = fields[i].Length >= 2 && fields[i][0] == '"' && fields[i][^1] == '"' ? fields[i][1..^1] : fields[i];
            if (!TryParse(f, out row[i])) return null;
        }
        return row;
    }

    /// <summary>A text file has no control characters other than tabs: anything else is binary data (an image, a .npy saved under another name).</summary>
    private static void RefuseBinary(string text, string path, string what, int lineNumber)
    {
        if (!text.Any(c => (char.IsControl(c) && c != '\t') || c == '\uFFFD')) return;
        throw new InvalidInputException(
            $"{what} '{path}', line {lineNumber} holds binary data ('{TextExcerpt.Escape(text, 24)}'), not text; give a text file with one number per line" +
            (what.Contains("Spectrum", StringComparison.Ordinal) || what.Contains("Vector", StringComparison.Ordinal) ? ", or a .npy file named *.npy." : "."));
    }

    private static string Shorten(string s) => TextExcerpt.Escape(s, 40);
}
