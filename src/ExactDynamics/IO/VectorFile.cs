namespace ExactDynamics.IO;

/// <summary>
/// Reads a vector (e.g. the initial second moments s_i = E[(w_0 − w*)_i²] for <c>--init file:PATH</c>) from a CSV or
/// plain-text file: one value per line, an optional header line, blank lines and <c>#</c> comment lines ignored; or from
/// a NumPy <c>.npy</c> file when the path ends in <c>.npy</c> (see <see cref="NpyReader"/>).
/// </summary>
public static class VectorFile
{
    /// <summary>The numbers in the file, in order. Their range is checked by whoever uses them (e.g. <see cref="Problem"/>).</summary>
    /// <exception cref="InvalidInputException">The file is missing or unreadable, or a line is not a number.</exception>
    public static double[] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return NpyReader.IsNpyPath(path) ? NpyReader.Read(path, "Vector file") : NumberListFile.Read(path, "Vector file");
    }
}
