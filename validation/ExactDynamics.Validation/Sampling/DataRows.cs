using ExactDynamics.Data;

namespace ExactDynamics.Validation.Sampling;

/// <summary>
/// The rows of a user's dataset as the simulator draws them (docs/math.md#the-empirical-model): n rows x̃_r in the
/// eigenbasis of H (so that the risk is ½ Σ_j λ_j e_j²), drawn uniformly with replacement, and for a real target the
/// residuals r_r = y_r − x̃_rᵀw̃*, so that a row's label is y_r = x̃_rᵀw* + r_r for the simulator's w*.
/// </summary>
public sealed class DataRows
{
    private readonly double[] _rows;

    private DataRows(double[] rows, int count, int dimension, double[]? residuals)
    {
        _rows = rows;
        Count = count;
        Dimension = dimension;
        Residuals = residuals;
    }

    /// <summary>The rows of <paramref name="problem"/>'s data, with its residuals when it has a target (and uses them).</summary>
    public static DataRows From(DataProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var data = problem.Data;
        int n = data.Samples, r = data.Dimension;
        var rows = new double[n * r];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < r; j++) rows[i * r + j] = data.Coordinate(i, j);
        return new DataRows(rows, n, r, problem.WithResiduals ? data.Residuals : null);
    }

    /// <summary>Number of rows n.</summary>
    public int Count { get; }

    /// <summary>Coordinates per row (the rank of H).</summary>
    public int Dimension { get; }

    /// <summary>r_r per row, or null (planted teacher: labels are x̃ᵀw* plus independent noise).</summary>
    public double[]? Residuals { get; }

    /// <summary>Row <paramref name="i"/>.</summary>
    public ReadOnlySpan<double> Row(int i) => _rows.AsSpan(i * Dimension, Dimension);
}
