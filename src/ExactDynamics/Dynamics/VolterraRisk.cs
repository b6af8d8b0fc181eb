using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The risk trajectory in renewal (Volterra) form (docs/volterra.md). The directions interact only through
/// ν_t = μ_t + σ², μ_t = Σ_j λ_j cᵀS_{t,j}c, so unrolling docs/math.md#second-moment-recursion gives
/// <code>
/// μ_t = f_t + (1/B) Σ_{s&lt;t} K_{t−1−s} ν_s,      f_n = Σ_i λ_i cc·D_iⁿ s_{0,i},   K_n = Σ_i λ_i² cc·D_iⁿ bb
/// 2 E L_t = r_t + (1/B) Σ_{s&lt;t} R_{t−1−s} ν_s,  r_n = Σ_i λ_i oo·D_iⁿ s_{0,i},   R_n = Σ_i λ_i² oo·D_iⁿ bb
/// </code>
/// with D_i = T_i⊗T_i + κ'_i bb ccᵀ the local (uncoupled) map of direction i. When o = c (SGD, heavy ball, ASGD,
/// the PyTorch rules) r = f, R = K and E L_t = μ_t/2.
/// <para>
/// The local sequences are computed by the adjoint iteration y_{n+1} = D_iᵀ y_n, y_0 = cc (and z for oo), in the
/// consistent basis of <see cref="ConsistentBasis"/> (initial block s_i e₁e₁ᵀ, so the forcing read-out is the single
/// coordinate λ_i s_i y_n[0]): SIMD across directions, directions in chunks of <see cref="ChunkSize"/> that stay in
/// cache for a whole tile of <see cref="Tile"/> steps (temporal blocking), chunks on all cores with partial sums
/// reduced in chunk order. The scalar convolution is then solved directly (O(T²)) for short horizons and by
/// <see cref="BlockedConvolution"/> (O(T log² T), exponentially weighted FFT squares checked at every t) for long ones.
/// </para>
/// </summary>
internal static class VolterraRisk
{
    internal const int ChunkSize = 4096;
    internal const int Tile = 256;
    internal const int Wave = 64;
    /// <summary>Bound on the per-chunk partial sequences held at once (a wave): 256 MB, e.g. 64 chunks up to T ≈ 2.6·10⁵
    /// for o = c, fewer chunks per wave beyond.</summary>
    internal const long MaxWaveBytes = 256L << 20;
    /// <summary>Lanes of a decaying local sequence below this magnitude are set to zero (every 8 steps), which keeps
    /// the iteration out of the slow subnormal range; the dropped contributions are below 1e-250·λ·s absolutely.</summary>
    internal const double FlushThreshold = 1e-250;
    /// <summary>Trajectories with μ_t or E L_t below this are recomputed by the fused pass (flushing is then no longer negligible).</summary>
    internal const double SmallestTrusted = 1e-200;

    /// <summary>k ≤ 2, and an EMA over a one- or two-state method (<see cref="EmaRenewal"/>).</summary>
    public static bool Supports(LinearMethod method) => method.K <= 2 || EmaRenewal.Supports(method);

    /// <summary>
    /// E L_t for t = 0..steps, or null when the fast path cannot vouch for the result (a non-finite value, i.e. a
    /// divergent method, or values so small that flushing matters); the caller then uses the fused pass, which is the
    /// definition of where an overflow happens.
    /// </summary>
    public static double[]? Trajectory(Problem problem, LinearMethod method, int steps, ExecutionOptions options)
    {
        if (!Supports(method)) return null;
        if (EmaRenewal.Supports(method)) return EmaRenewal.Trajectory(problem, method, steps, options);
        (problem, method, var scale) = ProblemScale.Normalise(problem, method); // O(1) numbers (its thresholds are absolute)
        var seq = LocalSequences(problem, method, steps, options);
        if (seq is null) return null;
        var risk = Solve(problem, seq, steps);
        if (risk is null) return null;
        scale.RiskToUser(risk);
        foreach (var r in risk) if (!double.IsFinite(r)) return null; // beyond double in the user's units: the fused pass says where
        return risk;
    }

    internal sealed class Sequences(double[] f, double[] k, double[]? r, double[]? rk)
    {
        public double[] F = f, K = k;
        public double[]? R = r, RK = rk;
    }

    /// <summary>f_n, K_n (and r_n, R_n when o ≠ c) for n = 0..steps; null when a value is not finite.</summary>
    internal static Sequences? LocalSequences(Problem problem, LinearMethod method, int steps, ExecutionOptions options)
    {
        var ctx = new Context(problem, method, steps, options);
        int d = ctx.D, len = steps + 1;
        int chunks = (d + ChunkSize - 1) / ChunkSize;
        int ns = ctx.NumSeq;
        var total = new double[ns][];
        for (int q = 0; q < ns; q++) total[q] = new double[len];
        // Chunks per wave: at most Wave, and at most MaxWaveBytes of partial sequences (long horizons). The sum is
        // over chunks in chunk order whatever the wave size, so the result does not depend on it.
        int wave = (int)Math.Clamp(MaxWaveBytes / (8L * ns * len), 1, Wave);
        int waveSize = Math.Min(wave, chunks);
        var partial = new double[waveSize * ns * len];
        var job = new WaveJob(ctx, partial);
        for (int w0 = 0; w0 < chunks; w0 += wave)
        {
            int n = Math.Min(wave, chunks - w0);
            job.FirstChunk = w0;
            if (options.Threads > 1 && n > 1) ChunkPool.Shared.Run(job, n, options.Threads);
            else for (int j = 0; j < n; j++) job.Run(j);
            // reduce in chunk order
            for (int j = 0; j < n; j++)
                for (int q = 0; q < ns; q++)
                {
                    var src = partial.AsSpan((j * ns + q) * len, len);
                    var dst = total[q];
                    for (int t = 0; t < len; t++) dst[t] += src[t];
                }
        }
        for (int q = 0; q < ns; q++)
            foreach (var v in total[q])
                if (!double.IsFinite(v)) return null;
        return ns == 2 ? new Sequences(total[0], total[1], null, null) : new Sequences(total[0], total[1], total[2], total[3]);
    }

    /// <summary>Horizons from which the convolution is solved by <see cref="BlockedConvolution"/> (O(T log² T)) rather
    /// than directly (O(T²)); measured crossover (BENCHMARKS.md#long-horizons).</summary>
    internal const int FftCrossover = 4096;

    /// <summary>
    /// μ_t = f_t + (1/B) Σ K_{t−1−s}(μ_s + σ²), and the risk; null when not finite or too small to trust. Directly
    /// below <see cref="FftCrossover"/> (or when a kernel value is negative, m4 &lt; 2), by the blocked FFT solver beyond
    /// (which itself falls back to direct sums at every t where it cannot vouch for ~1e-14 relative).
    /// </summary>
    internal static double[]? Solve(Problem problem, Sequences seq, int steps)
    {
        if (steps >= FftCrossover && BlockedConvolution.Applicable(seq))
            return new BlockedConvolution(seq, 1.0 / problem.Batch, problem.Noise, steps).Run();
        return SolveDirect(problem, seq, steps);
    }

    /// <summary>The direct O(T²) solver of <see cref="Solve"/>: one SIMD dot product of the reversed kernel with the
    /// history per step (all terms non-negative when m4 ≥ 2, so every μ_t is accurate to a few ulps relative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double[]? SolveDirect(Problem problem, Sequences seq, int steps)
    {
        double invB = 1.0 / problem.Batch, sigma2 = problem.Noise;
        int len = steps + 1;
        var nu = new double[len];
        var mu = new double[len];
        var krev = new double[Math.Max(steps, 1)];
        for (int j = 0; j < steps; j++) krev[j] = seq.K[steps - 1 - j];
        double[]? rrev = null;
        if (seq.R is not null)
        {
            rrev = new double[Math.Max(steps, 1)];
            for (int j = 0; j < steps; j++) rrev[j] = seq.RK![steps - 1 - j];
        }
        var risk = new double[len];
        for (int t = 0; t <= steps; t++)
        {
            double m = seq.F[t], r = seq.R is null ? 0 : seq.R[t];
            if (t > 0)
            {
                m += invB * Dot(krev.AsSpan(steps - t, t), nu.AsSpan(0, t));
                if (rrev is not null) r += invB * Dot(rrev.AsSpan(steps - t, t), nu.AsSpan(0, t));
            }
            mu[t] = m;
            nu[t] = m + sigma2;
            double l = 0.5 * (seq.R is null ? m : r);
            if (!double.IsFinite(m) || !double.IsFinite(l) || m < SmallestTrusted || l < SmallestTrusted) return null;
            risk[t] = l;
        }
        return risk;
    }

    /// <summary>Σ a_i b_i in a fixed order (SIMD lanes, then lanes in order, then the tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = a.Length, i = 0;
        ref double ra = ref MemoryMarshal.GetReference(a);
        ref double rb = ref MemoryMarshal.GetReference(b);
        double s = 0;
        if (n >= 16)
        {
            var acc0 = V256.Zero; var acc1 = V256.Zero; var acc2 = V256.Zero; var acc3 = V256.Zero;
            for (; i + 16 <= n; i += 16)
            {
                acc0 = V256.Fma(V256.Load(ref ra, i), V256.Load(ref rb, i), acc0);
                acc1 = V256.Fma(V256.Load(ref ra, i + 4), V256.Load(ref rb, i + 4), acc1);
                acc2 = V256.Fma(V256.Load(ref ra, i + 8), V256.Load(ref rb, i + 8), acc2);
                acc3 = V256.Fma(V256.Load(ref ra, i + 12), V256.Load(ref rb, i + 12), acc3);
            }
            s = V256.Sum(V256.Add(V256.Add(acc0, acc1), V256.Add(acc2, acc3)));
        }
        for (; i < n; i++) s += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        return s;
    }

    /// <summary>Everything a chunk needs: the spectrum, the method in the consistent basis, sizes.</summary>
    internal sealed class Context
    {
        public readonly double[] Lambda;
        public readonly double[] Init;
        public readonly int D, Steps, NumSeq, Bits;
        public readonly double K4InvB;
        // consistent basis (k ≤ 2): Ã, b̃, c̃ (c̃₀ = 1), õ (õ₀ = 1)
        public readonly int K;
        public readonly double A00, A01, A10, A11, B0, B1, C1, O1;
        public readonly double[] BB = new double[3], CC = new double[3], OO = new double[3];
        public readonly bool SameReadout;

        public Context(Problem problem, LinearMethod method, int steps, ExecutionOptions options)
        {
            Lambda = ContractionGap.LambdaOf(problem.Spectrum); // shared, read-only
            Init = problem.Initial.ToArray();
            D = Lambda.Length;
            Steps = steps;
            Bits = SimdWidth.Resolve(options.VectorBits);
            K4InvB = (problem.Kurtosis - 2) / problem.Batch;
            K = method.K;
            var basis = new ConsistentBasis(method);
            var at = basis.Atilde; var bt = basis.Btilde; var ct = basis.Ctilde; var ot = basis.Otilde;
            bool same = true;
            for (int p = 0; p < method.K; p++) if (method.C[p] != method.O[p]) same = false;
            SameReadout = same;
            NumSeq = same ? 2 : 4;
            if (K == 1)
            {
                A00 = 1; B0 = bt[0];
                BB[0] = B0 * B0; CC[0] = 1; OO[0] = 1;
            }
            else
            {
                A00 = at[0, 0]; A01 = at[0, 1]; A10 = at[1, 0]; A11 = at[1, 1];
                B0 = bt[0]; B1 = bt[1]; C1 = ct[1]; O1 = ot[1];
                BB[0] = B0 * B0; BB[1] = B0 * B1; BB[2] = B1 * B1;
                CC[0] = 1; CC[1] = 2 * C1; CC[2] = C1 * C1;
                OO[0] = 1; OO[1] = 2 * O1; OO[2] = O1 * O1;
            }
        }
    }

    /// <summary>Per-thread scratch: padded copies of a chunk's λ, s, validity mask, local states, tile accumulators.</summary>
    private sealed class Scratch
    {
        public readonly double[] Lam = new double[ChunkSize], S = new double[ChunkSize], Valid = new double[ChunkSize];
        public readonly double[] Y = new double[6 * ChunkSize];
        public double[] Acc = new double[4 * Tile * 8];
        [ThreadStatic] private static Scratch? _current;
        public static Scratch Current => _current ??= new Scratch();
    }

    private sealed class WaveJob(Context ctx, double[] partial) : IChunkJob
    {
        public int FirstChunk;

        public void Run(int j)
        {
            int len = ctx.Steps + 1, ns = ctx.NumSeq;
            var outSpan = partial.AsSpan(j * ns * len, ns * len);
            int c = FirstChunk + j;
            int i0 = c * ChunkSize, i1 = Math.Min(ctx.D, i0 + ChunkSize);
            var sc = Scratch.Current;
            int width = ctx.Bits / 64;
            int block = 2 * width;
            int padded = LoadChunk(ctx.Lambda, ctx.Init, i0, i1, block, sc.Lam, sc.S, sc.Valid);
            switch (ctx.Bits)
            {
                case 512: ChunkKernel<V512>(ctx, sc, padded, outSpan); break;
                case 256: ChunkKernel<V256>(ctx, sc, padded, outSpan); break;
                default: ChunkKernel<V128>(ctx, sc, padded, outSpan); break;
            }
        }
    }

    /// <summary>Copies directions i0..i1 of λ and s into a chunk's scratch with validity 1, padded with zeros to a
    /// multiple of <paramref name="block"/>; returns the padded count.</summary>
    internal static int LoadChunk(double[] lambda, double[] init, int i0, int i1, int block, double[] lam, double[] s, double[] valid)
    {
        int count = i1 - i0, padded = (count + block - 1) / block * block;
        Array.Copy(lambda, i0, lam, 0, count);
        Array.Copy(init, i0, s, 0, count);
        Array.Fill(valid, 1.0, 0, count);
        if (padded > count)
        {
            Array.Clear(lam, count, padded - count);
            Array.Clear(s, count, padded - count);
            Array.Clear(valid, count, padded - count);
        }
        return padded;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChunkKernel<V>(Context ctx, Scratch sc, int padded, Span<double> output) where V : struct, ISimd<V>
    {
        int len = ctx.Steps + 1, ns = ctx.NumSeq, w = V.Count;
        if (sc.Acc.Length < ns * Tile * w) sc.Acc = new double[ns * Tile * w];
        var acc = sc.Acc;
        for (int t0 = 0; t0 < len; t0 += Tile)
        {
            int tl = Math.Min(Tile, len - t0);
            Array.Clear(acc, 0, ns * Tile * w);
            for (int i = 0; i < padded; i += 2 * w)
            {
                if (ctx.K == 1) Block1<V>(ctx, sc, i, t0, tl);
                else if (ctx.SameReadout) Block2<V>(ctx, sc, i, t0, tl);
                else Block2Readout<V>(ctx, sc, i, t0, tl);
            }
            // horizontal reduction of the tile, lanes in order
            ref double ra = ref MemoryMarshal.GetArrayDataReference(acc);
            for (int q = 0; q < ns; q++)
            {
                var dst = output.Slice(q * len + t0, tl);
                for (int n = 0; n < tl; n++) dst[n] = V.Sum(V.Load(ref ra, (q * Tile + n) * w));
            }
        }
    }

    /// <summary>k = 1: y_{n+1} = (t² + κ' b̃²) y_n, y_0 = 1; f_n += λ s y_n, K_n += λ² b̃² y_n. Two vectors per block.</summary>
    private static void Block1<V>(Context ctx, Scratch sc, int i, int t0, int tl) where V : struct, ISimd<V>
    {
        int w = V.Count;
        ref double lamR = ref MemoryMarshal.GetArrayDataReference(sc.Lam);
        ref double sR = ref MemoryMarshal.GetArrayDataReference(sc.S);
        ref double vR = ref MemoryMarshal.GetArrayDataReference(sc.Valid);
        ref double yR = ref MemoryMarshal.GetArrayDataReference(sc.Y);
        ref double acc = ref MemoryMarshal.GetArrayDataReference(sc.Acc);
        var la = V.Load(ref lamR, i); var lb = V.Load(ref lamR, i + w);
        var negB = V.Broadcast(-ctx.B0); var one = V.Broadcast(1.0);
        var kb = V.Broadcast(ctx.K4InvB * ctx.BB[0]);
        var ta = V.Fma(la, negB, one); var tb = V.Fma(lb, negB, one);
        var da = V.Mul(V.Fma(ta, ta, V.Mul(V.Mul(kb, la), la)), V.Load(ref vR, i));
        var db = V.Mul(V.Fma(tb, tb, V.Mul(V.Mul(kb, lb), lb)), V.Load(ref vR, i + w));
        var wfa = V.Mul(la, V.Load(ref sR, i)); var wfb = V.Mul(lb, V.Load(ref sR, i + w));
        var bb = V.Broadcast(ctx.BB[0]);
        var wka = V.Mul(V.Mul(la, la), bb); var wkb = V.Mul(V.Mul(lb, lb), bb);
        V ya, yb;
        if (t0 == 0) { ya = V.Broadcast(1.0); yb = ya; }
        else { ya = V.Load(ref yR, i); yb = V.Load(ref yR, i + w); }
        var flush = V.Broadcast(FlushThreshold);
        int kOff = Tile * w;
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            V.Store(V.Fma(wfa, ya, V.Fma(wfb, yb, V.Load(ref acc, o))), ref acc, o);
            V.Store(V.Fma(wka, ya, V.Fma(wkb, yb, V.Load(ref acc, kOff + o))), ref acc, kOff + o);
            ya = V.Mul(da, ya); yb = V.Mul(db, yb);
            if ((n & 7) == 7) { ya = V.FlushBelow(ya, flush); yb = V.FlushBelow(yb, flush); }
        }
        V.Store(ya, ref yR, i); V.Store(yb, ref yR, i + w);
    }

    /// <summary>Dᵀ (row f = column f of D) of the k = 2 local map in the consistent basis, kurtosis folded in:
    /// D = L(T) + κ' BB CCᵀ, T = Ã − λ b̃ c̃ᵀ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LocalMap<V>(Context ctx, V l, V valid,
        out V m00, out V m01, out V m02, out V m10, out V m11, out V m12, out V m20, out V m21, out V m22)
        where V : struct, ISimd<V>
    {
        // T = Ã − λ b̃ c̃ᵀ with c̃ = (1, c̃₁)
        var t00 = V.Fma(l, V.Broadcast(-ctx.B0), V.Broadcast(ctx.A00));
        var t01 = V.Fma(l, V.Broadcast(-ctx.B0 * ctx.C1), V.Broadcast(ctx.A01));
        var t10 = V.Fma(l, V.Broadcast(-ctx.B1), V.Broadcast(ctx.A10));
        var t11 = V.Fma(l, V.Broadcast(-ctx.B1 * ctx.C1), V.Broadcast(ctx.A11));
        var two = V.Broadcast(2.0);
        var kp = V.Mul(V.Mul(V.Broadcast(ctx.K4InvB), l), l);
        var bb0 = V.Mul(kp, V.Broadcast(ctx.BB[0])); var bb1 = V.Mul(kp, V.Broadcast(ctx.BB[1])); var bb2 = V.Mul(kp, V.Broadcast(ctx.BB[2]));
        var cc0 = V.Broadcast(ctx.CC[0]); var cc1 = V.Broadcast(ctx.CC[1]); var cc2 = V.Broadcast(ctx.CC[2]);
        // L[e,f] (rows e = output coordinate 00, 01, 11; columns f = input coordinate)
        var l00 = V.Mul(t00, t00); var l01 = V.Mul(two, V.Mul(t00, t01)); var l02 = V.Mul(t01, t01);
        var l10 = V.Mul(t00, t10); var l11 = V.Fma(t00, t11, V.Mul(t01, t10)); var l12 = V.Mul(t01, t11);
        var l20 = V.Mul(t10, t10); var l21 = V.Mul(two, V.Mul(t10, t11)); var l22 = V.Mul(t11, t11);
        // m[f][e] = D[e,f] = L[e,f] + κ' BB_e CC_f
        m00 = V.Mul(V.Fma(bb0, cc0, l00), valid); m01 = V.Mul(V.Fma(bb1, cc0, l10), valid); m02 = V.Mul(V.Fma(bb2, cc0, l20), valid);
        m10 = V.Mul(V.Fma(bb0, cc1, l01), valid); m11 = V.Mul(V.Fma(bb1, cc1, l11), valid); m12 = V.Mul(V.Fma(bb2, cc1, l21), valid);
        m20 = V.Mul(V.Fma(bb0, cc2, l02), valid); m21 = V.Mul(V.Fma(bb1, cc2, l12), valid); m22 = V.Mul(V.Fma(bb2, cc2, l22), valid);
    }

    /// <summary>k = 2, o = c: y_{n+1} = D_iᵀ y_n, y_0 = cc; f_n += λ s y_n[0], K_n += λ² BB·y_n. Two vectors per block.</summary>
    private static void Block2<V>(Context ctx, Scratch sc, int i, int t0, int tl) where V : struct, ISimd<V>
    {
        int w = V.Count;
        ref double lamR = ref MemoryMarshal.GetArrayDataReference(sc.Lam);
        ref double sR = ref MemoryMarshal.GetArrayDataReference(sc.S);
        ref double vR = ref MemoryMarshal.GetArrayDataReference(sc.Valid);
        ref double yR = ref MemoryMarshal.GetArrayDataReference(sc.Y);
        ref double acc = ref MemoryMarshal.GetArrayDataReference(sc.Acc);
        var la = V.Load(ref lamR, i); var lb = V.Load(ref lamR, i + w);
        LocalMap(ctx, la, V.Load(ref vR, i), out var a00, out var a01, out var a02, out var a10, out var a11, out var a12, out var a20, out var a21, out var a22);
        LocalMap(ctx, lb, V.Load(ref vR, i + w), out var b00, out var b01, out var b02, out var b10, out var b11, out var b12, out var b20, out var b21, out var b22);
        var wfa = V.Mul(la, V.Load(ref sR, i)); var wfb = V.Mul(lb, V.Load(ref sR, i + w));
        var wka = V.Mul(la, la); var wkb = V.Mul(lb, lb);
        var bb0 = V.Broadcast(ctx.BB[0]); var bb1 = V.Broadcast(ctx.BB[1]); var bb2 = V.Broadcast(ctx.BB[2]);
        V ya0, ya1, ya2, yb0, yb1, yb2;
        int cs = ChunkSize;
        if (t0 == 0)
        {
            ya0 = yb0 = V.Broadcast(ctx.CC[0]); ya1 = yb1 = V.Broadcast(ctx.CC[1]); ya2 = yb2 = V.Broadcast(ctx.CC[2]);
        }
        else
        {
            ya0 = V.Load(ref yR, i); ya1 = V.Load(ref yR, cs + i); ya2 = V.Load(ref yR, 2 * cs + i);
            yb0 = V.Load(ref yR, i + w); yb1 = V.Load(ref yR, cs + i + w); yb2 = V.Load(ref yR, 2 * cs + i + w);
        }
        var flush = V.Broadcast(FlushThreshold);
        int kOff = Tile * w;
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            var qa = V.Fma(bb0, ya0, V.Fma(bb1, ya1, V.Mul(bb2, ya2)));
            var qb = V.Fma(bb0, yb0, V.Fma(bb1, yb1, V.Mul(bb2, yb2)));
            V.Store(V.Fma(wfa, ya0, V.Fma(wfb, yb0, V.Load(ref acc, o))), ref acc, o);
            V.Store(V.Fma(wka, qa, V.Fma(wkb, qb, V.Load(ref acc, kOff + o))), ref acc, kOff + o);
            var na0 = V.Fma(a00, ya0, V.Fma(a01, ya1, V.Mul(a02, ya2)));
            var na1 = V.Fma(a10, ya0, V.Fma(a11, ya1, V.Mul(a12, ya2)));
            var na2 = V.Fma(a20, ya0, V.Fma(a21, ya1, V.Mul(a22, ya2)));
            var nb0 = V.Fma(b00, yb0, V.Fma(b01, yb1, V.Mul(b02, yb2)));
            var nb1 = V.Fma(b10, yb0, V.Fma(b11, yb1, V.Mul(b12, yb2)));
            var nb2 = V.Fma(b20, yb0, V.Fma(b21, yb1, V.Mul(b22, yb2)));
            ya0 = na0; ya1 = na1; ya2 = na2; yb0 = nb0; yb1 = nb1; yb2 = nb2;
            if ((n & 7) == 7)
            {
                ya0 = V.FlushBelow(ya0, flush); ya1 = V.FlushBelow(ya1, flush); ya2 = V.FlushBelow(ya2, flush);
                yb0 = V.FlushBelow(yb0, flush); yb1 = V.FlushBelow(yb1, flush); yb2 = V.FlushBelow(yb2, flush);
            }
        }
        V.Store(ya0, ref yR, i); V.Store(ya1, ref yR, cs + i); V.Store(ya2, ref yR, 2 * cs + i);
        V.Store(yb0, ref yR, i + w); V.Store(yb1, ref yR, cs + i + w); V.Store(yb2, ref yR, 2 * cs + i + w);
    }

    /// <summary>k = 2, o ≠ c (Nesterov, custom): the cc sequence y and the oo sequence z, one vector each per half-block.</summary>
    private static void Block2Readout<V>(Context ctx, Scratch sc, int i, int t0, int tl) where V : struct, ISimd<V>
    {
        int w = V.Count;
        for (int h = 0; h < 2; h++)
        {
            int ii = i + h * w;
            ref double lamR = ref MemoryMarshal.GetArrayDataReference(sc.Lam);
            ref double sR = ref MemoryMarshal.GetArrayDataReference(sc.S);
            ref double vR = ref MemoryMarshal.GetArrayDataReference(sc.Valid);
            ref double yR = ref MemoryMarshal.GetArrayDataReference(sc.Y);
            ref double acc = ref MemoryMarshal.GetArrayDataReference(sc.Acc);
            var l = V.Load(ref lamR, ii);
            LocalMap(ctx, l, V.Load(ref vR, ii), out var a00, out var a01, out var a02, out var a10, out var a11, out var a12, out var a20, out var a21, out var a22);
            var wf = V.Mul(l, V.Load(ref sR, ii));
            var wk = V.Mul(l, l);
            var bb0 = V.Broadcast(ctx.BB[0]); var bb1 = V.Broadcast(ctx.BB[1]); var bb2 = V.Broadcast(ctx.BB[2]);
            V y0, y1, y2, z0, z1, z2;
            int cs = ChunkSize;
            if (t0 == 0)
            {
                y0 = V.Broadcast(ctx.CC[0]); y1 = V.Broadcast(ctx.CC[1]); y2 = V.Broadcast(ctx.CC[2]);
                z0 = V.Broadcast(ctx.OO[0]); z1 = V.Broadcast(ctx.OO[1]); z2 = V.Broadcast(ctx.OO[2]);
            }
            else
            {
                y0 = V.Load(ref yR, ii); y1 = V.Load(ref yR, cs + ii); y2 = V.Load(ref yR, 2 * cs + ii);
                z0 = V.Load(ref yR, 3 * cs + ii); z1 = V.Load(ref yR, 4 * cs + ii); z2 = V.Load(ref yR, 5 * cs + ii);
            }
            var flush = V.Broadcast(FlushThreshold);
            int off1 = Tile * w, off2 = 2 * Tile * w, off3 = 3 * Tile * w;
            for (int n = 0; n < tl; n++)
            {
                int o = n * w;
                var qy = V.Fma(bb0, y0, V.Fma(bb1, y1, V.Mul(bb2, y2)));
                var qz = V.Fma(bb0, z0, V.Fma(bb1, z1, V.Mul(bb2, z2)));
                V.Store(V.Fma(wf, y0, V.Load(ref acc, o)), ref acc, o);
                V.Store(V.Fma(wk, qy, V.Load(ref acc, off1 + o)), ref acc, off1 + o);
                V.Store(V.Fma(wf, z0, V.Load(ref acc, off2 + o)), ref acc, off2 + o);
                V.Store(V.Fma(wk, qz, V.Load(ref acc, off3 + o)), ref acc, off3 + o);
                var ny0 = V.Fma(a00, y0, V.Fma(a01, y1, V.Mul(a02, y2)));
                var ny1 = V.Fma(a10, y0, V.Fma(a11, y1, V.Mul(a12, y2)));
                var ny2 = V.Fma(a20, y0, V.Fma(a21, y1, V.Mul(a22, y2)));
                var nz0 = V.Fma(a00, z0, V.Fma(a01, z1, V.Mul(a02, z2)));
                var nz1 = V.Fma(a10, z0, V.Fma(a11, z1, V.Mul(a12, z2)));
                var nz2 = V.Fma(a20, z0, V.Fma(a21, z1, V.Mul(a22, z2)));
                y0 = ny0; y1 = ny1; y2 = ny2; z0 = nz0; z1 = nz1; z2 = nz2;
                if ((n & 7) == 7)
                {
                    y0 = V.FlushBelow(y0, flush); y1 = V.FlushBelow(y1, flush); y2 = V.FlushBelow(y2, flush);
                    z0 = V.FlushBelow(z0, flush); z1 = V.FlushBelow(z1, flush); z2 = V.FlushBelow(z2, flush);
                }
            }
            V.Store(y0, ref yR, ii); V.Store(y1, ref yR, cs + ii); V.Store(y2, ref yR, 2 * cs + ii);
            V.Store(z0, ref yR, 3 * cs + ii); V.Store(z1, ref yR, 4 * cs + ii); V.Store(z2, ref yR, 5 * cs + ii);
        }
    }
}
