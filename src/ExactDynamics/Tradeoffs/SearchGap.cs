using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// The contraction gap for the <em>search</em> inside the tuner: the core solver of <see cref="ContractionGap"/>
/// (docs/math.md#gap-space: the same secular system, vectorised passes, local poles and gap-space safeguarded Newton iteration) on
/// the spectrum or on weighted eigenvalue nodes (a compressed stand-in, <see cref="SpectrumCompression"/>), started
/// from a hint (the previous gap of a nearby method); the local radius for m4 &lt; 2, which only the report needs, is
/// skipped. On the full spectrum its gaps are those of <see cref="ContractionGap"/>: the same root, to ~1e-13 relative (a Newton path started from the hint may end a few ulps away). The tuner always reports the gap
/// of its final method from <see cref="ContractionGap.Compute(Problem, Methods.LinearMethod)"/> on the full spectrum.
/// </summary>
internal sealed class SearchGap : IGapSearch
{
    private readonly double[] _lambda;
    private readonly double[]? _weights;
    private readonly double _batch, _kurtosis;
    private readonly ExecutionOptions _serial = new(MaxDegreeOfParallelism: 1);

    /// <param name="problem">The problem (batch, kurtosis; its spectrum unless <paramref name="nodes"/> is given).</param>
    /// <param name="nodes">Optional eigenvalue nodes replacing the spectrum (see <see cref="SpectrumCompression"/>).</param>
    /// <param name="weights">Multiplicities of the nodes (default 1 each).</param>
    public SearchGap(Problem problem, double[]? nodes = null, double[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        _lambda = nodes is null ? ContractionGap.LambdaOf(problem.Spectrum) : (double[])nodes.Clone();
        _weights = nodes is null || weights is null ? null : (double[])weights.Clone();
        _batch = problem.Batch;
        _kurtosis = problem.Kurtosis;
        Problem = problem;
        Nodes = _lambda.Length;
    }

    /// <summary>Number of eigenvalue nodes in each pass.</summary>
    public int Nodes { get; }

    public Problem Problem { get; }

    /// <summary>Number of passes over the eigenvalue nodes so far (the work the searches did).</summary>
    public long Passes { get; private set; }

    /// <summary>Number of stability residuals evaluated so far.</summary>
    public long Residuals { get; private set; }

    /// <summary>Number of gap evaluations so far.</summary>
    public long Evaluations { get; private set; }

    private ContractionGap.SecularSystem System(LinearMethod method)
    {
        Passes++; // γ_T
        return new ContractionGap.SecularSystem(_lambda, _weights, _batch, _kurtosis, method, _serial);
    }

    /// <summary>
    /// The gap γ = 1 − ρ of <paramref name="method"/> (the core solver's root, to ~1e-13 relative); non-positive
    /// (γ itself, or −1 when even the local blocks diverge) when the method diverges. <paramref name="hint"/> (a
    /// previous gap of a nearby method, or NaN) is the first Newton point.
    /// </summary>
    public double Gap(LinearMethod method, double hint = double.NaN)
    {
        Evaluations++;
        var sys = System(method);
        double gap = sys.Solve(hint, localRadius: false).Gap;
        Passes += 1 + sys.Iterations;
        return gap;
    }

    /// <summary>
    /// The stability residual 1/F(0) − 1 of <paramref name="method"/>: positive when it is mean-square stable (ρ &lt; 1),
    /// non-positive when it diverges (−1 when 0 lies above a local pole); continuous across a stability boundary where
    /// F(0) = 1.
    /// </summary>
    public double StabilityResidual(LinearMethod method)
    {
        Residuals++;
        var sys = System(method);
        Passes++;
        sys.Secular(0, out bool valid, out double f, out _);
        if (!valid || !(f > 0)) return -1;
        return 1 / f - 1;
    }
}
