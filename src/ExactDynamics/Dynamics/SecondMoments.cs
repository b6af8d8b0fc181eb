using ExactDynamics.Methods;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The exact second moments S_{t,i} = E[X_t[:,i] X_t[:,i]ᵀ] of a k-state method, one symmetric k×k block per
/// eigendirection, stored as k(k+1)/2 arrays of length d (structure of arrays; entry (p,q), p ≤ q).
/// <see cref="Step"/> applies MATH.md §3 once:
/// S_{t+1,i} = T_i S_{t,i} T_iᵀ + (1/B) b bᵀ [λ_i Σ_j λ_j cᵀS_{t,j}c + (m4 − 2) λ_i² cᵀS_{t,i}c + σ² λ_i],  T_i = A − λ_i b cᵀ.
/// The coupling scalar μ_t = Σ_j λ_j cᵀS_{t,j}c and the risk E L_t = ½ Σ_i λ_i oᵀS_{t,i}o are accumulated in the same pass.
/// </summary>
public sealed class SecondMoments
{
    private readonly Problem _problem;
    private readonly LinearMethod _method;
    private readonly double[] _lambda;
    private readonly double[][] _s; // _s[e][i], e = index of (p,q)
    private readonly int _k, _m;
    private readonly int[] _p, _q;

    public SecondMoments(Problem problem, LinearMethod method)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        _problem = problem;
        _method = method;
        _lambda = problem.Spectrum.ToArray();
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
        for (e = 0; e < _m; e++)
        {
            _s[e] = new double[d];
            double uu = u[_p[e]] * u[_q[e]];
            var init = problem.Initial;
            for (int i = 0; i < d; i++) _s[e][i] = init[i] * uu;
        }
        Accumulate();
    }

    /// <summary>Number of steps taken.</summary>
    public long Time { get; private set; }

    /// <summary>E L_t = ½ Σ_i λ_i oᵀ S_{t,i} o at the current step.</summary>
    public double Risk { get; private set; }

    /// <summary>μ_t = Σ_j λ_j cᵀ S_{t,j} c at the current step.</summary>
    public double Coupling { get; private set; }

    /// <summary>Entry (p,q) of block i.</summary>
    public double Entry(int i, int p, int q)
    {
        if (p > q) (p, q) = (q, p);
        int e = 0;
        for (int pp = 0; pp < p; pp++) e += _k - pp;
        return _s[e + (q - p)][i];
    }

    private void Accumulate()
    {
        var c = _method.C;
        var o = _method.O;
        double mu = 0, risk = 0;
        for (int e = 0; e < _m; e++)
        {
            double wc = c[_p[e]] * c[_q[e]], wo = o[_p[e]] * o[_q[e]];
            if (_p[e] != _q[e]) { wc *= 2; wo *= 2; }
            var s = _s[e];
            double weighted = 0;
            for (int i = 0; i < s.Length; i++) weighted += _lambda[i] * s[i];
            mu += wc * weighted;
            risk += wo * weighted;
        }
        Coupling = mu;
        Risk = 0.5 * risk;
    }

    /// <summary>Advance one step (MATH.md §3).</summary>
    public void Step()
    {
        switch (_k)
        {
            case 1: Step1(); break;
            case 2: Step2(); break;
            default: StepGeneral(); break;
        }
        Time++;
    }

    private void Step1()
    {
        double a = _method.A(0, 0), b = _method.B[0], c = _method.C[0], o = _method.O[0];
        double invB = 1.0 / _problem.Batch, k4 = _problem.Kurtosis - 2, sigma2 = _problem.Noise;
        double mu = Coupling, bb = b * b, cc = c * c, oo = o * o;
        var s = _s[0];
        var lam = _lambda;
        double nextMu = 0, risk = 0;
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
        risk = nextMu;
        Coupling = cc * nextMu;
        Risk = 0.5 * oo * risk;
    }

    private void Step2()
    {
        double a00 = _method.A(0, 0), a01 = _method.A(0, 1), a10 = _method.A(1, 0), a11 = _method.A(1, 1);
        var bv = _method.B; var cv = _method.C; var ov = _method.O;
        double b0 = bv[0], b1 = bv[1], c0 = cv[0], c1 = cv[1], o0 = ov[0], o1 = ov[1];
        double invB = 1.0 / _problem.Batch, k4 = _problem.Kurtosis - 2, sigma2 = _problem.Noise;
        double b00 = b0 * b0, b01 = b0 * b1, b11 = b1 * b1;
        double w00 = c0 * c0, w01 = 2 * c0 * c1, w11 = c1 * c1;
        double v00 = o0 * o0, v01 = 2 * o0 * o1, v11 = o1 * o1;
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
            // (T S) Tᵀ in two stages: fewer roundings than the expanded T⊗T form when entries cancel (Nesterov)
            double p00 = t00 * x + t01 * y, p01 = t00 * y + t01 * z;
            double p10 = t10 * x + t11 * y, p11 = t10 * y + t11 * z;
            double nx = p00 * t00 + p01 * t01 + b00 * scalar;
            double ny = p00 * t10 + p01 * t11 + b01 * scalar;
            double nz = p10 * t10 + p11 * t11 + b11 * scalar;
            s00[i] = nx; s01[i] = ny; s11[i] = nz;
            nextMu += l * (w00 * nx + w01 * ny + w11 * nz);
            risk += l * (v00 * nx + v01 * ny + v11 * nz);
        }
        Coupling = nextMu;
        Risk = 0.5 * risk;
    }

    private void StepGeneral()
    {
        int k = _k, d = _lambda.Length;
        var bv = _method.B; var cv = _method.C;
        double invB = 1.0 / _problem.Batch, k4 = _problem.Kurtosis - 2, sigma2 = _problem.Noise;
        double mu = Coupling;
        Span<double> t = stackalloc double[k * k];
        Span<double> s = stackalloc double[k * k];
        Span<double> ts = stackalloc double[k * k];
        for (int i = 0; i < d; i++)
        {
            double l = _lambda[i];
            for (int p = 0; p < k; p++)
                for (int r = 0; r < k; r++) t[p * k + r] = _method.A(p, r) - l * bv[p] * cv[r];
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
        Accumulate();
    }
}
