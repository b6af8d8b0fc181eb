using ExactDynamics.Dynamics;
using ExactDynamics.Methods;

namespace ExactDynamics.Validation.Simulation;

/// <summary>
/// The tail average of an optimizer's iterates at every step (docs/math.md#tail-averaging), as the Monte Carlo simulator
/// reads it: at step t the reported iterate is x̄_t = (1/n_t) Σ_{s=S_t..t} w_s with n_t = max(1, ⌈F·t⌉) and
/// S_t = t − n_t + 1 (<see cref="TailAverage.WindowLength"/>), x̄_0 = w_0. The window is kept as a two-stack queue:
/// the newer iterates w_{b..t} with their running sum (added forward), the older ones as suffix sums
/// Σ_{s=j..b−1} w_s (added backward, once, when the window start passes the last of the previous older part). Then
/// x̄_t = (suffix(S_t) + running sum)/n_t: every term is a sum of iterates, never a difference of prefix sums, so the
/// average keeps the precision of the iterates themselves; each step costs O(d) (amortised). A run holds the n_t
/// iterates of its window (d·n_T doubles at the last step T); <see cref="Bytes"/> is the estimate for the runs in
/// flight.
/// </summary>
/// <param name="inner">The optimizer whose iterates are averaged (the base method's recursion).</param>
/// <param name="fraction">F ∈ (0, 1].</param>
public sealed class TailAverageOptimizer(ISimulatedOptimizer inner, double fraction) : ISimulatedOptimizer
{
    /// <summary>Largest memory the windows of all runs in flight may hold: 1 GB.</summary>
    public const double MemoryBudget = 1e9;

    private readonly double _fraction = Checked(fraction);

    /// <inheritdoc/>
    public string Name => $"tail({inner.Name}):F={Fmt.F(_fraction)}";

    /// <inheritdoc/>
    public IOptimizerRun CreateRun(int dimension) => new Run(inner.CreateRun(dimension), _fraction, dimension);

    /// <summary>Bytes the windows hold: 8·d·(n_T + 3) per run (the n_T iterates, the running sum, the average and one
    /// spare vector) for <paramref name="runsInFlight"/> runs at once.</summary>
    public static double Bytes(int dimension, double fraction, long steps, int runsInFlight) =>
        8.0 * dimension * (TailAverage.WindowLength(fraction, Math.Max(0, steps)) + 3) * Math.Max(1, runsInFlight);

    /// <summary>Refuses, with one sentence, a simulation whose windows would exceed <see cref="MemoryBudget"/>.</summary>
    /// <exception cref="InvalidInputException">The estimate exceeds 1 GB.</exception>
    public static void RequireMemory(int dimension, double fraction, long steps, int runsInFlight)
    {
        double bytes = Bytes(dimension, fraction, steps, runsInFlight);
        if (bytes > MemoryBudget)
            throw new InvalidInputException(
                $"Simulating the tail average keeps the last {TailAverage.WindowLength(fraction, steps)} iterates of {dimension} coordinates " +
                $"for each of the {Math.Max(1, runsInFlight)} runs in flight, about {bytes / 1e9:G3} GB, more than the 1 GB allowed; " +
                "use fewer steps, a smaller fraction, a smaller spectrum or fewer threads.");
    }

    private static double Checked(double fraction)
    {
        MethodModifiers.RequireTailFraction(fraction);
        return fraction;
    }

    private sealed class Run(IOptimizerRun model, double fraction, int d) : IOptimizerRun
    {
        private List<double[]> _older = [], _newer = []; // older: suffix sums from _head on; newer: the iterates
        private readonly Stack<double[]> _pool = new();
        private readonly double[] _sum = new double[d], _mean = new double[d];
        private int _head;
        private long _t;

        public ReadOnlySpan<double> Iterate => _mean;

        public void Reset(ReadOnlySpan<double> w0)
        {
            model.Reset(w0);
            for (int j = _head; j < _older.Count; j++) _pool.Push(_older[j]);
            foreach (var x in _newer) _pool.Push(x);
            _older.Clear();
            _newer.Clear();
            _head = 0;
            _t = 0;
            Array.Clear(_sum);
            w0.CopyTo(_mean);
        }

        public void Step(GradientOracle oracle)
        {
            model.Step(oracle);
            _t++;
            var w = _pool.TryPop(out var x) ? x : new double[d];
            model.Iterate.CopyTo(w);
            _newer.Add(w);
            for (int i = 0; i < d; i++) _sum[i] += w[i];
            long n = TailAverage.WindowLength(fraction, _t);
            // the window start moves by at most one per step: drop what fell out, from the older part first
            for (long excess = _older.Count - _head + _newer.Count - n; excess > 0; excess--)
            {
                if (_head == _older.Count) Flip();
                _pool.Push(_older[_head]);
                _older[_head++] = null!;
            }
            double inv = 1.0 / n;
            if (_head < _older.Count)
            {
                var s = _older[_head];
                for (int i = 0; i < d; i++) _mean[i] = (s[i] + _sum[i]) * inv;
            }
            else
            {
                for (int i = 0; i < d; i++) _mean[i] = _sum[i] * inv;
            }
        }

        /// <summary>The newer iterates become the older part, as suffix sums (backward, in place).</summary>
        private void Flip()
        {
            for (int j = _newer.Count - 2; j >= 0; j--)
            {
                var a = _newer[j];
                var b = _newer[j + 1];
                for (int i = 0; i < d; i++) a[i] += b[i];
            }
            _older.Clear();
            (_older, _newer) = (_newer, _older);
            _head = 0;
            Array.Clear(_sum);
        }
    }
}
