using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Oracles;

/// <summary>
/// The most literal oracle: exact second moments of an optimizer's literal update rule on data from an
/// explicit DISCRETE distribution, by enumerating every possible minibatch. No moment identity is used.
///
/// Data: z has i.i.d. coordinates from the three-point law {−a, 0, +a}, a = √m4, P(±a) = 1/(2 m4) each,
/// P(0) = 1 − 1/m4 (so E z² = 1, E z⁴ = m4; m4 = 1 is Rademacher). x = H^{1/2} z, label noise ε = ±σ
/// with probability ½ each. The minibatch gradient at y (error coordinates) is
/// g(y) = (1/B) Σ_b x_b (x_bᵀ y − ε_b).
/// For each minibatch realisation the update is affine, x' = G x + h (G from the rule applied to unit
/// states, h from the rule applied to the zero state); since E x = 0 and the batch is fresh,
/// Σ' = Σ_cfg P(cfg) (G Σ Gᵀ + h hᵀ). Cost grows like (3^d·2)^B, so d ≤ 3 with B = 1 or d ≤ 2 with B = 2.
/// </summary>
public sealed class EnumerationCovariance
{
    private readonly LiteralRule _rule;
    private readonly int _k, _d;
    private readonly double[] _lambda;
    private readonly List<(double P, Matrix<double> G, Vector<double> H)> _configs = new();

    public Matrix<double> Sigma { get; private set; }

    public EnumerationCovariance(double[] lambdas, double[] initial, LiteralRule rule, int batch, double kurtosis, double noise)
    {
        _rule = rule; _k = rule.K; _d = lambdas.Length; _lambda = (double[])lambdas.Clone();
        int n = _k * _d;
        double a = Math.Sqrt(kurtosis);
        var zVals = new List<(double v, double p)> { (-a, 0.5 / kurtosis), (a, 0.5 / kurtosis) };
        if (kurtosis > 1) zVals.Add((0, 1 - 1 / kurtosis));
        double sigma = Math.Sqrt(noise);
        var eVals = noise > 0 ? new List<(double v, double p)> { (-sigma, 0.5), (sigma, 0.5) } : new List<(double v, double p)> { (0, 1) };

        // all single-sample outcomes (x, ε, prob)
        var samples = new List<(double[] x, double eps, double p)>();
        int nz = zVals.Count;
        int total = (int)Math.Pow(nz, _d);
        for (int code = 0; code < total; code++)
        {
            var x = new double[_d]; double p = 1; int c = code;
            for (int i = 0; i < _d; i++) { var (v, pv) = zVals[c % nz]; c /= nz; x[i] = Math.Sqrt(lambdas[i]) * v; p *= pv; }
            foreach (var (ev, ep) in eVals) samples.Add((x, ev, p * ep));
        }

        // all minibatches of size B (ordered tuples of independent samples)
        var batches = new List<(List<(double[] x, double eps)> members, double p)> { (new(), 1.0) };
        for (int b = 0; b < batch; b++)
        {
            var next = new List<(List<(double[] x, double eps)>, double)>();
            foreach (var (members, p) in batches)
                foreach (var (x, eps, ps) in samples)
                    next.Add((new List<(double[] x, double eps)>(members) { (x, eps) }, p * ps));
            batches = next;
        }

        foreach (var (members, p) in batches)
        {
            Func<double[], double[]> grad = y =>
            {
                var g = new double[_d];
                foreach (var (x, eps) in members)
                {
                    double dot = 0;
                    for (int i = 0; i < _d; i++) dot += x[i] * y[i];
                    for (int i = 0; i < _d; i++) g[i] += x[i] * (dot - eps) / members.Count;
                }
                return g;
            };
            var h = Apply(new double[n], grad);
            var G = Matrix<double>.Build.Dense(n, n);
            for (int j = 0; j < n; j++)
            {
                var e = new double[n]; e[j] = 1;
                var col = Apply(e, grad);
                for (int r = 0; r < n; r++) G[r, j] = col[r] - h[r];
            }
            _configs.Add((p, G, Vector<double>.Build.DenseOfArray(h)));
        }

        var u = Matrix<double>.Build.DenseOfColumnArrays(rule.InitialShape);
        Sigma = (u * u.Transpose()).KroneckerProduct(Matrix<double>.Build.DenseOfDiagonalArray(initial));
    }

    private double[] Apply(double[] flat, Func<double[], double[]> grad)
    {
        var state = new double[_k][];
        for (int p = 0; p < _k; p++) { state[p] = new double[_d]; Array.Copy(flat, p * _d, state[p], 0, _d); }
        _rule.Step(state, grad);
        var r = new double[_k * _d];
        for (int p = 0; p < _k; p++) Array.Copy(state[p], 0, r, p * _d, _d);
        return r;
    }

    public double Risk
    {
        get
        {
            double s = 0;
            for (int i = 0; i < _d; i++) s += _lambda[i] * Sigma[_rule.Output * _d + i, _rule.Output * _d + i];
            return 0.5 * s;
        }
    }

    public void Step()
    {
        int n = _k * _d;
        var next = Matrix<double>.Build.Dense(n, n);
        foreach (var (p, G, h) in _configs)
            next += p * (G * Sigma * G.Transpose() + h.OuterProduct(h));
        Sigma = next;
    }

    public static double[] Trajectory(double[] lambdas, double[] initial, LiteralRule rule, int batch, double kurtosis, double noise, int steps)
    {
        var e = new EnumerationCovariance(lambdas, initial, rule, batch, kurtosis, noise);
        var r = new double[steps + 1];
        r[0] = e.Risk;
        for (int t = 1; t <= steps; t++) { e.Step(); r[t] = e.Risk; }
        return r;
    }
}
