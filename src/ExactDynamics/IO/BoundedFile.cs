using ExactDynamics.Numerics;

namespace ExactDynamics.IO;

/// <summary>
/// Whole-file reads with a size limit (docs/math.md#cost-estimate): a file or device larger than the process can hold
/// (e.g. /dev/zero, which never ends) is refused with a sentence naming its size limit, instead of an
/// OutOfMemoryException. The limit is a quarter of the memory available to the process, at most 2 GB.
/// </summary>
public static class BoundedFile
{
    /// <summary>Default limit of <see cref="ReadAllBytes"/>: 64 MB (text, JSON and CSV inputs are far smaller).</summary>
    public const long TextLimit = 64L << 20;

    /// <summary>The largest file read whole.</summary>
    public static long MaxBytes => (long)Math.Min(int.MaxValue - 64, 0.25 * Numerics.CostEstimate.AvailableBytes);

    /// <summary>The bytes of <paramref name="path"/>; IO errors propagate as from <see cref="File.ReadAllBytes(string)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">Names the file in the message, e.g. "Method file".</param>
    /// <param name="limit">The size limit (default: 256 MB for text and JSON files; .npy vectors pass <see cref="MaxBytes"/>).</param>
    public static byte[] ReadAllBytes(string path, string what, long? limit = null)
    {
        long max = Math.Min(MaxBytes, limit ?? TextLimit);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        long length = stream.CanSeek ? stream.Length : 0;
        if (length > max) throw TooLarge(path, what, max);
        using var buffer = new MemoryStream(length > 0 ? (int)length : 1 << 16);
        var chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > max) throw TooLarge(path, what, max);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    /// <summary>The text of <paramref name="path"/> (UTF-8, or the encoding its byte-order mark names).</summary>
    public static string ReadAllText(string path, string what)
    {
        using var reader = new StreamReader(new MemoryStream(ReadAllBytes(path, what)), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>The lines of <paramref name="path"/> (as <see cref="File.ReadAllLines(string)"/>).</summary>
    public static string[] ReadAllLines(string path, string what)
    {
        var lines = new List<string>();
        using var reader = new StringReader(ReadAllText(path, what));
        string? line;
        while ((line = reader.ReadLine()) is not null) lines.Add(line);
        return lines.ToArray();
    }

    private static InvalidInputException TooLarge(string path, string what, long max) =>
        new($"{what} '{path}' is larger than {Numerics.CostEstimate.Bytes(max)}, the most read for such a file; give a smaller file (is it a device?).");
}
