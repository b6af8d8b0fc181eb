using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// reused (docs/math.md#the-empirical-model, cost).
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
}
