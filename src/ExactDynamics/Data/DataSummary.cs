namespace ExactDynamics.Data;

/// <summary>A power law λ_i ≈ scale · i^(−exponent) fitted by least squares to log λ against log i over i = first..last.</summary>
/// <param name="Exponent">The fitted exponent a.</param>
/// <param name="Scale">The fitted scale S.</param>
/// <param name="First">First index of the fit (1-based).</param>
/// <param name="Last">Last index of the fit.</param>
/// <param name="RSquared">Coefficient of determination of the log–log fit (1 = a perfect power law).</param>
public sealed record PowerLawFit(double Exponent, double Scale, int First, int Last, double RSquared);

/// <summary>How far the whitened directions are from independent: the off-diagonal K_ij = E[z_i² z_j²] (1 for
/// independent directions) — their smallest, median and largest values and the mean |ln K_ij|.</summary>
public sealed record Dependence(double Min, double Median, double Max, double MeanAbsLog);

/// <summary>
/// Summaries of a <see cref="DataSet"/> for <c>inspect</c> (docs/math.md#data-matrices): the power-law fit of the
/// spectrum and the dependence of the directions.
/// </summary>
public static class DataSummary
{
    /// <summary>
    /// Least squares of ln λ_i = ln S − a ln i over i = 1..last, where last leaves out the bottom 10% of the directions
    /// (the tail of an empirical spectrum bends down; at least two points are fitted when d ≥ 2).
    /// </summary>
    public static PowerLawFit FitPowerLaw(IReadOnlyList<double> eigenvalues)
    {
        ArgumentNullException.ThrowIfNull(eigenvalues);
        int d = eigenvalues.Count;
        if (d < 2) return new PowerLawFit(0, d == 1 ? eigenvalues[0] : double.NaN, 1, d, 1);
        int last = Math.Max(2, (int)Math.Ceiling(0.9 * d));
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 1; i <= last; i++)
        {
            double lx = Math.Log(i), ly = Math.Log(eigenvalues[i - 1]);
            sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly;
        }
        double n = last, slope = (n * sxy - sx * sy) / (n * sxx - sx * sx), icept = (sy - slope * sx) / n;
        double my = sy / n, ssTot = 0, ssRes = 0;
        for (int i = 1; i <= last; i++)
        {
            double ly = Math.Log(eigenvalues[i - 1]), f = icept + slope * Math.Log(i);
            ssTot += (ly - my) * (ly - my);
            ssRes += (ly - f) * (ly - f);
        }
        return new PowerLawFit(-slope, Math.Exp(icept), 1, last, ssTot > 0 ? 1 - ssRes / ssTot : 1);
    }

    /// <summary>The off-diagonal entries of K (row-major d×d) summarised; all 1 for independent directions.</summary>
    public static Dependence Summarise(double[] fourthMoments, int d)
    {
        ArgumentNullException.ThrowIfNull(fourthMoments);
        if (d < 2) return new Dependence(1, 1, 1, 0);
        var off = new List<double>(d * (d - 1) / 2);
        for (int i = 0; i < d; i++) for (int j = i + 1; j < d; j++) off.Add(fourthMoments[i * d + j]);
        off.Sort();
        double logSum = 0;
        foreach (var v in off) logSum += Math.Abs(Math.Log(Math.Max(v, 1e-300)));
        return new Dependence(off[0], off[off.Count / 2], off[^1], logSum / off.Count);
    }
}
