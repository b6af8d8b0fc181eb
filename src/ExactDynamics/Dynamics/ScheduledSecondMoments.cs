using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The second moments S_{t,i} of MATH.md §3 under schedules: the same structure-of-arrays layout and fused O(k² d)
/// pass as <see cref="SecondMoments"/>, but update t → t + 1 uses step t's (A, b, c) and B_t. The coupling scalar
/// μ_t = Σ_j λ_j c_tᵀ S_{t,j} c_t must be weighted with the c of the update that uses it, so the pass of update t
/// accumulates μ_{t+1} with c_{t+1} and the risk E L_{t+1} with o_{t+1} (the settings of the next update are looked up
/// one step ahead). With constant settings every floating-point operation is the one <see cref="SecondMoments"/> does,
/// in the same order, so the numbers are bit for bit the same (a test pins this).
/// </summary>
public sealed class ScheduledSecondMoments
{
    private readonly Problem _problem;
    private readonly ScheduledMethod _scheduled;
    private readonly double[] _lambda;
    private readonly double[][] _s;
    private readonly int _k, _m;
    private readonly int[] _p, _q;
    private StepSettings _current;

    public ScheduledSecondMoments(Problem problem, ScheduledMethod scheduled)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        _problem = problem;
        _scheduled = scheduled;
        _lambda = Spectral.ContractionGap.LambdaOf(problem.Spectrum); // shared, read-only
        _current = scheduled.At(0, problem.Batch);
        var method = _current.Method;
        _k = method.K;
        _m = _k * (_k + 1) / 2;
        _p = new int[_m];
        _q = new int[_m];
        int e = 0;
        for (int p = 0; p < _k; p++)
            for (int q = p; q < _k; q++) { _p[e] = p; _q[e] = q; e++; }
        int d = _lambda.Length;
        _s = new double[_m][];
        var u = method.U;
        var init = problem.Initial;
        for (e = 0; e < _m; e++)
        {
            _s[e] = new double[d];
            double uu = u[_p[e]] * u[_q[e]];
            for (int i = 0; i < d; i++) _s[e][i] = init[i] * uu;
        }
        Accumulate(method);
    }

    /// <summary>Number of steps taken.</summary>
    public long Time { get; private set; }

    /// <summary>E L_t = ½ Σ_i λ_i o_tᵀ S_{t,i} o_t at the current step.</summary>
    public double Risk { get; private set; }

    /// <summary>μ_t = Σ_j λ_j c_tᵀ S_{t,j} c_t at the current step.</summary>
    public double Coupling { get; private set; }

    /// <summary>The settings of the next update (t → t + 1).</summary>
    public StepSettings Current => _current;

    /// <summary>Entry (p,q) of block i.</summary>
    public double Entry(int i, int p, int q)
    {
        if (p > q) (p, q) = (q, p);
        int e = 0;
        for (int pp = 0; pp < p; pp++) e += _k - pp;
        return _s[e + (q - p)][i];
    }

    /// <summary>Advance one step with the current settings.</summary>
    public void Step()
    {
        var cur = _current;
        var next = _scheduled.At(Time + 1, _problem.Batch, cur);
        if (next.Method.K != _k) throw new InvalidOperationException("A schedule cannot change the number of states k.");
        switch (_k)
        {
            case 1: Step1(cur, next.Method); break;
            case 2: Step2(cur, next.Method); break;
            default: StepGeneral(cur, next.Method); break;
        }
        _current = next;
        Time++;
    }

    private void Accumulate(LinearMethod method) => (Coupling, Risk) = SecondMoments.Readout(_s, _lambda, _p, _q, method.C, method.O);

    private void Step1(StepSettings cur, LinearMethod next)
    {
        var m = cur.Method;
        double a = m.A(0, 0), b = m.B[0], c = m.C[0];
        double cn = next.C[0], on = next.O[0];
        double invB = 1.0 / cur.Batch, k4 = _problem.Kurtosis - 2, sigma2 = _problem.Noise;
        double mu = Coupling, bb = b * b, cc = c * c, ccn = cn * cn, oon = on * on;
        var s = _s[0];
        var lam = _lambda;
        double nextMu = 0;
        for (int i = 0; i < s.Length; i++)
        {
            double l = lam[i];
            double t = a - l * b * c;
            double si = s[i];
            double scalar = (l * mu + k4 * l * l * cc * si + sigma2 * l) * invB;
            double sn = t * t * si + bb * scalar;
            s[i] = sn;
            nextMu += l * sn;
        }
        Coupling = ccn * nextMu;
        Risk = 0.5 * oon * nextMu;
    }

    private void Step2(StepSettings cur, LinearMethod next)
    {
        var m = cur.Method;
        double a00 = m.A(0, 0), a01 = m.A(0, 1), a10 = m.A(1, 0), a11 = m.A(1, 1);
        var bv = m.B; var cv = m.C;
        double b0 = bv[0], b1 = bv[1], c0 = cv[0], c1 = cv[1];
        double invB = 1.0 / cur.Batch, k4 = _problem.Kurtosis - 2, sigma2 = _problem.Noise;
        double b00 = b0 * b0, b01 = b0 * b1, b11 = b1 * b1;
        double w00 = c0 * c0, w01 = 2 * c0 * c1, w11 = c1 * c1;
        var cn = next.C; var on = next.O;
        double n00 = cn[0] * cn[0], n01 = 2 * cn[0] * cn[1], n11 = cn[1] * cn[1];
        double v00 = on[0] * on[0], v01 = 2 * on[0] * on[1], v11 = on[1] * on[1];
        double mu = Coupling;
        var s00 = _s[0]; var s01 = _s[1]; var s11 = _s[2];
        var lam = _lambda;
        double nextMu = 0, risk = 0;
        for (int i = 0; i < lam.Length; i++)
        {
            double l = lam[i];
            double t00 = a00 - l * b0 * c0, t01 = a01 - l * b0 * c1, t10 = a10 - l * b1 * c0, t11 = a11 - l * b1 * c1;
            double x = s00[i], y = s01[i], z = s11[i];
            double q = w00 * x + w01 * y + w11 * z;
            double scalar = (l * mu + k4 * l * l * q + sigma2 * l) * invB;
            double p00 = t00 * x + t01 * y, p01 = t00 * y + t01 * z;
            double p10 = t10 * x + t11 * y, p11 = t10 * y + t11 * z;
            double nx = p00 * t00 + p01 * t01 + b00 * scalar;
            double ny = p00 * t10 + p01 * t11 + b01 * scalar;
            double nz = p10 * t10 + p11 * t11 + b11 * scalar;
            s00[i] = nx; s01[i] = ny; s11[i] = nz;
            nextMu += l * (n00 * nx + n01 * ny + n11 * nz);
            risk += l * (v00 * nx + v01 * ny + v11 * nz);
        }
        Coupling = nextMu;
        Risk = 0.5 * risk;
    }

    private void StepGeneral(StepSettings cur, LinearMethod next)
    {
        var m = cur.Method;
        int k = _k, d = _lambda.Length;
        var bv = m.B; var cv = m.C;
        double invB = 1.0 / cur.Batch, k4 = _problem.Kurtosis - 2, sigma2 = _problem.Noise;
        double mu = Coupling;
        Span<double> t = stackalloc double[k * k];
        Span<double> s = stackalloc double[k * k];
        Span<double> ts = stackalloc double[k * k];
        for (int i = 0; i < d; i++)
        {
            double l = _lambda[i];
            for (int p = 0; p < k; p++)
                for (int r = 0; r < k; r++) t[p * k + r] = m.A(p, r) - l * bv[p] * cv[r];
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
            for (int e = 0; e < _m; e++)
            {
                int p = _p[e], r = _q[e];
                double acc = 0;
                for (int j = 0; j < k; j++) acc += ts[p * k + j] * t[r * k + j];
                _s[e][i] = acc + bv[p] * bv[r] * scalar;
            }
        }
        Accumulate(next);
    }
}
