using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ExactDynamics.IO;

/// <summary>
/// Reads a vector of numbers from a NumPy <c>.npy</c> file (what <c>np.save("eigs.npy", x)</c> writes): format versions
/// 1.0, 2.0 and 3.0; little-endian float64 (<c>&lt;f8</c>) or float32 (<c>&lt;f4</c>); shape <c>(n,)</c>, <c>(n, 1)</c> or
/// <c>(1, n)</c> (for these shapes C and Fortran order are the same bytes). Anything else — big-endian data, integers,
/// complex numbers, matrices, pickled objects, a truncated file — is an <see cref="InvalidInputException"/> that says what
/// was found and how to save the array so that it can be read.
/// </summary>
public static class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private const string HowToSave = "save a 1-D float array, e.g. np.save(path, np.asarray(x, dtype=np.float64).ravel())";

    /// <summary>Whether <paramref name="path"/> names a .npy file (by its extension).</summary>
    public static bool IsNpyPath(string path) => path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);

    /// <summary>The numbers in the .npy file at <paramref name="path"/>, in order, as doubles.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file holds, for messages (e.g. "Spectrum file").</param>
    /// <exception cref="InvalidInputException">The file is missing, unreadable, or not a supported .npy vector.</exception>
    public static double[] Read(string path, string what = "NumPy file") => Parse(ReadBytes(path, what), $"{what} '{path}'");

    /// <summary>The bytes of the file at <paramref name="path"/>; a missing or unreadable file is an <see cref="InvalidInputException"/>.</summary>
    internal static byte[] ReadBytes(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidInputException($"{what} path is empty; give the path of a .npy file.");
        if (Directory.Exists(path))
            throw new InvalidInputException($"{what} '{path}' is a directory; give the path of a .npy file.");
        if (!File.Exists(path))
            throw new InvalidInputException($"{what} '{path}' does not exist; give the path of a .npy file written by np.save.");
        byte[] bytes;
        try
        {
            bytes = BoundedFile.ReadAllBytes(path, what, BoundedFile.MaxBytes);
        }
        catch (IOException e)
        {
            throw new InvalidInputException($"{what} '{path}' could not be read ({e.Message.TrimEnd('.')}).", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidInputException($"{what} '{path}' could not be read because access was denied.", e);
        }
        return bytes;
    }

    /// <summary>Parses the bytes of a .npy file; <paramref name="source"/> names it in messages (e.g. "Spectrum file 'x.npy'").</summary>
    public static double[] Parse(ReadOnlySpan<byte> bytes, string source)
    {
        var (values, _, _) = ParseArray(bytes, source, ElementCount);
        return values;
    }

    /// <summary>
    /// The values of a .npy file in file order with its shape and order; <paramref name="count"/> checks the shape and
    /// returns the number of values (a vector for <see cref="Parse"/>, a matrix for the data reader).
    /// </summary>
    internal static (double[] Values, long[] Shape, bool Fortran) ParseArray(ReadOnlySpan<byte> bytes, string source,
        Func<long[], bool, string, long> count)
    {
        if (bytes.Length == 0)
            throw new InvalidInputException($"{source} is empty (0 bytes); {HowToSave}.");
        int head = Math.Min(bytes.Length, Magic.Length);
        if (bytes.Length < 10 && bytes[..head].SequenceEqual(Magic.AsSpan(0, head)))
            throw new InvalidInputException($"{source} is truncated: it holds only {bytes.Length} bytes, the start of a .npy header; {HowToSave}.");
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new InvalidInputException(
                $"{source} is not a NumPy .npy file (it starts with '{StartExcerpt(bytes)}', not \\x93NUMPY); {HowToSave}.");
        int major = bytes[6], minor = bytes[7];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..10]);
                headerStart = 10;
                break;
            case 2:
            case 3:
                if (bytes.Length < 12) throw Truncated(source);
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..12]);
                if (length > int.MaxValue) throw Truncated(source);
                headerLength = (int)length;
                headerStart = 12;
                break;
            default:
                throw new InvalidInputException(
                    $"{source} has .npy format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are supported ({HowToSave}).");
        }
        if (bytes.Length < headerStart + headerLength) throw Truncated(source);
        // Version 1 and 2 headers are latin-1 (in practice ASCII); version 3 allows UTF-8.
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(headerStart, headerLength));
        var (descr, fortran, shape) = ParseHeader(header, source);

        int itemSize = descr switch
        {
            "<f8" => 8,
            "<f4" => 4,
            _ => throw UnsupportedType(descr, source),
        };
        long n = count(shape, fortran, source);
        var data = bytes[(headerStart + headerLength)..];
        long expected = n * itemSize;
        if (data.Length < expected)
            throw new InvalidInputException(
                $"{source} is truncated: its header announces {n} values ({expected} bytes) but only {data.Length} bytes of data follow.");
        if (data.Length > expected)
            throw new InvalidInputException(
                $"{source} has {data.Length - expected} bytes after the {n} values its header announces; it is not a single array written by np.save.");

        var values = new double[n];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = itemSize == 8
                ? BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(i * 8, 8))
                : BinaryPrimitives.ReadSingleLittleEndian(data.Slice(i * 4, 4));
        }
        return (values, shape, fortran);
    }

    /// <summary>The first bytes of a file, printable characters as they are and others escaped.</summary>
    private static string StartExcerpt(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 12)])
            sb.Append(b is >= 0x20 and < 0x7F && b != (byte)'\'' ? ((char)b).ToString() : $"\\x{b:X2}");
        return sb.ToString();
    }

    private static InvalidInputException Truncated(string source) =>
        new($"{source} is truncated: the .npy header is incomplete.");

    private static InvalidInputException UnsupportedType(string descr, string source)
    {
        string found = descr.Length >= 2 && descr[0] == '>' ? $"big-endian data ('{descr}')"
            : descr.Contains('i') || descr.Contains('u') ? $"integers ('{descr}')"
            : descr.Contains('c') ? $"complex numbers ('{descr}')"
            : descr.Contains('O') ? "Python objects (a pickled array)"
            : descr.StartsWith('[') ? "a structured array"
            : $"dtype '{descr}'";
        return new InvalidInputException(
            $"{source} holds {found}; only little-endian float64 ('<f8') or float32 ('<f4') can be read — {HowToSave}.");
    }

    private static long ElementCount(long[] shape, bool fortran, string source)
    {
        string shown = "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
        long count;
        switch (shape.Length)
        {
            case 1:
                count = shape[0];
                break;
            case 2 when shape[0] == 1 || shape[1] == 1:
                count = shape[0] * shape[1];
                break;
            case 0:
                throw new InvalidInputException($"{source} holds a single number (shape ()); it must hold a vector — {HowToSave}.");
            default:
                throw new InvalidInputException(
                    $"{source} holds an array of shape {shown}; it must be a vector of shape (n,), (n, 1) or (1, n) — {HowToSave}.");
        }
        _ = fortran; // For a vector, Fortran and C order lay out the same bytes.
        if (count == 0) throw new InvalidInputException($"{source} holds an empty array (shape {shown}); it needs at least one value.");
        if (count > int.MaxValue / 8) throw new InvalidInputException($"{source} holds {count} values, more than can be read ({int.MaxValue / 8}).");
        return count;
    }

    /// <summary>
    /// The three keys of the header, a Python dict literal such as
    /// <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (200,), }</c>.
    /// </summary>
    internal static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header, string source)
    {
        var text = header.Trim().TrimEnd('\n', ' ', '\0');
        if (!text.StartsWith('{') || !text.EndsWith('}'))
            throw new InvalidInputException($"{source} has a malformed .npy header (not a dictionary): '{Shorten(text)}'.");
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        int i = 1;
        while (true)
        {
            SkipSpaceAndCommas(text, ref i);
            if (i >= text.Length - 1) break;
            var key = ReadQuoted(text, ref i, source);
            SkipSpace(text, ref i);
            if (i >= text.Length || text[i] != ':') throw Malformed(text, source);
            i++;
            SkipSpace(text, ref i);
            switch (key)
            {
                case "descr":
                    if (text[i] is '\'' or '"') descr = ReadQuoted(text, ref i, source);
                    else
                    {
                        // A structured dtype is a list of fields: report it as such.
                        int end = text.IndexOf(']', i);
                        descr = end < 0 ? "[" : text[i..(end + 1)];
                        i = end < 0 ? text.Length - 1 : end + 1;
                    }
                    break;
                case "fortran_order":
                    if (string.CompareOrdinal(text, i, "True", 0, 4) == 0) { fortran = true; i += 4; }
                    else if (string.CompareOrdinal(text, i, "False", 0, 5) == 0) { fortran = false; i += 5; }
                    else throw Malformed(text, source);
                    break;
                case "shape":
                    shape = ReadTuple(text, ref i, source);
                    break;
                default:
                    throw new InvalidInputException($"{source} has an unexpected key '{key}' in its .npy header.");
            }
        }
        if (descr is null || fortran is null || shape is null)
            throw new InvalidInputException($"{source} has a .npy header without descr, fortran_order or shape: '{Shorten(text)}'.");
        return (descr, fortran.Value, shape);
    }

    private static long[] ReadTuple(string text, ref int i, string source)
    {
        if (text[i] != '(') throw Malformed(text, source);
        int end = text.IndexOf(')', i);
        if (end < 0) throw Malformed(text, source);
        var inner = text[(i + 1)..end];
        i = end + 1;
        var parts = inner.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shape = new long[parts.Length];
        for (int k = 0; k < parts.Length; k++)
        {
            // Python 2 wrote long integers as 200L.
            var p = parts[k].TrimEnd('L', 'l');
            if (!long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out shape[k]))
                throw Malformed(text, source);
        }
        return shape;
    }

    private static string ReadQuoted(string text, ref int i, string source)
    {
        if (i >= text.Length || text[i] is not ('\'' or '"')) throw Malformed(text, source);
        char quote = text[i];
        int end = text.IndexOf(quote, i + 1);
        if (end < 0) throw Malformed(text, source);
        var value = text[(i + 1)..end];
        i = end + 1;
        return value;
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
    }

    private static void SkipSpaceAndCommas(string text, ref int i)
    {
        while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == ',')) i++;
    }

    private static InvalidInputException Malformed(string text, string source) =>
        new($"{source} has a malformed .npy header: '{Shorten(text)}'.");

    private static string Shorten(string s) => TextExcerpt.Escape(s, 80);
}
