namespace ExactDynamics.Tradeoffs;

/// <summary>
/// A smooth monotone batch ramp that spends a gradient budget exactly (docs/math.md#optimal-batch-schedules): with K
/// knots τ_j = (T − 1) j/(K − 1), H_0 = 0 and H_j = H_{j−1} + softplus(δ_{j−1}) (so H is non-decreasing), h_t the linear
/// interpolation of H at t, r_t = e^{h_t} and m = (1/T) Σ_t r_t,
/// <code>B_t = B_min + (G/T − B_min) r_t / m</code>
/// so that B_t ≥ B_min, B_t is non-decreasing and Σ_t B_t = G for every δ ∈ ℝ^{K−1}. δ → −∞ is the constant batch G/T.
/// The chain rule: ∂f/∂h_s = (G/T − B_min)(r_s/m)(∂f/∂B_s − Σ_t (∂f/∂B_t) r_t/(T m)), spread to the knots by the
/// interpolation weights, and ∂f/∂δ_i = σ(δ_i) Σ_{j>i} ∂f/∂H_j.
/// </summary>
internal sealed class MonotoneBatchShape
{
    /// <summary>δ of the start: softplus(−4) ≈ 0.018 per knot interval, a nearly constant batch.</summary>
    public const double StartIncrement = -4;

    private readonly int _steps, _knots;
    private readonly double _minBatch, _excess;
    private readonly int[] _left;
    private readonly double[] _weight;

    /// <param name="steps">T ≥ 1.</param>
    /// <param name="budget">G ≥ T·B_min.</param>
    /// <param name="minBatch">B_min ≥ 1.</param>
    /// <param name="knots">K ≥ 2 (at most T are used).</param>
    public MonotoneBatchShape(int steps, double budget, double minBatch, int knots)
    {
        if (steps < 1) throw new InvalidInputException($"A batch ramp over {steps} steps is not allowed; it needs at least 1 step.");
        if (!(budget / steps >= minBatch))
            throw new InvalidInputException($"A gradient budget of {budget} samples cannot pay for {steps} steps of at least {minBatch} samples each.");
        _steps = steps;
        _knots = Math.Max(1, Math.Min(knots, steps));
        _minBatch = minBatch;
        _excess = budget / steps - minBatch;
        _left = new int[steps];
        _weight = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            if (_knots == 1) continue;
            double pos = t * (_knots - 1) / (double)(steps - 1);
            int j = Math.Min((int)pos, _knots - 2);
            _left[t] = j;
            _weight[t] = pos - j;
        }
    }

    /// <summary>The number of free parameters δ (K − 1).</summary>
    public int Parameters => _knots - 1;

    private static double Softplus(double x) => x > 30 ? x : Math.Log(1 + Math.Exp(x));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>h_t − H_{K−1} (≤ 0, so e^{h} cannot overflow) for every t.</summary>
    private double[] LogShape(ReadOnlySpan<double> delta)
    {
        var h = new double[_knots];
        for (int j = 1; j < _knots; j++) h[j] = h[j - 1] + Softplus(delta[j - 1]);
        double top = h[_knots - 1];
        var r = new double[_steps];
        for (int t = 0; t < _steps; t++)
            r[t] = _knots == 1 ? 0 : (1 - _weight[t]) * h[_left[t]] + _weight[t] * h[_left[t] + 1] - top;
        return r;
    }

    /// <summary>B_t for t = 0 … T − 1.</summary>
    public double[] Expand(ReadOnlySpan<double> delta)
    {
        var r = LogShape(delta);
        double m = 0;
        for (int t = 0; t < _steps; t++) { r[t] = Math.Exp(r[t]); m += r[t]; }
        m /= _steps;
        var b = new double[_steps];
        for (int t = 0; t < _steps; t++) b[t] = _minBatch + _excess * r[t] / m;
        return b;
    }

    /// <summary>
    /// δ whose ramp follows a given non-decreasing <paramref name="batch"/> (e.g. a doubling ramp, as a start): at the knots
    /// H_j = log max(B(τ_j) − B_min, D/20) with D = G/T − B_min, and δ_j = softplus⁻¹(H_{j+1} − H_j), at least −8.
    /// </summary>
    public double[] Fit(IReadOnlyList<double> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var delta = new double[Parameters];
        if (_knots == 1) return delta;
        double H(int j)
        {
            int t = (int)Math.Round(j * (_steps - 1) / (double)(_knots - 1));
            return Math.Log(Math.Max(batch[Math.Min(t, batch.Count - 1)] - _minBatch, _excess / 20));
        }
        for (int j = 0; j < Parameters; j++)
        {
            double rise = H(j + 1) - H(j);
            delta[j] = rise > 0 ? Math.Max(-8, Math.Log(Math.Exp(Math.Min(rise, 30)) - 1) + Math.Max(0, rise - 30)) : -8;
        }
        return delta;
    }

    /// <summary>∂f/∂δ_i from ∂f/∂B_t (<paramref name="dBatch"/>), added into <paramref name="dDelta"/>.</summary>
    public void Chain(ReadOnlySpan<double> delta, IReadOnlyList<double> dBatch, Span<double> dDelta)
    {
        if (_knots == 1) return;
        var r = LogShape(delta);
        double m = 0;
        for (int t = 0; t < _steps; t++) { r[t] = Math.Exp(r[t]); m += r[t]; }
        m /= _steps;
        double mix = 0;
        for (int t = 0; t < _steps; t++) mix += dBatch[t] * r[t];
        mix /= _steps * m;
        var dH = new double[_knots];
        for (int t = 0; t < _steps; t++)
        {
            double dh = _excess * r[t] / m * (dBatch[t] - mix);
            dH[_left[t]] += (1 - _weight[t]) * dh;
            dH[_left[t] + 1] += _weight[t] * dh;
        }
        double tail = 0;
        for (int i = _knots - 2; i >= 0; i--)
        {
            tail += dH[i + 1];
            dDelta[i] += Sigmoid(delta[i]) * tail;
        }
    }
}
