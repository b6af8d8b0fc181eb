using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The exact risk of the tail average (docs/math.md#tail-averaging): at every horizon T the mean of the last
/// n_T = max(1, ⌈F·T⌉) reported iterates, x̄_T = (1/n_T) Σ_{s=S_T..T} w_s with S_T = T − n_T + 1 (w_0 is in the window
/// only at T = 0). Per direction i, with e_s = o_sᵀx_s, v_s = S_s o_s and the mean maps T_s = A_s − λ_i b_s c_sᵀ,
/// <code>
/// E[e_r e_s] = o_rᵀ Φ(r, s) v_s  (r ≥ s),   Φ(r, s) = T_{r−1} ⋯ T_s,
/// E L(x̄_T) = (1/(2 n_T²)) Σ_i λ_i W_i(S_T, T),   W(S, T) = Σ_{r, s ∈ [S, T]} E[e_r e_s].
/// </code>
/// Horizons are grouped into blocks that share a split step M (every window start of the block ≤ M ≤ every horizon):
/// W(S, T) = W_L(S) + W_R(T) + 2 g_Tᵀ h_S, where W_L is a backward sweep over [S_a, M − 1] (adjoint
/// z(s) = o_s + T_sᵀ z(s + 1)), W_R a forward accumulator a(t) = T_{t−1} a(t − 1) + v_t from M, and the cross term
/// pairs g_T = Σ_{r=M..T} Φ(r, M)ᵀ o_r with h_S = Σ_{s=S..M−1} Φ(M, s) v_s. Every term is a genuine part of the sum
/// (no differences of prefix sums), so the result keeps its relative precision when the risk decays. The second
/// moments come from one pass of <see cref="SecondMoments"/> shared by all blocks; each block adds one mean-map sweep
/// over its window.
/// </summary>
public static class TailAverage
{
    /// <summary>Bytes one block may hold for its stored vectors (the moments S_s o over [S_a, M) and the h_S); wider
    /// blocks are split.</summary>
    internal const double BlockBytes = 256e6;

    /// <summary>n_T = max(1, ⌈F·T⌉), the number of iterates averaged at horizon T. F·T is taken as the integer it is
    /// within 1e-9 relative rounding of, so that F = 0.1, T = 30 gives 3, not 4.</summary>
    /// <exception cref="InvalidInputException">F is not in (0, 1].</exception>
    public static long WindowLength(double fraction, long horizon)
    {
        MethodModifiers.RequireTailFraction(fraction);
        if (horizon < 0) throw new ArgumentOutOfRangeException(nameof(horizon));
        double x = fraction * horizon;
        double m = Math.Round(x);
        long n = Math.Abs(x - m) <= 1e-9 * Math.Max(1, x) ? (long)m : (long)Math.Ceiling(x);
        return Math.Clamp(n, 1, Math.Max(1, horizon));
    }

    /// <summary>S_T = T − n_T + 1, the first step in the window of horizon T (≥ 1 for T ≥ 1).</summary>
    public static long WindowStart(double fraction, long horizon) => horizon - WindowLength(fraction, horizon) + 1;

    /// <summary>
    /// E L(x̄_T) at the sorted, distinct horizons <paramref name="horizons"/> (≥ 0) of a tail-averaged method
    /// (<see cref="ScheduledMethod.TailFraction"/> set); stops at the last finite value when the risk overflows.
    /// </summary>
    /// <param name="problem">The problem.</param>
    /// <param name="scheduled">The method with its tail average.</param>
    /// <param name="horizons">The horizons T.</param>
    /// <param name="progress">Receives the steps done so far.</param>
    /// <param name="maxLeft">The widest spread of window starts a block may hold (default: what fits
    /// <see cref="BlockBytes"/>); tests narrow it to force many blocks.</param>
    /// <param name="vectorBits">The SIMD width of the sweeps (<see cref="TailSweepKernels"/>; 0: the widest the machine
    /// accelerates), or −1 for the scalar reference kernels.</param>
    internal static RiskTrajectory At(Problem problem, ScheduledMethod scheduled, IEnumerable<long> horizons, Action<long>? progress = null,
        long? maxLeft = null, int vectorBits = 0)
    {
        var ts = new List<long>();
        var rs = new List<double>();
        foreach (var (t, r) in Stream(problem, scheduled, horizons, progress, maxLeft, vectorBits))
        {
            if (!double.IsFinite(r)) return new RiskTrajectory(ts.ToArray(), rs.ToArray(), true);
            ts.Add(t);
            rs.Add(r);
        }
        return new RiskTrajectory(ts.ToArray(), rs.ToArray(), false);
    }

    /// <summary>
    /// Seconds for the tail-averaged risk at <paramref name="horizons"/>: the second-moment pass to the last horizon
    /// plus the blocks' mean-map sweeps (their total length is planned exactly).
    /// </summary>
    internal static double Seconds(Problem problem, ScheduledMethod scheduled, IEnumerable<long> horizons)
    {
        int k = scheduled.Template.Base.K, d = problem.Spectrum.Dimension;
        double fraction = RequireFraction(scheduled);
        var planner = new Planner(horizons.GetEnumerator(), fraction, MaxLeft(k, d));
        double sweep = 0;
        long last = 0;
        while (planner.Next() is { } b) { sweep += b.Tb - b.Sa + 1; last = b.Tb; }
        return CostEstimate.SteppingSeconds(k, d, last) + sweep * d * (2.0 + k * k * (k + 2)) * 1e-9;
    }

    /// <summary>Bytes the evaluation may hold up to horizon <paramref name="last"/>: the moment vectors, two blocks'
    /// forward and backward sweeps (a, g, Φ, z, h: (k² + 4k)·d doubles each) and their stored vectors (at most
    /// <see cref="BlockBytes"/> each).</summary>
    internal static double Bytes(int k, int d, long last) =>
        8.0 * d * (k + 2.0 * (k * k + 4 * k)) + 2 * Math.Min(BlockBytes, 16.0 * k * d * (last + 1));

    private static double RequireFraction(ScheduledMethod scheduled) =>
        scheduled.TailFraction ?? throw new InvalidOperationException("The method has no tail average.");

    private static long MaxLeft(int k, int d) => Math.Max(1, (long)(BlockBytes / (16.0 * k * d)));

    /// <summary>
    /// (T, E L(x̄_T)) for each horizon in order, lazily (a search for the first hit of a target stops early); after an
    /// overflow one pair with +∞ and the step where it happened ends the sequence.
    /// </summary>
    internal static IEnumerable<(long T, double Risk)> Stream(Problem problem, ScheduledMethod scheduled, IEnumerable<long> horizons,
        Action<long>? progress = null, long? maxLeft = null, int vectorBits = 0)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(horizons);
        double fraction = RequireFraction(scheduled);
        MethodModifiers.RequireTailFraction(fraction);
        return Run(problem, scheduled, fraction, horizons, progress, maxLeft, vectorBits < 0 ? -1 : SimdWidth.Resolve(vectorBits));
    }

    private static IEnumerable<(long T, double Risk)> Run(Problem problem, ScheduledMethod scheduled, double fraction,
        IEnumerable<long> horizons, Action<long>? progress, long? maxLeft, int bits)
    {
        var state = new SecondMoments(problem, scheduled, null, tailBase: true);
        var lam = problem.Spectrum.ToArray();
        int d = lam.Length;
        var settings = scheduled.At(0, problem.Batch);
        int k = settings.Method.K;
        var planner = new Planner(horizons.GetEnumerator(), fraction, maxLeft ?? MaxLeft(k, d));
        var upcoming = planner.Next();
        var active = new List<Block>();
        var cur = new Coefficients(settings.Method);
        Coefficients? prev = null;
        var chunks = new Chunks(d);
        var pool = new Stack<double[]>(); // recycled vectors of d·k doubles (large-object heap: allocating each is slow)
        var v = new double[d * k];
        for (long t = 0; ; t++)
        {
            if (t > 0)
            {
                state.Step();
                if (!double.IsFinite(state.Risk)) { yield return (t, double.PositiveInfinity); yield break; }
                prev = cur;
                var next = scheduled.At(t, problem.Batch, settings);
                if (!ReferenceEquals(next.Method, settings.Method)) cur = new Coefficients(next.Method);
                settings = next;
                if ((t & 0xFFFF) == 0) progress?.Invoke(t);
            }
            while (upcoming is not null && upcoming.Sa <= t) { active.Add(upcoming); upcoming = planner.Next(); }
            if (active.Count == 0)
            {
                if (upcoming is null) yield break;
                continue;
            }
            var o = cur.O;
            chunks.Sum((i0, i1) => { state.MomentTimes(o, v, i0, i1); return 0; });
            foreach (var b in active)
            {
                if (t < b.M) b.Store(v, cur, pool);
                else if (t == b.M) { b.SweepLeft(lam, chunks, pool, bits); b.StartRight(lam, v, cur); }
                else b.StepRight(lam, v, cur, prev!, chunks, bits);
                if (b.Next < b.Ts.Count && b.Ts[b.Next] == t)
                {
                    double risk = b.Risk(lam, chunks);
                    b.Next++;
                    if (!double.IsFinite(risk)) { yield return (t, double.PositiveInfinity); yield break; }
                    yield return (t, risk);
                }
            }
            foreach (var b in active) if (b.Tb <= t) b.Release(pool);
            active.RemoveAll(b => b.Tb <= t);
            if (active.Count == 0 && upcoming is null) { progress?.Invoke(t); yield break; }
        }
    }

    /// <summary>The directions cut into fixed chunks (<see cref="SecondMoments.ChunkSize"/>) that run on all cores for a
    /// large d; partial sums are added in chunk order, so results do not depend on the thread count.</summary>
    internal sealed class Chunks(int d) : IChunkJob
    {
        private readonly int _count = (d + SecondMoments.ChunkSize - 1) / SecondMoments.ChunkSize;
        private readonly double[] _parts = new double[(d + SecondMoments.ChunkSize - 1) / SecondMoments.ChunkSize];
        private Func<int, int, double>? _kernel;

        public void Run(int chunk)
        {
            int i0 = chunk * SecondMoments.ChunkSize;
            _parts[chunk] = _kernel!(i0, Math.Min(d, i0 + SecondMoments.ChunkSize));
        }

        /// <summary>Σ over the chunks of <paramref name="kernel"/>(i0, i1).</summary>
        public double Sum(Func<int, int, double> kernel)
        {
            _kernel = kernel;
            if (d >= SecondMoments.ParallelThreshold && _count > 1) ChunkPool.Shared.Run(this, _count, ExecutionOptions.Default.Threads);
            else for (int c = 0; c < _count; c++) Run(c);
            _kernel = null;
            double sum = 0;
            for (int c = 0; c < _count; c++) sum += _parts[c];
            return sum;
        }
    }

    /// <summary>The matrices of one update: T x = A x − λ b (cᵀx), Tᵀ z = Aᵀ z − λ c (bᵀz), and the read-out o.</summary>
    internal sealed class Coefficients
    {
        public readonly int K;
        public readonly double[] A, B, C, O; // A row-major
        /// <summary>A, b, c, o packed for the two-state SIMD kernels (null for other k).</summary>
        public readonly double[]? Packed;

        public Coefficients(LinearMethod m)
        {
            K = m.K;
            A = new double[K * K];
            for (int p = 0; p < K; p++) for (int q = 0; q < K; q++) A[p * K + q] = m.A(p, q);
            B = m.B.ToArray();
            C = m.C.ToArray();
            O = m.O.ToArray();
            if (K == 2) Packed = TailSweepKernels.Pack(A, B, C, O);
        }
    }

    /// <summary>Groups sorted horizons into blocks: a block grows while its largest window start stays at or below its
    /// first horizon and its left part (the starts' spread) fits <see cref="BlockBytes"/>.</summary>
    private sealed class Planner(IEnumerator<long> horizons, double fraction, long maxLeft)
    {
        private bool _started, _has;
        private long _peek, _last = -1;

        private void Advance()
        {
            _has = horizons.MoveNext();
            if (!_has) return;
            _peek = horizons.Current;
            if (_peek < 0 || _peek <= _last) throw new InvalidInputException("The steps must be whole numbers ≥ 0 in increasing order.");
            _last = _peek;
        }

        public Block? Next()
        {
            if (!_started) { _started = true; Advance(); }
            if (!_has) return null;
            long ta = _peek, s0 = WindowStart(fraction, ta);
            var b = new Block { Sa = s0, M = s0, Tb = ta };
            b.Add(ta, s0);
            Advance();
            while (_has)
            {
                long s = WindowStart(fraction, _peek);
                long m = Math.Max(b.M, s), sa = Math.Min(b.Sa, s);
                if (m > ta || m - sa > maxLeft) break;
                b.M = m; b.Sa = sa; b.Tb = _peek;
                b.Add(_peek, s);
                Advance();
            }
            return b;
        }
    }

    /// <summary>One block of horizons with its split step M (docs/math.md#tail-averaging). Per-direction vectors are
    /// stored component-major, x[p·d + i], matrices x[(p·k + q)·d + i], so that a kernel over directions reads contiguous
    /// lanes.</summary>
    internal sealed class Block
    {
        public long Sa, M, Tb;
        public readonly List<long> Ts = [], Ss = [];
        private readonly HashSet<long> _starts = [];
        public int Next;
        // left part: v_s and the update's matrices for s = Sa .. M − 1; then W_L(S) and h_S per window start
        private readonly List<double[]> _v = [];
        private readonly List<Coefficients> _co = [];
        private readonly Dictionary<long, (double Left, double[]? H)> _left = [];
        // right part: a(t), P(t) = Φ(t, M), g_T, W_R
        private double[]? _a, _p, _g;
        private double _right;

        public void Add(long t, long s) { Ts.Add(t); Ss.Add(s); _starts.Add(s); }

        public void Store(double[] v, Coefficients co, Stack<double[]> pool)
        {
            var copy = Rent(pool, v.Length);
            Array.Copy(v, copy, v.Length);
            _v.Add(copy);
            _co.Add(co);
        }

        private static double[] Rent(Stack<double[]> pool, int length) => pool.TryPop(out var x) ? x : new double[length];

        /// <summary>Returns the stored h_S to the pool when the block is done.</summary>
        public void Release(Stack<double[]> pool)
        {
            foreach (var (_, h) in _left.Values) if (h is not null) pool.Push(h);
            _left.Clear();
        }

        /// <summary>Backward over s = M − 1 … S_a: z(s) = o_s + T_sᵀ z(s + 1), Φ(M, s) = Φ(M, s + 1) T_s,
        /// h(s) = h(s + 1) + Φ(M, s) v_s, W_L(s) = W_L(s + 1) + Σ_i λ_i (2 z(s) − o_s)ᵀ v_s.</summary>
        public void SweepLeft(double[] lam, Chunks chunks, Stack<double[]> pool, int bits)
        {
            _left[M] = (0, null);
            if (_v.Count == 0) return;
            int k = _co[0].K, d = lam.Length;
            var z = new double[d * k];
            var h = new double[d * k];
            var phi = new double[d * k * k];
            for (int p = 0; p < k; p++) Array.Fill(phi, 1.0, (p * k + p) * d, d);
            double left = 0;
            for (long s = M - 1; s >= Sa; s--)
            {
                var co = _co[(int)(s - Sa)];
                var vs = _v[(int)(s - Sa)];
                left += chunks.Sum((i0, i1) => LeftStep(lam, co, vs, z, h, phi, i0, i1, bits));
                pool.Push(vs);
                _v[(int)(s - Sa)] = null!;
                if (_starts.Contains(s))
                {
                    var copy = Rent(pool, h.Length);
                    Array.Copy(h, copy, h.Length);
                    _left[s] = (left, copy);
                }
            }
            _v.Clear();
            _co.Clear();
        }

        /// <summary>The backward step over directions [i0, i1): the SIMD kernel where there is one (k = 2, bits &gt; 0),
        /// the scalar reference for the rest.</summary>
        internal static double LeftStep(double[] lam, Coefficients co, double[] vs, double[] z, double[] h, double[] phi, int i0, int i1, int bits)
        {
            int k = co.K, d = lam.Length;
            if (k == 2)
            {
                double s = 0;
                int from = bits > 0 ? TailSweepKernels.Left2(bits, lam, co.Packed!, vs, z, h, phi, i0, i1, ref s) : i0;
                return s + LeftStep2(lam, co, vs, z, h, phi, from, i1);
            }
            var A = co.A; var B = co.B; var C = co.C; var O = co.O;
            Span<double> tz = stackalloc double[k];
            Span<double> pb = stackalloc double[k];
            Span<double> row = stackalloc double[k];
            double sum = 0;
            for (int i = i0; i < i1; i++)
            {
                double l = lam[i];
                // z ← o + Tᵀ z = o + Aᵀ z − λ c (bᵀ z)
                double bz = 0;
                for (int p = 0; p < k; p++) bz += B[p] * z[p * d + i];
                for (int q = 0; q < k; q++)
                {
                    double x = O[q] - l * C[q] * bz;
                    for (int p = 0; p < k; p++) x += A[p * k + q] * z[p * d + i];
                    tz[q] = x;
                }
                double zv = 0;
                for (int q = 0; q < k; q++) { z[q * d + i] = tz[q]; zv += (2 * tz[q] - O[q]) * vs[q * d + i]; }
                sum += l * zv;
                // Φ ← Φ T = Φ A − λ (Φ b) cᵀ, row by row; h ← h + Φ v
                for (int p = 0; p < k; p++)
                {
                    double x = 0;
                    for (int r = 0; r < k; r++) x += phi[(p * k + r) * d + i] * B[r];
                    pb[p] = x;
                }
                for (int p = 0; p < k; p++)
                {
                    for (int q = 0; q < k; q++)
                    {
                        double x = -l * pb[p] * C[q];
                        for (int r = 0; r < k; r++) x += phi[(p * k + r) * d + i] * A[r * k + q];
                        row[q] = x;
                    }
                    double hv = 0;
                    for (int q = 0; q < k; q++) { phi[(p * k + q) * d + i] = row[q]; hv += row[q] * vs[q * d + i]; }
                    h[p * d + i] += hv;
                }
            }
            return sum;
        }

        /// <summary>At t = M: a = v_M, P = I, g = o_M, W_R = Σ_i λ_i o_Mᵀ v_M.</summary>
        public void StartRight(double[] lam, double[] v, Coefficients co)
        {
            int k = co.K, d = lam.Length;
            _a = (double[])v.Clone();
            _p = new double[d * k * k];
            _g = new double[d * k];
            double sum = 0;
            for (int p = 0; p < k; p++)
            {
                Array.Fill(_p, 1.0, (p * k + p) * d, d);
                Array.Fill(_g, co.O[p], p * d, d);
            }
            for (int i = 0; i < d; i++)
            {
                double ov = 0;
                for (int p = 0; p < k; p++) ov += co.O[p] * v[p * d + i];
                sum += lam[i] * ov;
            }
            _right = sum;
        }

        /// <summary>t &gt; M: a ← T_{t−1} a + v_t, P ← T_{t−1} P, g ← g + Pᵀ o_t, W_R ← W_R + Σ_i λ_i (2 o_tᵀ a − o_tᵀ v_t).</summary>
        public void StepRight(double[] lam, double[] v, Coefficients co, Coefficients previous, Chunks chunks, int bits)
        {
            var a = _a!; var pm = _p!; var g = _g!;
            var packed = previous.K == 2 ? TailSweepKernels.Pack(previous.A, previous.B, previous.C, co.O) : null;
            _right += chunks.Sum((i0, i1) => RightStep(lam, v, co.O, previous, packed, a, pm, g, i0, i1, bits));
        }

        /// <summary>The forward step over directions [i0, i1): the SIMD kernel where there is one (k ≤ 2, bits &gt; 0),
        /// the scalar reference for the rest. <paramref name="packed"/>: the previous update's A, b, c with the current o
        /// (k = 2).</summary>
        internal static double RightStep(double[] lam, double[] v, double[] O, Coefficients previous, double[]? packed, double[] a, double[] pm,
            double[] g, int i0, int i1, int bits)
        {
            int k = previous.K;
            var A = previous.A; var B = previous.B; var C = previous.C;
            if (k <= 2)
            {
                double s = 0;
                int from = bits <= 0 ? i0
                    : k == 2 ? TailSweepKernels.Right2(bits, lam, packed!, v, a, pm, g, i0, i1, ref s)
                    : TailSweepKernels.Right1(bits, lam, O[0], A[0], B[0] * C[0], v, a, pm, g, i0, i1, ref s);
                return s + (k == 2 ? RightStep2(lam, v, O, A, B, C, a, pm, g, from, i1) : RightStep1(lam, v, O[0], A[0], B[0] * C[0], a, pm, g, from, i1));
            }
            int d = lam.Length;
            Span<double> ta = stackalloc double[k];
            Span<double> col = stackalloc double[k];
            double sum = 0;
            for (int i = i0; i < i1; i++)
            {
                double l = lam[i];
                double ca = 0;
                for (int q = 0; q < k; q++) ca += C[q] * a[q * d + i];
                for (int p = 0; p < k; p++)
                {
                    double x = v[p * d + i] - l * B[p] * ca;
                    for (int q = 0; q < k; q++) x += A[p * k + q] * a[q * d + i];
                    ta[p] = x;
                }
                double oa = 0, ov = 0;
                for (int p = 0; p < k; p++) { a[p * d + i] = ta[p]; oa += O[p] * ta[p]; ov += O[p] * v[p * d + i]; }
                sum += l * (2 * oa - ov);
                // P ← T P column by column; g ← g + Pᵀ o
                for (int q = 0; q < k; q++)
                {
                    double cp = 0;
                    for (int r = 0; r < k; r++) cp += C[r] * pm[(r * k + q) * d + i];
                    double go = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double x = -l * B[p] * cp;
                        for (int r = 0; r < k; r++) x += A[p * k + r] * pm[(r * k + q) * d + i];
                        col[p] = x;
                    }
                    for (int p = 0; p < k; p++) { pm[(p * k + q) * d + i] = col[p]; go += col[p] * O[p]; }
                    g[q * d + i] += go;
                }
            }
            return sum;
        }

        private static double RightStep1(double[] lam, double[] v, double o, double a0, double bc, double[] a, double[] pm, double[] g, int i0, int i1)
        {
            double sum = 0;
            for (int i = i0; i < i1; i++)
            {
                double l = lam[i], t = a0 - l * bc, vi = v[i];
                double x = t * a[i] + vi;
                a[i] = x;
                sum += l * o * (2 * x - vi);
                double pn = t * pm[i];
                pm[i] = pn;
                g[i] += pn * o;
            }
            return sum;
        }

        private static double RightStep2(double[] lam, double[] v, double[] O, double[] A, double[] B, double[] C, double[] a, double[] pm, double[] g,
            int i0, int i1)
        {
            double a00 = A[0], a01 = A[1], a10 = A[2], a11 = A[3], b0 = B[0], b1 = B[1], c0 = C[0], c1 = C[1], o0 = O[0], o1 = O[1];
            int d = lam.Length;
            double sum = 0;
            for (int i = i0; i < i1; i++)
            {
                double l = lam[i];
                double t00 = a00 - l * b0 * c0, t01 = a01 - l * b0 * c1, t10 = a10 - l * b1 * c0, t11 = a11 - l * b1 * c1;
                double v0 = v[i], v1 = v[d + i], x0 = a[i], x1 = a[d + i];
                double y0 = t00 * x0 + t01 * x1 + v0, y1 = t10 * x0 + t11 * x1 + v1;
                a[i] = y0; a[d + i] = y1;
                sum += l * (2 * (o0 * y0 + o1 * y1) - (o0 * v0 + o1 * v1));
                double p00 = pm[i], p01 = pm[d + i], p10 = pm[2 * d + i], p11 = pm[3 * d + i];
                double n00 = t00 * p00 + t01 * p10, n01 = t00 * p01 + t01 * p11;
                double n10 = t10 * p00 + t11 * p10, n11 = t10 * p01 + t11 * p11;
                pm[i] = n00; pm[d + i] = n01; pm[2 * d + i] = n10; pm[3 * d + i] = n11;
                g[i] += n00 * o0 + n10 * o1;
                g[d + i] += n01 * o0 + n11 * o1;
            }
            return sum;
        }

        private static double LeftStep2(double[] lam, Coefficients co, double[] vs, double[] z, double[] h, double[] phi, int i0, int i1)
        {
            var A = co.A; var B = co.B; var C = co.C; var O = co.O;
            double a00 = A[0], a01 = A[1], a10 = A[2], a11 = A[3], b0 = B[0], b1 = B[1], c0 = C[0], c1 = C[1], o0 = O[0], o1 = O[1];
            int d = lam.Length;
            double sum = 0;
            for (int i = i0; i < i1; i++)
            {
                double l = lam[i];
                double t00 = a00 - l * b0 * c0, t01 = a01 - l * b0 * c1, t10 = a10 - l * b1 * c0, t11 = a11 - l * b1 * c1;
                double z0 = z[i], z1 = z[d + i], v0 = vs[i], v1 = vs[d + i];
                // z ← o + Tᵀ z
                double w0 = o0 + t00 * z0 + t10 * z1, w1 = o1 + t01 * z0 + t11 * z1;
                z[i] = w0; z[d + i] = w1;
                sum += l * ((2 * w0 - o0) * v0 + (2 * w1 - o1) * v1);
                // Φ ← Φ T; h ← h + Φ v
                double p00 = phi[i], p01 = phi[d + i], p10 = phi[2 * d + i], p11 = phi[3 * d + i];
                double n00 = p00 * t00 + p01 * t10, n01 = p00 * t01 + p01 * t11;
                double n10 = p10 * t00 + p11 * t10, n11 = p10 * t01 + p11 * t11;
                phi[i] = n00; phi[d + i] = n01; phi[2 * d + i] = n10; phi[3 * d + i] = n11;
                h[i] += n00 * v0 + n01 * v1;
                h[d + i] += n10 * v0 + n11 * v1;
            }
            return sum;
        }

        /// <summary>E L(x̄_T) for the next horizon: (W_L(S_T) + W_R(T) + 2 Σ_i λ_i g_Tᵀ h_{S_T}) / (2 n_T²).</summary>
        public double Risk(double[] lam, Chunks chunks)
        {
            long t = Ts[Next], s = Ss[Next];
            var (left, h) = _left[s];
            double cross = 0;
            if (h is not null)
            {
                var g = _g!;
                int d = lam.Length, k = g.Length / d;
                cross = chunks.Sum((i0, i1) =>
                {
                    double c = 0;
                    for (int i = i0; i < i1; i++)
                    {
                        double x = 0;
                        for (int p = 0; p < k; p++) x += g[p * d + i] * h[p * d + i];
                        c += lam[i] * x;
                    }
                    return c;
                });
            }
            double w = left + _right + 2 * cross;
            double n = t - s + 1;
            return Math.Max(0, w / (2 * n * n));
        }
    }
}
