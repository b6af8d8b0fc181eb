using MathNet.Numerics;

namespace ExactDynamics.Data;

/// <summary>
/// Which MathNet linear-algebra provider runs the dense algebra of the data path (H = XᵀX/n, its eigendecomposition,
/// the rotation of the data): the native OpenBLAS provider where its native library can be loaded, the managed one
/// otherwise. The per-step kernels of <see cref="EmpiricalMoments"/> are the library's own SIMD code either way.
/// See docs/math.md#data-matrices.
/// </summary>
public static class LinearAlgebraProvider
{
    private static readonly Lazy<string> Chosen = new(Choose);

    /// <summary>The provider in use ("OpenBLAS (native)" or "managed"), choosing it on first use.</summary>
    public static string Name => Chosen.Value;

    private static string Choose()
    {
        try
        {
            if (Control.TryUseNativeOpenBLAS()) return "OpenBLAS (native)";
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or NotSupportedException or EntryPointNotFoundException or TypeInitializationException)
        {
            // no native library on this machine: the managed provider below
        }
        Control.UseManaged();
        return "managed";
    }
}
