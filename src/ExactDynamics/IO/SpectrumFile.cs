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

    /// <summary>
    /// Like <see cref="Read"/>, but eigenvalues that are zero up to round-off — |λ| ≤ τ = d·ε·λ_max, ε = 2⁻⁵² (the
    /// tolerance NumPy's <c>matrix_rank</c> uses) — are dropped instead of refused: the zeros and tiny negatives that
    /// <c>np.linalg.eigvalsh</c> returns for rank-deficient data (fewer samples than dimensions). A direction with λ = 0
    /// contributes nothing to the risk (docs/math.md#zero-eigenvalues), so dropping it leaves E L_t unchanged. Eigenvalues
    /// below −τ are still refused.
    /// </summary>
    /// <returns>The spectrum of the remaining eigenvalues, how many were dropped, and τ.</returns>
    public static (Spectrum Spectrum, int Dropped, double Tolerance) ReadDroppingNull(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        double[] values;
        Func<int, string> where;
        if (NpyReader.IsNpyPath(path))
        {
            values = NpyReader.Read(path, "Spectrum file");
            where = i => $"value {i + 1} (index {i})";
        }
        else
        {
            values = NumberListFile.Read(path, "Spectrum file", out var lines);
            where = i => $"line {lines[i]}";
        }
        double max = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new InvalidInputException($"Spectrum file '{path}', {where(i)}: eigenvalue {Format(values[i])} is not allowed; eigenvalues must be finite.");
            max = Math.Max(max, values[i]);
        }
        double tol = NullTolerance(values.Length, max);
        var kept = new List<double>(values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] < -tol)
                throw new InvalidInputException(
                    $"Spectrum file '{path}', {where(i)}: eigenvalue {Format(values[i])} is negative beyond round-off (below −{Format(tol)} = −d·ε·λ_max); a covariance has no negative eigenvalues.");
            if (values[i] > tol) kept.Add(values[i]);
        }
        if (kept.Count == 0)
            throw new InvalidInputException($"Spectrum file '{path}' has no eigenvalue above round-off (all |λ| ≤ {Format(tol)}); at least one positive eigenvalue is required.");
        return (Spectrum.FromValues(kept.ToArray(), $"file:{path}"), values.Length - kept.Count, tol);
    }

    /// <summary>τ = d·ε·λ_max with ε = 2⁻⁵²: eigenvalues with |λ| ≤ τ are zero up to the round-off of a dense eigensolver.</summary>
    public static double NullTolerance(int dimension, double maxEigenvalue) => dimension * Math.Pow(2, -52) * maxEigenvalue;

    internal static string Format(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
