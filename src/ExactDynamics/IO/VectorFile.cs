namespace ExactDynamics.IO;

/// <summary>
/// Reads a vector (e.g. the initial second moments s_i = E[(w_0 − w*)_i²] for <c>--init file:PATH</c>) from a CSV or
/// plain-text file: one value per line, an optional header line, blank lines and <c>#</c> comment lines ignored.
/// </summary>
public static class VectorFile
{
    /// <summary>The numbers in the file, in order. Their range is checked by whoever uses them (e.g. <see cref="Problem"/>).</summary>
    /// <exception cref="InvalidInputException">The file is missing or unreadable, or a line is not a number.</exception>
    public static double[] Read(string path) => NumberListFile.Read(path, "Vector file");
}
