using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Data;

/// <summary>
/// A data matrix analysed for the exact dynamics (docs/math.md#data-matrices): optionally centred (x ← x − x̄), the
/// second-moment matrix H = XᵀX/n and its eigendecomposition H = V Λ Vᵀ (eigenvalues in decreasing order; directions
/// with λ ≤ 1e-12·λ_max carry no data and are dropped: the error never moves there and contributes nothing to the
/// risk), the rotated coordinates x̃ = Vᵀx (so that H is diagonal), the whitened coordinates z = Λ^{-1/2} x̃ and their
/// per-direction kurtosis E z_j⁴. With a target y: the least-squares optimum w* (minimum norm), the residuals
/// r_i = y_i − x_iᵀw* (E[x r] = 0 by the normal equations) and their variance σ² = (1/n) Σ r_i².
/// </summary>
public sealed class DataSet
{
    /// <summary>Relative eigenvalue threshold below which a direction counts as empty.</summary>
    public const double NullTolerance = 1e-12;

    private readonly double[] _coords; // n × r, row-major
    private readonly double[] _basis;  // d × r, row-major (column j = eigenvector j)

    private DataSet(int n, int features, double[] mean, bool centred, double[] eigenvalues, double[] basis, double[] coords,
        double[]? target, string provider)
    {
        Samples = n;
        Features = features;
        Mean = mean;
        Centred = centred;
        Eigenvalues = eigenvalues;
        _basis = basis;
        _coords = coords;
        Provider = provider;
        int r = eigenvalues.Length;
        Kurtosis = new double[r];
        for (int j = 0; j < r; j++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) { double z2 = coords[i * r + j] * coords[i * r + j] / eigenvalues[j]; s += z2 * z2; }
            Kurtosis[j] = s / n;
        }
        if (target is null) return;
        // w̃* = Λ^{-1} (1/n) X̃ᵀ y in the rotated coordinates; r_i = y_i − x̃_iᵀ w̃*
        var wt = new double[r];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < r; j++) wt[j] += coords[i * r + j] * target[i];
        for (int j = 0; j < r; j++) wt[j] /= n * eigenvalues[j];
        var res = new double[n];
        double ss = 0;
        for (int i = 0; i < n; i++)
        {
            double f = 0;
            for (int j = 0; j < r; j++) f += coords[i * r + j] * wt[j];
            res[i] = target[i] - f;
            ss += res[i] * res[i];
        }
        OptimumCoordinates = wt;
        Residuals = res;
        ResidualVariance = ss / n;
        var w = new double[features];
        for (int a = 0; a < features; a++)
            for (int j = 0; j < r; j++) w[a] += basis[a * r + j] * wt[j];
        Optimum = w;
    }

    /// <summary>Analyses <paramref name="x"/> (n × d) with an optional target vector (length n).</summary>
    /// <param name="x">The data matrix.</param>
    /// <param name="target">y, one value per row, or null.</param>
    /// <param name="centre">Subtract the column means first (the optimizer then must see centred data too).</param>
    public static DataSet Analyse(DataMatrix x, double[]? target = null, bool centre = true)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.Rows, d = x.Columns;
        if (target is not null && target.Length != n)
            throw new InvalidInputException($"The target has {target.Length} values but the data matrix has {n} rows; they must match.");
        if (target is not null)
            foreach (var v in target)
                if (!double.IsFinite(v)) throw new InvalidInputException("The target has a value that is not a finite number; every target value must be finite.");
        string provider = LinearAlgebraProvider.Name;
        var mean = new double[d];
        if (centre)
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++) mean[j] += x.Values[i * d + j];
            for (int j = 0; j < d; j++) mean[j] /= n;
        }
        // the centred rows, padded for the SIMD kernels of the empirical model (rows to 4, columns to 4 vectors):
        // H = XᵀX/n and the rotation X V run on them (docs/math.md#the-empirical-model, cost)
        int dp = DataKernels.Padded(d), rows = (n + 3) / 4 * 4;
        var xp = new double[rows * dp];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) xp[i * dp + j] = x.Values[i * d + j] - mean[j];
        var hp = DataKernels.Gram(xp, rows, dp, d, 1.0 / n);
        var h = Matrix<double>.Build.Dense(d, d, (a, b) => hp[a * dp + b]); // exactly symmetric (mirrored)
        var evd = h.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Real().ToArray();
        var order = Enumerable.Range(0, d).OrderByDescending(j => values[j]).ToArray();
        double max = values[order[0]];
        if (!(max > 0))
            throw new InvalidInputException($"The data matrix has no variance{(centre ? " after centring" : "")} (H = XᵀX/n is zero); it must have at least one non-constant column.");
        var kept = order.Where(j => values[j] > NullTolerance * max).ToArray();
        int r = kept.Length;
        var lambda = kept.Select(j => values[j]).ToArray();
        var vectors = evd.EigenVectors;
        int rp = DataKernels.Padded(r);
        var vp = new double[d * rp];
        var basis = new double[d * r];
        for (int a = 0; a < d; a++)
            for (int j = 0; j < r; j++) basis[a * r + j] = vp[a * rp + j] = vectors[a, kept[j]];
        var coordsP = DataKernels.Multiply(xp, rows, dp, d, vp, rp);
        var coords = new double[n * r];
        for (int i = 0; i < n; i++) Array.Copy(coordsP, i * rp, coords, i * r, r);
        // the eigenvalues of the rotated data, recomputed from the coordinates: exact diagonal of their second moment
        for (int j = 0; j < r; j++)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += coords[i * r + j] * coords[i * r + j];
            lambda[j] = s / n;
        }
        return new DataSet(n, d, mean, centre, lambda, basis, coords, target, provider);
    }

    /// <summary>Number of samples n.</summary>
    public int Samples { get; }

    /// <summary>Number of features of the data matrix.</summary>
    public int Features { get; }

    /// <summary>Number of directions kept (the rank of H): the dimension of the dynamics.</summary>
    public int Dimension => Eigenvalues.Length;

    /// <summary>Directions dropped because H has (numerically) no variance there.</summary>
    public int NullDirections => Features - Dimension;

    /// <summary>Whether the column means were subtracted.</summary>
    public bool Centred { get; }

    /// <summary>The column means (zeros when not centred).</summary>
    public double[] Mean { get; }

    /// <summary>λ_1 ≥ λ_2 ≥ … of H (kept directions only).</summary>
    public double[] Eigenvalues { get; }

    /// <summary>E z_j⁴ of the whitened coordinates, per direction (3 for Gaussian data).</summary>
    public double[] Kurtosis { get; }

    /// <summary>The MathNet provider that ran the decomposition.</summary>
    public string Provider { get; }

    /// <summary>Whether a target was given.</summary>
    public bool HasTarget => Residuals is not null;

    /// <summary>The least-squares optimum w* in the data's own coordinates (null without a target).</summary>
    public double[]? Optimum { get; }

    /// <summary>w* in the eigenbasis, Vᵀw* (null without a target).</summary>
    public double[]? OptimumCoordinates { get; }

    /// <summary>r_i = y_i − x_iᵀw* (null without a target).</summary>
    public double[]? Residuals { get; }

    /// <summary>σ² = (1/n) Σ r_i² (0 without a target).</summary>
    public double ResidualVariance { get; }

    /// <summary>x̃ = Vᵀx, n × r row-major (read-only by convention).</summary>
    internal double[] Coordinates => _coords;

    /// <summary>Rotated coordinate (i, j) = (Vᵀ x_i)_j.</summary>
    public double Coordinate(int i, int j) => _coords[i * Dimension + j];

    /// <summary>Vᵀ v for a vector v in the data's coordinates (length <see cref="Features"/>).</summary>
    public double[] Rotate(double[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Length != Features)
            throw new InvalidInputException($"The vector has {v.Length} entries but the data has {Features} features; they must match.");
        int r = Dimension;
        var w = new double[r];
        for (int a = 0; a < Features; a++)
            for (int j = 0; j < r; j++) w[j] += _basis[a * r + j] * v[a];
        return w;
    }

    /// <summary>The initial error e₀ = Vᵀ(w₀ − w*) in the eigenbasis for a start w₀ (null = 0); needs a target.</summary>
    public double[] InitialError(double[]? start = null)
    {
        if (OptimumCoordinates is null)
            throw new InvalidInputException("The initial error w₀ − w* needs a target (the optimum w* comes from it).");
        var w0 = start is null ? new double[Dimension] : Rotate(start);
        var e = new double[Dimension];
        for (int j = 0; j < Dimension; j++) e[j] = w0[j] - OptimumCoordinates[j];
        return e;
    }

    /// <summary>K_ij = E[z_i² z_j²] over the data (K_ii = the kurtosis; 1 off the diagonal for independent directions).
    /// r × r, row-major; O(n r²).</summary>
    public double[] FourthMoments()
    {
        int r = Dimension, n = Samples;
        var z2 = new double[n * r];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < r; j++) z2[i * r + j] = _coords[i * r + j] * _coords[i * r + j] / Eigenvalues[j];
        var m = Matrix<double>.Build.Dense(n, r, (i, j) => z2[i * r + j]);
        var k = m.TransposeThisAndMultiply(m).Divide(n);
        var result = new double[r * r];
        for (int i = 0; i < r; i++) for (int j = 0; j < r; j++) result[i * r + j] = k[i, j];
        return result;
    }

    /// <summary>E[z_j² r²] / σ² per direction (1 when the residual is independent of x); null without a target or
    /// when σ² = 0.</summary>
    public double[]? NoiseProfile()
    {
        if (Residuals is null || ResidualVariance == 0) return null;
        int r = Dimension, n = Samples;
        var p = new double[r];
        for (int i = 0; i < n; i++)
        {
            double r2 = Residuals[i] * Residuals[i];
            for (int j = 0; j < r; j++) p[j] += _coords[i * r + j] * _coords[i * r + j] * r2;
        }
        for (int j = 0; j < r; j++) p[j] /= n * Eigenvalues[j] * ResidualVariance;
        return p;
    }
}
