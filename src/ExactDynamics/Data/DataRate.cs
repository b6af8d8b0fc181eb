using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Data;

/// <summary>The asymptotic rate of a method on a dataset under one fourth-moment model (docs/math.md#data-rates).</summary>
/// <param name="Model">The fourth-moment model.</param>
/// <param name="Rho">ρ, the Perron root of the model's homogeneous second-moment map (E L_t ∝ ρ^t); +∞ beyond the double range.</param>
/// <param name="Gap">1 − ρ (negative when the method diverges).</param>
/// <param name="Diverges">True when ρ ≥ 1.</param>
/// <param name="Applications">Applications of the map by the Krylov iteration (0 for the gaussian model, solved by the secular equation).</param>
/// <param name="Residual">‖M v − ρ v‖ of the returned unit Perron vector (0 for the gaussian model).</param>
/// <param name="Converged">Whether the residual met the stated tolerance.</param>
/// <param name="Vector">The Perron vector (a warm start for a nearby method; null for the gaussian model).</param>
public sealed record DataRateResult(MomentModel Model, double Rho, double Gap, bool Diverges, int Applications, double Residual,
    bool Converged, double[]? Vector)
{
    /// <summary>The rate as the spectral solver's result type (the local radius is not computed for data: NaN).</summary>
    public GapResult ToGapResult() => new(Rho, Gap, Diverges, double.NaN, false);
}

/// <summary>
/// The asymptotic rate ρ and the contraction gap 1 − ρ of a method on a dataset (docs/math.md#data-rates):
/// <list type="bullet">
/// <item>gaussian: the contraction gap of <see cref="ContractionGap"/> on the data's eigenvalues with one scalar kurtosis
/// (the secular equation, full relative precision);</item>
/// <item>matrix: the Perron root of the positive linear map S_j ↦ T_j S_j T_jᵀ + (1/B) b bᵀ λ_j [Σ_l λ_l K_jl cᵀS_l c −
/// λ_j cᵀS_j c] on the d blocks (k × k), coupled through K_jl = E[z_j² z_l²];</item>
/// <item>empirical: the Perron root of the positive linear map on the k × k blocks of d × d matrices of
/// <see cref="EmpiricalMoments"/> without noise and residual terms, applied matrix-free (O(n d²) per application).</item>
/// </list>
/// The last two run <see cref="PerronRoot"/> (restarted Arnoldi, nothing deflated) from the identity state (or a
/// given warm start) until the gap has relative accuracy <c>tolerance</c> (or ρ has 1e-12).
/// </summary>
public static class DataRate
{
    /// <summary>Default relative accuracy of the gap 1 − ρ.</summary>
    public const double DefaultTolerance = 1e-10;

    /// <summary>ρ and 1 − ρ of <paramref name="method"/> on the problem's data and batch (which may be real) under <paramref name="model"/>.</summary>
    /// <param name="problem">The data and batch (its start, noise and residuals do not enter the rate).</param>
    /// <param name="method">The method.</param>
    /// <param name="model">The fourth-moment model.</param>
    /// <param name="kurtosis">m4 of the gaussian model (ignored by the others).</param>
    /// <param name="tolerance">Relative accuracy of the gap (matrix and empirical models).</param>
    /// <param name="start">A warm start: the <see cref="DataRateResult.Vector"/> of a nearby method under the same model and data; null for the identity state.</param>
    /// <param name="options">Execution settings of the empirical model's kernels (results do not depend on them).</param>
    /// <param name="floor">Residual accepted relative to ρ whatever the gap (<see cref="PerronRoot.Floor"/>).</param>
    public static DataRateResult Compute(DataProblem problem, LinearMethod method, MomentModel model, double kurtosis = 3,
        double tolerance = DefaultTolerance, double[]? start = null, ExecutionOptions? options = null, double floor = PerronRoot.Floor)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        var homogeneous = problem.Homogeneous();
        var constant = model == MomentModel.Gaussian ? [] : AffineGap.ConstantCoordinates(method);
        if (constant.Length > 0) return Affine(homogeneous, method, model, constant, tolerance, start, options, floor);
        switch (model)
        {
            case MomentModel.Gaussian:
            {
                var g = ContractionGap.Compute(DataRisk.GaussianProblem(homogeneous, kurtosis), method);
                return new DataRateResult(model, g.Rho, g.Gap, g.Diverges, 0, 0, true, null);
            }
            case MomentModel.Matrix:
            {
                var map = new MatrixMoments(homogeneous, method);
                int k = method.K;
                var identity = new double[map.StateLength];
                for (int j = 0; j < problem.Data.Dimension; j++)
                    for (int p = 0; p < k; p++) identity[j * k * k + p * k + p] = 1;
                return From(model, PerronRoot.Compute(map.StateLength, map.Apply, Start(identity, start), tolerance, floor: floor));
            }
            default:
            {
                var map = new EmpiricalMoments(homogeneous, method, options);
                return From(model, PerronRoot.Compute(map.StateLength, map.Apply, Start(map.IdentityState(), start), tolerance, floor: floor));
            }
        }
    }

    /// <summary>
    /// The Krylov start: the identity state (positive definite, so its Perron component is never small) plus, with equal
    /// norm, a warm start. A warm start alone can lie close to another eigenvector — for two-state methods the state is
    /// carried in a basis that depends on the method — and the Arnoldi iteration would then converge to that eigenvalue.
    /// </summary>
    private static double[] Start(double[] identity, double[]? warm)
    {
        if (warm is null || warm.Length != identity.Length) return identity;
        double ni = Math.Sqrt(identity.Sum(v => v * v)), nw = Math.Sqrt(warm.Sum(v => v * v));
        if (!(nw > 0) || !double.IsFinite(nw)) return identity;
        var s = new double[identity.Length];
        for (int i = 0; i < s.Length; i++) s[i] = identity[i] / ni + warm[i] / nw;
        return s;
    }

    /// <summary>
    /// The rate of approach to the limit of a method with constant coordinates (weight decay carries w*;
    /// docs/math.md#weight-decay) under the matrix or empirical model. As for <see cref="AffineGap"/>: the map is block
    /// triangular, with the identity on the constant blocks, the cross moments E[ẽ w*ᵀ] evolving with the mean map
    /// T̃_i = Ã − λ_i b̃c̃ᵀ (error coordinates; H is diagonal in the data's eigenbasis, so this is exact for both
    /// models), and the error blocks with the map itself restricted to them (an invariant subspace: the constant rows of
    /// A are e_jᵀ with b_j = 0). So ρ = max(max_i ρ(T̃_i), ρ(map on the error blocks)) — the cross moments enter the
    /// risk linearly, hence ρ(T̃_i) and not its square.
    /// </summary>
    private static DataRateResult Affine(DataProblem homogeneous, LinearMethod method, MomentModel model, int[] constant,
        double tolerance, double[]? start, ExecutionOptions? options, double floor)
    {
        int k = method.K, d = homogeneous.Data.Dimension;
        var error = AffineGap.ErrorCoordinates(method, constant);
        if (error.Length == 0) return new DataRateResult(model, 0, 1, false, 0, 0, true, null);
        double rhoT = AffineGap.MeanMapRadius(homogeneous.Data.Eigenvalues, method, error);
        bool[] isConstant = Enumerable.Range(0, k).Select(constant.Contains).ToArray();
        PerronResult perron;
        if (model == MomentModel.Matrix)
        {
            var map = new MatrixMoments(homogeneous, method);
            int kk = k * k;
            void Zero(double[] v)
            {
                for (int j = 0; j < d; j++)
                    for (int p = 0; p < k; p++) for (int q = 0; q < k; q++)
                        if (isConstant[p] || isConstant[q]) v[j * kk + p * k + q] = 0;
            }
            var identity = new double[map.StateLength];
            for (int j = 0; j < d; j++) foreach (int p in error) identity[j * kk + p * k + p] = 1;
            perron = PerronRoot.Compute(map.StateLength, (x, y) => { map.Apply(x, y); Zero(y); }, Start(identity, start), tolerance, floor: floor);
        }
        else
        {
            var map = new EmpiricalMoments(homogeneous, method, options);
            int size = map.StateLength / (k * k);
            void Zero(double[] v)
            {
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++)
                    if (isConstant[p] || isConstant[q]) Array.Clear(v, (p * k + q) * size, size);
            }
            var identity = map.IdentityState();
            Zero(identity);
            perron = PerronRoot.Compute(map.StateLength, (x, y) => { map.Apply(x, y); Zero(y); }, Start(identity, start), tolerance, floor: floor);
        }
        double rho = Math.Max(rhoT, perron.Root);
        return new DataRateResult(model, rho, 1 - rho, !(rho < 1), perron.Applications, perron.Residual, perron.Converged, perron.Vector);
    }

    private static DataRateResult From(MomentModel model, PerronResult r) =>
        new(model, r.Root, 1 - r.Root, !(r.Root < 1), r.Applications, r.Residual, r.Converged, r.Vector);
}
