using System.Globalization;
using ExactDynamics.IO;

namespace ExactDynamics.Data;

/// <summary>
/// A user's data matrix: n rows (samples) of d columns (features), stored row-major, read from a NumPy <c>.npy</c>
/// file (2-D, little-endian float64 or float32, C or Fortran order — what <c>np.save("X.npy", X)</c> writes) or a
/// CSV/text file (one sample per line, values separated by commas, semicolons, tabs or spaces; an optional header
/// line; blank lines and lines starting with <c>#</c> ignored). A 1-D file is a single column (a target vector y).
/// See docs/math.md#data-matrices.
/// </summary>
public sealed class DataMatrix
{
    private readonly double[] _values;

    /// <param name="rows">n ≥ 1.</param>
    /// <param name="columns">d ≥ 1.</param>
    /// <param name="values">The n·d entries, row-major (entry (i, j) at i·d + j); every entry must be finite.</param>
    /// <param name="what">What the matrix is, for messages (e.g. "Data matrix").</param>
    public DataMatrix(int rows, int columns, double[] values, string what = "Data matrix")
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 1 || columns < 1)
            throw new InvalidInputException($"{what} is {rows}×{columns}; it needs at least one row and one column.");
        if ((long)rows * columns != values.Length)
            throw new InvalidInputException($"{what} has {values.Length} entries but is announced as {rows}×{columns}.");
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new InvalidInputException($"{what} entry ({i / columns + 1}, {i % columns + 1}) is {values[i].ToString(CultureInfo.InvariantCulture)}; every entry must be a finite number.");
        Rows = rows;
        Columns = columns;
        _values = values;
    }

    /// <summary>Number of samples n.</summary>
    public int Rows { get; }

    /// <summary>Number of features d.</summary>
    public int Columns { get; }

    /// <summary>Entry (i, j).</summary>
    public double this[int i, int j] => _values[i * Columns + j];

    /// <summary>The entries, row-major (read-only by convention).</summary>
    internal double[] Values => _values;

    /// <summary>Column <paramref name="j"/> as a new array.</summary>
    public double[] Column(int j)
    {
        var c = new double[Rows];
        for (int i = 0; i < Rows; i++) c[i] = _values[i * Columns + j];
        return c;
    }

    /// <summary>Reads a matrix from a .npy (by extension) or CSV/text file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file holds, for messages (e.g. "Data file", "Target file").</param>
    public static DataMatrix Read(string path, string what = "Data file")
    {
        ArgumentNullException.ThrowIfNull(path);
        return NpyReader.IsNpyPath(path) ? ReadNpy(path, what) : ReadText(path, what);
    }

    /// <summary>Parses the bytes of a .npy file holding a 1-D or 2-D float array.</summary>
    public static DataMatrix ParseNpy(ReadOnlySpan<byte> bytes, string source)
    {
        var (values, shape, fortran) = NpyReader.ParseArray(bytes, source, MatrixCount);
        int rows = (int)shape[0], cols = shape.Length == 2 ? (int)shape[1] : 1;
        if (fortran && shape.Length == 2 && rows > 1 && cols > 1)
        {
            var c = new double[values.Length];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) c[i * cols + j] = values[j * rows + i];
            values = c;
        }
        return new DataMatrix(rows, cols, values, source);
    }

    private static DataMatrix ReadNpy(string path, string what) =>
        ParseNpy(NpyReader.ReadBytes(path, what), $"{what} '{path}'");

    private static long MatrixCount(long[] shape, bool fortran, string source)
    {
        _ = fortran;
        string shown = "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");
        if (shape.Length is < 1 or > 2)
            throw new InvalidInputException($"{source} holds an array of shape {shown}; it must be a matrix (n, d) or a vector (n,) — save it with np.save(path, np.asarray(X, dtype=np.float64)).");
        long count = shape.Length == 1 ? shape[0] : shape[0] * shape[1];
        if (count == 0) throw new InvalidInputException($"{source} holds an empty array (shape {shown}); it needs at least one value.");
        if (count > int.MaxValue / 8 || shape[0] > int.MaxValue || (shape.Length == 2 && shape[1] > int.MaxValue))
            throw new InvalidInputException($"{source} holds {count} values, more than can be read ({int.MaxValue / 8}).");
        return count;
    }

    private static readonly char[] Separators = [',', ';', '\t', ' '];

    /// <summary>Longest CSV row accepted (characters): about a million features at 64 characters each.</summary>
    private const int MaxRowChars = 1 << 26;

    private static DataMatrix ReadText(string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidInputException($"{what} path is empty; give the path of a .npy or CSV file.");
        if (Directory.Exists(path))
            throw new InvalidInputException($"{what} '{path}' is a directory; give the path of a .npy or CSV file.");
        if (!File.Exists(path))
            throw new InvalidInputException($"{what} '{path}' does not exist; give the path of a .npy file (np.save) or a CSV file (np.savetxt(path, X, delimiter=',')).");
        var lines = new List<string>();
        try
        {
            // Bounded reads: a device such as /dev/zero, or a file larger than memory allows, is refused in one sentence.
            using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            long chars = 0, max = BoundedFile.MaxBytes;
            string? line;
            while ((line = BoundedLineReader.ReadLine(reader, what, path, lines.Count + 1, MaxRowChars, "a CSV data row holds one sample's numbers")) is not null)
            {
                chars += line.Length + 1;
                if (chars > max)
                    throw new InvalidInputException($"{what} '{path}' is larger than {Numerics.CostEstimate.Bytes(max)} of text, the most read for a CSV data file; save the data with np.save (.npy) or give a smaller file.");
                lines.Add(line);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{what} '{path}' could not be read ({e.Message.TrimEnd('.')}).", e);
        }
        return ParseText(lines, $"{what} '{path}'");
    }

    /// <summary>Parses CSV/text lines (see the class summary).</summary>
    public static DataMatrix ParseText(IReadOnlyList<string> lines, string source)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var values = new List<double>();
        int cols = -1, rows = 0;
        bool seenContent = false;
        for (int ln = 0; ln < lines.Count; ln++)
        {
            var line = lines[ln].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var row = new double[parts.Length];
            bool numeric = true;
            for (int j = 0; j < parts.Length && numeric; j++)
                numeric = double.TryParse(parts[j].Trim('"', '\''), NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]);
            if (!numeric)
            {
                if (!seenContent) { seenContent = true; continue; } // a header line
                throw new InvalidInputException($"{source} line {ln + 1} is not a row of numbers: '{(line.Length > 60 ? line[..57] + "..." : line)}'.");
            }
            seenContent = true;
            if (cols < 0) cols = row.Length;
            else if (row.Length != cols)
                throw new InvalidInputException($"{source} line {ln + 1} has {row.Length} values but the first row has {cols}; every row must have the same number of columns.");
            values.AddRange(row);
            rows++;
        }
        if (rows == 0) throw new InvalidInputException($"{source} holds no rows of numbers.");
        return new DataMatrix(rows, cols, values.ToArray(), source);
    }
}
