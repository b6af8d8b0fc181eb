namespace ExactDynamics;

/// <summary>
/// The initial second moments s_i = E[(w_0 − w*)_i²] in the eigenbasis (docs/math.md#initial-condition); S_{0,i} = s_i · u uᵀ.
/// </summary>
public static class InitialCondition
{
    /// <summary>s_i = 1 (w_0 − w* ~ N(0, I)).</summary>
    /// <param name="d">The dimension, ≥ 1.</param>
    /// <returns>d ones.</returns>
    /// <exception cref="InvalidInputException">d &lt; 1.</exception>
    public static double[] Isotropic(int d)
    {
        if (d < 1) throw new InvalidInputException($"Dimension d={d} is not allowed; d must be at least 1.");
        var s = new double[d];
        Array.Fill(s, 1.0);
        return s;
    }

    /// <summary>Power-law source condition s_i = i^(−p).</summary>
    /// <param name="d">The dimension.</param>
    /// <param name="p">The exponent (finite).</param>
    /// <returns>s_1 … s_d.</returns>
    /// <exception cref="InvalidInputException">p is not finite.</exception>
    public static double[] Power(int d, double p)
    {
        if (!double.IsFinite(p)) throw new InvalidInputException($"Initial-condition exponent p={p} is not allowed; it must be finite.");
        var s = new double[d];
        for (int i = 0; i < d; i++) s[i] = Math.Pow(i + 1, -p);
        return s;
    }
}
