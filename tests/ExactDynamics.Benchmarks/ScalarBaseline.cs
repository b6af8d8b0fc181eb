using ExactDynamics.Methods;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// The plain scalar fused pass as it was before this optimisation work (one scalar loop over the directions per step,
/// original coordinates, single thread), kept here verbatim in substance as the baseline the speed-ups are measured
/// against.
/// </summary>
public sealed class ScalarBaseline
{
    private readonly double[] _lambda;
    private readonly double[][] _s;
    private readonly LinearMethod _method;
    private readonly double _invB, _k4, _sigma2;

    public ScalarBaseline(Problem problem, LinearMethod method)
    {
        _method = method;
        _lambda = problem.Spectrum.ToArray();
        int k = method.K, m = k * (k + 1) / 2, d = _lambda.Length;
        _s = new double[m][];
        var u = method.U;
        int e = 0;
        for (int p = 0; p < k; p++)
            for (int q = p; q < k; q++, e++)
            {
                _s[e] = new double[d];
                for (int i = 0; i < d; i++) _s[e][i] = problem.Initial[i] * u[p] * u[q];
            }
        _invB = 1.0 / problem.Batch; _k4 = problem.Kurtosis - 2; _sigma2 = problem.Noise;
        var c = method.C;
        double mu = 0;
        for (e = 0; e < m; e++)
        {
            // μ_0 (k ≤ 2 only)
            int p = e == 2 ? 1 : 0, q = e == 0 ? 0 : 1;
            double w = c[p] * c[q] * (p == q ? 1 : 2);
            for (int i = 0; i < d; i++) mu += w * _lambda[i] * _s[e][i];
        }
        Coupling = mu;
    }

    public double Coupling { get; private set; }
    public double Risk { get; private set; }

    public void Step()
    {
        if (_method.K == 1) Step1(); else Step2();
    }

    private void Step1()
    {
        double a = _method.A(0, 0), b = _method.B[0], c = _method.C[0], o = _method.O[0];
        double mu = Coupling, bb = b * b, cc = c * c, oo = o * o;
        var s = _s[0];
        var lam = _lambda;
        double nextMu = 0;
        for (int i = 0; i < s.Length; i++)
        {
            double l = lam[i];
            double t = a - l * b * c;
            double si = s[i];
            double scalar = (l * mu + _k4 * l * l * cc * si + _sigma2 * l) * _invB;
            double sn = t * t * si + bb * scalar;
            s[i] = sn;
            nextMu += l * sn;
        }
        Coupling = cc * nextMu;
        Risk = 0.5 * oo * nextMu;
    }

    private void Step2()
    {
        double a00 = _method.A(0, 0), a01 = _method.A(0, 1), a10 = _method.A(1, 0), a11 = _method.A(1, 1);
        var bv = _method.B; var cv = _method.C; var ov = _method.O;
        double b0 = bv[0], b1 = bv[1], c0 = cv[0], c1 = cv[1], o0 = ov[0], o1 = ov[1];
        double invB = _invB, k4 = _k4, sigma2 = _sigma2;
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
            double nx = t00 * t00 * x + 2 * t00 * t01 * y + t01 * t01 * z + b00 * scalar;
            double ny = t00 * t10 * x + (t00 * t11 + t01 * t10) * y + t01 * t11 * z + b01 * scalar;
            double nz = t10 * t10 * x + 2 * t10 * t11 * y + t11 * t11 * z + b11 * scalar;
            s00[i] = nx; s01[i] = ny; s11[i] = nz;
            nextMu += l * (w00 * nx + w01 * ny + w11 * nz);
            risk += l * (v00 * nx + v01 * ny + v11 * nz);
        }
        Coupling = nextMu;
        Risk = 0.5 * risk;
    }
}
