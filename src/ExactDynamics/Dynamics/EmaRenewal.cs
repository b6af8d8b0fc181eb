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
/// the kurtosis self-term of direction i, which is why the kernel is not simply (o'ᵀT'ᵐb')²). The kurtosis term enters
/// only the base block, which T'ᵀ · T' keeps there, so Y_n = p_n p_nᵀ + [[P̂_n, 0], [0, 0]] with
/// <code>
/// p_n = T'ᵀⁿo' = [p̃_n; τⁿ],  p̃_{n+1} = Tᵀp̃_n + τⁿ g,  P̂_{n+1} = TᵀP̂_nT + κ'_i ((b'ᵀp_n)² + bᵀP̂_nb) ccᵀ,  P̂_0 = 0,
/// </code>
/// g = (1 − τ)Tᵀo: five coordinates per direction for a two-state base, in its consistent basis (SIMD across
/// directions, chunks on all cores, tiles of <see cref="VolterraRisk.Tile"/> steps, partial sums reduced in chunk order
/// as in <see cref="VolterraRisk"/>). docs/math.md#ema-renewal.
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
            int padded = VolterraRisk.LoadChunk(ctx.Lambda, ctx.Init, i0, i1, 2 * width, sc.Lam, sc.S, sc.Valid);
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
    /// <paramref name="t0"/>, in the consistent basis (c̃₀ = 1, initial blocks s_i e₁e₁ᵀ), as Y_n = p_n p_nᵀ + [[P̂_n, 0],
    /// [0, 0]]: p_n = T'ᵀⁿo' = [p; τⁿ] (p ← Tᵀp + τⁿg) and P̂ ← TᵀP̂T + κ'_i (b'ᵀY b') ccᵀ, P̂_0 = 0 (the kurtosis term
    /// enters the base block only, which T'ᵀ · T' keeps there). Two independent chains per step keep the FMA units busy.</summary>
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
        var b0 = V.Broadcast(ctx.B0); var b1 = V.Broadcast(ctx.B1);
        var b00 = V.Broadcast(ctx.B0 * ctx.B0); var b01 = V.Broadcast(2 * ctx.B0 * ctx.B1); var b11 = V.Broadcast(ctx.B1 * ctx.B1);
        var la = V.Load(ref lamR, ia);
        var valida = V.Load(ref vR, ia);
        var t00a = V.Fma(la, nb0, a00); var t01a = V.Fma(la, nb0c1, a01);
        var t10a = V.Fma(la, nb1, a10); var t11a = V.Fma(la, nb1c1, a11);
        var g0a = V.Mul(valida, V.Mul(om, V.Fma(t00a, o0, V.Mul(t10a, o1))));
        var g1a = V.Mul(valida, V.Mul(om, V.Fma(t01a, o0, V.Mul(t11a, o1))));
        // L = the adjoint of P ↦ TPTᵀ on (P₀₀, P₀₁, P₁₁): row e = output coordinate
        var l00a = V.Mul(t00a, t00a); var l01a = V.Mul(two, V.Mul(t00a, t10a)); var l02a = V.Mul(t10a, t10a);
        var l10a = V.Mul(t00a, t01a); var l11a = V.Fma(t00a, t11a, V.Mul(t10a, t01a)); var l12a = V.Mul(t10a, t11a);
        var l20a = V.Mul(t01a, t01a); var l21a = V.Mul(two, V.Mul(t01a, t11a)); var l22a = V.Mul(t11a, t11a);
        var kpa = V.Mul(V.Mul(k4, la), la);
        var kc01a = V.Mul(kpa, c1); var kc11a = V.Mul(kpa, c11);
        var wra = V.Mul(la, V.Load(ref sR, ia));
        var wka = V.Mul(la, la);
        V p0a, p1a, h00a, h01a, h11a;
        if (t0 == 0) p0a = p1a = h00a = h01a = h11a = V.Zero;
        else
        {
            p0a = V.Load(ref yR, ia); p1a = V.Load(ref yR, cs + ia);
            h00a = V.Load(ref yR, 2 * cs + ia); h01a = V.Load(ref yR, 3 * cs + ia); h11a = V.Load(ref yR, 4 * cs + ia);
        }
        var lb = V.Load(ref lamR, ib);
        var validb = V.Load(ref vR, ib);
        var t00b = V.Fma(lb, nb0, a00); var t01b = V.Fma(lb, nb0c1, a01);
        var t10b = V.Fma(lb, nb1, a10); var t11b = V.Fma(lb, nb1c1, a11);
        var g0b = V.Mul(validb, V.Mul(om, V.Fma(t00b, o0, V.Mul(t10b, o1))));
        var g1b = V.Mul(validb, V.Mul(om, V.Fma(t01b, o0, V.Mul(t11b, o1))));
        // L = the adjoint of P ↦ TPTᵀ on (P₀₀, P₀₁, P₁₁): row e = output coordinate
        var l00b = V.Mul(t00b, t00b); var l01b = V.Mul(two, V.Mul(t00b, t10b)); var l02b = V.Mul(t10b, t10b);
        var l10b = V.Mul(t00b, t01b); var l11b = V.Fma(t00b, t11b, V.Mul(t10b, t01b)); var l12b = V.Mul(t10b, t11b);
        var l20b = V.Mul(t01b, t01b); var l21b = V.Mul(two, V.Mul(t01b, t11b)); var l22b = V.Mul(t11b, t11b);
        var kpb = V.Mul(V.Mul(k4, lb), lb);
        var kc01b = V.Mul(kpb, c1); var kc11b = V.Mul(kpb, c11);
        var wrb = V.Mul(lb, V.Load(ref sR, ib));
        var wkb = V.Mul(lb, lb);
        V p0b, p1b, h00b, h01b, h11b;
        if (t0 == 0) p0b = p1b = h00b = h01b = h11b = V.Zero;
        else
        {
            p0b = V.Load(ref yR, ib); p1b = V.Load(ref yR, cs + ib);
            h00b = V.Load(ref yR, 2 * cs + ib); h01b = V.Load(ref yR, 3 * cs + ib); h11b = V.Load(ref yR, 4 * cs + ib);
        }
        var flush = V.Broadcast(VolterraRisk.FlushThreshold);
        int kOff = VolterraRisk.Tile * w;
        double pb = Math.Pow(ctx.Tau, t0); // τⁿ, the average's coordinate of p_n (common to all directions)
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            var pbv = V.Broadcast(pb);
            var bpb = V.Broadcast(ctx.Beta * pb);
            var racc = V.Load(ref acc, o);
            var kacc = V.Load(ref acc, kOff + o);
            {
                // b'ᵀp, b'ᵀYb' = (b'ᵀp)² + bᵀP̂b and u'ᵀYu' = (p₀ + p_b)² + P̂₀₀ (u' = [e₁; 1])
                var bp = V.Fma(b0, p0a, V.Fma(b1, p1a, bpb));
                var bhb = V.Fma(b00, h00a, V.Fma(b01, h01a, V.Mul(b11, h11a)));
                var w2 = V.Fma(bp, bp, bhb);
                var up = V.Add(p0a, pbv);
                racc = V.Fma(wra, V.Fma(up, up, h00a), racc);
                kacc = V.Fma(wka, w2, kacc);
                var np0 = V.Fma(t00a, p0a, V.Fma(t10a, p1a, V.Mul(g0a, pbv)));
                var np1 = V.Fma(t01a, p0a, V.Fma(t11a, p1a, V.Mul(g1a, pbv)));
                var n00 = V.Fma(kpa, w2, V.Fma(l00a, h00a, V.Fma(l01a, h01a, V.Mul(l02a, h11a))));
                var n01 = V.Fma(kc01a, w2, V.Fma(l10a, h00a, V.Fma(l11a, h01a, V.Mul(l12a, h11a))));
                var n11 = V.Fma(kc11a, w2, V.Fma(l20a, h00a, V.Fma(l21a, h01a, V.Mul(l22a, h11a))));
                p0a = np0; p1a = np1; h00a = n00; h01a = n01; h11a = n11;
            }
            {
                // b'ᵀp, b'ᵀYb' = (b'ᵀp)² + bᵀP̂b and u'ᵀYu' = (p₀ + p_b)² + P̂₀₀ (u' = [e₁; 1])
                var bp = V.Fma(b0, p0b, V.Fma(b1, p1b, bpb));
                var bhb = V.Fma(b00, h00b, V.Fma(b01, h01b, V.Mul(b11, h11b)));
                var w2 = V.Fma(bp, bp, bhb);
                var up = V.Add(p0b, pbv);
                racc = V.Fma(wrb, V.Fma(up, up, h00b), racc);
                kacc = V.Fma(wkb, w2, kacc);
                var np0 = V.Fma(t00b, p0b, V.Fma(t10b, p1b, V.Mul(g0b, pbv)));
                var np1 = V.Fma(t01b, p0b, V.Fma(t11b, p1b, V.Mul(g1b, pbv)));
                var n00 = V.Fma(kpb, w2, V.Fma(l00b, h00b, V.Fma(l01b, h01b, V.Mul(l02b, h11b))));
                var n01 = V.Fma(kc01b, w2, V.Fma(l10b, h00b, V.Fma(l11b, h01b, V.Mul(l12b, h11b))));
                var n11 = V.Fma(kc11b, w2, V.Fma(l20b, h00b, V.Fma(l21b, h01b, V.Mul(l22b, h11b))));
                p0b = np0; p1b = np1; h00b = n00; h01b = n01; h11b = n11;
            }
            V.Store(racc, ref acc, o);
            V.Store(kacc, ref acc, kOff + o);
            pb *= ctx.Tau;
            if (pb < VolterraRisk.FlushThreshold) pb = 0;
            if ((n & 7) == 7)
            {
                p0a = V.FlushBelow(p0a, flush); p1a = V.FlushBelow(p1a, flush);
                h00a = V.FlushBelow(h00a, flush); h01a = V.FlushBelow(h01a, flush); h11a = V.FlushBelow(h11a, flush);
                p0b = V.FlushBelow(p0b, flush); p1b = V.FlushBelow(p1b, flush);
                h00b = V.FlushBelow(h00b, flush); h01b = V.FlushBelow(h01b, flush); h11b = V.FlushBelow(h11b, flush);
            }
        }
        V.Store(p0a, ref yR, ia); V.Store(p1a, ref yR, cs + ia);
        V.Store(h00a, ref yR, 2 * cs + ia); V.Store(h01a, ref yR, 3 * cs + ia); V.Store(h11a, ref yR, 4 * cs + ia);
        V.Store(p0b, ref yR, ib); V.Store(p1b, ref yR, cs + ib);
        V.Store(h00b, ref yR, 2 * cs + ib); V.Store(h01b, ref yR, 3 * cs + ib); V.Store(h11b, ref yR, 4 * cs + ib);
    }
}
