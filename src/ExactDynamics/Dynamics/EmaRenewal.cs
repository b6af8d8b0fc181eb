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
/// per step). SIMD across directions, chunks on all cores, tiles of <see cref="Tile"/> steps, partial sums
/// reduced in chunk order as in <see cref="VolterraRisk"/>; <see cref="Reference"/> is the plain per-direction loop.
/// </summary>
internal static class EmaRenewal
{
    /// <summary>Steps per tile: four accumulated sequences of this many steps (32 KB at 512 bits) stay in L1.</summary>
    internal const int Tile = 128;

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
    /// (or, for a two-state base with |b̃₁| &lt; 10⁻³|b̃₀|, where the read-out basis is ill-conditioned or does not exist:
    /// the fused pass then runs).</summary>
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
        /// when there is no well-conditioned read-out basis (|b̃₁| &lt; 10⁻³|b̃₀|); <see cref="Keep"/> is the other one,
        /// the third read-out coordinate.</summary>
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
            // bᵀYb = BB₀y₀ + BB₁y₁ + BB₂y₂ (y₁ = 2Y₀₁) and X = b̃ᵀp̃ + βτⁿ are solved for the second coordinate, which
            // needs b̃₁ ≠ 0; the read-out bases have condition numbers about |b̃₀/b̃₁|, so below 10⁻³|b̃₀| there is none.
            if (!(Math.Abs(Base.B1) >= 1e-3 * Math.Abs(Base.B0))) { Pivot = -1; return; }
            (Pivot, Keep) = Math.Abs(Base.BB[1]) >= Math.Abs(Base.BB[2]) ? (1, 2) : (2, 1);
        }
    }

    /// <summary>Per-thread scratch: a chunk's λ, s, validity mask, the eight local coordinates, tile accumulators.</summary>
    private sealed class Scratch
    {
        public readonly double[] Lam = new double[VolterraRisk.ChunkSize], S = new double[VolterraRisk.ChunkSize];
        public readonly double[] Valid = new double[VolterraRisk.ChunkSize];
        public readonly double[] Y = new double[8 * VolterraRisk.ChunkSize];
        public double[] Acc = new double[4 * Tile * 8];
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
            int padded = VolterraRisk.LoadChunk(ctx.Base.Lambda, ctx.Base.Init, i0, i1, 2 * width, sc.Lam, sc.S, sc.Valid);
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
        int len = ctx.Base.Steps + 1, w = V.Count, tile = Tile;
        if (sc.Acc.Length < 4 * tile * w) sc.Acc = new double[4 * tile * w];
        var acc = sc.Acc;
        for (int t0 = 0; t0 < len; t0 += tile)
        {
            int tl = Math.Min(tile, len - t0);
            Array.Clear(acc, 0, 4 * tile * w);
            double pb = Math.Pow(ctx.Tau, t0); // τ^t0 (computed here: a call inside the blocks would spill their vectors)
            if (ctx.Base.K == 1) for (int i = 0; i < padded; i += 2 * w) Block1<V>(ctx, sc, i, t0, tl, pb);
            else for (int i = 0; i < padded; i += w) Block2<V>(ctx, sc, i, t0, tl, pb);
            ref double ra = ref MemoryMarshal.GetArrayDataReference(acc);
            for (int q = 0; q < 4; q++)
            {
                var dst = output.Slice(q * len + t0, tl);
                for (int n = 0; n < tl; n++) dst[n] = V.Sum(V.Load(ref ra, (q * tile + n) * w));
            }
        }
    }

    /// <summary>k = 1: the scalars y (from 1), U = p̃ + τⁿ (from 1) and P̂ (from 0) of two vectors of directions
    /// through <paramref name="tl"/> steps from <paramref name="t0"/> (<paramref name="pb"/> = τ^t0): y ← d y,
    /// U ← tU + (g + τ − t)τⁿ, P̂ ← d P̂ + κ'x², x = b̃U − b̃τⁿ⁺¹ (d = t² + κ'b̃², t = 1 − λb̃, g = (1 − τ)t).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block1<V>(Context ctx, Scratch sc, int i, int t0, int tl, double pb) where V : struct, ISimd<V>
    {
        int w = V.Count, cs = VolterraRisk.ChunkSize, ib = i + w;
        ref double yR = ref MemoryMarshal.GetArrayDataReference(sc.Y);
        ref double acc = ref MemoryMarshal.GetArrayDataReference(sc.Acc);
        ref double lamR = ref MemoryMarshal.GetArrayDataReference(sc.Lam);
        ref double vR = ref MemoryMarshal.GetArrayDataReference(sc.Valid);
        ref double sR = ref MemoryMarshal.GetArrayDataReference(sc.S);
        double b0 = ctx.Base.B0, tau = ctx.Tau;
        var one = V.Broadcast(1.0); var nb = V.Broadcast(-b0); var k4 = V.Broadcast(ctx.Base.K4InvB);
        var vb = V.Broadcast(b0); var bb = V.Broadcast(b0 * b0);
        var la = V.Load(ref lamR, i); var lb = V.Load(ref lamR, ib);
        var ta = V.Fma(la, nb, one); var tb = V.Fma(lb, nb, one);
        var kpa = V.Mul(V.Mul(k4, la), la); var kpb = V.Mul(V.Mul(k4, lb), lb);
        var da = V.Mul(V.Fma(kpa, bb, V.Mul(ta, ta)), V.Load(ref vR, i));
        var db = V.Mul(V.Fma(kpb, bb, V.Mul(tb, tb)), V.Load(ref vR, ib));
        // g + τ − t = (1 − τ)t + τ − t = τ(1 − t)
        var ea = V.Mul(V.Broadcast(tau), V.Sub(one, ta)); var eb = V.Mul(V.Broadcast(tau), V.Sub(one, tb));
        var wfa = V.Mul(la, V.Load(ref sR, i)); var wfb = V.Mul(lb, V.Load(ref sR, ib));
        var wka = V.Mul(la, la); var wkb = V.Mul(lb, lb);
        var wkba = V.Mul(wka, bb); var wkbb = V.Mul(wkb, bb);
        V ya, ua, ha, yb, ub, hb;
        if (t0 == 0) { ya = yb = one; ua = ub = one; ha = hb = V.Zero; }
        else
        {
            ya = V.Load(ref yR, i); ua = V.Load(ref yR, cs + i); ha = V.Load(ref yR, 2 * cs + i);
            yb = V.Load(ref yR, ib); ub = V.Load(ref yR, cs + ib); hb = V.Load(ref yR, 2 * cs + ib);
        }
        var flush = V.Broadcast(VolterraRisk.FlushThreshold);
        int o1 = Tile * w, o2 = 2 * o1, o3 = 3 * o1;
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            var pbv = V.Broadcast(pb);
            var shift = V.Broadcast(-b0 * tau * pb);
            var xa = V.Fma(vb, ua, shift); var xb = V.Fma(vb, ub, shift);
            var qa = V.Mul(xa, xa); var qb = V.Mul(xb, xb);
            V.Store(V.Fma(wfa, ya, V.Fma(wfb, yb, V.Load(ref acc, o))), ref acc, o);
            V.Store(V.Fma(wkba, ya, V.Fma(wkbb, yb, V.Load(ref acc, o1 + o))), ref acc, o1 + o);
            V.Store(V.Fma(wfa, V.Fma(ua, ua, ha), V.Fma(wfb, V.Fma(ub, ub, hb), V.Load(ref acc, o2 + o))), ref acc, o2 + o);
            V.Store(V.Fma(wka, V.Fma(bb, ha, qa), V.Fma(wkb, V.Fma(bb, hb, qb), V.Load(ref acc, o3 + o))), ref acc, o3 + o);
            ya = V.Mul(da, ya); yb = V.Mul(db, yb);
            ha = V.Fma(da, ha, V.Mul(kpa, qa)); hb = V.Fma(db, hb, V.Mul(kpb, qb));
            ua = V.Fma(ta, ua, V.Mul(ea, pbv)); ub = V.Fma(tb, ub, V.Mul(eb, pbv));
            pb *= tau;
            if (pb < VolterraRisk.FlushThreshold) pb = 0;
            if ((n & 7) == 7)
            {
                ya = V.FlushBelow(ya, flush); ua = V.FlushBelow(ua, flush); ha = V.FlushBelow(ha, flush);
                yb = V.FlushBelow(yb, flush); ub = V.FlushBelow(ub, flush); hb = V.FlushBelow(hb, flush);
            }
        }
        V.Store(ya, ref yR, i); V.Store(ua, ref yR, cs + i); V.Store(ha, ref yR, 2 * cs + i);
        V.Store(yb, ref yR, ib); V.Store(ub, ref yR, cs + ib); V.Store(hb, ref yR, 2 * cs + ib);
    }

    /// <summary>
    /// k = 2: one vector of directions through <paramref name="tl"/> steps from <paramref name="t0"/> (<paramref name="pb"/> =
    /// τ^t0, the average's coordinate of p_n, common to all directions), in the consistent
    /// basis. The base adjoint y (from CC) and the average's P̂ (from 0, driven by κ'x²·CC) are both iterated by the
    /// base local map Dᵀ (kurtosis folded in, <see cref="VolterraRisk.LocalMap"/>) written in the read-out basis
    /// z = S v = (v₀, BB·v, v_keep) — S Dᵀ S⁻¹ formed once per direction — so f, K, r', R' read z₀ and z₁ directly;
    /// p̃ ← Tᵀp̃ + τⁿg carries the rank-one part.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block2<V>(Context ctx, Scratch sc, int i, int t0, int tl, double pb) where V : struct, ISimd<V>
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
        // T = Ã − λ b̃ c̃ᵀ (c̃ = (1, c̃₁)), g = (1 − τ)Tᵀõ (õ = (1, õ₁)); the rank-one part p̃ ← Tᵀp̃ + τⁿg in the
        // coordinates U = p̃₀ + τⁿ and X = b̃ᵀp̃ + βτⁿ that the read-outs use: row (r₀, r₁, e) of p̃ ↦ r₀p̃₀ + r₁p̃₁ + eτⁿ
        // becomes (r₀ − r₁b̃₀/b̃₁) U + (r₁/b̃₁) X + (e − r₀ + r₁(b̃₀ − β)/b̃₁) τⁿ
        var t00 = V.Fma(l, V.Broadcast(-bc.B0), V.Broadcast(bc.A00)); var t01 = V.Fma(l, V.Broadcast(-bc.B0 * bc.C1), V.Broadcast(bc.A01));
        var t10 = V.Fma(l, V.Broadcast(-bc.B1), V.Broadcast(bc.A10)); var t11 = V.Fma(l, V.Broadcast(-bc.B1 * bc.C1), V.Broadcast(bc.A11));
        var om = V.Mul(V.Broadcast(1 - ctx.Tau), valid); var o1 = V.Broadcast(ctx.O1);
        var g0 = V.Mul(om, V.Fma(t10, o1, t00)); var g1 = V.Mul(om, V.Fma(t11, o1, t01));
        var b0 = V.Broadcast(bc.B0); var b1 = V.Broadcast(bc.B1);
        var tau = V.Broadcast(ctx.Tau); var beta = V.Broadcast(ctx.Beta);
        MeanRow(t00, t10, V.Add(g0, tau), bc.B0, bc.B1, ctx.Beta, out var uu, out var ux, out var ue);
        MeanRow(V.Fma(b0, t00, V.Mul(b1, t01)), V.Fma(b0, t10, V.Mul(b1, t11)), V.Fma(b0, g0, V.Fma(b1, g1, V.Mul(beta, tau))),
            bc.B0, bc.B1, ctx.Beta, out var xu, out var xx, out var xe);
        var wf = V.Mul(l, V.Load(ref MemoryMarshal.GetArrayDataReference(sc.S), i));
        var wk = V.Mul(l, l);
        V y0, y1, y2, pu, px, h0, h1, h2;
        if (t0 == 0)
        {
            y0 = V.Broadcast(bc.CC[0]); y1 = V.Broadcast(cc1); y2 = V.Broadcast(cc2);
            pu = V.Broadcast(1.0); px = beta;
            h0 = h1 = h2 = V.Zero;
        }
        else
        {
            y0 = V.Load(ref yR, i); y1 = V.Load(ref yR, cs + i); y2 = V.Load(ref yR, 2 * cs + i);
            pu = V.Load(ref yR, 3 * cs + i); px = V.Load(ref yR, 4 * cs + i);
            h0 = V.Load(ref yR, 5 * cs + i); h1 = V.Load(ref yR, 6 * cs + i); h2 = V.Load(ref yR, 7 * cs + i);
        }
        var flush = V.Broadcast(VolterraRisk.FlushThreshold);
        int a1 = Tile * w, a2 = 2 * a1, a3 = 3 * a1;
        for (int n = 0; n < tl; n++)
        {
            int o = n * w;
            var pbv = V.Broadcast(pb);
            var q = V.Mul(px, px);
            V.Store(V.Fma(wf, y0, V.Load(ref acc, o)), ref acc, o);
            V.Store(V.Fma(wk, y1, V.Load(ref acc, a1 + o)), ref acc, a1 + o);
            V.Store(V.Fma(wf, V.Fma(pu, pu, h0), V.Load(ref acc, a2 + o)), ref acc, a2 + o);
            V.Store(V.Fma(wk, V.Add(q, h1), V.Load(ref acc, a3 + o)), ref acc, a3 + o);
            var ny0 = V.Fma(m00, y0, V.Fma(m01, y1, V.Mul(m02, y2)));
            var ny1 = V.Fma(m10, y0, V.Fma(m11, y1, V.Mul(m12, y2)));
            var ny2 = V.Fma(m20, y0, V.Fma(m21, y1, V.Mul(m22, y2)));
            var nh0 = V.Fma(m00, h0, V.Fma(m01, h1, V.Fma(m02, h2, V.Mul(s0, q))));
            var nh1 = V.Fma(m10, h0, V.Fma(m11, h1, V.Fma(m12, h2, V.Mul(s1, q))));
            var nh2 = V.Fma(m20, h0, V.Fma(m21, h1, V.Fma(m22, h2, V.Mul(s2, q))));
            var npu = V.Fma(uu, pu, V.Fma(ux, px, V.Mul(ue, pbv)));
            var npx = V.Fma(xu, pu, V.Fma(xx, px, V.Mul(xe, pbv)));
            y0 = ny0; y1 = ny1; y2 = ny2; h0 = nh0; h1 = nh1; h2 = nh2; pu = npu; px = npx;
            pb *= ctx.Tau;
            if (pb < VolterraRisk.FlushThreshold) pb = 0;
            if ((n & 7) == 7)
            {
                y0 = V.FlushBelow(y0, flush); y1 = V.FlushBelow(y1, flush); y2 = V.FlushBelow(y2, flush);
                h0 = V.FlushBelow(h0, flush); h1 = V.FlushBelow(h1, flush); h2 = V.FlushBelow(h2, flush);
                pu = V.FlushBelow(pu, flush); px = V.FlushBelow(px, flush);
            }
        }
        V.Store(y0, ref yR, i); V.Store(y1, ref yR, cs + i); V.Store(y2, ref yR, 2 * cs + i);
        V.Store(pu, ref yR, 3 * cs + i); V.Store(px, ref yR, 4 * cs + i);
        V.Store(h0, ref yR, 5 * cs + i); V.Store(h1, ref yR, 6 * cs + i); V.Store(h2, ref yR, 7 * cs + i);
    }

    /// <summary>A row r₀p̃₀ + r₁p̃₁ + eτⁿ of the rank-one part's update in the coordinates U = p̃₀ + τⁿ,
    /// X = b̃₀p̃₀ + b̃₁p̃₁ + βτⁿ: cu U + cx X + ce τⁿ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MeanRow<V>(V r0, V r1, V e, double b0, double b1, double beta, out V cu, out V cx, out V ce)
        where V : struct, ISimd<V>
    {
        cx = V.Mul(r1, V.Broadcast(1 / b1));
        cu = V.Fma(cx, V.Broadcast(-b0), r0);
        ce = V.Fma(cx, V.Broadcast(b0 - beta), V.Sub(e, r0));
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
