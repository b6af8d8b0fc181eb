using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The renewal form of an EMA over a two-state base method (docs/math.md#renewal-form, docs/math.md#weight-averaging).
/// The average is a state the gradient point never reads (c' = [c; 0]) and the mean map T'_i = [[T_i, 0], [gᵢᵀ, τ]] is
/// block lower-triangular, so the adjoint iteration from c'c'ᵀ never leaves the base block: f and K — hence ν_t — are
/// the base method's. Only the read-out changes:
/// <code>
/// 2 E L̄_t = r'_t + (1/B) Σ_{s&lt;t} R'_{t−1−s} ν_s,   r'_n = Σ_i λ_i s_i u'ᵀY_{n,i}u',   R'_n = Σ_i λ_i² b'ᵀY_{n,i}b',
/// </code>
/// with Y_{n+1} = D'ᵀ Y_n = T'ᵀY_nT' + κ'_i (b'ᵀY_nb') c'c'ᵀ, Y_0 = o'o'ᵀ = e_{k+1}e_{k+1}ᵀ (κ'_i = (m4 − 2)λ_i²/B,
/// the kurtosis self-term of direction i, which is why the kernel is not simply (o'ᵀT'ᵐb')²). Writing
/// Y = [[P, q], [qᵀ, s]], g = (1 − τ)T_iᵀo, β = (1 − τ)oᵀb:
/// <code>
/// s' = τ² s,   q' = τ(Tᵀq + g s),   P' = TᵀPT + g(Tᵀq)ᵀ + (Tᵀq)gᵀ + s ggᵀ + κ'_i (bᵀPb + 2β bᵀq + β² s) ccᵀ,
/// </code>
/// six coordinates per direction for a two-state base (SIMD across directions, chunks on all cores, tiles of
/// <see cref="VolterraRisk.Tile"/> steps, partial sums reduced in chunk order as in <see cref="VolterraRisk"/>).
/// </summary>
internal static class EmaRenewal
{
    /// <summary>True for an EMA (τ &gt; 0) over a two-state base method: the case this class carries.</summary>
    public static bool Supports(LinearMethod method) => method.EmaOf is { Base.K: 2, Tau: > 0 };

    /// <summary>E L̄_t for t = 0..steps, or null when the renewal form cannot vouch for it (as
    /// <see cref="VolterraRisk.Trajectory"/>).</summary>
    public static double[]? Trajectory(Problem problem, LinearMethod method, int steps, ExecutionOptions options)
    {
        var (baseMethod, tau) = method.EmaOf!.Value;
        (problem, baseMethod, var scale) = ProblemScale.Normalise(problem, baseMethod);
        var seq = LocalSequences(problem, baseMethod, tau, steps, options);
        if (seq is null) return null;
        var risk = VolterraRisk.Solve(problem, seq, steps);
        if (risk is null) return null;
        scale.RiskToUser(risk);
        foreach (var r in risk) if (!double.IsFinite(r)) return null;
        return risk;
    }

    /// <summary>The base method's f, K with the average's r', R'; null when a value is not finite.</summary>
    internal static VolterraRisk.Sequences? LocalSequences(Problem problem, LinearMethod baseMethod, double tau, int steps,
        ExecutionOptions options)
    {
        // f and K do not depend on o: the base with o = c takes the two-sequence kernel.
        var drive = new LinearMethod(baseMethod.MatrixA, baseMethod.B.ToArray(), baseMethod.C.ToArray(),
            baseMethod.C.ToArray(), baseMethod.U.ToArray(), baseMethod.Spec);
        var baseSeq = VolterraRisk.LocalSequences(problem, drive, steps, options);
        if (baseSeq is null) return null;
        var ctx = new Context(problem, baseMethod, tau, steps, options);
        int d = ctx.Lambda.Length, len = steps + 1;
        int chunks = (d + VolterraRisk.ChunkSize - 1) / VolterraRisk.ChunkSize;
        var r = new double[len];
        var rk = new double[len];
        int wave = (int)Math.Clamp(VolterraRisk.MaxWaveBytes / (16L * len), 1, VolterraRisk.Wave);
        var partial = new double[Math.Min(wave, chunks) * 2 * len];
        var job = new Job(ctx, partial);
        for (int w0 = 0; w0 < chunks; w0 += wave)
        {
            int n = Math.Min(wave, chunks - w0);
            job.FirstChunk = w0;
            if (options.Threads > 1 && n > 1) ChunkPool.Shared.Run(job, n, options.Threads);
            else for (int j = 0; j < n; j++) job.Run(j);
            for (int j = 0; j < n; j++)
            {
                var pr = partial.AsSpan(2 * j * len, len);
                var pk = partial.AsSpan((2 * j + 1) * len, len);
                for (int t = 0; t < len; t++) { r[t] += pr[t]; rk[t] += pk[t]; }
            }
        }
        for (int t = 0; t < len; t++)
            if (!double.IsFinite(r[t]) || !double.IsFinite(rk[t])) return null;
        return new VolterraRisk.Sequences(baseSeq.F, baseSeq.K, r, rk);
    }

    private sealed class Context
    {
        public readonly double[] Lambda, Init;
        public readonly int Steps, Bits;
        public readonly double K4InvB, Tau;
        public readonly double A00, A01, A10, A11, B0, B1, C0, C1, O0, O1, U0, U1, Beta;

        public Context(Problem problem, LinearMethod m, double tau, int steps, ExecutionOptions options)
        {
            Lambda = ContractionGap.LambdaOf(problem.Spectrum);
            Init = problem.Initial.ToArray();
            Steps = steps;
            Bits = SimdWidth.Resolve(options.VectorBits);
            K4InvB = (problem.Kurtosis - 2) / problem.Batch;
            Tau = tau;
            A00 = m.A(0, 0); A01 = m.A(0, 1); A10 = m.A(1, 0); A11 = m.A(1, 1);
            B0 = m.B[0]; B1 = m.B[1]; C0 = m.C[0]; C1 = m.C[1]; O0 = m.O[0]; O1 = m.O[1]; U0 = m.U[0]; U1 = m.U[1];
            Beta = (1 - tau) * (O0 * B0 + O1 * B1);
        }
    }

    /// <summary>Per-thread scratch: a chunk's λ, s, validity mask, the six local coordinates, tile accumulators.</summary>
    private sealed class Scratch
    {
        public readonly double[] Lam = new double[VolterraRisk.ChunkSize], S = new double[VolterraRisk.ChunkSize];
        public readonly double[] Valid = new double[VolterraRisk.ChunkSize];
        public readonly double[] Y = new double[6 * VolterraRisk.ChunkSize];
        public double[] Acc = new double[2 * VolterraRisk.Tile * 8];
        [ThreadStatic] private static Scratch? _current;
        public static Scratch Current => _current ??= new Scratch();
    }

    private sealed class Job(Context ctx, double[] partial) : IChunkJob
    {
        public int FirstChunk;

        public void Run(int j)
        {
            int len = ctx.Steps + 1;
            var output = partial.AsSpan(2 * j * len, 2 * len);
            int c = FirstChunk + j, cs = VolterraRisk.ChunkSize;
            int i0 = c * cs, i1 = Math.Min(ctx.Lambda.Length, i0 + cs);
            var sc = Scratch.Current;
            int width = ctx.Bits / 64;
            int count = i1 - i0, padded = (count + width - 1) / width * width;
            Array.Copy(ctx.Lambda, i0, sc.Lam, 0, count);
            Array.Copy(ctx.Init, i0, sc.S, 0, count);
            Array.Fill(sc.Valid, 1.0, 0, count);
            if (padded > count)
            {
                Array.Clear(sc.Lam, count, padded - count);
                Array.Clear(sc.S, count, padded - count);
                Array.Clear(sc.Valid, count, padded - count);
            }
            switch (ctx.Bits)
            {
                case 512: Chunk<V512>(ctx, sc, padded, output); break;
                case 256: Chunk<V256>(ctx, sc, padded, output); break;
                default: Chunk<V128>(ctx, sc, padded, output); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chunk<V>(Context ctx, Scratch sc, int padded, Span<double> output) where V : struct, ISimd<V>
    {
        int len = ctx.Steps + 1, w = V.Count, tile = VolterraRisk.Tile;
        if (sc.Acc.Length < 2 * tile * w) sc.Acc = new double[2 * tile * w];
        var acc = sc.Acc;
        for (int t0 = 0; t0 < len; t0 += tile)
        {
            int tl = Math.Min(tile, len - t0);
            Array.Clear(acc, 0, 2 * tile * w);
            for (int i = 0; i < padded; i += w) Block<V>(ctx, sc, i, t0, tl);
            ref double ra = ref MemoryMarshal.GetArrayDataReference(acc);
            for (int q = 0; q < 2; q++)
            {
                var dst = output.Slice(q * len + t0, tl);
                for (int n = 0; n < tl; n++) dst[n] = V.Sum(V.Load(ref ra, (q * tile + n) * w));
            }
        }
    }

    /// <summary>One vector of directions through <paramref name="tl"/> steps of Y ← D'ᵀY from step <paramref name="t0"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<V>(Context ctx, Scratch sc, int i, int t0, int tl) where V : struct, ISimd<V>
    {
        int w = V.Count, cs = VolterraRisk.ChunkSize;
        ref double yR = ref MemoryMarshal.GetArrayDataReference(sc.Y);
        ref double acc = ref MemoryMarshal.GetArrayDataReference(sc.Acc);
        var l = V.Load(ref MemoryMarshal.GetArrayDataReference(sc.Lam), i);
        var valid = V.Load(ref MemoryMarshal.GetArrayDataReference(sc.Valid), i);
        // T = A − λ b cᵀ, g = (1 − τ)Tᵀo
        var t00 = V.Fma(l, V.Broadcast(-ctx.B0 * ctx.C0), V.Broadcast(ctx.A00));
        var t01 = V.Fma(l, V.Broadcast(-ctx.B0 * ctx.C1), V.Broadcast(ctx.A01));
        var t10 = V.Fma(l, V.Broadcast(-ctx.B1 * ctx.C0), V.Broadcast(ctx.A10));
        var t11 = V.Fma(l, V.Broadcast(-ctx.B1 * ctx.C1), V.Broadcast(ctx.A11));
        var om = V.Broadcast(1 - ctx.Tau);
        var g0 = V.Mul(om, V.Fma(t00, V.Broadcast(ctx.O0), V.Mul(t10, V.Broadcast(ctx.O1))));
        var g1 = V.Mul(om, V.Fma(t01, V.Broadcast(ctx.O0), V.Mul(t11, V.Broadcast(ctx.O1))));
        var two = V.Broadcast(2.0);
        var g00 = V.Mul(g0, g0); var g01 = V.Mul(g0, g1); var g11 = V.Mul(g1, g1);
        var kp = V.Mul(V.Mul(V.Broadcast(ctx.K4InvB), l), l);
        var kc00 = V.Mul(kp, V.Broadcast(ctx.C0 * ctx.C0));
        var kc01 = V.Mul(kp, V.Broadcast(ctx.C0 * ctx.C1));
        var kc11 = V.Mul(kp, V.Broadcast(ctx.C1 * ctx.C1));
        var b00 = V.Broadcast(ctx.B0 * ctx.B0); var b01 = V.Broadcast(2 * ctx.B0 * ctx.B1); var b11 = V.Broadcast(ctx.B1 * ctx.B1);
        var bq0 = V.Broadcast(2 * ctx.Beta * ctx.B0); var bq1 = V.Broadcast(2 * ctx.Beta * ctx.B1); var bs = V.Broadcast(ctx.Beta * ctx.Beta);
        var u00 = V.Broadcast(ctx.U0 * ctx.U0); var u01 = V.Broadcast(2 * ctx.U0 * ctx.U1); var u11 = V.Broadcast(ctx.U1 * ctx.U1);
        var uq0 = V.Broadcast(2 * ctx.U0); var uq1 = V.Broadcast(2 * ctx.U1);
        var tau = V.Broadcast(ctx.Tau); var tau2 = V.Broadcast(ctx.Tau * ctx.Tau);
        var wr = V.Mul(l, V.Load(ref MemoryMarshal.GetArrayDataReference(sc.S), i));
        var wk = V.Mul(l, l);
        V p00, p01, p11, q0, q1, s;
        if (t0 == 0)
        {
            p00 = p01 = p11 = q0 = q1 = V.Zero;
            s = valid; // Y_0 = o'o'ᵀ; padding lanes stay zero
        }
        else
        {
            p00 = V.Load(ref yR, i); p01 = V.Load(ref yR, cs + i); p11 = V.Load(ref yR, 2 * cs + i);
            q0 = V.Load(ref yR, 3 * cs + i); q1 = V.Load(ref yR, 4 * cs + i); s = V.Load(ref yR, 5 * cs + i);
        }
        var flush = V.Broadcast(VolterraRisk.FlushThreshold);
        int kOff = VolterraRisk.Tile * w;
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            // b'ᵀYb' and u'ᵀYu'
            var bYb = V.Fma(b00, p00, V.Fma(b01, p01, V.Fma(b11, p11, V.Fma(bq0, q0, V.Fma(bq1, q1, V.Mul(bs, s))))));
            var uYu = V.Fma(u00, p00, V.Fma(u01, p01, V.Fma(u11, p11, V.Fma(uq0, q0, V.Fma(uq1, q1, s)))));
            V.Store(V.Fma(wr, uYu, V.Load(ref acc, o)), ref acc, o);
            V.Store(V.Fma(wk, bYb, V.Load(ref acc, kOff + o)), ref acc, kOff + o);
            // h = Tᵀq, PT, TᵀPT
            var h0 = V.Fma(t00, q0, V.Mul(t10, q1));
            var h1 = V.Fma(t01, q0, V.Mul(t11, q1));
            var m00 = V.Fma(p00, t00, V.Mul(p01, t10)); var m01 = V.Fma(p00, t01, V.Mul(p01, t11));
            var m10 = V.Fma(p01, t00, V.Mul(p11, t10)); var m11 = V.Fma(p01, t01, V.Mul(p11, t11));
            var kw = bYb;
            var n00 = V.Fma(t00, m00, V.Fma(t10, m10, V.Fma(V.Mul(two, g0), h0, V.Fma(s, g00, V.Mul(kw, kc00)))));
            var n01 = V.Fma(t00, m01, V.Fma(t10, m11, V.Fma(g0, h1, V.Fma(h0, g1, V.Fma(s, g01, V.Mul(kw, kc01))))));
            var n11 = V.Fma(t01, m01, V.Fma(t11, m11, V.Fma(V.Mul(two, g1), h1, V.Fma(s, g11, V.Mul(kw, kc11)))));
            q0 = V.Mul(tau, V.Fma(g0, s, h0));
            q1 = V.Mul(tau, V.Fma(g1, s, h1));
            s = V.Mul(tau2, s);
            p00 = n00; p01 = n01; p11 = n11;
            if ((n & 7) == 7)
            {
                p00 = V.FlushBelow(p00, flush); p01 = V.FlushBelow(p01, flush); p11 = V.FlushBelow(p11, flush);
                q0 = V.FlushBelow(q0, flush); q1 = V.FlushBelow(q1, flush); s = V.FlushBelow(s, flush);
            }
        }
        V.Store(p00, ref yR, i); V.Store(p01, ref yR, cs + i); V.Store(p11, ref yR, 2 * cs + i);
        V.Store(q0, ref yR, 3 * cs + i); V.Store(q1, ref yR, 4 * cs + i); V.Store(s, ref yR, 5 * cs + i);
    }
}
