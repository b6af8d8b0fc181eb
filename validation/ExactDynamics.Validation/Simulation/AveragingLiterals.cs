namespace ExactDynamics.Validation.Simulation;

// Literal ports of the averaging, weight-decay and schedule-free optimizers (docs/math.md#weight-averaging,
// #weight-decay, #schedule-free-sgd), written the way their sources write them. Each has a switch for the wrong variant
// the power tests must reject.

/// <summary>
/// timm <c>ModelEmaV2/V3</c>: the average starts as a copy of the model (w̄_0 = w_0) and after every optimizer step
/// <c>ema.lerp_(model, 1 − decay)</c>, i.e. w̄ ← τ w̄ + (1 − τ) w with the NEW weights; with <c>warmup</c>, ModelEmaV3's
/// τ_t = min(τ, (1 + t)/(10 + t)). The reported iterate is w̄. Wrong variant <c>beforeStep</c>: the average is
/// updated with the weights before the step. (torch.optim.swa_utils.AveragedModel differs at the start: its first
/// update_parameters copies the weights, w̄_1 = w_1.)
/// </summary>
public sealed class EmaLiteral(ISimulatedOptimizer inner, double decay, bool warmup = false, bool beforeStep = false) : ISimulatedOptimizer
{
    public string Name => $"ema-literal({inner.Name}):decay={Fmt.F(decay)}" + (warmup ? ",warmup" : "") + (beforeStep ? ",before-step" : "");
    public IOptimizerRun CreateRun(int dimension) => new Run(inner.CreateRun(dimension), decay, warmup, beforeStep, dimension);

    private sealed class Run(IOptimizerRun model, double decay, bool warmup, bool beforeStep, int d) : IOptimizerRun
    {
        private readonly double[] _ema = new double[d];
        private long _t;
        public ReadOnlySpan<double> Iterate => _ema;

        public void Reset(ReadOnlySpan<double> w0)
        {
            model.Reset(w0);
            w0.CopyTo(_ema);
            _t = 0;
        }

        public void Step(GradientOracle oracle)
        {
            double tau = warmup ? Math.Min(decay, (1.0 + _t) / (10.0 + _t)) : decay;
            if (beforeStep) Lerp(model.Iterate, tau);
            model.Step(oracle);
            if (!beforeStep) Lerp(model.Iterate, tau);
            _t++;
        }

        private void Lerp(ReadOnlySpan<double> w, double tau)
        {
            for (int i = 0; i < _ema.Length; i++) _ema[i] += (1 - tau) * (w[i] - _ema[i]);
        }
    }
}

/// <summary>
/// <c>torch.optim.SGD(lr, momentum, weight_decay, nesterov)</c> (dampening 0), the code of <c>_single_tensor_sgd</c>:
/// <c>d_p = g + wd·p; buf = μ·buf + d_p</c> (buf = d_p on the first step, the same thing with buf = 0);
/// <c>d_p = d_p + μ·buf</c> (Nesterov) or <c>d_p = buf</c>; <c>p −= lr·d_p</c>. With <c>decoupled</c>, AdamW's order
/// instead: the gradient is taken, then <c>p.mul_(1 − lr·wd)</c>, then the step without the wd term.
/// </summary>
public sealed class TorchSgdWeightDecayLiteral(double lr, double momentum, double weightDecay, bool nesterov = false, bool decoupled = false) : ISimulatedOptimizer
{
    public string Name => $"torch-sgd-literal:lr={Fmt.F(_lr)},momentum={Fmt.F(_momentum)},wd={Fmt.F(_weightDecay)}" +
                          (_nesterov ? ",nesterov" : "") + (_decoupled ? ",decoupled" : "");
    private readonly double _lr = lr, _momentum = momentum, _weightDecay = weightDecay;
    private readonly bool _nesterov = nesterov, _decoupled = decoupled;

    public IOptimizerRun CreateRun(int dimension) => new Run(this, dimension);

    private sealed class Run(TorchSgdWeightDecayLiteral o, int d) : IOptimizerRun
    {
        private readonly double[] _p = new double[d], _buf = new double[d], _g = new double[d];
        private bool _first;
        public ReadOnlySpan<double> Iterate => _p;

        public void Reset(ReadOnlySpan<double> w0)
        {
            w0.CopyTo(_p);
            Array.Clear(_buf);
            _first = true;
        }

        public void Step(GradientOracle oracle)
        {
            oracle.Gradient(_p, _g);
            for (int i = 0; i < _p.Length; i++)
            {
                double dp = _g[i];
                if (o._decoupled) _p[i] *= 1 - o._lr * o._weightDecay;
                else dp += o._weightDecay * _p[i];
                if (o._momentum != 0)
                {
                    _buf[i] = _first ? dp : o._momentum * _buf[i] + dp;
                    dp = o._nesterov ? dp + o._momentum * _buf[i] : _buf[i];
                }
                _p[i] -= o._lr * dp;
            }
            _first = false;
        }
    }
}

/// <summary>
/// <c>SGDScheduleFree</c> of facebookresearch/schedule_free (no warm-up, r = 0, weight_lr_power = 2, so every weight
/// is lr² and c_{k+1} = 1/(k + 1)): the model holds y; a step takes the gradient at y, then
/// <c>z −= lr·grad; x = (1 − c)x + c z; y = (1 − β) z + β x</c>. The reported iterate is x (the reference's
/// <c>eval()</c> weights). Wrong variant <c>offByOne</c>: c_{k+1} = 1/(k + 2).
/// </summary>
public sealed class ScheduleFreeSgdLiteral(double lr, double beta, bool offByOne = false) : ISimulatedOptimizer
{
    public string Name => $"sfsgd-literal:lr={Fmt.F(lr)},beta={Fmt.F(beta)}" + (offByOne ? ",c-off-by-one" : "");
    public IOptimizerRun CreateRun(int dimension) => new Run(lr, beta, offByOne, dimension);

    private sealed class Run(double lr, double beta, bool offByOne, int d) : IOptimizerRun
    {
        private readonly double[] _y = new double[d], _z = new double[d], _x = new double[d], _g = new double[d];
        private long _k;
        private double _weightSum;
        public ReadOnlySpan<double> Iterate => _x;

        public void Reset(ReadOnlySpan<double> w0)
        {
            w0.CopyTo(_y);
            w0.CopyTo(_z);
            w0.CopyTo(_x);
            _k = 0;
            _weightSum = 0;
        }

        public void Step(GradientOracle oracle)
        {
            oracle.Gradient(_y, _g);
            double weight = lr * lr;
            _weightSum += weight;
            double c = offByOne ? 1.0 / (_k + 2) : weight / _weightSum;
            for (int i = 0; i < _y.Length; i++)
            {
                _z[i] -= lr * _g[i];
                _x[i] = (1 - c) * _x[i] + c * _z[i];
                _y[i] = (1 - beta) * _z[i] + beta * _x[i];
            }
            _k++;
        }
    }
}

/// <summary>
/// <c>torch.optim.swa_utils.AveragedModel</c> with its default running mean, <c>update_parameters(model)</c> called
/// after every optimizer step from step S on: the first call copies the weights (n_averaged = 0), later ones do
/// <c>p_avg += (p − p_avg)/(n_averaged + 1)</c>, so the average is the mean of w_S, …, w_t. Before step S the reported
/// iterate is the model itself (the library's <c>average=uniform:from=S</c>); S = 0 also averages w_0 (an
/// update_parameters call before training).
/// </summary>
public sealed class SwaLiteral(ISimulatedOptimizer inner, long from) : ISimulatedOptimizer
{
    public string Name => $"swa-literal({inner.Name}):from={from}";
    public IOptimizerRun CreateRun(int dimension) => new Run(inner.CreateRun(dimension), from, dimension);

    private sealed class Run(IOptimizerRun model, long from, int d) : IOptimizerRun
    {
        private readonly double[] _avg = new double[d];
        private long _t, _n;
        public ReadOnlySpan<double> Iterate => _n == 0 ? model.Iterate : _avg;

        public void Reset(ReadOnlySpan<double> w0)
        {
            model.Reset(w0);
            _t = 0;
            _n = 0;
            if (from == 0) Update();
        }

        public void Step(GradientOracle oracle)
        {
            model.Step(oracle);
            _t++;
            if (_t >= from) Update();
        }

        private void Update()
        {
            var w = model.Iterate;
            if (_n == 0) w.CopyTo(_avg);
            else for (int i = 0; i < _avg.Length; i++) _avg[i] += (w[i] - _avg[i]) / (_n + 1);
            _n++;
        }
    }
}
