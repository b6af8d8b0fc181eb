using ExactDynamics.Validation.Simulation;

namespace ExactDynamics.Validation.Tests;

/// <summary>
/// Heavy ball with the momentum applied to the wrong iterate in a way users write by accident: the velocity is used
/// one step late (<c>w ← w − lr·v; v ← μv + g(w_old)</c>, i.e. PyTorch's two lines in the wrong order).
/// </summary>
public sealed class StaleVelocityMomentum(double lr, double momentum) : ISimulatedOptimizer
{
    public string Name => "bug:stale-velocity";
    public IOptimizerRun CreateRun(int dimension) => new Run(lr, momentum, dimension);

    private sealed class Run(double lr, double mu, int d) : IOptimizerRun
    {
        private readonly double[] _w = new double[d], _v = new double[d], _g = new double[d];
        public ReadOnlySpan<double> Iterate => _w;

        public void Reset(ReadOnlySpan<double> w0)
        {
            w0.CopyTo(_w);
            Array.Clear(_v);
        }

        public void Step(GradientOracle oracle)
        {
            oracle.Gradient(_w, _g);
            for (int i = 0; i < _w.Length; i++)
            {
                _w[i] -= lr * _v[i];
                _v[i] = mu * _v[i] + _g[i];
            }
        }
    }
}
