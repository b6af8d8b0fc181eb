using System.Globalization;
using System.Text;

namespace ExactDynamics.IO;

/// <summary>
/// A short, printable excerpt of text read from a file, for one-line error messages: control characters and
/// undecodable bytes are shown escaped (<c>\x00</c>, <c>\uFFFD</c>) so that a binary file is never echoed raw to a terminal.
/// </summary>
public static class TextExcerpt
{
    /// <summary><paramref name="text"/> with control and replacement characters escaped, cut to about <paramref name="max"/> characters ("..." marks a cut).</summary>
    public static string Escape(string text, int max = 40)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder();
        foreach (char c in text)
        {
            if (sb.Length >= max)
            {
                sb.Append("...");
                break;
            }
            if (c == '\uFFFD' || char.IsControl(c))
                sb.Append(c <= '\xFF' ? $"\\x{((int)c).ToString("X2", CultureInfo.InvariantCulture)}" : $"\\u{((int)c).ToString("X4", CultureInfo.InvariantCulture)}");
            else
                sb.Append(c);
        }
        return sb.ToString();
    }
}
