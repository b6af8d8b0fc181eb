using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ExactDynamics.Numerics;

/// <summary>
/// A small radix-2 complex FFT on split real/imaginary arrays, for convolutions only: the forward transform
/// (decimation in frequency, Gentleman–Sande) takes natural order to bit-reversed order, the inverse (decimation in
/// time, Cooley–Tukey) takes bit-reversed order back to natural order, so a convolution needs no permutation at all
/// (the pointwise product does not care about the order). Twiddles e^{∓iπj/h} are tabulated once per half-length h
/// from <see cref="double.SinCosPi(double)"/> of the exact dyadic j/h (correctly rounded to within an ulp; no
/// recurrences), stored contiguously (entries [h, 2h) of one table shared by all sizes) so the inner loops run over
/// contiguous memory with 256-bit vectors. No allocation per transform; the table grows (thread-safely) on demand.
/// <para>
/// Accuracy (Higham, Accuracy and Stability of Numerical Algorithms, section 24.1): ‖ŷ − y‖₂ ≤ log₂N·η/(1 − log₂N·η)·‖y‖₂ with η ≈ 5u for accurate
/// twiddles; in practice the error behaves like u·√(log₂N)·‖y‖₂ spread evenly over the N outputs.
/// </para>
/// </summary>
internal static class Fft
{
    private static readonly object Gate = new();
    private static double[] _cos = [0, 1], _sin = [0, 0];

    /// <summary>Twiddle tables valid for transforms of length up to <paramref name="n"/> (a power of two):
    /// cos[h + j] = cos(πj/h), sin[h + j] = sin(πj/h) for 0 ≤ j &lt; h, h = 1, 2, 4, …, n/2.</summary>
    internal static (double[] Cos, double[] Sin) Twiddles(int n)
    {
        var c = Volatile.Read(ref _cos);
        if (c.Length >= n) return (c, Volatile.Read(ref _sin));
        lock (Gate)
        {
            if (_cos.Length >= n) return (_cos, _sin);
            var cos = new double[n];
            var sin = new double[n];
            for (int h = 1; h < n; h <<= 1)
                for (int j = 0; j < h; j++)
                {
                    var (s, co) = double.SinCosPi((double)j / h);
                    cos[h + j] = co;
                    sin[h + j] = s;
                }
            Volatile.Write(ref _sin, sin);
            Volatile.Write(ref _cos, cos);
            return (cos, sin);
        }
    }

    /// <summary>True when <paramref name="n"/> is a power of two ≥ 1.</summary>
    internal static bool IsPowerOfTwo(int n) => n > 0 && (n & (n - 1)) == 0;

    /// <summary>
    /// In place X_k = Σ_j x_j e^{−2πi jk/n}, input in natural order, output in bit-reversed order. n a power of two,
    /// the tables from <see cref="Twiddles(int)"/> for at least n.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ForwardToBitReversed(Span<double> re, Span<double> im, int n, double[] cos, double[] sin)
    {
        ref double r = ref MemoryMarshal.GetReference(re);
        ref double i = ref MemoryMarshal.GetReference(im);
        ref double cr = ref MemoryMarshal.GetArrayDataReference(cos);
        ref double sr = ref MemoryMarshal.GetArrayDataReference(sin);
        for (int len = n; len >= 2; len >>= 1)
        {
            int h = len >> 1;
            if (h >= 4)
            {
                for (int b = 0; b < n; b += len)
                    for (int j = 0; j < h; j += 4)
                    {
                        int p = b + j, q = p + h;
                        var ur = Vector256.LoadUnsafe(ref r, (nuint)p); var ui = Vector256.LoadUnsafe(ref i, (nuint)p);
                        var vr = Vector256.LoadUnsafe(ref r, (nuint)q); var vi = Vector256.LoadUnsafe(ref i, (nuint)q);
                        var c = Vector256.LoadUnsafe(ref cr, (nuint)(h + j)); var s = Vector256.LoadUnsafe(ref sr, (nuint)(h + j));
                        (ur + vr).StoreUnsafe(ref r, (nuint)p);
                        (ui + vi).StoreUnsafe(ref i, (nuint)p);
                        var dr = ur - vr; var di = ui - vi;
                        // (dr + i di)(c − i s)
                        (dr * c + di * s).StoreUnsafe(ref r, (nuint)q);
                        (di * c - dr * s).StoreUnsafe(ref i, (nuint)q);
                    }
            }
            else
            {
                for (int b = 0; b < n; b += len)
                    for (int j = 0; j < h; j++)
                    {
                        int p = b + j, q = p + h;
                        double ur = Unsafe.Add(ref r, p), ui = Unsafe.Add(ref i, p);
                        double vr = Unsafe.Add(ref r, q), vi = Unsafe.Add(ref i, q);
                        double c = Unsafe.Add(ref cr, h + j), s = Unsafe.Add(ref sr, h + j);
                        Unsafe.Add(ref r, p) = ur + vr; Unsafe.Add(ref i, p) = ui + vi;
                        double dr = ur - vr, di = ui - vi;
                        Unsafe.Add(ref r, q) = dr * c + di * s; Unsafe.Add(ref i, q) = di * c - dr * s;
                    }
            }
        }
    }

    /// <summary>
    /// In place x_j = Σ_k X_k e^{+2πi jk/n} (unnormalised: n times the inverse DFT), input in bit-reversed order,
    /// output in natural order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void InverseFromBitReversed(Span<double> re, Span<double> im, int n, double[] cos, double[] sin)
    {
        ref double r = ref MemoryMarshal.GetReference(re);
        ref double i = ref MemoryMarshal.GetReference(im);
        ref double cr = ref MemoryMarshal.GetArrayDataReference(cos);
        ref double sr = ref MemoryMarshal.GetArrayDataReference(sin);
        for (int len = 2; len <= n; len <<= 1)
        {
            int h = len >> 1;
            if (h >= 4)
            {
                for (int b = 0; b < n; b += len)
                    for (int j = 0; j < h; j += 4)
                    {
                        int p = b + j, q = p + h;
                        var ur = Vector256.LoadUnsafe(ref r, (nuint)p); var ui = Vector256.LoadUnsafe(ref i, (nuint)p);
                        var xr = Vector256.LoadUnsafe(ref r, (nuint)q); var xi = Vector256.LoadUnsafe(ref i, (nuint)q);
                        var c = Vector256.LoadUnsafe(ref cr, (nuint)(h + j)); var s = Vector256.LoadUnsafe(ref sr, (nuint)(h + j));
                        // v = (xr + i xi)(c + i s)
                        var vr = xr * c - xi * s; var vi = xr * s + xi * c;
                        (ur + vr).StoreUnsafe(ref r, (nuint)p); (ui + vi).StoreUnsafe(ref i, (nuint)p);
                        (ur - vr).StoreUnsafe(ref r, (nuint)q); (ui - vi).StoreUnsafe(ref i, (nuint)q);
                    }
            }
            else
            {
                for (int b = 0; b < n; b += len)
                    for (int j = 0; j < h; j++)
                    {
                        int p = b + j, q = p + h;
                        double ur = Unsafe.Add(ref r, p), ui = Unsafe.Add(ref i, p);
                        double xr = Unsafe.Add(ref r, q), xi = Unsafe.Add(ref i, q);
                        double c = Unsafe.Add(ref cr, h + j), s = Unsafe.Add(ref sr, h + j);
                        double vr = xr * c - xi * s, vi = xr * s + xi * c;
                        Unsafe.Add(ref r, p) = ur + vr; Unsafe.Add(ref i, p) = ui + vi;
                        Unsafe.Add(ref r, q) = ur - vr; Unsafe.Add(ref i, q) = ui - vi;
                    }
            }
        }
    }
}
