using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The exact second moments S_{t,i} = E[X_t[:,i] X_t[:,i]ᵀ] of a k-state method, one symmetric k×k block per
/// eigendirection, stored as k(k+1)/2 arrays of length d (structure of arrays; entry (p,q), p ≤ q).
/// <see cref="Step"/> applies docs/math.md#second-moment-recursion once:
/// S_{t+1,i} = T_i S_{t,i} T_iᵀ + (1/B) b bᵀ [λ_i Σ_j λ_j cᵀS_{t,j}c + (m4 − 2) λ_i² cᵀS_{t,i}c + σ² λ_i],  T_i = A − λ_i b cᵀ.
/// The coupling scalar μ_t = Σ_j λ_j cᵀS_{t,j}c and the risk E L_t = ½ Σ_i λ_i oᵀS_{t,i}o are accumulated in the same pass.
/// <para>
/// The pass is vectorised across directions (k = 1 and k = 2; 512/256/128-bit lanes, whichever the machine
/// accelerates) and cut into chunks of <see cref="ChunkSize"/> directions that run on all cores. The chunking does not
/// depend on the thread count and the per-chunk partial sums are added in chunk order, so the results are the same
/// bits whatever the parallelism. A step allocates nothing.
/// </para>
/// </summary>
public sealed class SecondMoments
{
    /// <summary>Directions per chunk of the parallel pass (fixed, so that results do not depend on the thread count).</summary>
    internal const int ChunkSize = 8192;

    /// <summary>Below this many directions the pass runs on the calling thread (the fork/join would cost more than it saves).</summary>
    internal const int ParallelThreshold = 3 * ChunkSize;

    private readonly Problem _problem;
    private readonly LinearMethod _method;
    private readonly double[] _lambda;
    private readonly double[][] _s; // _s[e][i], e = index of (p,q)
    private readonly int _k, _m, _d;
    private readonly int[] _p, _q;
    private readonly int _chunks, _threads, _bits;
    private readonly double[] _partMu, _partRisk;
    private readonly StepJob _job;
    // constants of one step
    private readonly double _k4, _sigma2;
    // The method in the working basis: for k = 2 the consistent basis of docs/math.md#consistent-basis (P = [u, e_j]; blocks are
    // stored as S̃ = P⁻¹ S P⁻ᵀ, initial block s_i e₁e₁ᵀ), where the slow mode's update has no cancellation; for other k
    // the original coordinates. <see cref="Entry"/> maps back.
    private readonly double[,] _pMat;
    private readonly Spectral.ConsistentBasis? _basis;
    /// <summary>The coefficients of the constructor's method (every <see cref="Step"/>), and those of the update being run.</summary>
    private readonly Coefficients _base;
    private Coefficients _active;

    /// <summary>
    /// One update t → t + 1 in the working basis: T_i = A − λ_i b cᵀ and the kurtosis term cᵀSc use this update's
    /// (A, b, c) and 1/B; the coupling accumulated for the next update uses that update's c (<see cref="CNext"/>) and
    /// the risk its o (<see cref="ONext"/>). For a constant method CNext = C and ONext = O.
    /// </summary>
    private sealed class Coefficients(double[,] a, double[] b, double[] c, double[] cNext, double[] oNext, double invB)
    {
        public readonly double[,] A = a;
        public readonly double[] B = b, C = c, CNext = cNext, ONext = oNext;
        public readonly double InvB = invB;
    }

    /// <summary>The state at t = 0, S_{0,i} = s_i u uᵀ (docs/math.md#second-moment-recursion), with default execution settings.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="method">The method.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public SecondMoments(Problem problem, LinearMethod method) : this(problem, method, null) { }

    /// <summary>
    /// The second moments of a method with schedules (docs/math.md#schedules): update t → t + 1 uses step t's (A, b, c)
    /// and B_t; the coupling and the risk after it are read out with step t + 1's c and o. Constant settings are the
    /// special case: then every <see cref="Step"/> is the constant method's, bit for bit.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">A schedule changes the number of states k.</exception>
    public SecondMoments(Problem problem, ScheduledMethod scheduled, ExecutionOptions? options = null)
        : this(problem, scheduled, options, false) { }

    /// <summary>The scheduled state; <paramref name="tailBase"/> admits a tail-averaged method, whose moments are those of
    /// its base method (for <see cref="TailAverage"/>, which evaluates the average from them).</summary>
    internal SecondMoments(Problem problem, ScheduledMethod scheduled, ExecutionOptions? options, bool tailBase)
        : this(problem, (scheduled ?? throw new ArgumentNullException(nameof(scheduled))).At(0, problem.Batch).Method, options, tailBase)
    {
        _current = scheduled.At(0, problem.Batch);
        if (!scheduled.IsConstant) _scheduled = scheduled;
    }

    private readonly ScheduledMethod? _scheduled;
    private StepSettings? _current;

    /// <summary>The batch size of the next update (B_t; the problem's batch without a batch schedule).</summary>
    public double NextBatch => _current?.Batch ?? _problem.Batch;

    /// <summary>As <see cref="SecondMoments(Problem, LinearMethod)"/>, with explicit execution settings
    /// (thread count, SIMD width); the results do not depend on them.</summary>
    public SecondMoments(Problem problem, LinearMethod method, ExecutionOptions? options) : this(problem, method, options, false) { }

    private SecondMoments(Problem problem, LinearMethod method, ExecutionOptions? options, bool tailBase)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (!tailBase) MethodModifiers.RefuseTail(method, "a single second-moment recursion");
        options ??= ExecutionOptions.Default;
        CostEstimate.RequireMemory(CostEstimate.RecursionBytes(method.K, problem.Spectrum.Dimension),
            $"the exact recursion of {method.Spec} (k = {method.K}) at d = {problem.Spectrum.Dimension}");
        _method = method; // the user's method: the scheduled fast path compares against it
        (problem, method, _scale) = ProblemScale.Normalise(problem, method); // O(1) numbers, E L scaled back on read-out
        _problem = problem;
        _lambda = Spectral.ContractionGap.LambdaOf(problem.Spectrum); // shared, read-only
        _k = method.K;
        _m = _k * (_k + 1) / 2;
        _p = new int[_m];
        _q = new int[_m];
        int e = 0;
        for (int p = 0; p < _k; p++)
            for (int q = p; q < _k; q++) { _p[e] = p; _q[e] = q; e++; }
        int d = _lambda.Length;
        _d = d;
        _s = new double[_m][];
        double[] u;
        double[] c0, o0;
        if (_k == 2)
        {
            var basis = new Spectral.ConsistentBasis(method);
            _basis = basis;
            _pMat = basis.P;
            c0 = basis.Ctilde; o0 = basis.Otilde;
            _base = new Coefficients(basis.Atilde, basis.Btilde, c0, c0, o0, 1.0 / problem.Batch);
            u = [1, 0];
        }
        else
        {
            c0 = method.C.ToArray(); o0 = method.O.ToArray();
            _base = new Coefficients(method.MatrixA, method.B.ToArray(), c0, c0, o0, 1.0 / problem.Batch);
            _pMat = new double[_k, _k];
            for (int p = 0; p < _k; p++) _pMat[p, p] = 1;
            u = method.U.ToArray();
        }
        _active = _base;
        var init = problem.Initial;
        for (e = 0; e < _m; e++)
        {
            _s[e] = new double[d];
            double uu = u[_p[e]] * u[_q[e]];
            if (uu != 0) for (int i = 0; i < d; i++) _s[e][i] = init[i] * uu;
        }
        _k4 = problem.Kurtosis - 2;
        _sigma2 = problem.Noise;
        _chunks = (d + ChunkSize - 1) / ChunkSize;
        _threads = d >= ParallelThreshold ? options.Threads : 1;
        _bits = SimdWidth.Resolve(options.VectorBits);
        _partMu = new double[_chunks];
        _partRisk = new double[_chunks];
        _job = new StepJob(this);
        Accumulate();
        if (!double.IsFinite(Risk))
            throw new InvalidInputException(
                "The initial risk E L_0 = ½ Σ λ_i s_i is beyond the largest double (1.8e308); the dynamics are invariant under scaling, so divide the spectrum or the initial second moments by a large factor (the risk scales with each).");
    }

    /// <summary>The internal rescaling (<see cref="ProblemScale"/>): the blocks hold 2^(−f) S, the read-outs 2^(−e−f) E L.</summary>
    private readonly ProblemScale _scale;

    /// <summary>Number of steps taken.</summary>
    public long Time { get; private set; }

    /// <summary>E L_t = ½ Σ_i λ_i oᵀ S_{t,i} o at the current step.</summary>
    /// <remarks>A value below the smallest normal double (≈ 2.2e-308) is reported as 0: the blocks' entries are then
    /// subnormal, their rounding no longer decays (the pass would hold a floor near 1e-323 for ever), and the exact
    /// value underflows anyway (the spectral SGD path and the renewal form give 0 there too).</remarks>
    public double Risk { get => _scale.RiskToUser(_risk); private set => _risk = Math.Abs(value) < SmallestNormal ? 0 : value; }
    private double _risk;
    private const double SmallestNormal = 2.2250738585072014E-308;

    /// <summary>μ_t = Σ_j λ_j cᵀ S_{t,j} c at the current step.</summary>
    public double Coupling { get => _scale.RiskToUser(_coupling); private set => _coupling = value; }
    private double _coupling;

    /// <summary>Entry (p,q) of block i (in the method's own coordinates).</summary>
    public double Entry(int i, int p, int q) => Math.ScaleB(EntryNormalised(i, p, q), _scale.MomentExponent);

    private double EntryNormalised(int i, int p, int q)
    {
        if (_k != 2) return Stored(i, p, q);
        // S = P S̃ Pᵀ
        double sum = 0;
        for (int r = 0; r < 2; r++)
            for (int w = 0; w < 2; w++)
            {
                double f = _pMat[p, r] * _pMat[q, w];
                if (f != 0) sum += f * Stored(i, r, w);
            }
        return sum;
    }

    private double Stored(int i, int p, int q)
    {
        if (p > q) (p, q) = (q, p);
        int e = 0;
        for (int pp = 0; pp < p; pp++) e += _k - pp;
        return _s[e + (q - p)][i];
    }

    /// <summary>
    /// v_i = S_{t,i} o for the directions i ∈ [i0, i1), in the method's own coordinates and the user's scale:
    /// v[p·d + i] (component-major, so that kernels over directions load contiguous lanes). For <see cref="TailAverage"/>, whose cross moments E[X_r X_sᵀ] o = Φ(r, s) S_s o start from these vectors.
    /// </summary>
    internal void MomentTimes(ReadOnlySpan<double> o, double[] v, int i0, int i1)
    {
        // S = P S̃ Pᵀ (P = I outside the consistent basis): S o = P (S̃ (Pᵀ o)) = Σ_e s̃_e coef[p, e], with
        // coef[p, e] = P[p, p_e] õ[q_e] + P[p, q_e] õ[p_e] (the second term off the diagonal), õ = Pᵀ o
        int k = _k, m = _m, exponent = _scale.MomentExponent, d = v.Length / k;
        Span<double> ot = stackalloc double[k];
        for (int q = 0; q < k; q++) { double x = 0; for (int p = 0; p < k; p++) x += _pMat[p, q] * o[p]; ot[q] = x; }
        double factor = Math.ScaleB(1.0, exponent);
        bool exact = exponent is > -1000 and < 1000; // 2^exponent is a normal double: multiplying by it is exact
        var coef = new double[k * m];
        for (int p = 0; p < k; p++)
            for (int e = 0; e < m; e++)
            {
                double c = _pMat[p, _p[e]] * ot[_q[e]];
                if (_p[e] != _q[e]) c += _pMat[p, _q[e]] * ot[_p[e]];
                coef[p * m + e] = exact ? c * factor : c;
            }
        if (k == 2)
        {
            double c00 = coef[0], c01 = coef[1], c02 = coef[2], c10 = coef[3], c11 = coef[4], c12 = coef[5];
            var s0 = _s[0]; var s1 = _s[1]; var s2 = _s[2];
            for (int i = i0; i < i1; i++)
            {
                double x = s0[i], y = s1[i], z = s2[i];
                v[i] = c00 * x + c01 * y + c02 * z;
                v[d + i] = c10 * x + c11 * y + c12 * z;
            }
        }
        else
        {
            for (int i = i0; i < i1; i++)
                for (int p = 0; p < k; p++)
                {
                    double x = 0;
                    for (int e = 0; e < m; e++) x += coef[p * m + e] * _s[e][i];
                    v[p * d + i] = x;
                }
        }
        if (!exact)
            for (int p = 0; p < k; p++)
                for (int i = i0; i < i1; i++) v[p * d + i] = Math.ScaleB(v[p * d + i], exponent);
    }

    private void Accumulate() => (Coupling, Risk) = Readout(_s, _lambda, _p, _q, _base.C, _base.ONext);

    /// <summary>
    /// μ = Σ_i λ_i cᵀS_i c and E L = ½ Σ_i λ_i oᵀS_i o from the symmetric entries s[e][i], e = (p[e], q[e]), p ≤ q.
    /// Shared with the renewal form so that both read out in the same order.
    /// </summary>
    internal static (double Coupling, double Risk) Readout(double[][] s, double[] lambda, int[] p, int[] q,
        ReadOnlySpan<double> c, ReadOnlySpan<double> o)
    {
        double mu = 0, risk = 0;
        for (int e = 0; e < s.Length; e++)
        {
            double wc = c[p[e]] * c[q[e]], wo = o[p[e]] * o[q[e]];
            if (p[e] != q[e]) { wc *= 2; wo *= 2; }
            var se = s[e];
            double weighted = 0;
            for (int i = 0; i < se.Length; i++) weighted += lambda[i] * se[i];
            mu += wc * weighted;
            risk += wo * weighted;
        }
        return (mu, 0.5 * risk);
    }

    /// <summary>Advance one step (docs/math.md#second-moment-recursion), with step t's settings when the method has
    /// schedules (docs/math.md#scheduled-recursion).</summary>
    public void Step()
    {
        if (_scheduled is null)
        {
            _active = _base;
            Run();
            return;
        }
        var cur = _current!;
        var next = _scheduled.At(Time + 1, _problem.Batch, cur);
        if (next.Method.K != cur.Method.K)
            throw new InvalidInputException($"A schedule cannot change the number of states k (from {cur.Method.K} to {next.Method.K}).");
        StepScheduled(cur.Method, cur.Batch, next.Method);
        _current = next;
    }

    /// <summary>
    /// Advance one step with update t's method <paramref name="current"/> and batch <paramref name="batch"/>, reading
    /// out the coupling and the risk with the next update's <paramref name="next"/> (its c and o): the fused pass of
    /// the scheduled recursion. Every method must have the constructor's k and
    /// state shape u (the working basis depends on u only). With current = next = the constructor's method and its
    /// batch, the floating-point operations are those of <see cref="Step"/>.
    /// </summary>
    private void StepScheduled(LinearMethod current, double batch, LinearMethod next)
    {
        _active = CoefficientsOf(current, batch, next);
        Run();
    }

    // a small cache: under a schedule, update t + 1's method is update t's next
    private LinearMethod? _cacheMethod;
    private double[,]? _cacheA;
    private double[]? _cacheB, _cacheC, _cacheO;

    private void Working(LinearMethod m, out double[,] a, out double[] b, out double[] c, out double[] o)
    {
        if (ReferenceEquals(m, _cacheMethod)) { a = _cacheA!; b = _cacheB!; c = _cacheC!; o = _cacheO!; return; }
        if (m.K != _k) throw new InvalidOperationException("A schedule cannot change the number of states k.");
        if (_basis is not null)
        {
            var basis = new Spectral.ConsistentBasis(m, _basis);
            a = basis.Atilde; b = basis.Btilde; c = basis.Ctilde; o = basis.Otilde;
        }
        else
        {
            a = m.MatrixA; b = m.B.ToArray(); c = m.C.ToArray(); o = m.O.ToArray();
        }
        if (_scale.LambdaExponent != 0) // b' = 2^e b, as the constructor's method
        {
            b = (double[])b.Clone();
            for (int j = 0; j < b.Length; j++) b[j] = Math.ScaleB(b[j], _scale.LambdaExponent);
        }
        (_cacheMethod, _cacheA, _cacheB, _cacheC, _cacheO) = (m, a, b, c, o);
    }

    private Coefficients CoefficientsOf(LinearMethod current, double batch, LinearMethod next)
    {
        if (ReferenceEquals(current, _method) && ReferenceEquals(next, _method) && 1.0 / batch == _base.InvB) return _base;
        Working(current, out var a, out var b, out var c, out _);
        Working(next, out _, out _, out var cn, out var on);
        return new Coefficients(a, b, c, cn, on, 1.0 / batch);
    }

    private void Run()
    {
        _job.Mu = _coupling;
        if (_threads > 1 && _chunks > 1) ChunkPool.Shared.Run(_job, _chunks, _threads);
        else for (int c = 0; c < _chunks; c++) RunChunk(c, _coupling);
        double mu = 0, risk = 0;
        for (int c = 0; c < _chunks; c++) { mu += _partMu[c]; risk += _partRisk[c]; }
        if (_k == 1)
        {
            double cc = _active.CNext[0] * _active.CNext[0], oo = _active.ONext[0] * _active.ONext[0];
            Coupling = cc * mu;
            Risk = 0.5 * oo * risk;
        }
        else
        {
            Coupling = mu;
            Risk = 0.5 * risk;
        }
        Time++;
    }

    private sealed class StepJob(SecondMoments owner) : IChunkJob
    {
        public double Mu;
        public void Run(int chunk) => owner.RunChunk(chunk, Mu);
    }

    private void RunChunk(int c, double mu)
    {
        int i0 = c * ChunkSize, i1 = Math.Min(_d, i0 + ChunkSize);
        double pm, pr;
        switch (_k)
        {
            case 1:
                (pm, pr) = _bits switch
                {
                    512 => Step1<V512>(i0, i1, mu),
                    256 => Step1<V256>(i0, i1, mu),
                    _ => Step1<V128>(i0, i1, mu),
                };
                break;
            case 2:
                (pm, pr) = _bits switch
                {
                    512 => Step2<V512>(i0, i1, mu),
                    256 => Step2<V256>(i0, i1, mu),
                    _ => Step2<V128>(i0, i1, mu),
                };
                break;
            case 3:
                (pm, pr) = _bits switch
                {
                    512 => Step3<V512>(i0, i1, mu),
                    256 => Step3<V256>(i0, i1, mu),
                    _ => Step3<V128>(i0, i1, mu),
                };
                break;
            default:
                (pm, pr) = StepGeneral(i0, i1, mu);
                break;
        }
        _partMu[c] = pm;
        _partRisk[c] = pr;
    }

    /// <summary>k = 1 on directions [i0, i1): returns (Σ λ s', Σ λ s') (weights c², o² applied by the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double, double) Step1<V>(int i0, int i1, double mu) where V : struct, ISimd<V>
    {
        var co = _active;
        double a = co.A[0, 0], b = co.B[0], c = co.C[0];
        double bc = b * c, bb = b * b, cc = c * c;
        // s' = t² s + b² (λ/B)(μ + σ² + k4 λ c² s),  t = a − λ b c
        double muNoise = mu + _sigma2, k4cc = _k4 * cc, bbInvB = bb * co.InvB;
        ref double lam = ref MemoryMarshal.GetArrayDataReference(_lambda);
        ref double s = ref MemoryMarshal.GetArrayDataReference(_s[0]);
        var vA = V.Broadcast(a); var vNegBc = V.Broadcast(-bc); var vMuN = V.Broadcast(muNoise);
        var vK4cc = V.Broadcast(k4cc); var vBbInvB = V.Broadcast(bbInvB);
        var acc = V.Zero;
        int i = i0, n = V.Count;
        for (; i + n <= i1; i += n)
        {
            var l = V.Load(ref lam, i);
            var si = V.Load(ref s, i);
            var t = V.Fma(l, vNegBc, vA);
            var scalar = V.Mul(V.Mul(l, vBbInvB), V.Fma(V.Mul(vK4cc, l), si, vMuN));
            var sn = V.Fma(V.Mul(t, t), si, scalar);
            V.Store(sn, ref s, i);
            acc = V.Fma(l, sn, acc);
        }
        double sum = V.Sum(acc);
        for (; i < i1; i++)
        {
            double l = Unsafe.Add(ref lam, i);
            double si = Unsafe.Add(ref s, i);
            double t = a - l * bc;
            double scalar = l * bbInvB * (k4cc * l * si + muNoise);
            double sn = t * t * si + scalar;
            Unsafe.Add(ref s, i) = sn;
            sum += l * sn;
        }
        return (sum, sum);
    }

    /// <summary>k = 2 on directions [i0, i1): returns (Σ λ cᵀS'c, Σ λ oᵀS'o).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double, double) Step2<V>(int i0, int i1, double mu) where V : struct, ISimd<V>
    {
        var co = _active;
        double a00 = co.A[0, 0], a01 = co.A[0, 1], a10 = co.A[1, 0], a11 = co.A[1, 1];
        var bv = co.B; var cv = co.C; var cn = co.CNext; var ov = co.ONext;
        double b0 = bv[0], b1 = bv[1], c0 = cv[0], c1 = cv[1], o0 = ov[0], o1 = ov[1];
        double b00 = b0 * b0, b01 = b0 * b1, b11 = b1 * b1;
        double w00 = c0 * c0, w01 = 2 * c0 * c1, w11 = c1 * c1;
        // the coupling of the next update, with its c (the same weights as w for a constant method)
        double n00 = cn[0] * cn[0], n01 = 2 * cn[0] * cn[1], n11 = cn[1] * cn[1];
        double v00 = o0 * o0, v01 = 2 * o0 * o1, v11 = o1 * o1;
        double muNoise = mu + _sigma2, invB = co.InvB, k4 = _k4;
        ref double lam = ref MemoryMarshal.GetArrayDataReference(_lambda);
        ref double s00 = ref MemoryMarshal.GetArrayDataReference(_s[0]);
        ref double s01 = ref MemoryMarshal.GetArrayDataReference(_s[1]);
        ref double s11 = ref MemoryMarshal.GetArrayDataReference(_s[2]);
        var accMu = V.Zero; var accRisk = V.Zero;
        var A00 = V.Broadcast(a00); var A01 = V.Broadcast(a01); var A10 = V.Broadcast(a10); var A11 = V.Broadcast(a11);
        var NB0C0 = V.Broadcast(-b0 * c0); var NB0C1 = V.Broadcast(-b0 * c1); var NB1C0 = V.Broadcast(-b1 * c0); var NB1C1 = V.Broadcast(-b1 * c1);
        var W00 = V.Broadcast(w00); var W01 = V.Broadcast(w01); var W11 = V.Broadcast(w11);
        var N00 = V.Broadcast(n00); var N01 = V.Broadcast(n01); var N11 = V.Broadcast(n11);
        var O00 = V.Broadcast(v00); var O01 = V.Broadcast(v01); var O11 = V.Broadcast(v11);
        var B00 = V.Broadcast(b00); var B01 = V.Broadcast(b01); var B11 = V.Broadcast(b11);
        var K4 = V.Broadcast(k4); var MuN = V.Broadcast(muNoise); var InvB = V.Broadcast(invB);
        int i = i0, n = V.Count;
        for (; i + n <= i1; i += n)
        {
            var l = V.Load(ref lam, i);
            var t00 = V.Fma(l, NB0C0, A00); var t01 = V.Fma(l, NB0C1, A01);
            var t10 = V.Fma(l, NB1C0, A10); var t11 = V.Fma(l, NB1C1, A11);
            var x = V.Load(ref s00, i); var y = V.Load(ref s01, i); var z = V.Load(ref s11, i);
            var q = V.Fma(W00, x, V.Fma(W01, y, V.Mul(W11, z)));
            // (λ/B)(μ + σ² + k4 λ q)
            var scalar = V.Mul(V.Mul(l, InvB), V.Fma(V.Mul(K4, l), q, MuN));
            // (T S) Tᵀ in two stages: fewer roundings than the expanded T⊗T form when entries cancel
            var p00 = V.Fma(t00, x, V.Mul(t01, y)); var p01 = V.Fma(t00, y, V.Mul(t01, z));
            var p10 = V.Fma(t10, x, V.Mul(t11, y)); var p11 = V.Fma(t10, y, V.Mul(t11, z));
            var nx = V.Fma(p00, t00, V.Fma(p01, t01, V.Mul(B00, scalar)));
            var ny = V.Fma(p00, t10, V.Fma(p01, t11, V.Mul(B01, scalar)));
            var nz = V.Fma(p10, t10, V.Fma(p11, t11, V.Mul(B11, scalar)));
            V.Store(nx, ref s00, i); V.Store(ny, ref s01, i); V.Store(nz, ref s11, i);
            accMu = V.Fma(l, V.Fma(N00, nx, V.Fma(N01, ny, V.Mul(N11, nz))), accMu);
            accRisk = V.Fma(l, V.Fma(O00, nx, V.Fma(O01, ny, V.Mul(O11, nz))), accRisk);
        }
        double sumMu = V.Sum(accMu), sumRisk = V.Sum(accRisk);
        for (; i < i1; i++)
        {
            double l = Unsafe.Add(ref lam, i);
            double t00 = a00 - l * b0 * c0, t01 = a01 - l * b0 * c1, t10 = a10 - l * b1 * c0, t11 = a11 - l * b1 * c1;
            double x = Unsafe.Add(ref s00, i), y = Unsafe.Add(ref s01, i), z = Unsafe.Add(ref s11, i);
            double q = w00 * x + w01 * y + w11 * z;
            double scalar = l * invB * (k4 * l * q + muNoise);
            double p00 = t00 * x + t01 * y, p01 = t00 * y + t01 * z;
            double p10 = t10 * x + t11 * y, p11 = t10 * y + t11 * z;
            double nx = p00 * t00 + p01 * t01 + b00 * scalar;
            double ny = p00 * t10 + p01 * t11 + b01 * scalar;
            double nz = p10 * t10 + p11 * t11 + b11 * scalar;
            Unsafe.Add(ref s00, i) = nx; Unsafe.Add(ref s01, i) = ny; Unsafe.Add(ref s11, i) = nz;
            sumMu += l * (n00 * nx + n01 * ny + n11 * nz);
            sumRisk += l * (v00 * nx + v01 * ny + v11 * nz);
        }
        return (sumMu, sumRisk);
    }

    /// <summary>
    /// k = 3 on directions [i0, i1) (an EMA or weight decay on a two-state method, a three-state custom method), in the
    /// method's own basis: S' = T S Tᵀ + b bᵀ (λ/B)(μ + σ² + k4 λ cᵀSc), T = A − λ b cᵀ, the six entries
    /// s00, s01, s02, s11, s12, s22; returns (Σ λ cᵀS'c, Σ λ oᵀS'o).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double, double) Step3<V>(int i0, int i1, double mu) where V : struct, ISimd<V>
    {
        var co = _active;
        var A = co.A; var bv = co.B; var cv = co.C; var cn = co.CNext; var ov = co.ONext;
        double invB = co.InvB, k4 = _k4, muNoise = mu + _sigma2;
        // weights of the symmetric entries (off-diagonal ones twice)
        double[] wc = [cv[0] * cv[0], 2 * cv[0] * cv[1], 2 * cv[0] * cv[2], cv[1] * cv[1], 2 * cv[1] * cv[2], cv[2] * cv[2]];
        double[] wn = [cn[0] * cn[0], 2 * cn[0] * cn[1], 2 * cn[0] * cn[2], cn[1] * cn[1], 2 * cn[1] * cn[2], cn[2] * cn[2]];
        double[] wo = [ov[0] * ov[0], 2 * ov[0] * ov[1], 2 * ov[0] * ov[2], ov[1] * ov[1], 2 * ov[1] * ov[2], ov[2] * ov[2]];
        double[] bb = [bv[0] * bv[0], bv[0] * bv[1], bv[0] * bv[2], bv[1] * bv[1], bv[1] * bv[2], bv[2] * bv[2]];
        ref double lam = ref MemoryMarshal.GetArrayDataReference(_lambda);
        ref double r00 = ref MemoryMarshal.GetArrayDataReference(_s[0]);
        ref double r01 = ref MemoryMarshal.GetArrayDataReference(_s[1]);
        ref double r02 = ref MemoryMarshal.GetArrayDataReference(_s[2]);
        ref double r11 = ref MemoryMarshal.GetArrayDataReference(_s[3]);
        ref double r12 = ref MemoryMarshal.GetArrayDataReference(_s[4]);
        ref double r22 = ref MemoryMarshal.GetArrayDataReference(_s[5]);
        var vA = new V[9]; var vNbc = new V[9];
        for (int p = 0; p < 3; p++)
            for (int q = 0; q < 3; q++) { vA[p * 3 + q] = V.Broadcast(A[p, q]); vNbc[p * 3 + q] = V.Broadcast(-bv[p] * cv[q]); }
        V Wc0 = V.Broadcast(wc[0]), Wc1 = V.Broadcast(wc[1]), Wc2 = V.Broadcast(wc[2]), Wc3 = V.Broadcast(wc[3]), Wc4 = V.Broadcast(wc[4]), Wc5 = V.Broadcast(wc[5]);
        V Wn0 = V.Broadcast(wn[0]), Wn1 = V.Broadcast(wn[1]), Wn2 = V.Broadcast(wn[2]), Wn3 = V.Broadcast(wn[3]), Wn4 = V.Broadcast(wn[4]), Wn5 = V.Broadcast(wn[5]);
        V Wo0 = V.Broadcast(wo[0]), Wo1 = V.Broadcast(wo[1]), Wo2 = V.Broadcast(wo[2]), Wo3 = V.Broadcast(wo[3]), Wo4 = V.Broadcast(wo[4]), Wo5 = V.Broadcast(wo[5]);
        V Bb0 = V.Broadcast(bb[0]), Bb1 = V.Broadcast(bb[1]), Bb2 = V.Broadcast(bb[2]), Bb3 = V.Broadcast(bb[3]), Bb4 = V.Broadcast(bb[4]), Bb5 = V.Broadcast(bb[5]);
        V K4 = V.Broadcast(k4), MuN = V.Broadcast(muNoise), InvB = V.Broadcast(invB);
        V A00 = vA[0], A01 = vA[1], A02 = vA[2], A10 = vA[3], A11 = vA[4], A12 = vA[5], A20 = vA[6], A21 = vA[7], A22 = vA[8];
        V N00 = vNbc[0], N01 = vNbc[1], N02 = vNbc[2], N10 = vNbc[3], N11 = vNbc[4], N12 = vNbc[5], N20 = vNbc[6], N21 = vNbc[7], N22 = vNbc[8];
        var accMu = V.Zero; var accRisk = V.Zero;
        int i = i0, n = V.Count;
        for (; i + n <= i1; i += n)
        {
            var l = V.Load(ref lam, i);
            var t00 = V.Fma(l, N00, A00); var t01 = V.Fma(l, N01, A01); var t02 = V.Fma(l, N02, A02);
            var t10 = V.Fma(l, N10, A10); var t11 = V.Fma(l, N11, A11); var t12 = V.Fma(l, N12, A12);
            var t20 = V.Fma(l, N20, A20); var t21 = V.Fma(l, N21, A21); var t22 = V.Fma(l, N22, A22);
            var s00 = V.Load(ref r00, i); var s01 = V.Load(ref r01, i); var s02 = V.Load(ref r02, i);
            var s11 = V.Load(ref r11, i); var s12 = V.Load(ref r12, i); var s22 = V.Load(ref r22, i);
            var q = V.Fma(Wc0, s00, V.Fma(Wc1, s01, V.Fma(Wc2, s02, V.Fma(Wc3, s11, V.Fma(Wc4, s12, V.Mul(Wc5, s22))))));
            var scalar = V.Mul(V.Mul(l, InvB), V.Fma(V.Mul(K4, l), q, MuN));
            // P = T S
            var p00 = V.Fma(t00, s00, V.Fma(t01, s01, V.Mul(t02, s02)));
            var p01 = V.Fma(t00, s01, V.Fma(t01, s11, V.Mul(t02, s12)));
            var p02 = V.Fma(t00, s02, V.Fma(t01, s12, V.Mul(t02, s22)));
            var p10 = V.Fma(t10, s00, V.Fma(t11, s01, V.Mul(t12, s02)));
            var p11 = V.Fma(t10, s01, V.Fma(t11, s11, V.Mul(t12, s12)));
            var p12 = V.Fma(t10, s02, V.Fma(t11, s12, V.Mul(t12, s22)));
            var p20 = V.Fma(t20, s00, V.Fma(t21, s01, V.Mul(t22, s02)));
            var p21 = V.Fma(t20, s01, V.Fma(t21, s11, V.Mul(t22, s12)));
            var p22 = V.Fma(t20, s02, V.Fma(t21, s12, V.Mul(t22, s22)));
            // S' = P Tᵀ + bbᵀ·scalar
            var n00 = V.Fma(p00, t00, V.Fma(p01, t01, V.Fma(p02, t02, V.Mul(Bb0, scalar))));
            var n01 = V.Fma(p00, t10, V.Fma(p01, t11, V.Fma(p02, t12, V.Mul(Bb1, scalar))));
            var n02 = V.Fma(p00, t20, V.Fma(p01, t21, V.Fma(p02, t22, V.Mul(Bb2, scalar))));
            var n11 = V.Fma(p10, t10, V.Fma(p11, t11, V.Fma(p12, t12, V.Mul(Bb3, scalar))));
            var n12 = V.Fma(p10, t20, V.Fma(p11, t21, V.Fma(p12, t22, V.Mul(Bb4, scalar))));
            var n22 = V.Fma(p20, t20, V.Fma(p21, t21, V.Fma(p22, t22, V.Mul(Bb5, scalar))));
            V.Store(n00, ref r00, i); V.Store(n01, ref r01, i); V.Store(n02, ref r02, i);
            V.Store(n11, ref r11, i); V.Store(n12, ref r12, i); V.Store(n22, ref r22, i);
            accMu = V.Fma(l, V.Fma(Wn0, n00, V.Fma(Wn1, n01, V.Fma(Wn2, n02, V.Fma(Wn3, n11, V.Fma(Wn4, n12, V.Mul(Wn5, n22)))))), accMu);
            accRisk = V.Fma(l, V.Fma(Wo0, n00, V.Fma(Wo1, n01, V.Fma(Wo2, n02, V.Fma(Wo3, n11, V.Fma(Wo4, n12, V.Mul(Wo5, n22)))))), accRisk);
        }
        double sumMu = V.Sum(accMu), sumRisk = V.Sum(accRisk);
        Span<double> t = stackalloc double[9];
        Span<double> sm = stackalloc double[9];
        Span<double> pm = stackalloc double[9];
        for (; i < i1; i++)
        {
            double l = Unsafe.Add(ref lam, i);
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) t[a * 3 + b] = A[a, b] - l * bv[a] * cv[b];
            double s00 = Unsafe.Add(ref r00, i), s01 = Unsafe.Add(ref r01, i), s02 = Unsafe.Add(ref r02, i);
            double s11 = Unsafe.Add(ref r11, i), s12 = Unsafe.Add(ref r12, i), s22 = Unsafe.Add(ref r22, i);
            sm[0] = s00; sm[1] = s01; sm[2] = s02; sm[3] = s01; sm[4] = s11; sm[5] = s12; sm[6] = s02; sm[7] = s12; sm[8] = s22;
            double q = wc[0] * s00 + wc[1] * s01 + wc[2] * s02 + wc[3] * s11 + wc[4] * s12 + wc[5] * s22;
            double scalar = l * invB * (k4 * l * q + muNoise);
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) pm[a * 3 + b] = t[a * 3] * sm[b] + t[a * 3 + 1] * sm[3 + b] + t[a * 3 + 2] * sm[6 + b];
            double n00 = Entry3(pm, t, 0, 0) + bb[0] * scalar, n01 = Entry3(pm, t, 0, 1) + bb[1] * scalar, n02 = Entry3(pm, t, 0, 2) + bb[2] * scalar;
            double n11 = Entry3(pm, t, 1, 1) + bb[3] * scalar, n12 = Entry3(pm, t, 1, 2) + bb[4] * scalar, n22 = Entry3(pm, t, 2, 2) + bb[5] * scalar;
            Unsafe.Add(ref r00, i) = n00; Unsafe.Add(ref r01, i) = n01; Unsafe.Add(ref r02, i) = n02;
            Unsafe.Add(ref r11, i) = n11; Unsafe.Add(ref r12, i) = n12; Unsafe.Add(ref r22, i) = n22;
            sumMu += l * (wn[0] * n00 + wn[1] * n01 + wn[2] * n02 + wn[3] * n11 + wn[4] * n12 + wn[5] * n22);
            sumRisk += l * (wo[0] * n00 + wo[1] * n01 + wo[2] * n02 + wo[3] * n11 + wo[4] * n12 + wo[5] * n22);
        }
        return (sumMu, sumRisk);
    }

    /// <summary>(P Tᵀ)_ab for 3×3 row-major P and T.</summary>
    private static double Entry3(ReadOnlySpan<double> p, ReadOnlySpan<double> t, int a, int b) =>
        p[a * 3] * t[b * 3] + p[a * 3 + 1] * t[b * 3 + 1] + p[a * 3 + 2] * t[b * 3 + 2];

    /// <summary>Any k on directions [i0, i1), scalar: returns (Σ λ cᵀS'c, Σ λ oᵀS'o).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double, double) StepGeneral(int i0, int i1, double mu)
    {
        int k = _k;
        var co = _active;
        var bv = co.B; var cv = co.C; var cn = co.CNext; var ov = co.ONext;
        double invB = co.InvB, k4 = _k4, sigma2 = _sigma2;
        Span<double> t = k * k <= Spectral.LocalBlocks.StackDoubles ? stackalloc double[k * k] : new double[k * k];
        Span<double> s = k * k <= Spectral.LocalBlocks.StackDoubles ? stackalloc double[k * k] : new double[k * k];
        Span<double> ts = k * k <= Spectral.LocalBlocks.StackDoubles ? stackalloc double[k * k] : new double[k * k];
        Span<double> a = k * k <= Spectral.LocalBlocks.StackDoubles ? stackalloc double[k * k] : new double[k * k];
        for (int p = 0; p < k; p++) for (int r = 0; r < k; r++) a[p * k + r] = co.A[p, r];
        double sumMu = 0, sumRisk = 0;
        for (int i = i0; i < i1; i++)
        {
            double l = _lambda[i];
            for (int p = 0; p < k; p++)
                for (int r = 0; r < k; r++) t[p * k + r] = a[p * k + r] - l * bv[p] * cv[r];
            for (int e = 0; e < _m; e++) { s[_p[e] * k + _q[e]] = _s[e][i]; s[_q[e] * k + _p[e]] = _s[e][i]; }
            double q = 0;
            for (int p = 0; p < k; p++)
                for (int r = 0; r < k; r++) q += cv[p] * s[p * k + r] * cv[r];
            double scalar = (l * mu + k4 * l * l * q + sigma2 * l) * invB;
            for (int p = 0; p < k; p++)
                for (int r = 0; r < k; r++)
                {
                    double acc = 0;
                    for (int j = 0; j < k; j++) acc += t[p * k + j] * s[j * k + r];
                    ts[p * k + r] = acc;
                }
            double qc = 0, qo = 0;
            for (int e = 0; e < _m; e++)
            {
                int p = _p[e], r = _q[e];
                double acc = 0;
                for (int j = 0; j < k; j++) acc += ts[p * k + j] * t[r * k + j];
                double v = acc + bv[p] * bv[r] * scalar;
                _s[e][i] = v;
                double w = p == r ? 1 : 2;
                qc += w * cn[p] * cn[r] * v;
                qo += w * ov[p] * ov[r] * v;
            }
            sumMu += l * qc;
            sumRisk += l * qo;
        }
        return (sumMu, sumRisk);
    }
}
