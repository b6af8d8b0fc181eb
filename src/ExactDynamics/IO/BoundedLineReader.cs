using ExactDynamics.Numerics;

namespace ExactDynamics.IO;

/// <summary>
/// Line reading that cannot exhaust memory (docs/math.md#cost-estimate): a line longer than <see cref="MaxLineChars"/>
/// characters (a binary file, or a device such as /dev/zero that never ends a line) and more values than the process
/// can hold are refused with a sentence instead of an OutOfMemoryException.
/// </summary>
internal static class BoundedLineReader
{
    /// <summary>Longest line accepted in a number-per-line file (a number needs a few dozen characters).</summary>
    public const int MaxLineChars = 1 << 20;

    /// <summary>The next line without its terminator (\n, \r\n or \r), or null at the end of the input (as
    /// <see cref="TextReader.ReadLine"/>).</summary>
    public static string? ReadLine(TextReader reader, string what, string path, int lineNumber) =>
        ReadLine(reader, what, path, lineNumber, MaxLineChars, "the file must hold one number per line");

    /// <summary>The next line, at most <paramref name="maxChars"/> characters long (else one sentence ending in
    /// <paramref name="expected"/>, e.g. "a data row holds d numbers"); a NUL character (a binary file, or a device such
    /// as /dev/zero) is refused at once.</summary>
    public static string? ReadLine(TextReader reader, string what, string path, int lineNumber, int maxChars, string expected)
    {
        var sb = new System.Text.StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n') return sb.ToString();
            if (c == '\r')
            {
                if (reader.Peek() == '\n') reader.Read();
                return sb.ToString();
            }
            if (sb.Length >= maxChars)
                throw new InvalidInputException(
                    $"{what} '{path}', line {lineNumber}: the line is longer than {maxChars} characters; {expected} (is it a binary file or a device?).");
            if (c == 0 && maxChars > MaxLineChars)
                throw new InvalidInputException(
                    $"{what} '{path}', line {lineNumber}: holds a NUL character, so it is not a text file; {expected} (is it a binary file or a device?).");
            sb.Append((char)c);
        }
        return sb.Length > 0 ? sb.ToString() : null;
    }

    /// <summary>Refuses to keep reading when <paramref name="count"/> values (8 bytes each, plus a line number and
    /// list growth) would not fit in memory; checked every 2²⁰ values.</summary>
    public static void CheckCount(int count, string what, string path)
    {
        if ((count & ((1 << 20) - 1)) == 0 && count > 0)
            Numerics.CostEstimate.RequireMemory(4.0 * 12 * count, $"{what} '{path}' with more than {count} values");
    }
}
