using ExactDynamics.Methods;

namespace ExactDynamics.Schedules;

/// <summary>
/// The exact final risk E L_T of a run whose update t → t + 1 uses its own (A_t, b_t, c_t) and batch B_t, with its
/// gradient with respect to every entry of every update's A_t, b_t, c_t and B_t, from one forward and one backward
/// (adjoint) pass over the second-moment recursion (docs/math.md#the-adjoint-of-the-second-moment-recursion):
/// P_{T,i} = ½ λ_i o oᵀ, g_i = b_tᵀP_{t+1,i}b_t/B_t, G = Σ_i λ_i g_i,
/// P_{t,i} = T_{t,i}ᵀ P_{t+1,i} T_{t,i} + (λ_i G + (m4 − 2) λ_i² g_i) c_t c_tᵀ, and with Y_i = P_{t+1,i} T_{t,i} S_{t,i},
/// q_i = λ_i μ_t + (m4 − 2) λ_i² c_tᵀS_{t,i}c_t + σ² λ_i:
/// ∂/∂A_t = 2 Σ_i Y_i, ∂/∂b_t = Σ_i (−2λ_i Y_i c_t + 2 q_i P_{t+1,i} b_t / B_t),
/// ∂/∂c_t = Σ_i (−2λ_i Y_iᵀ b_t + 2 (λ_i G + (m4 − 2) λ_i² g_i) S_{t,i} c_t), ∂/∂B_t = −Σ_i g_i q_i / B_t.
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
        var kernel = new Kernel(problem, k, a, b, c, invB);
        var result = new StepGradients(steps, k);
        kernel.Run(first.U.ToArray(), final.O.ToArray(), steps, storedDoublesBudget, result);
        return result;
    }

    /// <summary>The forward and backward passes on flat per-step coefficients.</summary>
    private sealed class Kernel(Problem problem, int k, double[] a, double[] b, double[] c, double[] invB)
    {
        private readonly int _d = problem.Spectrum.Dimension;
        private readonly int _kk = k * k;
        private readonly double[] _lam = problem.Spectrum.ToArray();
        private readonly double _m4m2 = problem.Kurtosis - 2;
        private readonly double _noise = problem.Noise;
        private readonly double[] _t = new double[k * k], _x = new double[k * k], _y = new double[k * k];
        private readonly double[] _v = new double[k], _w = new double[k];

        public void Run(double[] u, double[] o, int steps, long budget, StepGradients result)
        {
            int d = _d, kk = _kk, block = d * kk;
            var s = new double[block];
            var init = problem.InitialArray;
            for (int i = 0; i < d; i++)
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++) s[i * kk + p * k + q] = init[i] * u[p] * u[q];

            // segment length: everything when it fits, else ⌈√T⌉ with a checkpoint at the start of each segment
            int seg = steps == 0 ? 1 : (long)(steps + 1) * block <= budget ? steps : (int)Math.Ceiling(Math.Sqrt(steps));
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
                if (t % seg == 0) checkpoints[t / seg] = (double[])s.Clone();
                if (t >= lastStart) Array.Copy(s, segment[t - lastStart], block);
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
                        pAdj[i * kk + p * k + q] = 0.5 * _lam[i] * o[p] * o[q];
                    }
                risk += _lam[i] * oso;
            }
            result.Risk = 0.5 * risk;
            if (!double.IsFinite(result.Risk)) { result.Risk = double.PositiveInfinity; return; }

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
            int kk = _kk;
            double mu = 0;
            for (int i = 0; i < _d; i++) mu += _lam[i] * Quad(s, i * kk, c, t * k);
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
                double coef = l * big + _m4m2 * l * l * g;
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
    }
}
