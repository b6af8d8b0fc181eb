using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The renewal form of an EMA over a one- or two-state base method (docs/math.md#ema-renewal,
/// docs/math.md#renewal-form). The average is a state the gradient point never reads (c' = [c; 0]) and the mean map
/// T'_i = [[T_i, 0], [gᵢᵀ, τ]] is block lower-triangular, so f and K — hence ν_t — are the base method's; the average
/// is read through its own sequences
/// <code>
/// 2 E L̄_t = r'_t + (1/B) Σ_{s&lt;t} R'_{t−1−s} ν_s,   r'_n = Σ_i λ_i s_i (ŭ_n² + P̂_{n,00}),   R'_n = Σ_i λ_i² (x_n² + bᵀP̂_nb),
/// p̃_{n+1} = Tᵀp̃_n + τⁿ g,   x_n = bᵀp̃_n + βτⁿ,   ŭ_n = p̃_{n,0} + τⁿ,   P̂_{n+1} = D_iᵀP̂_n + κ'_i x_n² ccᵀ,   P̂_0 = 0,
/// </code>
/// (g = (1 − τ)Tᵀõ, β = (1 − τ)õᵀb̃, κ'_i = (m4 − 2)λ_i²/B, D_iᵀ the base method's adjoint local map with its kurtosis
/// self-term): P̂ is the base adjoint driven by the average's rank-one part. One pass computes the base sequences
/// (y_{n+1} = D_iᵀy_n, y_0 = ccᵀ) and the average's together: the two adjoint vectors y and P̂ share D_iᵀ, and both are
/// kept in the read-out basis z = (Y₀₀, bᵀYb, ·) where the forcing and kernel read-outs are coordinates (no dot products
/// per step). SIMD across directions, chunks on all cores, tiles of <see cref="VolterraRisk.Tile"/> steps, partial sums
/// reduced in chunk order as in <see cref="VolterraRisk"/>; <see cref="Reference"/> is the plain per-direction loop.
/// </summary>
internal static class EmaRenewal
{
    /// <summary>True for an EMA (τ &gt; 0) over a one- or two-state base method: the case this class carries.</summary>
    public static bool Supports(LinearMethod method) => method.EmaOf is { Base.K: 1 or 2, Tau: > 0 };

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

    /// <summary>The base method's f, K with the average's r', R', all from one pass; null when a value is not finite
    /// (or, for a two-state base with b̃₁ = 0, where the read-out basis does not exist: the fused pass then runs).</summary>
    internal static VolterraRisk.Sequences? LocalSequences(Problem problem, LinearMethod baseMethod, double tau, int steps,
        ExecutionOptions options)
    {
        var ctx = new Context(problem, baseMethod, tau, steps, options);
        if (ctx.Pivot < 0) return null;
        int d = ctx.Base.D, len = steps + 1;
        int chunks = (d + VolterraRisk.ChunkSize - 1) / VolterraRisk.ChunkSize;
        var total = new double[4][];
        for (int q = 0; q < 4; q++) total[q] = new double[len];
        int wave = (int)Math.Clamp(VolterraRisk.MaxWaveBytes / (32L * len), 1, VolterraRisk.Wave);
        var partial = new double[Math.Min(wave, chunks) * 4 * len];
        var job = new Job(ctx, partial);
        for (int w0 = 0; w0 < chunks; w0 += wave)
        {
            int n = Math.Min(wave, chunks - w0);
            job.FirstChunk = w0;
            if (options.Threads > 1 && n > 1) ChunkPool.Shared.Run(job, n, options.Threads);
            else for (int j = 0; j < n; j++) job.Run(j);
            for (int j = 0; j < n; j++) // in chunk order
                for (int q = 0; q < 4; q++)
                {
                    var src = partial.AsSpan((4 * j + q) * len, len);
                    var dst = total[q];
                    for (int t = 0; t < len; t++) dst[t] += src[t];
                }
        }
        foreach (var seq in total)
            foreach (var v in seq)
                if (!double.IsFinite(v)) return null;
        return new VolterraRisk.Sequences(total[0], total[1], total[2], total[3]);
    }

    /// <summary>
    /// The plain reference of <see cref="LocalSequences"/> (for tests): per direction, the adjoint iterations of
    /// docs/math.md#ema-renewal written with full matrices in the method's own coordinates — y ← T_iᵀyT_i +
    /// κ'_i(bᵀyb)ccᵀ from ccᵀ for f_n = λ_i s_i uᵀyu and K_n = λ_i² bᵀyb, and Y ← T'_iᵀYT'_i + κ'_i(b'ᵀYb')c'c'ᵀ from
    /// o'o'ᵀ for r'_n = λ_i s_i u'ᵀYu' and R'_n = λ_i² b'ᵀYb' — one direction and one step at a time.
    /// </summary>
    internal static VolterraRisk.Sequences Reference(Problem problem, LinearMethod baseMethod, double tau, int steps)
    {
        var ema = Ema.Augment(baseMethod, tau, () => "reference");
        var lam = problem.Spectrum.ToArray();
        var s0 = problem.Initial.ToArray();
        var f = new double[steps + 1]; var kk = new double[steps + 1];
        var r = new double[steps + 1]; var rk = new double[steps + 1];
        double k4 = (problem.Kurtosis - 2) / problem.Batch;
        for (int i = 0; i < lam.Length; i++)
        {
            double l = lam[i], kp = k4 * l * l;
            var y = Outer(baseMethod.C.ToArray());
            var yy = Outer(ema.O.ToArray());
            var tb = MeanMap(baseMethod, l);
            var te = MeanMap(ema, l);
            for (int n = 0; n <= steps; n++)
            {
                f[n] += l * s0[i] * Quad(y, baseMethod.U.ToArray());
                kk[n] += l * l * Quad(y, baseMethod.B.ToArray());
                r[n] += l * s0[i] * Quad(yy, ema.U.ToArray());
                rk[n] += l * l * Quad(yy, ema.B.ToArray());
                y = Adjoint(y, tb, kp * Quad(y, baseMethod.B.ToArray()), baseMethod.C.ToArray());
                yy = Adjoint(yy, te, kp * Quad(yy, ema.B.ToArray()), ema.C.ToArray());
            }
        }
        return new VolterraRisk.Sequences(f, kk, r, rk);

        static double[,] Outer(double[] v)
        {
            var m = new double[v.Length, v.Length];
            for (int p = 0; p < v.Length; p++) for (int q = 0; q < v.Length; q++) m[p, q] = v[p] * v[q];
            return m;
        }
        static double Quad(double[,] m, double[] v)
        {
            double s = 0;
            for (int p = 0; p < v.Length; p++) for (int q = 0; q < v.Length; q++) s += v[p] * m[p, q] * v[q];
            return s;
        }
        static double[,] MeanMap(LinearMethod m, double l)
        {
            var t = new double[m.K, m.K];
            for (int p = 0; p < m.K; p++) for (int q = 0; q < m.K; q++) t[p, q] = m.A(p, q) - l * m.B[p] * m.C[q];
            return t;
        }
        // Tᵀ y T + w ccᵀ
        static double[,] Adjoint(double[,] y, double[,] t, double w, double[] c)
        {
            int k = c.Length;
            var next = new double[k, k];
            for (int p = 0; p < k; p++)
                for (int q = 0; q < k; q++)
                {
                    double s = w * c[p] * c[q];
                    for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) s += t[a, p] * y[a, b] * t[b, q];
                    next[p, q] = s;
                }
            return next;
        }
    }

    private sealed class Context
    {
        /// <summary>The base method's renewal context: spectrum, consistent basis, BB, CC, the local map.</summary>
        public readonly VolterraRisk.Context Base;
        public readonly double Tau, Beta, O1;
        /// <summary>The coordinate of the adjoint vector (y₀, y₁, y₂) eliminated for bᵀYb (1 or 2; 0 for k = 1), −1
        /// when there is none (b̃₁ = 0); <see cref="Keep"/> is the other one, the third read-out coordinate.</summary>
        public readonly int Pivot, Keep;

        public Context(Problem problem, LinearMethod m, double tau, int steps, ExecutionOptions options)
        {
            Base = new VolterraRisk.Context(problem, m, steps, options);
            Tau = tau;
            var basis = new ConsistentBasis(m);
            var ot = basis.Otilde;
            if (m.K == 1)
            {
                Beta = (1 - tau) * Base.B0;
                Pivot = 0;
                return;
            }
            O1 = ot[1];
            Beta = (1 - tau) * (Base.B0 + O1 * Base.B1);
            // bᵀYb = BB₀y₀ + BB₁y₁ + BB₂y₂ (y₁ = 2Y₀₁): solve it for the coordinate with the larger coefficient
            double b1 = Math.Abs(Base.BB[1]), b2 = Math.Abs(Base.BB[2]);
            if (b1 == 0 && b2 == 0) { Pivot = -1; return; }
            (Pivot, Keep) = b1 >= b2 ? (1, 2) : (2, 1);
        }
    }

    /// <summary>Per-thread scratch: a chunk's λ, s, validity mask, the eight local coordinates, tile accumulators.</summary>
    private sealed class Scratch
    {
        public readonly double[] Lam = new double[VolterraRisk.ChunkSize], S = new double[VolterraRisk.ChunkSize];
        public readonly double[] Valid = new double[VolterraRisk.ChunkSize];
        public readonly double[] Y = new double[8 * VolterraRisk.ChunkSize];
        public double[] Acc = new double[4 * VolterraRisk.Tile * 8];
        [ThreadStatic] private static Scratch? _current;
        public static Scratch Current => _current ??= new Scratch();
    }

    private sealed class Job(Context ctx, double[] partial) : IChunkJob
    {
        public int FirstChunk;

        public void Run(int j)
        {
            int len = ctx.Base.Steps + 1;
            var output = partial.AsSpan(4 * j * len, 4 * len);
            int c = FirstChunk + j, cs = VolterraRisk.ChunkSize;
            int i0 = c * cs, i1 = Math.Min(ctx.Base.D, i0 + cs);
            var sc = Scratch.Current;
            int width = ctx.Base.Bits / 64;
            int padded = VolterraRisk.LoadChunk(ctx.Base.Lambda, ctx.Base.Init, i0, i1, width, sc.Lam, sc.S, sc.Valid);
            switch (ctx.Base.Bits)
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
        int len = ctx.Base.Steps + 1, w = V.Count, tile = VolterraRisk.Tile;
        if (sc.Acc.Length < 4 * tile * w) sc.Acc = new double[4 * tile * w];
        var acc = sc.Acc;
        for (int t0 = 0; t0 < len; t0 += tile)
        {
            int tl = Math.Min(tile, len - t0);
            Array.Clear(acc, 0, 4 * tile * w);
            for (int i = 0; i < padded; i += w)
            {
                if (ctx.Base.K == 1) Block1<V>(ctx, sc, i, t0, tl);
                else Block2<V>(ctx, sc, i, t0, tl);
            }
            ref double ra = ref MemoryMarshal.GetArrayDataReference(acc);
            for (int q = 0; q < 4; q++)
            {
                var dst = output.Slice(q * len + t0, tl);
                for (int n = 0; n < tl; n++) dst[n] = V.Sum(V.Load(ref ra, (q * tile + n) * w));
            }
        }
    }

    /// <summary>k = 1: the scalars y (from 1), p̃ and P̂ (from 0) of one vector of directions through <paramref name="tl"/>
    /// steps from <paramref name="t0"/>: y ← d y, p̃ ← t p̃ + τⁿ g, P̂ ← d P̂ + κ' x² (d = t² + κ'b̃², t = 1 − λb̃).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block1<V>(Context ctx, Scratch sc, int i, int t0, int tl) where V : struct, ISimd<V>
    {
        int w = V.Count, cs = VolterraRisk.ChunkSize;
        ref double yR = ref MemoryMarshal.GetArrayDataReference(sc.Y);
        ref double acc = ref MemoryMarshal.GetArrayDataReference(sc.Acc);
        var l = V.Load(ref MemoryMarshal.GetArrayDataReference(sc.Lam), i);
        var valid = V.Load(ref MemoryMarshal.GetArrayDataReference(sc.Valid), i);
        double b0 = ctx.Base.B0;
        var t = V.Fma(l, V.Broadcast(-b0), V.Broadcast(1.0));
        var kp = V.Mul(V.Mul(V.Broadcast(ctx.Base.K4InvB), l), l);
        var dm = V.Mul(V.Fma(kp, V.Broadcast(b0 * b0), V.Mul(t, t)), valid);
        var g = V.Mul(V.Mul(V.Broadcast(1 - ctx.Tau), t), valid);
        var vb = V.Broadcast(b0); var bb = V.Broadcast(b0 * b0);
        var wf = V.Mul(l, V.Load(ref MemoryMarshal.GetArrayDataReference(sc.S), i));
        var wk = V.Mul(l, l);
        var wkb = V.Mul(wk, bb);
        V y, p, h;
        if (t0 == 0) { y = V.Broadcast(1.0); p = h = V.Zero; }
        else { y = V.Load(ref yR, i); p = V.Load(ref yR, cs + i); h = V.Load(ref yR, 2 * cs + i); }
        var flush = V.Broadcast(VolterraRisk.FlushThreshold);
        int o1 = VolterraRisk.Tile * w, o2 = 2 * o1, o3 = 3 * o1;
        double pb = Math.Pow(ctx.Tau, t0);
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            var pbv = V.Broadcast(pb);
            var x = V.Fma(vb, p, V.Broadcast(ctx.Beta * pb));
            var q = V.Mul(x, x);
            var up = V.Add(p, pbv);
            V.Store(V.Fma(wf, y, V.Load(ref acc, o)), ref acc, o);
            V.Store(V.Fma(wkb, y, V.Load(ref acc, o1 + o)), ref acc, o1 + o);
            V.Store(V.Fma(wf, V.Fma(up, up, h), V.Load(ref acc, o2 + o)), ref acc, o2 + o);
            V.Store(V.Fma(wk, V.Fma(bb, h, q), V.Load(ref acc, o3 + o)), ref acc, o3 + o);
            y = V.Mul(dm, y);
            h = V.Fma(dm, h, V.Mul(kp, q));
            p = V.Fma(t, p, V.Mul(g, pbv));
            pb *= ctx.Tau;
            if (pb < VolterraRisk.FlushThreshold) pb = 0;
            if ((n & 7) == 7) { y = V.FlushBelow(y, flush); p = V.FlushBelow(p, flush); h = V.FlushBelow(h, flush); }
        }
        V.Store(y, ref yR, i); V.Store(p, ref yR, cs + i); V.Store(h, ref yR, 2 * cs + i);
    }

    /// <summary>
    /// k = 2: one vector of directions through <paramref name="tl"/> steps from <paramref name="t0"/>, in the consistent
    /// basis. The base adjoint y (from CC) and the average's P̂ (from 0, driven by κ'x²·CC) are both iterated by the
    /// base local map Dᵀ (kurtosis folded in, <see cref="VolterraRisk.LocalMap"/>) written in the read-out basis
    /// z = S v = (v₀, BB·v, v_keep) — S Dᵀ S⁻¹ formed once per direction — so f, K, r', R' read z₀ and z₁ directly;
    /// p̃ ← Tᵀp̃ + τⁿg carries the rank-one part.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block2<V>(Context ctx, Scratch sc, int i, int t0, int tl) where V : struct, ISimd<V>
    {
        var bc = ctx.Base;
        int w = V.Count, cs = VolterraRisk.ChunkSize;
        ref double yR = ref MemoryMarshal.GetArrayDataReference(sc.Y);
        ref double acc = ref MemoryMarshal.GetArrayDataReference(sc.Acc);
        var l = V.Load(ref MemoryMarshal.GetArrayDataReference(sc.Lam), i);
        var valid = V.Load(ref MemoryMarshal.GetArrayDataReference(sc.Valid), i);
        VolterraRisk.LocalMap(bc, l, valid, out var d00, out var d01, out var d02, out var d10, out var d11, out var d12,
            out var d20, out var d21, out var d22);
        // n = Dᵀ S⁻¹ (v_pivot = (z₁ − BB₀z₀ − BB_keep z₂)/BB_pivot), then S n: rows n₀, BB·n, n_keep
        int pv = ctx.Pivot, kpI = ctx.Keep;
        double inv = 1 / bc.BB[pv];
        var cz0 = V.Broadcast(-bc.BB[0] * inv); var cz1 = V.Broadcast(inv); var cz2 = V.Broadcast(-bc.BB[kpI] * inv);
        Row(d00, d01, d02, pv, cz0, cz1, cz2, out var n00, out var n01, out var n02);
        Row(d10, d11, d12, pv, cz0, cz1, cz2, out var n10, out var n11, out var n12);
        Row(d20, d21, d22, pv, cz0, cz1, cz2, out var n20, out var n21, out var n22);
        var bb0 = V.Broadcast(bc.BB[0]); var bb1 = V.Broadcast(bc.BB[1]); var bb2 = V.Broadcast(bc.BB[2]);
        var m00 = n00; var m01 = n01; var m02 = n02;
        var m10 = V.Fma(bb0, n00, V.Fma(bb1, n10, V.Mul(bb2, n20)));
        var m11 = V.Fma(bb0, n01, V.Fma(bb1, n11, V.Mul(bb2, n21)));
        var m12 = V.Fma(bb0, n02, V.Fma(bb1, n12, V.Mul(bb2, n22)));
        V m20, m21, m22;
        if (kpI == 2) { m20 = n20; m21 = n21; m22 = n22; } else { m20 = n10; m21 = n11; m22 = n12; }
        // CC in the read-out basis: (1, (b̃ᵀc̃)², CC_keep); the average's source κ'x²·(S CC)
        double cc1 = bc.BB[0] * bc.CC[0] + bc.BB[1] * bc.CC[1] + bc.BB[2] * bc.CC[2], cc2 = bc.CC[kpI];
        var kp = V.Mul(V.Mul(V.Broadcast(bc.K4InvB), l), l);
        var s0 = kp; var s1 = V.Mul(kp, V.Broadcast(cc1)); var s2 = V.Mul(kp, V.Broadcast(cc2));
        // T = Ã − λ b̃ c̃ᵀ (c̃ = (1, c̃₁)), g = (1 − τ)Tᵀõ (õ = (1, õ₁))
        var t00 = V.Fma(l, V.Broadcast(-bc.B0), V.Broadcast(bc.A00)); var t01 = V.Fma(l, V.Broadcast(-bc.B0 * bc.C1), V.Broadcast(bc.A01));
        var t10 = V.Fma(l, V.Broadcast(-bc.B1), V.Broadcast(bc.A10)); var t11 = V.Fma(l, V.Broadcast(-bc.B1 * bc.C1), V.Broadcast(bc.A11));
        var om = V.Mul(V.Broadcast(1 - ctx.Tau), valid); var o1 = V.Broadcast(ctx.O1);
        var g0 = V.Mul(om, V.Fma(t10, o1, t00)); var g1 = V.Mul(om, V.Fma(t11, o1, t01));
        var b0 = V.Broadcast(bc.B0); var b1 = V.Broadcast(bc.B1);
        var wf = V.Mul(l, V.Load(ref MemoryMarshal.GetArrayDataReference(sc.S), i));
        var wk = V.Mul(l, l);
        V y0, y1, y2, p0, p1, h0, h1, h2;
        if (t0 == 0)
        {
            y0 = V.Broadcast(bc.CC[0]); y1 = V.Broadcast(cc1); y2 = V.Broadcast(cc2);
            p0 = p1 = h0 = h1 = h2 = V.Zero;
        }
        else
        {
            y0 = V.Load(ref yR, i); y1 = V.Load(ref yR, cs + i); y2 = V.Load(ref yR, 2 * cs + i);
            p0 = V.Load(ref yR, 3 * cs + i); p1 = V.Load(ref yR, 4 * cs + i);
            h0 = V.Load(ref yR, 5 * cs + i); h1 = V.Load(ref yR, 6 * cs + i); h2 = V.Load(ref yR, 7 * cs + i);
        }
        var flush = V.Broadcast(VolterraRisk.FlushThreshold);
        int a1 = VolterraRisk.Tile * w, a2 = 2 * a1, a3 = 3 * a1;
        double pb = Math.Pow(ctx.Tau, t0); // τⁿ, the average's coordinate of p_n (common to all directions)
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            var pbv = V.Broadcast(pb);
            var x = V.Fma(b0, p0, V.Fma(b1, p1, V.Broadcast(ctx.Beta * pb)));
            var q = V.Mul(x, x);
            var up = V.Add(p0, pbv);
            V.Store(V.Fma(wf, y0, V.Load(ref acc, o)), ref acc, o);
            V.Store(V.Fma(wk, y1, V.Load(ref acc, a1 + o)), ref acc, a1 + o);
            V.Store(V.Fma(wf, V.Fma(up, up, h0), V.Load(ref acc, a2 + o)), ref acc, a2 + o);
            V.Store(V.Fma(wk, V.Add(q, h1), V.Load(ref acc, a3 + o)), ref acc, a3 + o);
            var ny0 = V.Fma(m00, y0, V.Fma(m01, y1, V.Mul(m02, y2)));
            var ny1 = V.Fma(m10, y0, V.Fma(m11, y1, V.Mul(m12, y2)));
            var ny2 = V.Fma(m20, y0, V.Fma(m21, y1, V.Mul(m22, y2)));
            var nh0 = V.Fma(m00, h0, V.Fma(m01, h1, V.Fma(m02, h2, V.Mul(s0, q))));
            var nh1 = V.Fma(m10, h0, V.Fma(m11, h1, V.Fma(m12, h2, V.Mul(s1, q))));
            var nh2 = V.Fma(m20, h0, V.Fma(m21, h1, V.Fma(m22, h2, V.Mul(s2, q))));
            var np0 = V.Fma(t00, p0, V.Fma(t10, p1, V.Mul(g0, pbv)));
            var np1 = V.Fma(t01, p0, V.Fma(t11, p1, V.Mul(g1, pbv)));
            y0 = ny0; y1 = ny1; y2 = ny2; h0 = nh0; h1 = nh1; h2 = nh2; p0 = np0; p1 = np1;
            pb *= ctx.Tau;
            if (pb < VolterraRisk.FlushThreshold) pb = 0;
            if ((n & 7) == 7)
            {
                y0 = V.FlushBelow(y0, flush); y1 = V.FlushBelow(y1, flush); y2 = V.FlushBelow(y2, flush);
                h0 = V.FlushBelow(h0, flush); h1 = V.FlushBelow(h1, flush); h2 = V.FlushBelow(h2, flush);
                p0 = V.FlushBelow(p0, flush); p1 = V.FlushBelow(p1, flush);
            }
        }
        V.Store(y0, ref yR, i); V.Store(y1, ref yR, cs + i); V.Store(y2, ref yR, 2 * cs + i);
        V.Store(p0, ref yR, 3 * cs + i); V.Store(p1, ref yR, 4 * cs + i);
        V.Store(h0, ref yR, 5 * cs + i); V.Store(h1, ref yR, 6 * cs + i); V.Store(h2, ref yR, 7 * cs + i);
    }

    /// <summary>One row (r₀, r₁, r₂) of Dᵀ times S⁻¹: the coefficients of z₀, z₁, z₂ when v_pivot is replaced by
    /// cz₀z₀ + cz₁z₁ + cz₂z₂ and v_keep is z₂.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<V>(V r0, V r1, V r2, int pivot, V cz0, V cz1, V cz2, out V c0, out V c1, out V c2)
        where V : struct, ISimd<V>
    {
        var rp = pivot == 1 ? r1 : r2;
        var rk = pivot == 1 ? r2 : r1;
        c0 = V.Fma(rp, cz0, r0);
        c1 = V.Mul(rp, cz1);
        c2 = V.Fma(rp, cz2, rk);
    }
}
