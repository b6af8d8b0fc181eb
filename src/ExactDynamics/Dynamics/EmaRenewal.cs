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
        public readonly double A00, A01, A10, A11, B0, B1, C1, O0, O1, Beta;

        public Context(Problem problem, LinearMethod m, double tau, int steps, ExecutionOptions options)
        {
            Lambda = ContractionGap.LambdaOf(problem.Spectrum);
            Init = problem.Initial.ToArray();
            Steps = steps;
            Bits = SimdWidth.Resolve(options.VectorBits);
            K4InvB = (problem.Kurtosis - 2) / problem.Batch;
            Tau = tau;
            var basis = new ConsistentBasis(m);
            var at = basis.Atilde; var bt = basis.Btilde; var ct = basis.Ctilde; var ot = basis.Otilde;
            A00 = at[0, 0]; A01 = at[0, 1]; A10 = at[1, 0]; A11 = at[1, 1];
            B0 = bt[0]; B1 = bt[1]; C1 = ct[1]; O0 = ot[0]; O1 = ot[1];
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
            int count = i1 - i0, padded = (count + 2 * width - 1) / (2 * width) * (2 * width);
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
            for (int i = 0; i < padded; i += 2 * w) Block<V>(ctx, sc, i, t0, tl);
            ref double ra = ref MemoryMarshal.GetArrayDataReference(acc);
            for (int q = 0; q < 2; q++)
            {
                var dst = output.Slice(q * len + t0, tl);
                for (int n = 0; n < tl; n++) dst[n] = V.Sum(V.Load(ref ra, (q * tile + n) * w));
            }
        }
    }

    /// <summary>Two vectors of directions (i, i + w) through <paramref name="tl"/> steps of Y ← D'ᵀY from step
    /// <paramref name="t0"/>, in the consistent basis (c̃₀ = 1, initial blocks s_i e₁e₁ᵀ); two independent chains per
    /// step keep the FMA units busy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<V>(Context ctx, Scratch sc, int i, int t0, int tl) where V : struct, ISimd<V>
    {
        int w = V.Count, cs = VolterraRisk.ChunkSize, ia = i, ib = i + w;
        ref double yR = ref MemoryMarshal.GetArrayDataReference(sc.Y);
        ref double acc = ref MemoryMarshal.GetArrayDataReference(sc.Acc);
        ref double lamR = ref MemoryMarshal.GetArrayDataReference(sc.Lam);
        ref double vR = ref MemoryMarshal.GetArrayDataReference(sc.Valid);
        ref double sR = ref MemoryMarshal.GetArrayDataReference(sc.S);
        // T = Ã − λ b̃ c̃ᵀ (c̃ = (1, c̃₁)), g = (1 − τ)Tᵀõ, κ'_i = (m4 − 2)λ²/B
        var nb0 = V.Broadcast(-ctx.B0); var nb0c1 = V.Broadcast(-ctx.B0 * ctx.C1);
        var nb1 = V.Broadcast(-ctx.B1); var nb1c1 = V.Broadcast(-ctx.B1 * ctx.C1);
        var a00 = V.Broadcast(ctx.A00); var a01 = V.Broadcast(ctx.A01); var a10 = V.Broadcast(ctx.A10); var a11 = V.Broadcast(ctx.A11);
        var o0 = V.Broadcast(ctx.O0); var o1 = V.Broadcast(ctx.O1);
        var om = V.Broadcast(1 - ctx.Tau);
        var two = V.Broadcast(2.0);
        var k4 = V.Broadcast(ctx.K4InvB);
        var c1 = V.Broadcast(ctx.C1); var c11 = V.Broadcast(ctx.C1 * ctx.C1);
        var b00 = V.Broadcast(ctx.B0 * ctx.B0); var b01 = V.Broadcast(2 * ctx.B0 * ctx.B1); var b11 = V.Broadcast(ctx.B1 * ctx.B1);
        var bq0 = V.Broadcast(2 * ctx.Beta * ctx.B0); var bq1 = V.Broadcast(2 * ctx.Beta * ctx.B1); var bs = V.Broadcast(ctx.Beta * ctx.Beta);
        var tau = V.Broadcast(ctx.Tau); var tau2 = V.Broadcast(ctx.Tau * ctx.Tau);
        var la = V.Load(ref lamR, ia);
        var valida = V.Load(ref vR, ia);
        var t00a = V.Fma(la, nb0, a00); var t01a = V.Fma(la, nb0c1, a01);
        var t10a = V.Fma(la, nb1, a10); var t11a = V.Fma(la, nb1c1, a11);
        var g0a = V.Mul(om, V.Fma(t00a, o0, V.Mul(t10a, o1)));
        var g1a = V.Mul(om, V.Fma(t01a, o0, V.Mul(t11a, o1)));
        var g00a = V.Mul(g0a, g0a); var g01a = V.Mul(g0a, g1a); var g11a = V.Mul(g1a, g1a);
        var tg0a = V.Mul(two, g0a); var tg1a = V.Mul(two, g1a);
        var kpa = V.Mul(V.Mul(k4, la), la);
        var kc01a = V.Mul(kpa, c1); var kc11a = V.Mul(kpa, c11);
        var wra = V.Mul(la, V.Load(ref sR, ia));
        var wka = V.Mul(la, la);
        V p00a, p01a, p11a, q0a, q1a, sa;
        if (t0 == 0)
        {
            p00a = p01a = p11a = q0a = q1a = V.Zero;
            sa = valida; // Y_0 = o'o'ᵀ; padding lanes stay zero
        }
        else
        {
            p00a = V.Load(ref yR, ia); p01a = V.Load(ref yR, cs + ia); p11a = V.Load(ref yR, 2 * cs + ia);
            q0a = V.Load(ref yR, 3 * cs + ia); q1a = V.Load(ref yR, 4 * cs + ia); sa = V.Load(ref yR, 5 * cs + ia);
        }
        var lb = V.Load(ref lamR, ib);
        var validb = V.Load(ref vR, ib);
        var t00b = V.Fma(lb, nb0, a00); var t01b = V.Fma(lb, nb0c1, a01);
        var t10b = V.Fma(lb, nb1, a10); var t11b = V.Fma(lb, nb1c1, a11);
        var g0b = V.Mul(om, V.Fma(t00b, o0, V.Mul(t10b, o1)));
        var g1b = V.Mul(om, V.Fma(t01b, o0, V.Mul(t11b, o1)));
        var g00b = V.Mul(g0b, g0b); var g01b = V.Mul(g0b, g1b); var g11b = V.Mul(g1b, g1b);
        var tg0b = V.Mul(two, g0b); var tg1b = V.Mul(two, g1b);
        var kpb = V.Mul(V.Mul(k4, lb), lb);
        var kc01b = V.Mul(kpb, c1); var kc11b = V.Mul(kpb, c11);
        var wrb = V.Mul(lb, V.Load(ref sR, ib));
        var wkb = V.Mul(lb, lb);
        V p00b, p01b, p11b, q0b, q1b, sb;
        if (t0 == 0)
        {
            p00b = p01b = p11b = q0b = q1b = V.Zero;
            sb = validb; // Y_0 = o'o'ᵀ; padding lanes stay zero
        }
        else
        {
            p00b = V.Load(ref yR, ib); p01b = V.Load(ref yR, cs + ib); p11b = V.Load(ref yR, 2 * cs + ib);
            q0b = V.Load(ref yR, 3 * cs + ib); q1b = V.Load(ref yR, 4 * cs + ib); sb = V.Load(ref yR, 5 * cs + ib);
        }
        var flush = V.Broadcast(VolterraRisk.FlushThreshold);
        int kOff = VolterraRisk.Tile * w;
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            var racc = V.Load(ref acc, o);
            var kacc = V.Load(ref acc, kOff + o);
            {
                // b'ᵀYb' and u'ᵀYu' (u' = [e₁; 1] in the consistent basis), as short trees
                var bYb = V.Add(V.Fma(b00, p00a, V.Mul(b01, p01a)), V.Add(V.Fma(b11, p11a, V.Mul(bq0, q0a)), V.Fma(bq1, q1a, V.Mul(bs, sa))));
                var uYu = V.Fma(two, q0a, V.Add(p00a, sa));
                racc = V.Fma(wra, uYu, racc);
                kacc = V.Fma(wka, bYb, kacc);
                var h0 = V.Fma(t00a, q0a, V.Mul(t10a, q1a));
                var h1 = V.Fma(t01a, q0a, V.Mul(t11a, q1a));
                var m00 = V.Fma(p00a, t00a, V.Mul(p01a, t10a)); var m01 = V.Fma(p00a, t01a, V.Mul(p01a, t11a));
                var m10 = V.Fma(p01a, t00a, V.Mul(p11a, t10a)); var m11 = V.Fma(p01a, t01a, V.Mul(p11a, t11a));
                var e00 = V.Fma(tg0a, h0, V.Mul(sa, g00a));
                var e01 = V.Fma(g0a, h1, V.Fma(h0, g1a, V.Mul(sa, g01a)));
                var e11 = V.Fma(tg1a, h1, V.Mul(sa, g11a));
                var n00 = V.Fma(kpa, bYb, V.Add(V.Fma(t00a, m00, V.Mul(t10a, m10)), e00));
                var n01 = V.Fma(kc01a, bYb, V.Add(V.Fma(t00a, m01, V.Mul(t10a, m11)), e01));
                var n11 = V.Fma(kc11a, bYb, V.Add(V.Fma(t01a, m01, V.Mul(t11a, m11)), e11));
                q0a = V.Mul(tau, V.Fma(g0a, sa, h0));
                q1a = V.Mul(tau, V.Fma(g1a, sa, h1));
                sa = V.Mul(tau2, sa);
                p00a = n00; p01a = n01; p11a = n11;
            }
            {
                // b'ᵀYb' and u'ᵀYu' (u' = [e₁; 1] in the consistent basis), as short trees
                var bYb = V.Add(V.Fma(b00, p00b, V.Mul(b01, p01b)), V.Add(V.Fma(b11, p11b, V.Mul(bq0, q0b)), V.Fma(bq1, q1b, V.Mul(bs, sb))));
                var uYu = V.Fma(two, q0b, V.Add(p00b, sb));
                racc = V.Fma(wrb, uYu, racc);
                kacc = V.Fma(wkb, bYb, kacc);
                var h0 = V.Fma(t00b, q0b, V.Mul(t10b, q1b));
                var h1 = V.Fma(t01b, q0b, V.Mul(t11b, q1b));
                var m00 = V.Fma(p00b, t00b, V.Mul(p01b, t10b)); var m01 = V.Fma(p00b, t01b, V.Mul(p01b, t11b));
                var m10 = V.Fma(p01b, t00b, V.Mul(p11b, t10b)); var m11 = V.Fma(p01b, t01b, V.Mul(p11b, t11b));
                var e00 = V.Fma(tg0b, h0, V.Mul(sb, g00b));
                var e01 = V.Fma(g0b, h1, V.Fma(h0, g1b, V.Mul(sb, g01b)));
                var e11 = V.Fma(tg1b, h1, V.Mul(sb, g11b));
                var n00 = V.Fma(kpb, bYb, V.Add(V.Fma(t00b, m00, V.Mul(t10b, m10)), e00));
                var n01 = V.Fma(kc01b, bYb, V.Add(V.Fma(t00b, m01, V.Mul(t10b, m11)), e01));
                var n11 = V.Fma(kc11b, bYb, V.Add(V.Fma(t01b, m01, V.Mul(t11b, m11)), e11));
                q0b = V.Mul(tau, V.Fma(g0b, sb, h0));
                q1b = V.Mul(tau, V.Fma(g1b, sb, h1));
                sb = V.Mul(tau2, sb);
                p00b = n00; p01b = n01; p11b = n11;
            }
            V.Store(racc, ref acc, o);
            V.Store(kacc, ref acc, kOff + o);
            if ((n & 7) == 7)
            {
                p00a = V.FlushBelow(p00a, flush); p01a = V.FlushBelow(p01a, flush); p11a = V.FlushBelow(p11a, flush);
                q0a = V.FlushBelow(q0a, flush); q1a = V.FlushBelow(q1a, flush); sa = V.FlushBelow(sa, flush);
                p00b = V.FlushBelow(p00b, flush); p01b = V.FlushBelow(p01b, flush); p11b = V.FlushBelow(p11b, flush);
                q0b = V.FlushBelow(q0b, flush); q1b = V.FlushBelow(q1b, flush); sb = V.FlushBelow(sb, flush);
            }
        }
        V.Store(p00a, ref yR, ia); V.Store(p01a, ref yR, cs + ia); V.Store(p11a, ref yR, 2 * cs + ia);
        V.Store(q0a, ref yR, 3 * cs + ia); V.Store(q1a, ref yR, 4 * cs + ia); V.Store(sa, ref yR, 5 * cs + ia);
        V.Store(p00b, ref yR, ib); V.Store(p01b, ref yR, cs + ib); V.Store(p11b, ref yR, 2 * cs + ib);
        V.Store(q0b, ref yR, 3 * cs + ib); V.Store(q1b, ref yR, 4 * cs + ib); V.Store(sb, ref yR, 5 * cs + ib);
    }
}
