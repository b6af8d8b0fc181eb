using ExactDynamics.Methods;

namespace ExactDynamics.Validation.Simulation;

/// <summary>
/// Any linear k-state method (A, b, c, o, u) of docs/math.md#methods run literally on a k×d state in parameter coordinates:
/// X_0 = u ⊗ w_0, g = g(cᵀX) from the oracle, X ← A X − b ⊗ g, reported iterate oᵀX. (Because A u = u, cᵀu = oᵀu = 1,
/// this is the error recursion of docs/math.md#methods shifted by u ⊗ w*.)
/// </summary>
public sealed class LinearMethodOptimizer : ISimulatedOptimizer
{
    public LinearMethodOptimizer(LinearMethod method) : this(method, false) { }

    /// <param name="method">The method.</param>
    /// <param name="tailBase">Run the iterates a tail average is taken over (a tail-averaged method's matrices are the
    /// base method's; <see cref="TailAverageOptimizer"/> averages them); otherwise a tail average is refused.</param>
    internal LinearMethodOptimizer(LinearMethod method, bool tailBase)
    {
        Method = method ?? throw new ArgumentNullException(nameof(method));
        if (!tailBase) MethodModifiers.RefuseTail(method, "this simulator of one linear recursion");
    }

    public LinearMethod Method { get; }
    public string Name => "linear:" + Method.Spec;

    public IOptimizerRun CreateRun(int dimension) => new Run(Method, dimension);

    private sealed class Run : IOptimizerRun
    {
        private readonly int _k, _d;
        private readonly double[,] _a;
        private readonly double[] _b, _c, _o, _u;
        private double[][] _x, _next;
        private readonly double[] _y, _g, _e;

        public Run(LinearMethod m, int d)
        {
            _k = m.K;
            _d = d;
            _a = m.MatrixA;
            _b = m.B.ToArray(); _c = m.C.ToArray(); _o = m.O.ToArray(); _u = m.U.ToArray();
            _x = new double[_k][]; _next = new double[_k][];
            for (int p = 0; p < _k; p++) { _x[p] = new double[d]; _next[p] = new double[d]; }
            _y = new double[d]; _g = new double[d]; _e = new double[d];
        }

        public ReadOnlySpan<double> Iterate => _e;

        public void Reset(ReadOnlySpan<double> w0)
        {
            for (int p = 0; p < _k; p++)
                for (int i = 0; i < _d; i++) _x[p][i] = _u[p] * w0[i];
            UpdateIterate();
        }

        public void Step(GradientOracle oracle)
        {
            Array.Clear(_y);
            for (int p = 0; p < _k; p++)
            {
                double cp = _c[p];
                if (cp == 0) continue;
                var xp = _x[p];
                for (int i = 0; i < _d; i++) _y[i] += cp * xp[i];
            }
            oracle.Gradient(_y, _g);
            for (int p = 0; p < _k; p++)
            {
                var np = _next[p];
                double bp = _b[p];
                for (int i = 0; i < _d; i++) np[i] = -bp * _g[i];
                for (int q = 0; q < _k; q++)
                {
                    double apq = _a[p, q];
                    if (apq == 0) continue;
                    var xq = _x[q];
                    for (int i = 0; i < _d; i++) np[i] += apq * xq[i];
                }
            }
            (_x, _next) = (_next, _x);
            UpdateIterate();
        }

        private void UpdateIterate()
        {
            Array.Clear(_e);
            for (int p = 0; p < _k; p++)
            {
                double op = _o[p];
                if (op == 0) continue;
                var xp = _x[p];
                for (int i = 0; i < _d; i++) _e[i] += op * xp[i];
            }
        }
    }
}
