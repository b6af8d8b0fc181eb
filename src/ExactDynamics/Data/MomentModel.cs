namespace ExactDynamics.Data;

/// <summary>
/// How the fourth moments of the covariates enter the exact recursion (docs/math.md#three-fourth-moment-models).
/// </summary>
public enum MomentModel
{
    /// <summary>Independent coordinates with one scalar kurtosis m4 (3 = Gaussian): O(k² d) per step.</summary>
    Gaussian,
    /// <summary>The data's own E[z_i² z_j²] matrix on per-direction blocks, cross moments with distinct indices
    /// neglected: O(d² + k³ d) per step.</summary>
    Matrix,
    /// <summary>Exact for the finite dataset sampled with replacement: the full d×d second moment with the data's
    /// own fourth moments, the full initial error and the real residuals: O(n d²) per step.</summary>
    Empirical,
}

/// <summary>Names of <see cref="MomentModel"/> values as written on the command line and in outputs.</summary>
public static class MomentModels
{
    /// <summary>"gaussian", "matrix" or "empirical".</summary>
    public static string Name(MomentModel model) => model switch
    {
        MomentModel.Gaussian => "gaussian",
        MomentModel.Matrix => "matrix",
        _ => "empirical",
    };

    /// <summary>Parses a model name (case-insensitive).</summary>
    public static MomentModel Parse(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "gaussian" => MomentModel.Gaussian,
        "matrix" => MomentModel.Matrix,
        "empirical" => MomentModel.Empirical,
        _ => throw new InvalidInputException($"Fourth-moment model '{text}' is not known; use gaussian, matrix or empirical."),
    };
}
