using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ExactDynamics.Numerics;

namespace ExactDynamics.Spectral;

/// <summary>
/// Vectorised passes over the directions for the gap solver (k ≤ 2): the secular sum F(γ), F'(γ) and the local-pole
/// screening test. Each lane evaluates exactly the same operations, in the same order, as the scalar
/// <see cref="LocalBlocks.Resolvent"/> (no contraction into fused multiply-adds), so per-direction values are
/// bit-identical to the scalar path; only the order of the final summation differs (lanes, then chunks in order).
/// </summary>
internal static class SecularKernels
{
    /// <summary>Constants of the k = 2 resolvent in the consistent basis (Ã₀₀ = 1, Ã₁₀ = 0, c̃₀ = 1).</summary>
    internal readonly struct K2
    {
        public readonly double A01, A11, B0, B1, C1, Omd1, Bb0, Bb1, Bb2, Cc0, Cc1, Cc2;
        public K2(double a01, double a11, double b0, double b1, double c1, double omd1, double[] bb, double[] cc)
        {
            A01 = a01; A11 = a11; B0 = b0; B1 = b1; C1 = c1; Omd1 = omd1;
            Bb0 = bb[0]; Bb1 = bb[1]; Bb2 = bb[2]; Cc0 = cc[0]; Cc1 = cc[1]; Cc2 = cc[2];
        }
    }

    /// <summary>g and g' for 8 (or 4, 2) directions at once; the same arithmetic as the scalar k = 2 resolvent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Resolvent2<V>(in K2 k, V lambda, V gamma, out V g, out V dg, out V det) where V : struct, ISimd<V>
    {
        var one = V.Broadcast(1.0); var two = V.Broadcast(2.0);
        var t00 = V.Sub(one, V.Mul(lambda, V.Broadcast(k.B0)));
        var t01 = V.Sub(V.Broadcast(k.A01), V.Mul(V.Mul(lambda, V.Broadcast(k.B0)), V.Broadcast(k.C1)));
        var t10 = V.Sub(V.Zero, V.Mul(lambda, V.Broadcast(k.B1)));
        var t11 = V.Sub(V.Broadcast(k.A11), V.Mul(V.Mul(lambda, V.Broadcast(k.B1)), V.Broadcast(k.C1)));
        var x0 = V.Mul(lambda, V.Broadcast(k.B0));
        var x1 = V.Add(V.Broadcast(k.Omd1), V.Mul(V.Mul(lambda, V.Broadcast(k.B1)), V.Broadcast(k.C1)));
        var m00 = V.Sub(V.Mul(x0, V.Sub(two, x0)), gamma);
        var m01 = V.Mul(V.Mul(V.Broadcast(-2.0), t00), t01);
        var m02 = V.Sub(V.Zero, V.Mul(t01, t01));
        var m10 = V.Sub(V.Zero, V.Mul(t00, t10));
        var m11 = V.Sub(V.Sub(V.Sub(V.Add(x0, x1), V.Mul(x0, x1)), V.Mul(t01, t10)), gamma);
        var m12 = V.Sub(V.Zero, V.Mul(t01, t11));
        var m20 = V.Sub(V.Zero, V.Mul(t10, t10));
        var m21 = V.Mul(V.Mul(V.Broadcast(-2.0), t10), t11);
        var m22 = V.Sub(V.Mul(x1, V.Sub(two, x1)), gamma);
        var c00 = V.Sub(V.Mul(m11, m22), V.Mul(m12, m21));
        var c01 = V.Sub(V.Zero, V.Sub(V.Mul(m10, m22), V.Mul(m12, m20)));
        var c02 = V.Sub(V.Mul(m10, m21), V.Mul(m11, m20));
        var c10 = V.Sub(V.Zero, V.Sub(V.Mul(m01, m22), V.Mul(m02, m21)));
        var c11 = V.Sub(V.Mul(m00, m22), V.Mul(m02, m20));
        var c12 = V.Sub(V.Zero, V.Sub(V.Mul(m00, m21), V.Mul(m01, m20)));
        var c20 = V.Sub(V.Mul(m01, m12), V.Mul(m02, m11));
        var c21 = V.Sub(V.Zero, V.Sub(V.Mul(m00, m12), V.Mul(m02, m10)));
        var c22 = V.Sub(V.Mul(m00, m11), V.Mul(m01, m10));
        det = V.Add(V.Add(V.Mul(m00, c00), V.Mul(m10, c10)), V.Mul(m20, c20));
        var bb0 = V.Broadcast(k.Bb0); var bb1 = V.Broadcast(k.Bb1); var bb2 = V.Broadcast(k.Bb2);
        var cc0 = V.Broadcast(k.Cc0); var cc1 = V.Broadcast(k.Cc1); var cc2 = V.Broadcast(k.Cc2);
        var u0 = V.Add(V.Add(V.Mul(c00, bb0), V.Mul(c10, bb1)), V.Mul(c20, bb2));
        var u1 = V.Add(V.Add(V.Mul(c01, bb0), V.Mul(c11, bb1)), V.Mul(c21, bb2));
        var u2 = V.Add(V.Add(V.Mul(c02, bb0), V.Mul(c12, bb1)), V.Mul(c22, bb2));
        var v0 = V.Add(V.Add(V.Mul(c00, cc0), V.Mul(c01, cc1)), V.Mul(c02, cc2));
        var v1 = V.Add(V.Add(V.Mul(c10, cc0), V.Mul(c11, cc1)), V.Mul(c12, cc2));
        var v2 = V.Add(V.Add(V.Mul(c20, cc0), V.Mul(c21, cc1)), V.Mul(c22, cc2));
        g = V.Div(V.Add(V.Add(V.Mul(cc0, u0), V.Mul(cc1, u1)), V.Mul(cc2, u2)), det);
        dg = V.Div(V.Add(V.Add(V.Mul(v0, u0), V.Mul(v1, u1)), V.Mul(v2, u2)), V.Mul(det, det));
    }

    /// <summary>g, g' and the determinant for a vector of directions (see <see cref="Resolvent2{V}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Resolvent2Public<V>(in K2 k, V lambda, V gamma, out V g, out V dg, out V det) where V : struct, ISimd<V>
        => Resolvent2(k, lambda, gamma, out g, out dg, out det);

    /// <summary>
    /// Σ λ² g/(1 − κ'g) and Σ λ² g'/(1 − κ'g)² over directions [i0, i1) for k = 2; false when some direction is
    /// invalid (singular, non-finite, g &lt; 0 or 1 − κ'g ≤ 0), exactly as the scalar pass decides.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Secular2<V>(in K2 k, ReadOnlySpan<double> lambda, ReadOnlySpan<double> weights, double gamma, double k4InvB, out double sum, out double dsum)
        where V : struct, ISimd<V>
    {
        int n = lambda.Length, w = V.Count, i = 0;
        ref double lr = ref MemoryMarshal.GetReference(lambda);
        bool weighted = !weights.IsEmpty;
        ref double wr = ref MemoryMarshal.GetReference(weights);
        var vg = V.Broadcast(gamma); var vk = V.Broadcast(k4InvB); var one = V.Broadcast(1.0);
        var accS = V.Zero; var accD = V.Zero;
        for (; i + w <= n; i += w)
        {
            var l = V.Load(ref lr, i);
            Resolvent2(k, l, vg, out var g, out var dg, out var det);
            var l2 = V.Mul(l, l);
            var den = V.Sub(one, V.Mul(V.Mul(vk, l2), g));
            // invalid: det == 0, g or dg not finite (NaN included), g < 0, den ≤ 0
            if (!V.AllFinite(g) || !V.AllFinite(dg) || V.AnyEqualZero(det) || V.AnyLessThanZero(g) || V.AnyLessOrEqualZero(den))
            { sum = dsum = 0; return false; }
            if (weighted) l2 = V.Mul(V.Load(ref wr, i), l2);
            accS = V.Add(accS, V.Div(V.Mul(l2, g), den));
            accD = V.Add(accD, V.Div(V.Mul(l2, dg), V.Mul(den, den)));
        }
        double s = V.Sum(accS), ds = V.Sum(accD);
        for (; i < n; i++)
        {
            double l = lambda[i];
            if (!Scalar2(k, l, gamma, out double g, out double gp) || g < 0) { sum = dsum = 0; return false; }
            double den = 1 - k4InvB * l * l * g;
            if (den <= 0) { sum = dsum = 0; return false; }
            double l2 = weighted ? weights[i] * (l * l) : l * l;
            s += l2 * g / den;
            ds += l2 * gp / (den * den);
        }
        sum = s; dsum = ds;
        return true;
    }

    /// <summary>k = 1: g = b̃²/(x(2 − x) − γ), g' = b̃²/(…)², x = λ b̃.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Secular1<V>(double b0, ReadOnlySpan<double> lambda, ReadOnlySpan<double> weights, double gamma, double k4InvB, out double sum, out double dsum)
        where V : struct, ISimd<V>
    {
        int n = lambda.Length, w = V.Count, i = 0;
        ref double lr = ref MemoryMarshal.GetReference(lambda);
        bool weighted = !weights.IsEmpty;
        ref double wr = ref MemoryMarshal.GetReference(weights);
        double bbs = b0 * b0;
        var vg = V.Broadcast(gamma); var vk = V.Broadcast(k4InvB); var one = V.Broadcast(1.0); var two = V.Broadcast(2.0);
        var vb = V.Broadcast(b0); var vbb = V.Broadcast(bbs);
        var accS = V.Zero; var accD = V.Zero;
        for (; i + w <= n; i += w)
        {
            var l = V.Load(ref lr, i);
            var x = V.Mul(l, vb);
            var dd = V.Sub(V.Mul(x, V.Sub(two, x)), vg);
            var g = V.Div(vbb, dd);
            var dg = V.Div(vbb, V.Mul(dd, dd));
            var l2 = V.Mul(l, l);
            var den = V.Sub(one, V.Mul(V.Mul(vk, l2), g));
            if (!V.AllFinite(g) || V.AnyEqualZero(dd) || V.AnyLessThanZero(g) || V.AnyLessOrEqualZero(den))
            { sum = dsum = 0; return false; }
            if (weighted) l2 = V.Mul(V.Load(ref wr, i), l2);
            accS = V.Add(accS, V.Div(V.Mul(l2, g), den));
            accD = V.Add(accD, V.Div(V.Mul(l2, dg), V.Mul(den, den)));
        }
        double s = V.Sum(accS), ds = V.Sum(accD);
        for (; i < n; i++)
        {
            double l = lambda[i];
            double x = l * b0;
            double dd = x * (2 - x) - gamma;
            double g = bbs / dd, gp = bbs / (dd * dd);
            if (dd == 0 || !double.IsFinite(g) || g < 0) { sum = dsum = 0; return false; }
            double den = 1 - k4InvB * l * l * g;
            if (den <= 0) { sum = dsum = 0; return false; }
            double l2 = weighted ? weights[i] * (l * l) : l * l;
            s += l2 * g / den;
            ds += l2 * gp / (den * den);
        }
        sum = s; dsum = ds;
        return true;
    }

    /// <summary>
    /// 1 − ρ(T)² for a vector of directions, k = 2: the same operations as <see cref="LocalBlocks.GammaT2"/> in every
    /// lane (both branches computed, then selected), so the values are bit-identical.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V GammaT2<V>(in K2 k, V lambda) where V : struct, ISimd<V>
    {
        var t01 = V.Sub(V.Broadcast(k.A01), V.Mul(V.Mul(lambda, V.Broadcast(k.B0)), V.Broadcast(k.C1)));
        var t10 = V.Sub(V.Zero, V.Mul(V.Mul(lambda, V.Broadcast(k.B1)), V.Broadcast(1.0)));
        var x0 = V.Mul(V.Mul(lambda, V.Broadcast(k.B0)), V.Broadcast(1.0));
        var x1 = V.Add(V.Broadcast(k.Omd1), V.Mul(V.Mul(lambda, V.Broadcast(k.B1)), V.Broadcast(k.C1)));
        var tau = V.Add(x0, x1);
        var delta = V.Sub(V.Mul(x0, x1), V.Mul(t01, t10));
        var disc = V.Sub(V.Mul(tau, tau), V.Mul(V.Broadcast(4.0), delta));
        var sq = V.Sqrt(disc);
        var half = V.Broadcast(0.5); var two = V.Broadcast(2.0);
        var big = V.SelectNonNegative(tau, V.Mul(half, V.Add(tau, sq)), V.Mul(half, V.Sub(tau, sq)));
        var small = V.SelectNonZero(big, V.Div(delta, big), V.Zero);
        var real = V.Min(V.Mul(big, V.Sub(two, big)), V.Mul(small, V.Sub(two, small)));
        return V.SelectNonNegative(disc, real, V.Sub(tau, delta));
    }

    /// <summary>γ_T,i for directions [0, n) of <paramref name="lambda"/> into <paramref name="output"/> (k = 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GammaT2All<V>(in K2 k, LocalBlocks blocks, ReadOnlySpan<double> lambda, Span<double> output) where V : struct, ISimd<V>
    {
        int n = lambda.Length, w = V.Count, i = 0;
        ref double lr = ref MemoryMarshal.GetReference(lambda);
        ref double or = ref MemoryMarshal.GetReference(output);
        for (; i + w <= n; i += w) V.Store(GammaT2(k, V.Load(ref lr, i)), ref or, i);
        for (; i < n; i++) output[i] = blocks.GammaT2(lambda[i]);
    }

    /// <summary>The scalar k = 2 resolvent (identical arithmetic to <see cref="LocalBlocks.Resolvent"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Scalar2(in K2 k, double lambda, double gamma, out double g, out double dg)
    {
        double t00 = 1 - lambda * k.B0, t01 = k.A01 - lambda * k.B0 * k.C1, t10 = -lambda * k.B1, t11 = k.A11 - lambda * k.B1 * k.C1;
        double x0 = lambda * k.B0, x1 = k.Omd1 + lambda * k.B1 * k.C1;
        double m00 = x0 * (2 - x0) - gamma, m01 = -2 * t00 * t01, m02 = -t01 * t01;
        double m10 = -t00 * t10, m11 = x0 + x1 - x0 * x1 - t01 * t10 - gamma, m12 = -t01 * t11;
        double m20 = -t10 * t10, m21 = -2 * t10 * t11, m22 = x1 * (2 - x1) - gamma;
        double c00 = m11 * m22 - m12 * m21, c01 = -(m10 * m22 - m12 * m20), c02 = m10 * m21 - m11 * m20;
        double c10 = -(m01 * m22 - m02 * m21), c11 = m00 * m22 - m02 * m20, c12 = -(m00 * m21 - m01 * m20);
        double c20 = m01 * m12 - m02 * m11, c21 = -(m00 * m12 - m02 * m10), c22 = m00 * m11 - m01 * m10;
        double det = m00 * c00 + m10 * c10 + m20 * c20;
        double u0 = c00 * k.Bb0 + c10 * k.Bb1 + c20 * k.Bb2;
        double u1 = c01 * k.Bb0 + c11 * k.Bb1 + c21 * k.Bb2;
        double u2 = c02 * k.Bb0 + c12 * k.Bb1 + c22 * k.Bb2;
        double v0 = c00 * k.Cc0 + c01 * k.Cc1 + c02 * k.Cc2;
        double v1 = c10 * k.Cc0 + c11 * k.Cc1 + c12 * k.Cc2;
        double v2 = c20 * k.Cc0 + c21 * k.Cc1 + c22 * k.Cc2;
        g = (k.Cc0 * u0 + k.Cc1 * u1 + k.Cc2 * u2) / det;
        dg = (v0 * u0 + v1 * u1 + v2 * u2) / (det * det);
        return det != 0 && double.IsFinite(g) && double.IsFinite(dg);
    }
}
