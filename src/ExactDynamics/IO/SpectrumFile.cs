using ExactDynamics.Spectra;

namespace ExactDynamics.IO;

/// <summary>
/// Reads the eigenvalues of H from a CSV or plain-text file: one eigenvalue per line, an optional header line,
/// blank lines and <c>#</c> comment lines ignored, numbers in invariant notation (<c>0.25</c>, <c>1e-3</c>) — or, when the
/// path ends in <c>.npy</c>, from a NumPy file written by <c>np.save</c> (see <see cref="NpyReader"/>).
/// </summary>
public static class SpectrumFile
{
    /// <summary>The spectrum in the file; its description is <c>file:PATH</c>.</summary>
    /// <exception cref="InvalidInputException">The file is missing or unreadable, a line is not a number, or an eigenvalue is not positive and finite
    /// (the message names the file and the line).</exception>
    public static Spectrum Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (NpyReader.IsNpyPath(path))
        {
            var npy = NpyReader.Read(path, "Spectrum file");
            for (int i = 0; i < npy.Length; i++)
            {
                if (!double.IsFinite(npy[i]) || !(npy[i] > 0))
                    throw new InvalidInputException(
                        $"Spectrum file '{path}', value {i + 1} (index {i}): eigenvalue {Format(npy[i])} is not allowed; eigenvalues must be positive and finite.");
            }
            return Spectrum.FromValues(npy, $"file:{path}");
        }
        var values = NumberListFile.Read(path, "Spectrum file", out var lines);
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]) || !(values[i] > 0))
                throw new InvalidInputException(
                    $"Spectrum file '{path}', line {lines[i]}: eigenvalue {Format(values[i])} is not allowed; eigenvalues must be positive and finite.");
        }
        return Spectrum.FromValues(values, $"file:{path}");
    }

    internal static string Format(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
