using System.Globalization;

namespace ExactDynamics.Validation.Simulation;

// Literal ports: each optimizer below is written the way its source writes it (parameter vectors, buffers and the
// order of the in-place updates), not through the (A, b, c, o, u) tuple. The validation suite shows that the tuple
// of docs/math.md#methods reproduces each of them path by path (same samples, same iterates) and in expectation.

internal static class Fmt
{
    public static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Plain minibatch SGD: <c>w ← w − lr·g(w)</c>.</summary>
public sealed class SgdLiteral(double lr) : ISimulatedOptimizer
{
    public string Name => $"sgd-literal:lr={Fmt.F(lr)}";
    public IOptimizerRun CreateRun(int dimension) => new Run(lr, dimension);

    private sealed class Run(double lr, int d) : IOptimizerRun
    {
        private readonly double[] _w = new double[d], _g = new double[d];
        public ReadOnlySpan<double> Iterate => _w;
        public void Reset(ReadOnlySpan<double> w0) => w0.CopyTo(_w);

        public void Step(GradientOracle oracle)
        {
            oracle.Gradient(_w, _g);
            for (int i = 0; i < _w.Length; i++) _w[i] -= lr * _g[i];
        }
    }
}

/// <summary>Heavy ball (Polyak): <c>w' = w − lr·g(w) + β(w − w_prev)</c>, with w_prev = w_0 at the start.</summary>
public sealed class HeavyBallLiteral(double lr, double beta) : ISimulatedOptimizer
{
    public string Name => $"hb-literal:lr={Fmt.F(lr)},beta={Fmt.F(beta)}";
    public IOptimizerRun CreateRun(int dimension) => new Run(lr, beta, dimension);

    private sealed class Run(double lr, double beta, int d) : IOptimizerRun
    {
        private readonly double[] _w = new double[d], _prev = new double[d], _g = new double[d];
        public ReadOnlySpan<double> Iterate => _w;

        public void Reset(ReadOnlySpan<double> w0)
        {
            w0.CopyTo(_w);
            w0.CopyTo(_prev);
        }

        public void Step(GradientOracle oracle)
        {
            oracle.Gradient(_w, _g);
            for (int i = 0; i < _w.Length; i++)
            {
                double next = _w[i] - lr * _g[i] + beta * (_w[i] - _prev[i]);
                _prev[i] = _w[i];
                _w[i] = next;
            }
        }
    }
}

/// <summary>Nesterov: <c>v = w + β(w − w_prev); w' = v − lr·g(v)</c>, with w_prev = w_0 at the start.</summary>
public sealed class NesterovLiteral(double lr, double beta) : ISimulatedOptimizer
{
    public string Name => $"nesterov-literal:lr={Fmt.F(lr)},beta={Fmt.F(beta)}";
    public IOptimizerRun CreateRun(int dimension) => new Run(lr, beta, dimension);

    private sealed class Run(double lr, double beta, int d) : IOptimizerRun
    {
        private readonly double[] _w = new double[d], _prev = new double[d], _v = new double[d], _g = new double[d];
        public ReadOnlySpan<double> Iterate => _w;

        public void Reset(ReadOnlySpan<double> w0)
        {
            w0.CopyTo(_w);
            w0.CopyTo(_prev);
        }

        public void Step(GradientOracle oracle)
        {
            for (int i = 0; i < _w.Length; i++) _v[i] = _w[i] + beta * (_w[i] - _prev[i]);
            oracle.Gradient(_v, _g);
            for (int i = 0; i < _w.Length; i++)
            {
                _prev[i] = _w[i];
                _w[i] = _v[i] - lr * _g[i];
            }
        }
    }
}

/// <summary>
/// <c>torch.optim.SGD(lr, momentum, dampening, nesterov)</c> as PyTorch's single-tensor step writes it (weight decay 0):
/// <code>
/// d_p = grad
/// if buf is None: buf = clone(d_p)                     # first step
/// else:           buf = momentum·buf + (1 − dampening)·d_p
/// d_p = d_p + momentum·buf   if nesterov   else   buf
/// p = p − lr·d_p
/// </code>
/// (optax.sgd(lr, momentum, nesterov) is the same rule.) With dampening 0 the first step equals the general one
/// with buf = 0, which is why the exact mapping of docs/math.md#methods uses u = (1, 0).
/// </summary>
public sealed class TorchSgdLiteral : ISimulatedOptimizer
{
    private readonly double _lr, _momentum, _dampening;
    private readonly bool _nesterov;

    public TorchSgdLiteral(double lr, double momentum, bool nesterov = false, double dampening = 0)
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new InvalidInputException("torch: Nesterov momentum requires a momentum and zero dampening (as PyTorch enforces).");
        _lr = lr; _momentum = momentum; _nesterov = nesterov; _dampening = dampening;
    }

    public string Name => $"torch-literal:lr={Fmt.F(_lr)},momentum={Fmt.F(_momentum)}" + (_nesterov ? ",nesterov=true" : "")
                          + (_dampening != 0 ? $",dampening={Fmt.F(_dampening)}" : "");

    public IOptimizerRun CreateRun(int dimension) => new Run(this, dimension);

    private sealed class Run(TorchSgdLiteral o, int d) : IOptimizerRun
    {
        private readonly double[] _p = new double[d], _grad = new double[d], _buf = new double[d], _dp = new double[d];
        private bool _hasBuf;
        public ReadOnlySpan<double> Iterate => _p;

        public void Reset(ReadOnlySpan<double> w0)
        {
            w0.CopyTo(_p);
            _hasBuf = false; // momentum_buffer is None
        }

        public void Step(GradientOracle oracle)
        {
            oracle.Gradient(_p, _grad);
            _grad.AsSpan().CopyTo(_dp); // d_p = grad
            if (o._momentum != 0)
            {
                if (!_hasBuf)
                {
                    _dp.AsSpan().CopyTo(_buf); // buf = torch.clone(d_p).detach()
                    _hasBuf = true;
                }
                else
                {
                    for (int i = 0; i < _buf.Length; i++) _buf[i] = _buf[i] * o._momentum + (1 - o._dampening) * _dp[i]; // buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
                }
                if (o._nesterov)
                    for (int i = 0; i < _dp.Length; i++) _dp[i] = _dp[i] + o._momentum * _buf[i]; // d_p = d_p.add(buf, alpha=momentum)
                else
                    _buf.AsSpan().CopyTo(_dp); // d_p = buf
            }
            for (int i = 0; i < _p.Length; i++) _p[i] += -o._lr * _dp[i]; // p.add_(d_p, alpha=-lr)
        }
    }
}

/// <summary>
/// The AccSGD optimizer (Kidambi et al., ICLR 2018) step, line by line (weight decay 0):
/// <code>
/// large_lr = lr·kappa/smallConst
/// Alpha = 1 − smallConst²·xi/kappa;  Beta = 1 − Alpha;  zeta = smallConst/(smallConst + Beta)
/// if no buffer: buf = copy(p)
/// buf *= 1/Beta − 1;  buf += −large_lr·d_p;  buf += p;  buf *= Beta
/// p += −lr·d_p;  p *= zeta;  p += (1 − zeta)·buf
/// </code>
/// i.e. buf ← Beta·((1/Beta − 1)·buf − large_lr·g + p), p ← zeta·(p − lr·g) + (1 − zeta)·buf.
/// </summary>
public sealed class AccSgdLiteral(double lr, double kappa, double xi, double smallConst = 0.7) : ISimulatedOptimizer
{
    private readonly double lr = lr, kappa = kappa, xi = xi, smallConst = smallConst;

    public string Name => $"accsgd-literal:lr={Fmt.F(lr)},kappa={Fmt.F(kappa)},xi={Fmt.F(xi)},small={Fmt.F(smallConst)}";
    public IOptimizerRun CreateRun(int dimension) => new Run(this, dimension);

    private sealed class Run(AccSgdLiteral o, int d) : IOptimizerRun
    {
        private readonly double[] _p = new double[d], _dp = new double[d], _buf = new double[d];
        private bool _hasBuf;
        public ReadOnlySpan<double> Iterate => _p;

        public void Reset(ReadOnlySpan<double> w0)
        {
            w0.CopyTo(_p);
            _hasBuf = false;
        }

        public void Step(GradientOracle oracle)
        {
            double largeLr = o.lr * o.kappa / o.smallConst;
            double alpha = 1.0 - o.smallConst * o.smallConst * o.xi / o.kappa;
            double beta = 1.0 - alpha;
            double zeta = o.smallConst / (o.smallConst + beta);
            oracle.Gradient(_p, _dp); // d_p = p.grad
            if (!_hasBuf)
            {
                _p.AsSpan().CopyTo(_buf); // momentum_buffer = copy.deepcopy(p.data)
                _hasBuf = true;
            }
            int n = _p.Length;
            for (int i = 0; i < n; i++) _buf[i] *= 1.0 / beta - 1.0; // buf.mul_((1.0/Beta)-1.0)
            for (int i = 0; i < n; i++) _buf[i] += -largeLr * _dp[i]; // buf.add_(-large_lr, d_p)
            for (int i = 0; i < n; i++) _buf[i] += _p[i];             // buf.add_(p.data)
            for (int i = 0; i < n; i++) _buf[i] *= beta;              // buf.mul_(Beta)
            for (int i = 0; i < n; i++) _p[i] += -o.lr * _dp[i];      // p.data.add_(-lr, d_p)
            for (int i = 0; i < n; i++) _p[i] *= zeta;                // p.data.mul_(zeta)
            for (int i = 0; i < n; i++) _p[i] += (1.0 - zeta) * _buf[i]; // p.data.add_(1.0-zeta, buf)
        }
    }
}
