using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ExactDynamics.Dynamics;
using ExactDynamics.Numerics;

namespace ExactDynamics.Data;

/// <summary>
/// The two O(n d²) products of one step of the empirical model (docs/math.md#the-empirical-model), on data padded to
/// a multiple of 4 rows and of 4 SIMD vectors of columns (padding is zero):
/// the quadratic forms q_i = x_iᵀ Q x_i (Q symmetric) and the weighted second moment F = Σ_i w_i x_i x_iᵀ.
/// Register-blocked 4 rows × 4 vectors; every output is summed by one thread in a fixed order, so the results do not
/// depend on the thread count. Two versions of each: the plain ones (<see cref="QuadraticForms{V}"/>,
/// <see cref="WeightedGram{V}"/>: the whole Q per group of 4 rows, every data row per block of F) are the reference
/// the fast ones are tested against; the fast ones (<see cref="QuadraticFormsUpper{V}"/>, <see cref="WeightedGramBlocked{V}"/>)
/// use the symmetry of Q (half the multiply-adds) and keep a panel of Q, or a block of data rows, in cache while it is
/// reused (docs/math.md#the-empirical-model, cost). With AVX-512 the step runs the tiled kernels instead
/// (<see cref="Tile"/>, <see cref="TiledForms"/>, <see cref="TiledGram"/>): one 8 × 24 register tile of Vector512
/// accumulators over data packed once into contiguous panels, blocked so that the reused panel stays in L1.
/// </summary>
internal static class DataKernels
{
    /// <summary>q_i = x_iᵀ Q x_i for rows [i0, i1) (multiples of 4); x is rows × dp, q is dp × dp, only the first d
    /// columns of x are non-zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuadraticForms<V>(double[] x, double[] qm, int dp, int d, int i0, int i1, double[] result) where V : struct, ISimd<V>
    {
        int w = V.Count, chunk = 4 * w;
        ref double xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref double qr = ref MemoryMarshal.GetArrayDataReference(qm);
        for (int i = i0; i < i1; i += 4)
        {
            int r0 = i * dp, r1 = r0 + dp, r2 = r1 + dp, r3 = r2 + dp;
            var s0 = V.Zero; var s1 = V.Zero; var s2 = V.Zero; var s3 = V.Zero;
            for (int j = 0; j < dp; j += chunk)
            {
                var a00 = V.Zero; var a01 = V.Zero; var a02 = V.Zero; var a03 = V.Zero;
                var a10 = V.Zero; var a11 = V.Zero; var a12 = V.Zero; var a13 = V.Zero;
                var a20 = V.Zero; var a21 = V.Zero; var a22 = V.Zero; var a23 = V.Zero;
                var a30 = V.Zero; var a31 = V.Zero; var a32 = V.Zero; var a33 = V.Zero;
                for (int a = 0; a < d; a++)
                {
                    int qa = a * dp + j;
                    var q0 = V.Load(ref qr, qa); var q1 = V.Load(ref qr, qa + w); var q2 = V.Load(ref qr, qa + 2 * w); var q3 = V.Load(ref qr, qa + 3 * w);
                    var x0 = V.Broadcast(Unsafe.Add(ref xr, r0 + a));
                    a00 = V.Fma(x0, q0, a00); a01 = V.Fma(x0, q1, a01); a02 = V.Fma(x0, q2, a02); a03 = V.Fma(x0, q3, a03);
                    var x1 = V.Broadcast(Unsafe.Add(ref xr, r1 + a));
                    a10 = V.Fma(x1, q0, a10); a11 = V.Fma(x1, q1, a11); a12 = V.Fma(x1, q2, a12); a13 = V.Fma(x1, q3, a13);
                    var x2 = V.Broadcast(Unsafe.Add(ref xr, r2 + a));
                    a20 = V.Fma(x2, q0, a20); a21 = V.Fma(x2, q1, a21); a22 = V.Fma(x2, q2, a22); a23 = V.Fma(x2, q3, a23);
                    var x3 = V.Broadcast(Unsafe.Add(ref xr, r3 + a));
                    a30 = V.Fma(x3, q0, a30); a31 = V.Fma(x3, q1, a31); a32 = V.Fma(x3, q2, a32); a33 = V.Fma(x3, q3, a33);
                }
                s0 = Dot4<V>(ref xr, r0 + j, w, a00, a01, a02, a03, s0);
                s1 = Dot4<V>(ref xr, r1 + j, w, a10, a11, a12, a13, s1);
                s2 = Dot4<V>(ref xr, r2 + j, w, a20, a21, a22, a23, s2);
                s3 = Dot4<V>(ref xr, r3 + j, w, a30, a31, a32, a33, s3);
            }
            result[i] = V.Sum(s0); result[i + 1] = V.Sum(s1); result[i + 2] = V.Sum(s2); result[i + 3] = V.Sum(s3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Dot4<V>(ref double x, int at, int w, V a0, V a1, V a2, V a3, V acc) where V : struct, ISimd<V>
    {
        acc = V.Fma(a0, V.Load(ref x, at), acc);
        acc = V.Fma(a1, V.Load(ref x, at + w), acc);
        acc = V.Fma(a2, V.Load(ref x, at + 2 * w), acc);
        return V.Fma(a3, V.Load(ref x, at + 3 * w), acc);
    }

    /// <summary>
    /// Rows [a0, a1) (multiples of 4, below d rounded up to 4) of F = scale · Σ_i y_i x_iᵀ with y = w ∘ x (rows × dp each),
    /// for the columns b ≥ the start of a's column chunk only (the upper blocks; <see cref="MirrorUpper"/> fills the rest).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightedGram<V>(double[] y, double[] x, int rows, int dp, int a0, int a1, double scale, double[] f) where V : struct, ISimd<V>
    {
        int w = V.Count, chunk = 4 * w;
        ref double yr = ref MemoryMarshal.GetArrayDataReference(y);
        ref double xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref double fr = ref MemoryMarshal.GetArrayDataReference(f);
        var vs = V.Broadcast(scale);
        for (int a = a0; a < a1; a += 4)
        {
            for (int j = a / chunk * chunk; j < dp; j += chunk)
            {
                var a00 = V.Zero; var a01 = V.Zero; var a02 = V.Zero; var a03 = V.Zero;
                var a10 = V.Zero; var a11 = V.Zero; var a12 = V.Zero; var a13 = V.Zero;
                var a20 = V.Zero; var a21 = V.Zero; var a22 = V.Zero; var a23 = V.Zero;
                var a30 = V.Zero; var a31 = V.Zero; var a32 = V.Zero; var a33 = V.Zero;
                for (int i = 0; i < rows; i++)
                {
                    int xi = i * dp + j, yi = i * dp + a;
                    var x0 = V.Load(ref xr, xi); var x1 = V.Load(ref xr, xi + w); var x2 = V.Load(ref xr, xi + 2 * w); var x3 = V.Load(ref xr, xi + 3 * w);
                    var y0 = V.Broadcast(Unsafe.Add(ref yr, yi));
                    a00 = V.Fma(y0, x0, a00); a01 = V.Fma(y0, x1, a01); a02 = V.Fma(y0, x2, a02); a03 = V.Fma(y0, x3, a03);
                    var y1 = V.Broadcast(Unsafe.Add(ref yr, yi + 1));
                    a10 = V.Fma(y1, x0, a10); a11 = V.Fma(y1, x1, a11); a12 = V.Fma(y1, x2, a12); a13 = V.Fma(y1, x3, a13);
                    var y2 = V.Broadcast(Unsafe.Add(ref yr, yi + 2));
                    a20 = V.Fma(y2, x0, a20); a21 = V.Fma(y2, x1, a21); a22 = V.Fma(y2, x2, a22); a23 = V.Fma(y2, x3, a23);
                    var y3 = V.Broadcast(Unsafe.Add(ref yr, yi + 3));
                    a30 = V.Fma(y3, x0, a30); a31 = V.Fma(y3, x1, a31); a32 = V.Fma(y3, x2, a32); a33 = V.Fma(y3, x3, a33);
                }
                Store4<V>(ref fr, a * dp + j, w, vs, a00, a01, a02, a03);
                Store4<V>(ref fr, (a + 1) * dp + j, w, vs, a10, a11, a12, a13);
                Store4<V>(ref fr, (a + 2) * dp + j, w, vs, a20, a21, a22, a23);
                Store4<V>(ref fr, (a + 3) * dp + j, w, vs, a30, a31, a32, a33);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4<V>(ref double f, int at, int w, V s, V a0, V a1, V a2, V a3) where V : struct, ISimd<V>
    {
        V.Store(V.Mul(s, a0), ref f, at);
        V.Store(V.Mul(s, a1), ref f, at + w);
        V.Store(V.Mul(s, a2), ref f, at + 2 * w);
        V.Store(V.Mul(s, a3), ref f, at + 3 * w);
    }

    /// <summary>F[a, b] = F[b, a] for b &lt; a &lt; d (the lower triangle from the upper one).</summary>
    public static void MirrorUpper(double[] f, int d, int dp)
    {
        for (int a = 1; a < d; a++)
            for (int b = 0; b < a; b++) f[a * dp + b] = f[b * dp + a];
    }

    /// <summary>
    /// The upper-triangle form of Q for <see cref="QuadraticFormsUpper{V}"/>: U_ab = 2 Q_ab (a &lt; b), U_aa = Q_aa,
    /// 0 below the diagonal, so that xᵀUx = xᵀQx for symmetric Q with half the products.
    /// </summary>
    public static void UpperForm(double[] q, int d, int dp, double[] u)
    {
        Array.Clear(u);
        for (int a = 0; a < d; a++)
        {
            int o = a * dp;
            u[o + a] = q[o + a];
            for (int b = a + 1; b < d; b++) u[o + b] = 2 * q[o + b];
        }
    }

    /// <summary>
    /// q_i = x_iᵀ U x_i for rows [i0, i1) (multiples of 4) with U upper triangular (<see cref="UpperForm"/>): for each
    /// column panel [j, j + 4w) only the rows a &lt; j + 4w of U are non-zero, so about d²/2 multiply-adds per row. The
    /// panel (at most d × 4w) stays in cache for all rows of the range; partial sums are added per panel in panel order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void QuadraticFormsUpper<V>(double[] x, double[] u, int dp, int d, int i0, int i1, double[] result) where V : struct, ISimd<V>
    {
        int w = V.Count, chunk = 4 * w;
        ref double xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref double qr = ref MemoryMarshal.GetArrayDataReference(u);
        Array.Clear(result, i0, i1 - i0);
        for (int j = 0; j < dp; j += chunk)
        {
            int aEnd = Math.Min(d, j + chunk);
            for (int i = i0; i < i1; i += 4)
            {
                int r0 = i * dp, r1 = r0 + dp, r2 = r1 + dp, r3 = r2 + dp;
                var a00 = V.Zero; var a01 = V.Zero; var a02 = V.Zero; var a03 = V.Zero;
                var a10 = V.Zero; var a11 = V.Zero; var a12 = V.Zero; var a13 = V.Zero;
                var a20 = V.Zero; var a21 = V.Zero; var a22 = V.Zero; var a23 = V.Zero;
                var a30 = V.Zero; var a31 = V.Zero; var a32 = V.Zero; var a33 = V.Zero;
                for (int a = 0; a < aEnd; a++)
                {
                    int qa = a * dp + j;
                    var q0 = V.Load(ref qr, qa); var q1 = V.Load(ref qr, qa + w); var q2 = V.Load(ref qr, qa + 2 * w); var q3 = V.Load(ref qr, qa + 3 * w);
                    var x0 = V.Broadcast(Unsafe.Add(ref xr, r0 + a));
                    a00 = V.Fma(x0, q0, a00); a01 = V.Fma(x0, q1, a01); a02 = V.Fma(x0, q2, a02); a03 = V.Fma(x0, q3, a03);
                    var x1 = V.Broadcast(Unsafe.Add(ref xr, r1 + a));
                    a10 = V.Fma(x1, q0, a10); a11 = V.Fma(x1, q1, a11); a12 = V.Fma(x1, q2, a12); a13 = V.Fma(x1, q3, a13);
                    var x2 = V.Broadcast(Unsafe.Add(ref xr, r2 + a));
                    a20 = V.Fma(x2, q0, a20); a21 = V.Fma(x2, q1, a21); a22 = V.Fma(x2, q2, a22); a23 = V.Fma(x2, q3, a23);
                    var x3 = V.Broadcast(Unsafe.Add(ref xr, r3 + a));
                    a30 = V.Fma(x3, q0, a30); a31 = V.Fma(x3, q1, a31); a32 = V.Fma(x3, q2, a32); a33 = V.Fma(x3, q3, a33);
                }
                result[i] += V.Sum(Dot4<V>(ref xr, r0 + j, w, a00, a01, a02, a03, V.Zero));
                result[i + 1] += V.Sum(Dot4<V>(ref xr, r1 + j, w, a10, a11, a12, a13, V.Zero));
                result[i + 2] += V.Sum(Dot4<V>(ref xr, r2 + j, w, a20, a21, a22, a23, V.Zero));
                result[i + 3] += V.Sum(Dot4<V>(ref xr, r3 + j, w, a30, a31, a32, a33, V.Zero));
            }
        }
    }

    /// <summary>Data rows per block of <see cref="WeightedGramBlocked{V}"/> (a block of x and y, 2·64·dp doubles, stays
    /// in the core's cache while every block of F in the range is updated from it).</summary>
    public const int GramRowBlock = 64;

    /// <summary>
    /// <see cref="WeightedGram{V}"/> for the F rows of the 4-row blocks listed in <paramref name="blocks"/>, with the data
    /// rows blocked by <see cref="GramRowBlock"/>: for each block of rows, every listed block of F is updated (stored at
    /// the first row block, added to after), so a block of data is read from memory once per range rather than once per
    /// block of F. The sums run over the row blocks in order, whatever blocks share a range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightedGramBlocked<V>(double[] y, double[] x, int rows, int dp, ReadOnlySpan<int> blocks, double scale, double[] f) where V : struct, ISimd<V>
    {
        int w = V.Count, chunk = 4 * w;
        ref double yr = ref MemoryMarshal.GetArrayDataReference(y);
        ref double xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref double fr = ref MemoryMarshal.GetArrayDataReference(f);
        var vs = V.Broadcast(scale);
        for (int rb = 0; rb < rows; rb += GramRowBlock)
        {
            int rEnd = Math.Min(rows, rb + GramRowBlock);
            bool first = rb == 0;
            foreach (int block in blocks)
            {
                int a = 4 * block;
                for (int j = a / chunk * chunk; j < dp; j += chunk)
                {
                    var a00 = V.Zero; var a01 = V.Zero; var a02 = V.Zero; var a03 = V.Zero;
                    var a10 = V.Zero; var a11 = V.Zero; var a12 = V.Zero; var a13 = V.Zero;
                    var a20 = V.Zero; var a21 = V.Zero; var a22 = V.Zero; var a23 = V.Zero;
                    var a30 = V.Zero; var a31 = V.Zero; var a32 = V.Zero; var a33 = V.Zero;
                    for (int i = rb; i < rEnd; i++)
                    {
                        int xi = i * dp + j, yi = i * dp + a;
                        var x0 = V.Load(ref xr, xi); var x1 = V.Load(ref xr, xi + w); var x2 = V.Load(ref xr, xi + 2 * w); var x3 = V.Load(ref xr, xi + 3 * w);
                        var y0 = V.Broadcast(Unsafe.Add(ref yr, yi));
                        a00 = V.Fma(y0, x0, a00); a01 = V.Fma(y0, x1, a01); a02 = V.Fma(y0, x2, a02); a03 = V.Fma(y0, x3, a03);
                        var y1 = V.Broadcast(Unsafe.Add(ref yr, yi + 1));
                        a10 = V.Fma(y1, x0, a10); a11 = V.Fma(y1, x1, a11); a12 = V.Fma(y1, x2, a12); a13 = V.Fma(y1, x3, a13);
                        var y2 = V.Broadcast(Unsafe.Add(ref yr, yi + 2));
                        a20 = V.Fma(y2, x0, a20); a21 = V.Fma(y2, x1, a21); a22 = V.Fma(y2, x2, a22); a23 = V.Fma(y2, x3, a23);
                        var y3 = V.Broadcast(Unsafe.Add(ref yr, yi + 3));
                        a30 = V.Fma(y3, x0, a30); a31 = V.Fma(y3, x1, a31); a32 = V.Fma(y3, x2, a32); a33 = V.Fma(y3, x3, a33);
                    }
                    Accumulate4<V>(ref fr, a * dp + j, w, vs, first, a00, a01, a02, a03);
                    Accumulate4<V>(ref fr, (a + 1) * dp + j, w, vs, first, a10, a11, a12, a13);
                    Accumulate4<V>(ref fr, (a + 2) * dp + j, w, vs, first, a20, a21, a22, a23);
                    Accumulate4<V>(ref fr, (a + 3) * dp + j, w, vs, first, a30, a31, a32, a33);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate4<V>(ref double f, int at, int w, V s, bool first, V a0, V a1, V a2, V a3) where V : struct, ISimd<V>
    {
        if (first)
        {
            Store4<V>(ref f, at, w, s, a0, a1, a2, a3);
            return;
        }
        V.Store(V.Fma(s, a0, V.Load(ref f, at)), ref f, at);
        V.Store(V.Fma(s, a1, V.Load(ref f, at + w)), ref f, at + w);
        V.Store(V.Fma(s, a2, V.Load(ref f, at + 2 * w)), ref f, at + 2 * w);
        V.Store(V.Fma(s, a3, V.Load(ref f, at + 3 * w)), ref f, at + 3 * w);
    }

    /// <summary>
    /// The 4-row blocks of F (0 … ⌈d/4⌉ − 1) split into <paramref name="parts"/> contiguous ranges of about equal work
    /// (a block at row a costs dp − a rounded down to the panel start): the work items of <see cref="WeightedGramBlocked{V}"/>.
    /// </summary>
    public static int[][] BalancedBlocks(int d, int dp, int chunk, int parts)
    {
        int blocks = (d + 3) / 4;
        parts = Math.Max(1, Math.Min(parts, blocks));
        var cost = new double[blocks];
        double total = 0;
        for (int b = 0; b < blocks; b++) total += cost[b] = dp - 4 * b / chunk * chunk;
        var result = new List<int[]>();
        var current = new List<int>();
        double acc = 0;
        for (int b = 0; b < blocks; b++)
        {
            current.Add(b);
            acc += cost[b];
            if (acc >= total * (result.Count + 1) / parts && result.Count < parts - 1)
            {
                result.Add(current.ToArray());
                current.Clear();
            }
        }
        if (current.Count > 0) result.Add(current.ToArray());
        return result.ToArray();
    }

    /// <summary>
    /// C = X M for rows [i0, i1) (multiples of 4) of X (rows × dp, d non-zero columns) and M (d × mp, mp a multiple of
    /// 4 SIMD vectors): C is rows × mp. The same 4 rows × 4 vectors blocking as <see cref="QuadraticForms{V}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<V>(double[] x, int dp, int d, double[] m, int mp, int i0, int i1, double[] c) where V : struct, ISimd<V>
    {
        int w = V.Count, chunk = 4 * w;
        ref double xr = ref MemoryMarshal.GetArrayDataReference(x);
        ref double mr = ref MemoryMarshal.GetArrayDataReference(m);
        ref double cr = ref MemoryMarshal.GetArrayDataReference(c);
        var one = V.Broadcast(1);
        for (int j = 0; j < mp; j += chunk)
            for (int i = i0; i < i1; i += 4)
            {
                int r0 = i * dp, r1 = r0 + dp, r2 = r1 + dp, r3 = r2 + dp;
                var a00 = V.Zero; var a01 = V.Zero; var a02 = V.Zero; var a03 = V.Zero;
                var a10 = V.Zero; var a11 = V.Zero; var a12 = V.Zero; var a13 = V.Zero;
                var a20 = V.Zero; var a21 = V.Zero; var a22 = V.Zero; var a23 = V.Zero;
                var a30 = V.Zero; var a31 = V.Zero; var a32 = V.Zero; var a33 = V.Zero;
                for (int a = 0; a < d; a++)
                {
                    int ma = a * mp + j;
                    var q0 = V.Load(ref mr, ma); var q1 = V.Load(ref mr, ma + w); var q2 = V.Load(ref mr, ma + 2 * w); var q3 = V.Load(ref mr, ma + 3 * w);
                    var x0 = V.Broadcast(Unsafe.Add(ref xr, r0 + a));
                    a00 = V.Fma(x0, q0, a00); a01 = V.Fma(x0, q1, a01); a02 = V.Fma(x0, q2, a02); a03 = V.Fma(x0, q3, a03);
                    var x1 = V.Broadcast(Unsafe.Add(ref xr, r1 + a));
                    a10 = V.Fma(x1, q0, a10); a11 = V.Fma(x1, q1, a11); a12 = V.Fma(x1, q2, a12); a13 = V.Fma(x1, q3, a13);
                    var x2 = V.Broadcast(Unsafe.Add(ref xr, r2 + a));
                    a20 = V.Fma(x2, q0, a20); a21 = V.Fma(x2, q1, a21); a22 = V.Fma(x2, q2, a22); a23 = V.Fma(x2, q3, a23);
                    var x3 = V.Broadcast(Unsafe.Add(ref xr, r3 + a));
                    a30 = V.Fma(x3, q0, a30); a31 = V.Fma(x3, q1, a31); a32 = V.Fma(x3, q2, a32); a33 = V.Fma(x3, q3, a33);
                }
                Store4<V>(ref cr, i * mp + j, w, one, a00, a01, a02, a03);
                Store4<V>(ref cr, (i + 1) * mp + j, w, one, a10, a11, a12, a13);
                Store4<V>(ref cr, (i + 2) * mp + j, w, one, a20, a21, a22, a23);
                Store4<V>(ref cr, (i + 3) * mp + j, w, one, a30, a31, a32, a33);
            }
    }

    /// <summary>Columns padded to a multiple of 4 SIMD vectors of the widest accelerated width.</summary>
    public static int Padded(int d) { int c = 4 * SimdWidth.Resolve(0) / 64; return (d + c - 1) / c * c; }

    /// <summary>scale · XᵀX (dp × dp, full) of X (rows × dp, rows a multiple of 4), in parallel over balanced ranges of
    /// blocks of F (<see cref="WeightedGramBlocked{V}"/> with y = x).</summary>
    public static double[] Gram(double[] x, int rows, int dp, int d, double scale)
    {
        int bits = SimdWidth.Resolve(0);
        var f = new double[dp * dp];
        var parts = BalancedBlocks(d, dp, 4 * bits / 64, 4 * Environment.ProcessorCount);
        Parallel.For(0, parts.Length, p =>
        {
            switch (bits)
            {
                case 512: WeightedGramBlocked<V512>(x, x, rows, dp, parts[p], scale, f); break;
                case 256: WeightedGramBlocked<V256>(x, x, rows, dp, parts[p], scale, f); break;
                default: WeightedGramBlocked<V128>(x, x, rows, dp, parts[p], scale, f); break;
            }
        });
        MirrorUpper(f, d, dp);
        return f;
    }

    /// <summary>X M (rows × mp) for X rows × dp and M d × mp (both padded as <see cref="Padded"/>), in parallel over
    /// blocks of 64 rows.</summary>
    public static double[] Multiply(double[] x, int rows, int dp, int d, double[] m, int mp)
    {
        int bits = SimdWidth.Resolve(0);
        var c = new double[rows * mp];
        int blocks = (rows + 63) / 64;
        Parallel.For(0, blocks, b =>
        {
            int i0 = 64 * b, i1 = Math.Min(rows, i0 + 64);
            switch (bits)
            {
                case 512: Multiply<V512>(x, dp, d, m, mp, i0, i1, c); break;
                case 256: Multiply<V256>(x, dp, d, m, mp, i0, i1, c); break;
                default: Multiply<V128>(x, dp, d, m, mp, i0, i1, c); break;
            }
        });
        return c;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tiled AVX-512 kernels (docs/math.md#the-empirical-model, cost). Both passes are products of the form
    // C (8 × 24) = Σ_{k < K} a_k b_kᵀ with a_k 8 values (broadcast) and b_k 24 values (three Vector512 loads): 24
    // accumulators, 3 loads and 8 broadcasts per 24 vector multiply-adds. The data are packed once per problem:
    //   columns X^(h)[i][r] = x_{i, 8h + r}    (3P column groups of n₈ × 8, P = ⌈d/24⌉ panels of 24 columns,
    //                                            n₈ = n rounded up to 8, zero padded)
    //   rows    X_(g)[a][r] = x_{8g + r, a}    (n₈/8 row groups of d × 8)
    // quadratic forms: for each block of rows and each panel p, Z = X_rows U[:, panel p] over blocks of TileDepth
    //   inner indices a < min(d, 24p + 24) (U upper triangular, packed per step as U^(p)[a][c] = U_{a, 24p+c}), each
    //   8 × 24 tile folded at once into q_i += Σ_c Z_ic x_{i, 24p+c} (x from column groups 3p … 3p + 2): the sums
    //   run over (a-block, p) in that order;
    // Gram matrix: for each panel p, the tiles (g, p), g < 3p + 3, of the upper triangle of F = Σ_i x_i (w_i x_i)ᵀ,
    //   summed over blocks of TileDepth rows in row order: A = column group g (contiguous), B = w ∘ (column groups
    //   3p … 3p + 2 of the block), scaled into a contiguous 24-wide panel per block.
    // Every output is summed by one thread in an order fixed by the sizes alone: the results do not depend on the
    // thread count.
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>Rows of a register tile (broadcast operand).</summary>
    public const int TileRows = 8;

    /// <summary>Columns of a register tile (three Vector512 of doubles).</summary>
    public const int TileColumns = 24;

    /// <summary>Depth of a tile product: the B panel (TileDepth × 24 doubles, 24 KiB) stays in L1 while every A
    /// panel of a block streams past it.</summary>
    public const int TileDepth = 128;

    /// <summary>Rows per block of <see cref="TiledForms"/>: one depth block of their packed groups (512 × 128
    /// doubles, 512 KiB) stays in L2 while every panel of U passes over it.</summary>
    public const int TileRowBlock = 512;

    /// <summary>Whether the tiled kernels run here (AVX-512 and a 512-bit width chosen).</summary>
    public static bool TiledAvailable(int bits) => bits == 512 && Vector512.IsHardwareAccelerated;

    /// <summary>Panels of 24 columns covering d columns: ⌈d/24⌉.</summary>
    public static int Panels(int d) => (d + TileColumns - 1) / TileColumns;

    /// <summary>Rows rounded up to the tile height 8.</summary>
    public static int TileRowCount(int n) => (n + TileRows - 1) / TileRows * TileRows;

    /// <summary>The inner-index bound of panel p of the upper form: min(d, 24p + 24).</summary>
    public static int PanelDepth(int p, int d) => Math.Min(d, TileColumns * (p + 1));

    /// <summary>A zeroed array of at least <paramref name="length"/> doubles whose element <paramref name="offset"/>
    /// is 64-byte aligned (pinned, so that the alignment holds).</summary>
    public static double[] Aligned(int length, out int offset)
    {
        var a = GC.AllocateArray<double>(length + 8, pinned: true);
        var handle = GCHandle.Alloc(a, GCHandleType.Pinned); // on the pinned heap: the address never changes
        nint address = handle.AddrOfPinnedObject();
        handle.Free();
        offset = (int)((64 - (address & 63)) & 63) / sizeof(double);
        return a;
    }

    /// <summary>The data packed for the tiled kernels: column groups (3P × n₈ × 8) and row groups (n₈/8 × d × 8) of
    /// the n × d row-major data, zero padded.</summary>
    public sealed class Packed
    {
        /// <summary>Rows n, padded rows n₈, dimension d, panels P.</summary>
        public readonly int N, Rows, D, P;
        /// <summary>X^(h)[i][r] = x_{i, 8h + r} at <see cref="PanelOffset"/> + (h·n₈ + i)·8 + r.</summary>
        public readonly double[] PanelData;
        /// <summary>X_(g)[a][r] at <see cref="GroupOffset"/> + (g·d + a)·8 + r.</summary>
        public readonly double[] GroupData;
        /// <summary>Aligned starts.</summary>
        public readonly int PanelOffset, GroupOffset;

        /// <summary>Packs n rows of d values (row-major).</summary>
        public Packed(double[] x, int n, int d)
        {
            N = n; D = d; Rows = TileRowCount(n); P = Panels(d);
            PanelData = Aligned(3 * P * Rows * TileRows, out PanelOffset);
            GroupData = Aligned(Rows * d, out GroupOffset);
            for (int i = 0; i < n; i++)
                for (int a = 0; a < d; a++)
                {
                    double v = x[i * d + a];
                    PanelData[PanelOffset + ((a / TileRows) * Rows + i) * TileRows + a % TileRows] = v;
                    GroupData[GroupOffset + ((i / TileRows) * d + a) * TileRows + i % TileRows] = v;
                }
        }
    }

    /// <summary>
    /// The register tile: c[r][j] (8 × 24, row-major, 64-byte aligned or not) = Σ_{k &lt; depth} a[k·lda + r]·b[k·24 + j]
    /// (<paramref name="accumulate"/>: added to c). The sum over k runs in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile(ref double a, int lda, ref double b, int depth, ref double c, bool accumulate)
    {
        var c00 = Vector512<double>.Zero; var c01 = c00; var c02 = c00; var c10 = c00; var c11 = c00; var c12 = c00;
        var c20 = c00; var c21 = c00; var c22 = c00; var c30 = c00; var c31 = c00; var c32 = c00;
        var c40 = c00; var c41 = c00; var c42 = c00; var c50 = c00; var c51 = c00; var c52 = c00;
        var c60 = c00; var c61 = c00; var c62 = c00; var c70 = c00; var c71 = c00; var c72 = c00;
        ref double ap = ref a;
        ref double bp = ref b;
        for (int k = 0; k < depth; k++)
        {
            var b0 = Vector512.LoadUnsafe(ref bp); var b1 = Vector512.LoadUnsafe(ref bp, 8); var b2 = Vector512.LoadUnsafe(ref bp, 16);
            var x = Vector512.Create(ap);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01); c02 = Vector512.FusedMultiplyAdd(x, b2, c02);
            x = Vector512.Create(Unsafe.Add(ref ap, 1));
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11); c12 = Vector512.FusedMultiplyAdd(x, b2, c12);
            x = Vector512.Create(Unsafe.Add(ref ap, 2));
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21); c22 = Vector512.FusedMultiplyAdd(x, b2, c22);
            x = Vector512.Create(Unsafe.Add(ref ap, 3));
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31); c32 = Vector512.FusedMultiplyAdd(x, b2, c32);
            x = Vector512.Create(Unsafe.Add(ref ap, 4));
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41); c42 = Vector512.FusedMultiplyAdd(x, b2, c42);
            x = Vector512.Create(Unsafe.Add(ref ap, 5));
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51); c52 = Vector512.FusedMultiplyAdd(x, b2, c52);
            x = Vector512.Create(Unsafe.Add(ref ap, 6));
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61); c62 = Vector512.FusedMultiplyAdd(x, b2, c62);
            x = Vector512.Create(Unsafe.Add(ref ap, 7));
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71); c72 = Vector512.FusedMultiplyAdd(x, b2, c72);
            ap = ref Unsafe.Add(ref ap, lda);
            bp = ref Unsafe.Add(ref bp, TileColumns);
        }
        Put(ref c, 0, c00, c01, c02, accumulate); Put(ref c, 24, c10, c11, c12, accumulate);
        Put(ref c, 48, c20, c21, c22, accumulate); Put(ref c, 72, c30, c31, c32, accumulate);
        Put(ref c, 96, c40, c41, c42, accumulate); Put(ref c, 120, c50, c51, c52, accumulate);
        Put(ref c, 144, c60, c61, c62, accumulate); Put(ref c, 168, c70, c71, c72, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(ref double c, int at, Vector512<double> v0, Vector512<double> v1, Vector512<double> v2, bool accumulate)
    {
        ref double r = ref Unsafe.Add(ref c, at);
        if (accumulate)
        {
            v0 += Vector512.LoadUnsafe(ref r); v1 += Vector512.LoadUnsafe(ref r, 8); v2 += Vector512.LoadUnsafe(ref r, 16);
        }
        v0.StoreUnsafe(ref r); v1.StoreUnsafe(ref r, 8); v2.StoreUnsafe(ref r, 16);
    }

    /// <summary>Offset of panel p's rows in the packed upper form (<see cref="PackUpper"/>): Σ_{p' &lt; p} min(d, 24p' + 24)·24.</summary>
    public static int UpperPanelOffset(int p, int d)
    {
        int o = 0;
        for (int q = 0; q < p; q++) o += PanelDepth(q, d) * TileColumns;
        return o;
    }

    /// <summary>Length of the packed upper form.</summary>
    public static int UpperLength(int d) => UpperPanelOffset(Panels(d), d);

    /// <summary>
    /// U^(p)[a][c] = U_{a, 24p + c} for a &lt; min(d, 24p + 24) of the upper form of the symmetric Q (dp × dp, row-major):
    /// U_ab = 2 Q_ab (a &lt; b), U_aa = Q_aa, 0 below the diagonal and beyond column d (<see cref="UpperForm"/>).
    /// </summary>
    public static void PackUpper(double[] q, int d, int dp, double[] u, int offset)
    {
        int panels = Panels(d), o = offset;
        for (int p = 0; p < panels; p++)
        {
            int depth = PanelDepth(p, d), j0 = TileColumns * p;
            for (int a = 0; a < depth; a++, o += TileColumns)
                for (int c = 0; c < TileColumns; c++)
                {
                    int j = j0 + c;
                    u[o + c] = j >= d || j < a ? 0 : j == a ? q[a * dp + a] : 2 * q[a * dp + j];
                }
        }
    }

    /// <summary>
    /// q_i = x_iᵀ U x_i for the rows [i0, i1) (multiples of 8) of the packed data, U packed by <see cref="PackUpper"/>,
    /// in blocks of <see cref="TileRowBlock"/> rows; <paramref name="tile"/> is 192 doubles of scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TiledForms(Packed x, double[] u, int uOffset, int i0, int i1, double[] result, double[] tile)
    {
        int d = x.D, rows = x.Rows;
        Array.Clear(result, i0, i1 - i0);
        ref double groups = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x.GroupData), x.GroupOffset);
        ref double panels = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x.PanelData), x.PanelOffset);
        ref double ur = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(u), uOffset);
        ref double tr = ref MemoryMarshal.GetArrayDataReference(tile);
        int depthMax = PanelDepth(x.P - 1, d);
        for (int b0 = i0; b0 < i1; b0 += TileRowBlock)
        {
            int b1 = Math.Min(i1, b0 + TileRowBlock);
            for (int a0 = 0; a0 < depthMax; a0 += TileDepth)
            {
                int uPanel = 0;
                for (int p = 0; p < x.P; p++)
                {
                    int depth = PanelDepth(p, d);
                    if (a0 < depth)
                    {
                        int kc = Math.Min(TileDepth, depth - a0);
                        ref double bPanel = ref Unsafe.Add(ref ur, uPanel + a0 * TileColumns);
                        for (int i = b0; i < b1; i += TileRows)
                        {
                            Tile(ref Unsafe.Add(ref groups, (i / TileRows * d + a0) * TileRows), TileRows, ref bPanel, kc, ref tr, false);
                            ref double x0 = ref Unsafe.Add(ref panels, (3 * p * rows + i) * TileRows);
                            ref double x1 = ref Unsafe.Add(ref x0, rows * TileRows);
                            ref double x2 = ref Unsafe.Add(ref x1, rows * TileRows);
                            for (int r = 0; r < TileRows; r++)
                            {
                                int o = r * TileColumns, xo = r * TileRows;
                                var v = Vector512.LoadUnsafe(ref tr, (nuint)o) * Vector512.LoadUnsafe(ref x0, (nuint)xo);
                                v = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref tr, (nuint)(o + 8)), Vector512.LoadUnsafe(ref x1, (nuint)xo), v);
                                v = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref tr, (nuint)(o + 16)), Vector512.LoadUnsafe(ref x2, (nuint)xo), v);
                                result[i + r] += Vector512.Sum(v);
                            }
                        }
                    }
                    uPanel += depth * TileColumns;
                }
            }
        }
    }

    /// <summary>Offset of tile (g, p) of the packed upper Gram matrix: (3p(p+1)/2 + g)·192.</summary>
    public static int GramTileOffset(int p, int g) => (3 * p * (p + 1) / 2 + g) * TileRows * TileColumns;

    /// <summary>Length of the packed upper Gram matrix (all tiles g &lt; 3p + 3 of every panel).</summary>
    public static int GramLength(int d) => GramTileOffset(Panels(d), 0);

    /// <summary>
    /// The tiles (g, p), g &lt; 3p + 3, of F = Σ_i w_i x_i x_iᵀ for the panels [p0, p1) of the packed data, into
    /// <paramref name="f"/> (<see cref="GramTileOffset"/>; unscaled); <paramref name="scaled"/> from
    /// <paramref name="scaledOffset"/> is scratch of TileDepth × 24 doubles for w ∘ one block of a panel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TiledGram(Packed x, double[] w, int p0, int p1, double[] f, double[] scaled, int scaledOffset)
    {
        int rows = x.Rows;
        ref double panels = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x.PanelData), x.PanelOffset);
        ref double sr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(scaled), scaledOffset);
        ref double fr = ref MemoryMarshal.GetArrayDataReference(f);
        for (int i0 = 0; i0 < rows; i0 += TileDepth)
        {
            int kc = Math.Min(TileDepth, rows - i0);
            bool accumulate = i0 > 0;
            for (int p = p0; p < p1; p++)
            {
                ref double s0 = ref Unsafe.Add(ref panels, (3 * p * rows + i0) * TileRows);
                ref double s1 = ref Unsafe.Add(ref s0, rows * TileRows);
                ref double s2 = ref Unsafe.Add(ref s1, rows * TileRows);
                for (int k = 0; k < kc; k++)
                {
                    var wk = Vector512.Create(w[i0 + k]);
                    int o = k * TileColumns, xo = k * TileRows;
                    (wk * Vector512.LoadUnsafe(ref s0, (nuint)xo)).StoreUnsafe(ref sr, (nuint)o);
                    (wk * Vector512.LoadUnsafe(ref s1, (nuint)xo)).StoreUnsafe(ref sr, (nuint)(o + 8));
                    (wk * Vector512.LoadUnsafe(ref s2, (nuint)xo)).StoreUnsafe(ref sr, (nuint)(o + 16));
                }
                for (int g = 0; g < 3 * p + 3; g++)
                    Tile(ref Unsafe.Add(ref panels, (g * rows + i0) * TileRows), TileRows, ref sr, kc,
                        ref Unsafe.Add(ref fr, GramTileOffset(p, g)), accumulate);
            }
        }
    }

    /// <summary>F (dp × dp, full) = scale · the packed upper tiles, mirrored: F_ab = F_ba = scale · tile entry for a ≤ b &lt; d.</summary>
    public static void UnpackGram(double[] packed, int d, int dp, double scale, double[] f)
    {
        int panels = Panels(d);
        for (int p = 0; p < panels; p++)
            for (int g = 0; g < 3 * p + 3; g++)
            {
                int o = GramTileOffset(p, g);
                for (int r = 0; r < TileRows; r++)
                {
                    int a = TileRows * g + r;
                    if (a >= d) break;
                    for (int c = 0; c < TileColumns; c++)
                    {
                        int b = TileColumns * p + c;
                        if (b >= d) break;
                        if (b < a) continue;
                        double v = scale * packed[o + r * TileColumns + c];
                        f[a * dp + b] = v;
                        f[b * dp + a] = v;
                    }
                }
            }
    }

    /// <summary>Balanced contiguous ranges of panels for <see cref="TiledGram"/> (panel p costs 3p + 3 tiles).</summary>
    public static (int P0, int P1)[] GramPanelRanges(int d, int parts)
    {
        int panels = Panels(d);
        parts = Math.Max(1, Math.Min(parts, panels));
        double total = 3.0 * panels * (panels + 1) / 2, acc = 0;
        var result = new List<(int, int)>();
        int start = 0;
        for (int p = 0; p < panels; p++)
        {
            acc += 3 * p + 3;
            if ((acc >= total * (result.Count + 1) / parts && result.Count < parts - 1) || p == panels - 1)
            {
                result.Add((start, p + 1));
                start = p + 1;
            }
        }
        return result.ToArray();
    }

    /// <summary>result_i = x_i · v (i &lt; n) from the packed groups: eight rows per vector.</summary>
    public static void TiledRowDots(Packed x, double[] v, double[] result)
    {
        int d = x.D;
        ref double groups = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x.GroupData), x.GroupOffset);
        for (int g = 0; g < x.Rows / TileRows; g++)
        {
            var acc = Vector512<double>.Zero;
            ref double src = ref Unsafe.Add(ref groups, g * d * TileRows);
            for (int a = 0; a < d; a++) acc = Vector512.FusedMultiplyAdd(Vector512.Create(v[a]), Vector512.LoadUnsafe(ref src, (nuint)(a * TileRows)), acc);
            for (int r = 0; r < TileRows && g * TileRows + r < x.N; r++) result[g * TileRows + r] = acc[r];
        }
    }

    // The transposed terms of the block update (docs/math.md#the-empirical-model) in 32 × 32 tiles, so that the column
    // reads stay in cache; each element's arithmetic is the plain loop's, so the results are the same bits.

    /// <summary>Edge of the tiles of <see cref="AddNoiseTerms"/>, <see cref="Symmetrize"/>, <see cref="TransposeInto"/>.</summary>
    private const int Block = 32;

    /// <summary>dst_ab += b_p b_q F_ab − b_q G^p_ab λ_b − b_p λ_a G^q_ba for a, b &lt; d (row-major, stride dp).</summary>
    public static void AddNoiseTerms(double[] dst, double[] f, double[] gp, double[] gq, double[] lambda, int d, int dp, double bp, double bq)
    {
        double bb = bp * bq;
        for (int a0 = 0; a0 < d; a0 += Block)
            for (int b0 = 0; b0 < d; b0 += Block)
            {
                int a1 = Math.Min(d, a0 + Block), b1 = Math.Min(d, b0 + Block);
                for (int a = a0; a < a1; a++)
                {
                    int o = a * dp;
                    double la = lambda[a];
                    for (int b = b0; b < b1; b++)
                        dst[o + b] += bb * f[o + b] - bq * gp[o + b] * lambda[b] - bp * la * gq[b * dp + a];
                }
            }
    }

    /// <summary>m_ab = m_ba = ½(m_ab + m_ba) for a ≠ b &lt; d.</summary>
    public static void Symmetrize(double[] m, int d, int dp)
    {
        for (int a0 = 0; a0 < d; a0 += Block)
            for (int b0 = 0; b0 <= a0; b0 += Block)
            {
                int a1 = Math.Min(d, a0 + Block), b1 = Math.Min(d, b0 + Block);
                for (int a = a0; a < a1; a++)
                    for (int b = b0; b < Math.Min(b1, a); b++)
                    {
                        double v = 0.5 * (m[a * dp + b] + m[b * dp + a]);
                        m[a * dp + b] = v; m[b * dp + a] = v;
                    }
            }
    }

    /// <summary>t_ba = m_ab for a, b &lt; d.</summary>
    public static void TransposeInto(double[] m, double[] t, int d, int dp)
    {
        for (int a0 = 0; a0 < d; a0 += Block)
            for (int b0 = 0; b0 < d; b0 += Block)
            {
                int a1 = Math.Min(d, a0 + Block), b1 = Math.Min(d, b0 + Block);
                for (int a = a0; a < a1; a++)
                    for (int b = b0; b < b1; b++) t[b * dp + a] = m[a * dp + b];
            }
    }
}
