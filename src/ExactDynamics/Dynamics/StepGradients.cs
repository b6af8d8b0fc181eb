using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The exact final risk E L_T of a run whose update t → t + 1 uses its own (A_t, b_t, c_t) and batch B_t, with its
/// gradient with respect to every entry of every update's A_t, b_t, c_t and B_t, from one forward and one backward
/// (adjoint) pass over the second-moment recursion (docs/math.md#the-adjoint-of-the-second-moment-recursion):
/// P_{T,i} = ½ λ_i o oᵀ, g_i = b_tᵀP_{t+1,i}b_t/B_t, G = Σ_i λ_i g_i,
/// P_{t,i} = T_{t,i}ᵀ P_{t+1,i} T_{t,i} + (λ_i G + (m4 − 2) λ_i² g_i) c_t c_tᵀ, and with Y_i = P_{t+1,i} T_{t,i} S_{t,i},
/// q_i = λ_i μ_t + (m4 − 2) λ_i² c_tᵀS_{t,i}c_t + σ² λ_i:
/// ∂/∂A_t = 2 Σ_i Y_i, ∂/∂b_t = Σ_i (−2λ_i Y_i c_t + 2 q_i P_{t+1,i} b_t / B_t),
/// ∂/∂c_t = Σ_i (−2λ_i Y_iᵀ b_t + 2 (λ_i G + (m4 − 2) λ_i² g_i) S_{t,i} c_t), ∂/∂B_t = −Σ_i g_i q_i / B_t.
/// <para>The public entry runs on the problem normalised by <see cref="ProblemScale"/> (O(1) numbers for spectra at any
/// scale) and returns the risk and the gradient in the user's units.</para>
/// <para>Time O(T·d·k³) for the small k×k products (O(T·d·k²) per entry of a block); memory: the blocks of every step
/// when T·d·k² doubles fit in <see cref="StoredDoublesBudget"/>, otherwise checkpoints every ⌈√T⌉ steps and the blocks of
/// one segment at a time, recomputed from its checkpoint (a second forward pass).</para>
/// </summary>
public sealed class StepGradients
{
    /// <summary>Default bound on the doubles kept for the backward pass (2²⁴ doubles, 128 MiB).</summary>
    public const long StoredDoublesBudget = 1L << 24;

    private readonly double[] _dA, _db, _dc, _dBatch;

    private StepGradients(int steps, int k)
    {
        Steps = steps;
        K = k;
        _dA = new double[steps * k * k];
        _db = new double[steps * k];
        _dc = new double[steps * k];
        _dBatch = new double[steps];
    }

    /// <summary>The horizon T.</summary>
    public int Steps { get; }

    /// <summary>The number of states k.</summary>
    public int K { get; }

    /// <summary>E L_T (+∞ when the run overflows; the gradients are then all zero and meaningless).</summary>
    public double Risk { get; private set; }

    /// <summary>True when E L_T overflowed.</summary>
    public bool Diverged => !double.IsFinite(Risk);

    /// <summary>Steps between stored checkpoints (T when every step's blocks were kept).</summary>
    public int SegmentLength { get; private set; }

    /// <summary>∂E L_T/∂(A_t)_{pq}.</summary>
    public double DA(int t, int p, int q) => _dA[(t * K + p) * K + q];

    /// <summary>∂E L_T/∂(b_t)_p.</summary>
    public double Db(int t, int p) => _db[t * K + p];

    /// <summary>∂E L_T/∂(c_t)_p.</summary>
    public double Dc(int t, int p) => _dc[t * K + p];

    /// <summary>∂E L_T/∂B_t.</summary>
    public double DBatch(int t) => _dBatch[t];

    /// <summary>
    /// E L_T and its gradient for the updates <paramref name="at"/>(t) = (method, batch) of t = 0 … T − 1; the risk at T
    /// is read with the o of <paramref name="at"/>(T) (as the scheduled recursion does) and the start is S_{0,i} = s_i u uᵀ
    /// with the u of the first method.
    /// </summary>
    /// <param name="problem">Spectrum, initial moments, kurtosis and noise (its batch is not used: each step gives its own).</param>
    /// <param name="at">The method and batch of update t (called once for each t = 0 … T).</param>
    /// <param name="steps">The horizon T ≥ 0.</param>
    /// <param name="storedDoublesBudget">Bound on the doubles kept for the backward pass (see the class remarks).</param>
    public static StepGradients Compute(Problem problem, Func<int, (LinearMethod Method, double Batch)> at, int steps,
        long storedDoublesBudget = StoredDoublesBudget)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(at);
        // O(1) numbers whatever the scale (docs/math.md#scale-invariance): run on λ' = 2^(−e)λ, b' = 2^e b and scale back
        var scale = ProblemScale.Of(problem);
        var normal = scale.Apply(problem);
        if (scale.IsIdentity) return Compute(WeightedDirections.Of(problem), problem.Kurtosis, problem.Noise, at, steps, storedDoublesBudget, gradient: true);
        double lambdaMax = problem.Spectrum.Max;
        var result = Compute(WeightedDirections.Of(normal), normal.Kurtosis, normal.Noise,
            t => { var (m, b) = at(t); return (scale.Apply(m, lambdaMax), b); }, steps, storedDoublesBudget, gradient: true);
        result.ToUser(scale);
        return result;
    }

    /// <summary>
    /// From the normalised problem to the user's units: E L = 2^(e+f) E L', and with A, c, B unchanged and b = 2^(−e) b',
    /// ∂E L/∂A = 2^(e+f) ∂E L'/∂A, ∂E L/∂b = 2^(2e+f) ∂E L'/∂b', ∂E L/∂c = 2^(e+f) ∂E L'/∂c, ∂E L/∂B = 2^(e+f) ∂E L'/∂B.
    /// Powers of two: exact unless a value leaves the range of double.
    /// </summary>
    private void ToUser(ProblemScale scale)
    {
        int r = scale.RiskExponent, rb = r + scale.LambdaExponent;
        Risk = Diverged ? double.PositiveInfinity : Math.ScaleB(Risk, r);
        for (int i = 0; i < _dA.Length; i++) _dA[i] = Math.ScaleB(_dA[i], r);
        for (int i = 0; i < _db.Length; i++) _db[i] = Math.ScaleB(_db[i], rb);
        for (int i = 0; i < _dc.Length; i++) _dc[i] = Math.ScaleB(_dc[i], r);
        for (int i = 0; i < _dBatch.Length; i++) _dBatch[i] = Math.ScaleB(_dBatch[i], r);
    }

    /// <summary>
    /// As <see cref="Compute(Problem, Func{int, ValueTuple{LinearMethod, double}}, int, long)"/> on directions with
    /// multiplicities (a compressed spectrum, see <see cref="WeightedDirections"/>); without <paramref name="gradient"/>
    /// only the forward pass runs and only <see cref="Risk"/> is set.
    /// </summary>
    internal static StepGradients Compute(WeightedDirections directions, double kurtosis, double noise,
        Func<int, (LinearMethod Method, double Batch)> at, int steps, long storedDoublesBudget, bool gradient)
    {
        ArgumentNullException.ThrowIfNull(directions);
        ArgumentNullException.ThrowIfNull(at);
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        var first = at(0).Method;
        int k = first.K, kk = k * k;
        var a = new double[Math.Max(steps, 1) * kk];
        var b = new double[Math.Max(steps, 1) * k];
        var c = new double[Math.Max(steps, 1) * k];
        var invB = new double[Math.Max(steps, 1)];
        for (int t = 0; t < steps; t++)
        {
            var (m, batch) = t == 0 ? (first, at(0).Batch) : at(t);
            if (m.K != k) throw new InvalidInputException($"The method of step {t} has k = {m.K} states but the first has {k}; the number of states cannot change.");
            if (!double.IsFinite(batch) || batch < 1)
                throw new InvalidInputException($"The batch size of step {t} is {LinearMethod.F(batch)}; it must be a finite number ≥ 1.");
            for (int p = 0; p < k; p++)
            {
                b[t * k + p] = m.B[p];
                c[t * k + p] = m.C[p];
                for (int q = 0; q < k; q++) a[t * kk + p * k + q] = m.A(p, q);
            }
            invB[t] = 1 / batch;
        }
        var final = steps == 0 ? first : at(steps).Method;
        var kernel = new Kernel(directions, kurtosis, noise, k, a, b, c, invB);
        var result = new StepGradients(gradient ? steps : 0, k);
        kernel.Run(first.U.ToArray(), final.O.ToArray(), steps, storedDoublesBudget, result, gradient);
        return result;
    }

    /// <summary>The forward and backward passes on flat per-step coefficients.</summary>
    private sealed class Kernel(WeightedDirections directions, double kurtosis, double noise, int k, double[] a, double[] b, double[] c, double[] invB)
    {
        private readonly int _d = directions.Lambda.Length;
        private readonly int _kk = k * k;
        private readonly double[] _lam = directions.Lambda;
        private readonly double[] _wl = directions.WeightedLambda;
        private readonly double _m4m2 = kurtosis - 2;
        private readonly double _noise = noise;
        private readonly double[] _t = new double[k * k], _x = new double[k * k], _y = new double[k * k];
        private readonly double[] _v = new double[k], _w = new double[k];

        public void Run(double[] u, double[] o, int steps, long budget, StepGradients result, bool gradient)
        {
            int d = _d, kk = _kk, block = d * kk;
            var s = new double[block];
            var init = directions.Initial;
            for (int i = 0; i < d; i++)
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++) s[i * kk + p * k + q] = init[i] * u[p] * u[q];

            // segment length: everything when it fits, else ⌈√T⌉ with a checkpoint at the start of each segment
            int seg = steps == 0 || !gradient ? 1 : (long)(steps + 1) * block <= budget ? steps : (int)Math.Ceiling(Math.Sqrt(steps));
            int nSeg = steps == 0 ? 0 : (steps + seg - 1) / seg;
            result.SegmentLength = seg;
            var checkpoints = new double[Math.Max(nSeg, 1)][];
            var segment = new double[seg][];
            for (int j = 0; j < seg; j++) segment[j] = new double[block];
            var mu = new double[Math.Max(steps, 1)];
            var next = new double[block];
            int lastStart = (nSeg - 1) * seg;
            for (int t = 0; t < steps; t++)
            {
                if (gradient && t % seg == 0) checkpoints[t / seg] = (double[])s.Clone();
                if (gradient && t >= lastStart) Array.Copy(s, segment[t - lastStart], block);
                mu[t] = Forward(t, s, next);
                (s, next) = (next, s);
                if (!AllFinite(s)) { result.Risk = double.PositiveInfinity; return; }
            }
            double risk = 0;
            var pAdj = new double[block];
            for (int i = 0; i < d; i++)
            {
                double oso = 0;
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        oso += o[p] * s[i * kk + p * k + q] * o[q];
                        pAdj[i * kk + p * k + q] = 0.5 * _wl[i] * o[p] * o[q];
                    }
                risk += _wl[i] * oso;
            }
            result.Risk = 0.5 * risk;
            if (!double.IsFinite(result.Risk)) { result.Risk = double.PositiveInfinity; return; }
            if (!gradient) return;

            for (int sIdx = nSeg - 1; sIdx >= 0; sIdx--)
            {
                int start = sIdx * seg, end = Math.Min(steps, start + seg);
                if (sIdx != nSeg - 1)
                {
                    // recompute the blocks of this segment from its checkpoint (the same operations, so the same bits)
                    Array.Copy(checkpoints[sIdx], segment[0], block);
                    for (int t = start; t < end - 1; t++) Forward(t, segment[t - start], segment[t - start + 1]);
                }
                for (int t = end - 1; t >= start; t--) Backward(t, segment[t - start], mu[t], pAdj, result);
            }
        }

        private static bool AllFinite(double[] s)
        {
            double acc = 0;
            for (int i = 0; i < s.Length; i++) acc += s[i] * 0;
            return acc == 0;
        }

        private double Quad(double[] s, int off, double[] v, int voff)
        {
            double r = 0;
            for (int p = 0; p < k; p++)
            {
                double row = 0;
                for (int q = 0; q < k; q++) row += s[off + p * k + q] * v[voff + q];
                r += v[voff + p] * row;
            }
            return r;
        }

        /// <summary>T_{t,i} = A_t − λ_i b_t c_tᵀ into _t.</summary>
        private void Transition(int t, double l)
        {
            for (int p = 0; p < k; p++)
                for (int q = 0; q < k; q++) _t[p * k + q] = a[t * _kk + p * k + q] - l * b[t * k + p] * c[t * k + q];
        }

        /// <summary>S_{t+1} from S_t; returns μ_t.</summary>
        private double Forward(int t, double[] s, double[] next)
        {
            if (k == 1) return Forward1(t, s, next);
            if (k == 2) return Forward2(t, s, next);
            int kk = _kk;
            double mu = 0;
            for (int i = 0; i < _d; i++) mu += _wl[i] * Quad(s, i * kk, c, t * k);
            for (int i = 0; i < _d; i++)
            {
                double l = _lam[i];
                int off = i * kk;
                Transition(t, l);
                double qi = (l * mu + _m4m2 * l * l * Quad(s, off, c, t * k) + _noise * l) * invB[t];
                // X = T S
                for (int p = 0; p < k; p++)
                    for (int r = 0; r < k; r++)
                    {
                        double x = 0;
                        for (int m = 0; m < k; m++) x += _t[p * k + m] * s[off + m * k + r];
                        _x[p * k + r] = x;
                    }
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        double x = 0;
                        for (int r = 0; r < k; r++) x += _x[p * k + r] * _t[q * k + r];
                        next[off + p * k + q] = x + b[t * k + p] * b[t * k + q] * qi;
                    }
            }
            return mu;
        }

        /// <summary>P_t from P_{t+1} (in place) and the gradient of step t.</summary>
        private void Backward(int t, double[] s, double mu, double[] pAdj, StepGradients result)
        {
            if (k == 1) { Backward1(t, s, mu, pAdj, result); return; }
            if (k == 2) { Backward2(t, s, mu, pAdj, result); return; }
            int kk = _kk, tb = t * k;
            double ib = invB[t];
            double big = 0;
            for (int i = 0; i < _d; i++) big += _lam[i] * Quad(pAdj, i * kk, b, tb) * ib;
            var dA = result._dA; var db = result._db; var dc = result._dc;
            double dBatch = 0;
            for (int i = 0; i < _d; i++)
            {
                double l = _lam[i];
                int off = i * kk;
                Transition(t, l);
                double g = Quad(pAdj, off, b, tb) * ib;
                double cSc = Quad(s, off, c, tb);
                double qi = l * mu + _m4m2 * l * l * cSc + _noise * l;
                double coef = _wl[i] * big + _m4m2 * l * l * g;
                // X = W T, Y = X S
                for (int p = 0; p < k; p++)
                    for (int r = 0; r < k; r++)
                    {
                        double x = 0;
                        for (int m = 0; m < k; m++) x += pAdj[off + p * k + m] * _t[m * k + r];
                        _x[p * k + r] = x;
                    }
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        double y = 0;
                        for (int r = 0; r < k; r++) y += _x[p * k + r] * s[off + r * k + q];
                        _y[p * k + q] = y;
                    }
                // W b and S c
                for (int p = 0; p < k; p++)
                {
                    double wb = 0, sc = 0;
                    for (int q = 0; q < k; q++) { wb += pAdj[off + p * k + q] * b[tb + q]; sc += s[off + p * k + q] * c[tb + q]; }
                    _v[p] = wb;
                    _w[p] = sc;
                }
                for (int p = 0; p < k; p++)
                {
                    double yc = 0, ytb = 0;
                    for (int q = 0; q < k; q++)
                    {
                        dA[t * kk + p * k + q] += 2 * _y[p * k + q];
                        yc += _y[p * k + q] * c[tb + q];
                        ytb += _y[q * k + p] * b[tb + q];
                    }
                    db[tb + p] += -2 * l * yc + 2 * qi * ib * _v[p];
                    dc[tb + p] += -2 * l * ytb + 2 * coef * _w[p];
                }
                dBatch -= g * qi * ib;
                // P_t = Tᵀ X + coef c cᵀ (X = W T)
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        double z = 0;
                        for (int r = 0; r < k; r++) z += _t[r * k + p] * _x[r * k + q];
                        _y[p * k + q] = z + coef * c[tb + p] * c[tb + q];
                    }
                Array.Copy(_y, 0, pAdj, off, kk);
            }
            result._dBatch[t] = dBatch;
        }
            /// <summary><see cref="Forward"/> written out for k = 1.</summary>
        private double Forward1(int t, double[] s, double[] next)
        {
            double a0 = a[t], b0 = b[t], c0 = c[t], ib = invB[t], m4m2 = _m4m2, noise = _noise;
            var lam = _lam;
            var wl = _wl;
            double mu = 0;
            for (int i = 0; i < _d; i++) mu += wl[i] * c0 * c0 * s[i];
            for (int i = 0; i < _d; i++)
            {
                double l = lam[i], si = s[i], tr = a0 - l * b0 * c0;
                double qi = (l * mu + m4m2 * l * l * c0 * c0 * si + noise * l) * ib;
                next[i] = tr * si * tr + b0 * b0 * qi;
            }
            return mu;
        }

        /// <summary><see cref="Backward"/> written out for k = 1.</summary>
        private void Backward1(int t, double[] s, double mu, double[] pAdj, StepGradients result)
        {
            double a0 = a[t], b0 = b[t], c0 = c[t], ib = invB[t], m4m2 = _m4m2, noise = _noise;
            var lam = _lam;
            var wl = _wl;
            double big = 0;
            for (int i = 0; i < _d; i++) big += lam[i] * b0 * b0 * pAdj[i] * ib;
            double gA = 0, gb = 0, gc = 0, gB = 0;
            for (int i = 0; i < _d; i++)
            {
                double l = lam[i], si = s[i], w = pAdj[i], tr = a0 - l * b0 * c0;
                double g = b0 * b0 * w * ib;
                double qi = l * mu + m4m2 * l * l * c0 * c0 * si + noise * l;
                double coef = wl[i] * big + m4m2 * l * l * g;
                double x = w * tr, y = x * si;
                gA += y;
                gb += -l * y * c0 + qi * ib * w * b0;
                gc += -l * y * b0 + coef * si * c0;
                gB -= g * qi * ib;
                pAdj[i] = tr * x + coef * c0 * c0;
            }
            result._dA[t] += 2 * gA;
            result._db[t] += 2 * gb;
            result._dc[t] += 2 * gc;
            result._dBatch[t] = gB;
        }

        /// <summary><see cref="Forward"/> written out for k = 2 (the same formulas; blocks kept symmetric).</summary>
        private double Forward2(int t, double[] s, double[] next)
        {
            double a00 = a[4 * t], a01 = a[4 * t + 1], a10 = a[4 * t + 2], a11 = a[4 * t + 3];
            double b0 = b[2 * t], b1 = b[2 * t + 1], c0 = c[2 * t], c1 = c[2 * t + 1], ib = invB[t];
            double m4m2 = _m4m2, noise = _noise;
            var lam = _lam;
            var wl = _wl;
            int d = _d;
            double mu = 0;
            for (int i = 0; i < d; i++)
            {
                int o = 4 * i;
                mu += wl[i] * (c0 * c0 * s[o] + 2 * c0 * c1 * s[o + 1] + c1 * c1 * s[o + 3]);
            }
            for (int i = 0; i < d; i++)
            {
                int o = 4 * i;
                double l = lam[i], s00 = s[o], s01 = s[o + 1], s11 = s[o + 3];
                double t00 = a00 - l * b0 * c0, t01 = a01 - l * b0 * c1, t10 = a10 - l * b1 * c0, t11 = a11 - l * b1 * c1;
                double cSc = c0 * c0 * s00 + 2 * c0 * c1 * s01 + c1 * c1 * s11;
                double qi = (l * mu + m4m2 * l * l * cSc + noise * l) * ib;
                double x00 = t00 * s00 + t01 * s01, x01 = t00 * s01 + t01 * s11;
                double x10 = t10 * s00 + t11 * s01, x11 = t10 * s01 + t11 * s11;
                double n01 = x00 * t10 + x01 * t11 + b0 * b1 * qi;
                next[o] = x00 * t00 + x01 * t01 + b0 * b0 * qi;
                next[o + 1] = n01;
                next[o + 2] = n01;
                next[o + 3] = x10 * t10 + x11 * t11 + b1 * b1 * qi;
            }
            return mu;
        }

        /// <summary><see cref="Backward"/> written out for k = 2 (the same formulas; blocks kept symmetric).</summary>
        private void Backward2(int t, double[] s, double mu, double[] pAdj, StepGradients result)
        {
            double a00 = a[4 * t], a01 = a[4 * t + 1], a10 = a[4 * t + 2], a11 = a[4 * t + 3];
            double b0 = b[2 * t], b1 = b[2 * t + 1], c0 = c[2 * t], c1 = c[2 * t + 1], ib = invB[t];
            double m4m2 = _m4m2, noise = _noise;
            var lam = _lam;
            var wl = _wl;
            int d = _d;
            double big = 0;
            for (int i = 0; i < d; i++)
            {
                int o = 4 * i;
                big += lam[i] * (b0 * b0 * pAdj[o] + 2 * b0 * b1 * pAdj[o + 1] + b1 * b1 * pAdj[o + 3]) * ib;
            }
            double gA00 = 0, gA01 = 0, gA10 = 0, gA11 = 0, gb0 = 0, gb1 = 0, gc0 = 0, gc1 = 0, gB = 0;
            for (int i = 0; i < d; i++)
            {
                int o = 4 * i;
                double l = lam[i], s00 = s[o], s01 = s[o + 1], s11 = s[o + 3];
                double w00 = pAdj[o], w01 = pAdj[o + 1], w11 = pAdj[o + 3];
                double t00 = a00 - l * b0 * c0, t01 = a01 - l * b0 * c1, t10 = a10 - l * b1 * c0, t11 = a11 - l * b1 * c1;
                double g = (b0 * b0 * w00 + 2 * b0 * b1 * w01 + b1 * b1 * w11) * ib;
                double cSc = c0 * c0 * s00 + 2 * c0 * c1 * s01 + c1 * c1 * s11;
                double qi = l * mu + m4m2 * l * l * cSc + noise * l;
                double coef = wl[i] * big + m4m2 * l * l * g;
                // X = W T, Y = X S
                double x00 = w00 * t00 + w01 * t10, x01 = w00 * t01 + w01 * t11;
                double x10 = w01 * t00 + w11 * t10, x11 = w01 * t01 + w11 * t11;
                double y00 = x00 * s00 + x01 * s01, y01 = x00 * s01 + x01 * s11;
                double y10 = x10 * s00 + x11 * s01, y11 = x10 * s01 + x11 * s11;
                gA00 += y00; gA01 += y01; gA10 += y10; gA11 += y11;
                double wb0 = w00 * b0 + w01 * b1, wb1 = w01 * b0 + w11 * b1;
                double sc0 = s00 * c0 + s01 * c1, sc1 = s01 * c0 + s11 * c1;
                gb0 += -l * (y00 * c0 + y01 * c1) + qi * ib * wb0;
                gb1 += -l * (y10 * c0 + y11 * c1) + qi * ib * wb1;
                gc0 += -l * (y00 * b0 + y10 * b1) + coef * sc0;
                gc1 += -l * (y01 * b0 + y11 * b1) + coef * sc1;
                gB -= g * qi * ib;
                double p01 = t00 * x01 + t10 * x11 + coef * c0 * c1;
                pAdj[o] = t00 * x00 + t10 * x10 + coef * c0 * c0;
                pAdj[o + 1] = p01;
                pAdj[o + 2] = p01;
                pAdj[o + 3] = t01 * x01 + t11 * x11 + coef * c1 * c1;
            }
            var dA = result._dA; var db = result._db; var dc = result._dc;
            dA[4 * t] += 2 * gA00; dA[4 * t + 1] += 2 * gA01; dA[4 * t + 2] += 2 * gA10; dA[4 * t + 3] += 2 * gA11;
            db[2 * t] += 2 * gb0; db[2 * t + 1] += 2 * gb1;
            dc[2 * t] += 2 * gc0; dc[2 * t + 1] += 2 * gc1;
            result._dBatch[t] = gB;
        }
    }
}
