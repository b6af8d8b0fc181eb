using System.Runtime.CompilerServices;
using ExactDynamics.Numerics;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The SIMD forms of <see cref="TailAverage"/>'s sweeps over directions for one- and two-state methods
/// (docs/math.md#tail-averaging): the backward step z ← o + Tᵀz, Φ ← ΦT, h ← h + Φv, W_L += Σ λ (2z − o)ᵀv and the
/// forward step a ← Ta + v, P ← TP, g ← g + Pᵀo, W_R += Σ λ (2oᵀa − oᵀv), with T = A − λ b cᵀ formed per lane. Vectors
/// are component-major (x[p·d + i], matrices x[(p·k + q)·d + i]), so a vector of <c>V.Count</c> lanes holds that many
/// consecutive directions. Each kernel covers the whole vectors of [i0, i1) and returns where it stopped; the scalar
/// kernels of <see cref="TailAverage"/> (the reference, tested against these) do the rest. The lane sums are added in
/// lane order, so results do not depend on timing or thread count; they differ from the scalar ones only by rounding
/// (order of the partial sums, fused multiply–adds).
/// </summary>
internal static class TailSweepKernels
{
    /// <summary>The backward step of a two-state method over the whole vectors in [i0, i1); adds Σ λ (2z − o)ᵀv to
    /// <paramref name="sum"/> and returns the first direction not done.</summary>
    public static int Left2(int bits, double[] lam, double[] coef, double[] vs, double[] z, double[] h, double[] phi, int i0, int i1, ref double sum) =>
        bits switch
        {
            512 => Left2<V512>(lam, coef, vs, z, h, phi, i0, i1, ref sum),
            256 => Left2<V256>(lam, coef, vs, z, h, phi, i0, i1, ref sum),
            _ => Left2<V128>(lam, coef, vs, z, h, phi, i0, i1, ref sum),
        };

    /// <summary>The forward step of a two-state method over the whole vectors in [i0, i1); adds Σ λ (2oᵀa − oᵀv) to
    /// <paramref name="sum"/> and returns the first direction not done. <paramref name="coef"/> holds the previous
    /// update's A, b, c and the current read-out o.</summary>
    public static int Right2(int bits, double[] lam, double[] coef, double[] v, double[] a, double[] pm, double[] g, int i0, int i1, ref double sum) =>
        bits switch
        {
            512 => Right2<V512>(lam, coef, v, a, pm, g, i0, i1, ref sum),
            256 => Right2<V256>(lam, coef, v, a, pm, g, i0, i1, ref sum),
            _ => Right2<V128>(lam, coef, v, a, pm, g, i0, i1, ref sum),
        };

    /// <summary>The forward step of a one-state method (T = a₀ − λ bc) over the whole vectors in [i0, i1).</summary>
    public static int Right1(int bits, double[] lam, double o, double a0, double bc, double[] v, double[] a, double[] pm, double[] g, int i0, int i1,
        ref double sum) =>
        bits switch
        {
            512 => Right1<V512>(lam, o, a0, bc, v, a, pm, g, i0, i1, ref sum),
            256 => Right1<V256>(lam, o, a0, bc, v, a, pm, g, i0, i1, ref sum),
            _ => Right1<V128>(lam, o, a0, bc, v, a, pm, g, i0, i1, ref sum),
        };

    /// <summary>The ten numbers of a two-state update the kernels read: A (row-major), b, c, o.</summary>
    public static double[] Pack(double[] a, double[] b, double[] c, double[] o) => [a[0], a[1], a[2], a[3], b[0], b[1], c[0], c[1], o[0], o[1]];

    /// <summary>A two-state update broadcast to the lanes: A, the products b_p c_q and o; <see cref="Mean"/> forms
    /// T = A − λ b cᵀ per lane.</summary>
    private readonly struct Update2<V> where V : struct, ISimd<V>
    {
        private readonly V _a00, _a01, _a10, _a11, _b0c0, _b0c1, _b1c0, _b1c1;
        public readonly V O0, O1;

        public Update2(double[] k)
        {
            _a00 = V.Broadcast(k[0]); _a01 = V.Broadcast(k[1]); _a10 = V.Broadcast(k[2]); _a11 = V.Broadcast(k[3]);
            _b0c0 = V.Broadcast(k[4] * k[6]); _b0c1 = V.Broadcast(k[4] * k[7]); _b1c0 = V.Broadcast(k[5] * k[6]); _b1c1 = V.Broadcast(k[5] * k[7]);
            O0 = V.Broadcast(k[8]); O1 = V.Broadcast(k[9]);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Mean(V l, out V t00, out V t01, out V t10, out V t11)
        {
            t00 = V.Sub(_a00, V.Mul(l, _b0c0)); t01 = V.Sub(_a01, V.Mul(l, _b0c1));
            t10 = V.Sub(_a10, V.Mul(l, _b1c0)); t11 = V.Sub(_a11, V.Mul(l, _b1c1));
        }
    }

    private static int End<V>(int i0, int i1) where V : struct, ISimd<V> => i0 + (i1 - i0) / V.Count * V.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Madd<V>(V a, V b, V c) where V : struct, ISimd<V> => V.Fma(a, b, c);

    private static int Left2<V>(double[] lam, double[] k, double[] vs, double[] z, double[] h, double[] phi, int i0, int i1, ref double sum)
        where V : struct, ISimd<V>
    {
        int d = lam.Length, end = End<V>(i0, i1);
        if (end == i0) return i0;
        var u = new Update2<V>(k);
        V o0 = u.O0, o1 = u.O1, two = V.Broadcast(2);
        ref double L = ref lam[0], Vs = ref vs[0], Z = ref z[0], H = ref h[0], P = ref phi[0];
        V acc = V.Zero;
        for (int i = i0; i < end; i += V.Count)
        {
            V l = V.Load(ref L, i);
            u.Mean(l, out V t00, out V t01, out V t10, out V t11);
            V z0 = V.Load(ref Z, i), z1 = V.Load(ref Z, d + i), v0 = V.Load(ref Vs, i), v1 = V.Load(ref Vs, d + i);
            // z ← o + Tᵀ z
            V w0 = Madd(t10, z1, Madd(t00, z0, o0)), w1 = Madd(t11, z1, Madd(t01, z0, o1));
            V.Store(w0, ref Z, i);
            V.Store(w1, ref Z, d + i);
            acc = Madd(l, Madd(V.Sub(V.Mul(two, w1), o1), v1, V.Mul(V.Sub(V.Mul(two, w0), o0), v0)), acc);
            // Φ ← Φ T; h ← h + Φ v
            V p00 = V.Load(ref P, i), p01 = V.Load(ref P, d + i), p10 = V.Load(ref P, 2 * d + i), p11 = V.Load(ref P, 3 * d + i);
            V n00 = Madd(p01, t10, V.Mul(p00, t00)), n01 = Madd(p01, t11, V.Mul(p00, t01));
            V n10 = Madd(p11, t10, V.Mul(p10, t00)), n11 = Madd(p11, t11, V.Mul(p10, t01));
            V.Store(n00, ref P, i);
            V.Store(n01, ref P, d + i);
            V.Store(n10, ref P, 2 * d + i);
            V.Store(n11, ref P, 3 * d + i);
            V.Store(Madd(n01, v1, Madd(n00, v0, V.Load(ref H, i))), ref H, i);
            V.Store(Madd(n11, v1, Madd(n10, v0, V.Load(ref H, d + i))), ref H, d + i);
        }
        sum += V.Sum(acc);
        return end;
    }

    private static int Right2<V>(double[] lam, double[] k, double[] v, double[] a, double[] pm, double[] g, int i0, int i1, ref double sum)
        where V : struct, ISimd<V>
    {
        int d = lam.Length, end = End<V>(i0, i1);
        if (end == i0) return i0;
        var u = new Update2<V>(k);
        V o0 = u.O0, o1 = u.O1, two = V.Broadcast(2);
        ref double L = ref lam[0], Vv = ref v[0], X = ref a[0], P = ref pm[0], G = ref g[0];
        V acc = V.Zero;
        for (int i = i0; i < end; i += V.Count)
        {
            V l = V.Load(ref L, i);
            u.Mean(l, out V t00, out V t01, out V t10, out V t11);
            V v0 = V.Load(ref Vv, i), v1 = V.Load(ref Vv, d + i), x0 = V.Load(ref X, i), x1 = V.Load(ref X, d + i);
            V y0 = Madd(t01, x1, Madd(t00, x0, v0)), y1 = Madd(t11, x1, Madd(t10, x0, v1));
            V.Store(y0, ref X, i);
            V.Store(y1, ref X, d + i);
            V oy = Madd(o1, y1, V.Mul(o0, y0)), ov = Madd(o1, v1, V.Mul(o0, v0));
            acc = Madd(l, V.Sub(V.Mul(two, oy), ov), acc);
            V p00 = V.Load(ref P, i), p01 = V.Load(ref P, d + i), p10 = V.Load(ref P, 2 * d + i), p11 = V.Load(ref P, 3 * d + i);
            V n00 = Madd(t01, p10, V.Mul(t00, p00)), n01 = Madd(t01, p11, V.Mul(t00, p01));
            V n10 = Madd(t11, p10, V.Mul(t10, p00)), n11 = Madd(t11, p11, V.Mul(t10, p01));
            V.Store(n00, ref P, i);
            V.Store(n01, ref P, d + i);
            V.Store(n10, ref P, 2 * d + i);
            V.Store(n11, ref P, 3 * d + i);
            V.Store(Madd(n10, o1, Madd(n00, o0, V.Load(ref G, i))), ref G, i);
            V.Store(Madd(n11, o1, Madd(n01, o0, V.Load(ref G, d + i))), ref G, d + i);
        }
        sum += V.Sum(acc);
        return end;
    }

    private static int Right1<V>(double[] lam, double o, double a0, double bc, double[] v, double[] a, double[] pm, double[] g, int i0, int i1,
        ref double sum) where V : struct, ISimd<V>
    {
        int end = End<V>(i0, i1);
        if (end == i0) return i0;
        V vo = V.Broadcast(o), va0 = V.Broadcast(a0), vbc = V.Broadcast(bc), two = V.Broadcast(2);
        ref double L = ref lam[0], Vv = ref v[0], X = ref a[0], P = ref pm[0], G = ref g[0];
        V acc = V.Zero;
        for (int i = i0; i < end; i += V.Count)
        {
            V l = V.Load(ref L, i), vi = V.Load(ref Vv, i);
            V t = V.Sub(va0, V.Mul(l, vbc));
            V x = Madd(t, V.Load(ref X, i), vi);
            V.Store(x, ref X, i);
            acc = Madd(V.Mul(l, vo), V.Sub(V.Mul(two, x), vi), acc);
            V pn = V.Mul(t, V.Load(ref P, i));
            V.Store(pn, ref P, i);
            V.Store(Madd(pn, vo, V.Load(ref G, i)), ref G, i);
        }
        sum += V.Sum(acc);
        return end;
    }
}
