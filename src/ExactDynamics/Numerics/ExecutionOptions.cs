namespace ExactDynamics.Numerics;

/// <summary>How the risk trajectory is computed (all give the same numbers to ~1e-13 relative).</summary>
public enum RiskAlgorithm
{
    /// <summary>Pick the fastest correct path for the problem size (the cost model of the risk recursion in the Dynamics folder).</summary>
    Auto,
    /// <summary>The fused second-moment pass of docs/math.md#second-moment-recursion, one sweep over the eigenvalues per step (SIMD, chunked, parallel).</summary>
    Fused,
    /// <summary>The renewal (Volterra) form: uncoupled local sequences computed cache-blocked for all steps, then the
    /// scalar convolution solved (docs/volterra.md). k ≤ 2 only; other methods fall back to <see cref="Fused"/>.</summary>
    Volterra,
}

/// <summary>
/// Execution settings for the risk recursion. Results do not depend on <see cref="MaxDegreeOfParallelism"/>:
/// the eigendirections are cut into chunks of a fixed size whatever the thread count, and the per-chunk partial
/// sums are reduced in chunk order.
/// </summary>
/// <param name="MaxDegreeOfParallelism">Threads to use; 0 (default) means all cores, 1 means the calling thread only.</param>
/// <param name="Algorithm">Which algorithm to use (default: automatic).</param>
/// <param name="VectorBits">SIMD width in bits (0 = the widest the machine accelerates; 512, 256 or 128). For tests and benchmarks.</param>
public sealed record ExecutionOptions(int MaxDegreeOfParallelism = 0, RiskAlgorithm Algorithm = RiskAlgorithm.Auto, int VectorBits = 0)
{
    /// <summary>All cores, automatic algorithm.</summary>
    public static ExecutionOptions Default { get; } = new();

    /// <summary>The calling thread only, automatic algorithm.</summary>
    public static ExecutionOptions SingleThread { get; } = new(1);

    internal int Threads => MaxDegreeOfParallelism <= 0 ? Environment.ProcessorCount : MaxDegreeOfParallelism;

    internal ParallelOptions ParallelOptions => new() { MaxDegreeOfParallelism = Threads };
}
