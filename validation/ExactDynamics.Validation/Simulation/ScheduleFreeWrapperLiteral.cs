namespace ExactDynamics.Validation.Simulation;

/// <summary>
/// The schedule-free reference code's <c>ScheduleFreeWrapperReference</c> around <c>torch.optim.SGD(lr, momentum=μ)</c>
/// (docs/math.md#schedule-free-sgd), step for step: in train mode the parameters hold y and the gradient is taken
/// there; <c>step()</c> copies z into the parameters, the base optimizer steps them (<c>buf = μ·buf + g</c>, the first
/// buffer the gradient itself; <c>p −= lr·buf</c>), z takes the result, <c>x.lerp_(z, c)</c> with
/// c = lr_max²/Σ lr_max², <c>y = x.lerp(z, 1 − β)</c> goes back into the parameters; the model evaluated is x.
/// Wrong variant <c>gradientAtZ</c>: the gradient is taken at z (the wrapper's <c>train()</c> swap forgotten).
/// </summary>
public sealed class ScheduleFreeWrapperLiteral(double lr, double beta, double momentum, bool gradientAtZ = false) : ISimulatedOptimizer
{
    public string Name => $"sf-wrapper-literal:lr={Fmt.F(lr)},beta={Fmt.F(beta)},momentum={Fmt.F(momentum)}" + (gradientAtZ ? ",gradient-at-z" : "");
    public IOptimizerRun CreateRun(int dimension) => new Run(lr, beta, momentum, gradientAtZ, dimension);

    private sealed class Run(double lr, double beta, double momentum, bool gradientAtZ, int d) : IOptimizerRun
    {
        private readonly double[] _p = new double[d], _z = new double[d], _x = new double[d], _buf = new double[d], _g = new double[d];
        private bool _hasBuffer;
        private double _weightSum, _lrMax;
        public ReadOnlySpan<double> Iterate => _x;

        public void Reset(ReadOnlySpan<double> w0)
        {
            w0.CopyTo(_p);
            w0.CopyTo(_z);
            w0.CopyTo(_x);
            _hasBuffer = false;
            _weightSum = 0;
            _lrMax = 0;
        }

        public void Step(GradientOracle oracle)
        {
            oracle.Gradient(gradientAtZ ? _z : _p, _g); // loss.backward() at the parameters (y)
            _z.CopyTo(_p);                                 // p.copy_(z)
            for (int i = 0; i < d; i++)                    // base.step(): torch SGD with momentum
            {
                _buf[i] = _hasBuffer ? momentum * _buf[i] + _g[i] : _g[i];
                _p[i] -= lr * _buf[i];
            }
            _hasBuffer = true;
            _lrMax = Math.Max(_lrMax, lr);
            double weight = _lrMax * _lrMax;
            _weightSum += weight;
            double c = weight / _weightSum;
            for (int i = 0; i < d; i++)
            {
                _z[i] = _p[i];
                _x[i] += c * (_z[i] - _x[i]);
                _p[i] = _x[i] + (1 - beta) * (_z[i] - _x[i]);
            }
        }
    }
}
