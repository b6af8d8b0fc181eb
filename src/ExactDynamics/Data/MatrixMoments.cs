using ExactDynamics.Methods;

namespace ExactDynamics.Data;

/// <summary>
/// The matrix fourth-moment model (docs/math.md#three-fourth-moment-models): per-direction k×k blocks S_i as in the
/// Gaussian recursion, with the data's K_ij = E[z_i² z_j²] in place of 1 + (m4 − 1)δ_ij (moments E[z_i z_j z_l²] with
/// distinct i, j are neglected, and so are the off-diagonal entries of the second moment):
/// <code>
/// S_i' = T_i S_i T_iᵀ + (1/B) b bᵀ [λ_i Σ_j λ_j K_ij cᵀS_jc − λ_i² cᵀS_ic + ρ_i],   T_i = A − λ_i b cᵀ
/// </code>
/// with ρ_i = (1/n) Σ r² x̃_i² for a real target (σ² λ_i for independent noise). O(d² + k³ d) per step.
/// </summary>
public sealed partial class MatrixMoments
{
    private readonly int _d, _k;
    private readonly double[] _lambda, _kmat, _rho, _qv, _coupling;
    private readonly double[][,] _s;
    private double[,] _a;               // this update's coefficients, set per step under schedules
    private double[] _b, _c, _o;
    private double _invB;

    /// <summary>The model with the data's own fourth-moment matrix.</summary>
    public MatrixMoments(DataProblem problem, LinearMethod method) : this(problem, method, null) { }

    /// <summary>The model with a given K (d×d row-major, symmetric); null = the data's own.</summary>
    public MatrixMoments(DataProblem problem, LinearMethod method, double[]? fourthMoments)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        var data = problem.Data;
        _d = data.Dimension;
        _k = method.K;
        _lambda = (double[])data.Eigenvalues.Clone();
        _kmat = fourthMoments ?? data.FourthMoments();
        if (_kmat.Length != _d * _d)
            throw new InvalidInputException($"The fourth-moment matrix has {_kmat.Length} entries but the data has {_d} directions ({_d * _d} entries needed).");
        _rho = new double[_d];
        var profile = problem.WithResiduals ? data.NoiseProfile() : null;
        for (int i = 0; i < _d; i++)
            _rho[i] = profile is not null ? _lambda[i] * data.ResidualVariance * profile[i] : problem.Noise * _lambda[i];
        _a = method.MatrixA;
        _b = method.B.ToArray(); _c = method.C.ToArray(); _o = method.O.ToArray();
        var u = method.U.ToArray();
        _invB = 1.0 / problem.Batch;
        var s0 = problem.SecondMoments();
        _s = new double[_d][,];
        for (int i = 0; i < _d; i++)
        {
            _s[i] = new double[_k, _k];
            for (int p = 0; p < _k; p++) for (int q = 0; q < _k; q++) _s[i][p, q] = s0[i] * u[p] * u[q];
        }
        _qv = new double[_d];
        _coupling = new double[_d];
        Risk = ReadRisk();
    }

    /// <summary>
    /// Seconds the model is expected to take for <paramref name="steps"/> steps (docs/math.md#three-fourth-moment-models,
    /// cost): the coupling Σ_j K_ij λ_j cᵀS_jc is d² multiply-adds a step and the per-direction blocks about 2k⁴d, at
    /// the scalar rates measured on the development machine (d = 784, k = 2: 0.68 ms a step measured, 0.78 ms estimated).
    /// </summary>
    /// <param name="d">Dimension (rank of H).</param>
    /// <param name="k">States of the method.</param>
    /// <param name="steps">Steps (or applications of the map).</param>
    public static double EstimatedSeconds(int d, int k, double steps) =>
        steps * (1.2e-9 * d * (double)d + 3e-9 * Math.Pow(k, 4) * d + 1e-7);

    /// <summary>Number of steps taken.</summary>
    public long Time { get; private set; }

    /// <summary>E L_t = ½ Σ_i λ_i oᵀS_i o.</summary>
    public double Risk { get; private set; }

    private double Quad(double[,] m, double[] v)
    {
        double s = 0;
        for (int p = 0; p < _k; p++) for (int q = 0; q < _k; q++) s += v[p] * m[p, q] * v[q];
        return s;
    }

    private double ReadRisk()
    {
        double r = 0;
        for (int i = 0; i < _d; i++) r += _lambda[i] * Quad(_s[i], _o);
        return 0.5 * r;
    }

    /// <summary>Length of the state vector: the d blocks S_i (k×k each, row-major), for the matrix-free Perron root
    /// (docs/math.md#data-rates).</summary>
    internal int StateLength => _d * _k * _k;

    /// <summary>One application of the map to a state vector: <paramref name="y"/> = the state after one step from
    /// <paramref name="x"/> (the blocks S_i laid out as in <see cref="StateLength"/>).</summary>
    internal void Apply(double[] x, double[] y)
    {
        int kk = _k * _k;
        for (int i = 0; i < _d; i++)
            for (int p = 0; p < _k; p++) for (int q = 0; q < _k; q++) _s[i][p, q] = x[i * kk + p * _k + q];
        Step();
        for (int i = 0; i < _d; i++)
            for (int p = 0; p < _k; p++) for (int q = 0; q < _k; q++) y[i * kk + p * _k + q] = _s[i][p, q];
    }

    /// <summary>Advances one step (with step t's settings when the method has schedules).</summary>
    public void Step()
    {
        if (_scheduled is not null) UseSettingsOfThisStep();
        int d = _d, k = _k;
        for (int j = 0; j < d; j++) _qv[j] = _lambda[j] * Quad(_s[j], _c);
        for (int i = 0; i < d; i++)
        {
            double v = 0;
            int o = i * d;
            for (int j = 0; j < d; j++) v += _kmat[o + j] * _qv[j];
            _coupling[i] = v;
        }
        var t = new double[k, k];
        var next = new double[k, k];
        for (int i = 0; i < d; i++)
        {
            double l = _lambda[i];
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) t[p, q] = _a[p, q] - l * _b[p] * _c[q];
            double bracket = (l * _coupling[i] - l * _qv[i] + _rho[i]) * _invB;
            var s = _s[i];
            for (int p = 0; p < k; p++)
                for (int q = 0; q < k; q++)
                {
                    double acc = 0;
                    for (int r = 0; r < k; r++) for (int w = 0; w < k; w++) acc += t[p, r] * s[r, w] * t[q, w];
                    next[p, q] = acc + _b[p] * _b[q] * bracket;
                }
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) s[p, q] = next[p, q];
        }
        Time++;
        Risk = ReadRisk();
    }
}
