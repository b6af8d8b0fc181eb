namespace ExactDynamics.Validation.Simulation;

/// <summary>
/// Tail averaging written the way a training loop does it (docs/math.md#tail-averaging): after every optimizer step the
/// new weights are appended to a history (a Python list of <c>p.detach().clone()</c>), and the model evaluated at
/// horizon t is the mean of the last ⌈F·t⌉ entries, <c>torch.stack(history[-n:]).mean(0)</c> with
/// <c>n = max(1, math.ceil(F * t))</c>; before the first step it is w_0 itself. Every step t is its own horizon, so the
/// whole history is kept. Wrong variant <c>offByOne</c>: the window holds one iterate more (n + 1, but never w_0, so
/// only the window's length is wrong).
/// </summary>
public sealed class TailAverageLiteral(ISimulatedOptimizer inner, double fraction, bool offByOne = false) : ISimulatedOptimizer
{
    public string Name => $"tail-literal({inner.Name}):F={Fmt.F(fraction)}" + (offByOne ? ",window-off-by-one" : "");
    public IOptimizerRun CreateRun(int dimension) => new Run(inner.CreateRun(dimension), fraction, offByOne, dimension);

    private sealed class Run(IOptimizerRun model, double fraction, bool offByOne, int d) : IOptimizerRun
    {
        private readonly List<double[]> _history = []; // w_0, w_1, …, w_t
        private readonly double[] _mean = new double[d];
        public ReadOnlySpan<double> Iterate => _mean;

        public void Reset(ReadOnlySpan<double> w0)
        {
            model.Reset(w0);
            _history.Clear();
            _history.Add(w0.ToArray());
            w0.CopyTo(_mean);
        }

        public void Step(GradientOracle oracle)
        {
            model.Step(oracle);
            _history.Add(model.Iterate.ToArray());
            int t = _history.Count - 1;
            int n = Math.Max(1, (int)Math.Ceiling(fraction * t));
            if (offByOne) n = Math.Min(n + 1, t);
            Array.Clear(_mean);
            for (int j = _history.Count - n; j < _history.Count; j++)
                for (int i = 0; i < d; i++) _mean[i] += _history[j][i];
            for (int i = 0; i < d; i++) _mean[i] /= n;
        }
    }
}
