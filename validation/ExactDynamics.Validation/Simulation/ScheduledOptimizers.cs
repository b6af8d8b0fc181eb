using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Validation.Simulation;

/// <summary>
/// Optimizers whose learning rate, momentum and batch size follow schedules (docs/schedules.md), for the Monte Carlo
/// side of the scheduled cross-checks. Update t → t + 1 uses step t's values. The simulator draws a whole number of
/// samples: B_t is rounded to the nearest integer (halves away from zero, at least 1) by <see cref="SimulatedBatch"/>;
/// the exact recursion takes B_t as it is, so a cross-check uses schedules with whole-number B_t.
/// <para>The oracle's batch is fixed when the simulator builds it, so a scheduled optimizer averages
/// B_t / oracle.Batch oracle gradients (run the simulation with <c>SimulationSettings.Batch = 1</c>, or with any batch
/// that divides every B_t): the mean of m independent b-sample gradients is exactly the (m·b)-sample minibatch gradient
/// g = (1/B_t) Σ x_j (⟨x_j, w⟩ − y_j), drawn from the run's stream in the same order.</para>
/// </summary>
public static class ScheduledSimulation
{
    /// <summary>g ← the B_t-sample minibatch gradient at w, as the mean of B_t / oracle.Batch oracle calls.</summary>
    public static void Gradient(GradientOracle oracle, ReadOnlySpan<double> w, Span<double> g, Span<double> scratch, int batch)
    {
        ArgumentNullException.ThrowIfNull(oracle);
        if (batch % oracle.Batch != 0)
            throw new InvalidInputException($"A scheduled batch of {batch} is not a multiple of the simulator's batch {oracle.Batch}; simulate scheduled batches with batch 1.");
        int calls = batch / oracle.Batch;
        if (calls == 1) { oracle.Gradient(w, g); return; }
        g.Clear();
        for (int j = 0; j < calls; j++)
        {
            oracle.Gradient(w, scratch);
            for (int i = 0; i < g.Length; i++) g[i] += scratch[i];
        }
        double inv = 1.0 / calls;
        for (int i = 0; i < g.Length; i++) g[i] *= inv;
    }

    /// <summary>The number of samples the simulator draws for a real batch size B_t.</summary>
    public static int SimulatedBatch(double batch)
    {
        if (!double.IsFinite(batch) || batch < 1)
            throw new InvalidInputException($"A batch of {batch.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is not allowed; the simulator needs B_t ≥ 1.");
        double r = Math.Round(batch, MidpointRounding.AwayFromZero);
        return r > int.MaxValue ? int.MaxValue : Math.Max(1, (int)r);
    }
}

/// <summary>
/// Any scheduled linear method run literally on a k×d state: at step t the tuple (A_t, b_t, c_t) and batch B_t of
/// <see cref="ScheduledMethod.At"/> (rounded by <see cref="ScheduledSimulation.SimulatedBatch"/>), X ← A_t X − b_t ⊗ g(c_tᵀX),
/// reported iterate o_tᵀX.
/// </summary>
public sealed class ScheduledMethodOptimizer(ScheduledMethod method, double baseBatch) : ISimulatedOptimizer
{
    /// <summary>Runs the iterates a tail average is taken over (<see cref="TailAverageOptimizer"/> averages them); set
    /// only by <see cref="SimulatedMethod"/>.</summary>
    internal bool TailBase { get; init; }

    public string Name => "scheduled:" + method.Description;

    public IOptimizerRun CreateRun(int dimension)
    {
        if (!TailBase) MethodModifiers.RefuseTail(method.Template.Base, "this simulator of one linear recursion");
        return new Run(method, baseBatch, dimension);
    }

    private sealed class Run(ScheduledMethod scheduled, double baseBatch, int d) : IOptimizerRun
    {
        private readonly int _k = scheduled.At(0, baseBatch).Method.K;
        private double[][] _x = Buffers(scheduled.At(0, baseBatch).Method.K, d), _next = Buffers(scheduled.At(0, baseBatch).Method.K, d);
        private readonly double[] _y = new double[d], _g = new double[d], _e = new double[d], _scratch = new double[d];
        private StepSettings? _settings;
        private long _t;

        private static double[][] Buffers(int k, int d) => Enumerable.Range(0, k).Select(_ => new double[d]).ToArray();

        public ReadOnlySpan<double> Iterate => _e;

        public void Reset(ReadOnlySpan<double> w0)
        {
            _t = 0;
            _settings = scheduled.At(0, baseBatch);
            var u = _settings.Method.U;
            for (int p = 0; p < _k; p++)
                for (int i = 0; i < d; i++) _x[p][i] = u[p] * w0[i];
            UpdateIterate();
        }

        public void Step(GradientOracle oracle)
        {
            var m = _settings!.Method;
            var c = m.C; var b = m.B;
            Array.Clear(_y);
            for (int p = 0; p < _k; p++)
            {
                double cp = c[p];
                if (cp == 0) continue;
                var xp = _x[p];
                for (int i = 0; i < d; i++) _y[i] += cp * xp[i];
            }
            ScheduledSimulation.Gradient(oracle, _y, _g, _scratch, ScheduledSimulation.SimulatedBatch(_settings.Batch));
            for (int p = 0; p < _k; p++)
            {
                var np = _next[p];
                double bp = b[p];
                for (int i = 0; i < d; i++) np[i] = -bp * _g[i];
                for (int q = 0; q < _k; q++)
                {
                    double apq = m.A(p, q);
                    if (apq == 0) continue;
                    var xq = _x[q];
                    for (int i = 0; i < d; i++) np[i] += apq * xq[i];
                }
            }
            (_x, _next) = (_next, _x);
            _t++;
            _settings = scheduled.At(_t, baseBatch, _settings);
            UpdateIterate();
        }

        private void UpdateIterate()
        {
            Array.Clear(_e);
            var o = _settings!.Method.O;
            for (int p = 0; p < _k; p++)
            {
                double op = o[p];
                if (op == 0) continue;
                var xp = _x[p];
                for (int i = 0; i < d; i++) _e[i] += op * xp[i];
            }
        }
    }
}

/// <summary>
/// Heavy ball (β ≡ 0: SGD) written literally with per-step values: <c>w' = w − lr_t·g_{B_t}(w) + β_t(w − w_prev)</c>,
/// w_prev = w_0 at the start. The values come from plain functions of t (e.g. a schedule's values times the base),
/// never from the (A, b, c, o) tuple, so the check covers the tuple the exact side builds from them.
/// </summary>
public sealed class ScheduledHeavyBallLiteral(Func<long, double> lr, Func<long, double> beta, Func<long, double> batch, string name) : ISimulatedOptimizer
{
    public string Name => "hb-literal-scheduled:" + name;

    public IOptimizerRun CreateRun(int dimension) => new Run(lr, beta, batch, dimension);

    private sealed class Run(Func<long, double> lr, Func<long, double> beta, Func<long, double> batch, int d) : IOptimizerRun
    {
        private readonly double[] _w = new double[d], _prev = new double[d], _g = new double[d], _scratch = new double[d];
        private long _t;
        public ReadOnlySpan<double> Iterate => _w;

        public void Reset(ReadOnlySpan<double> w0)
        {
            _t = 0;
            w0.CopyTo(_w);
            w0.CopyTo(_prev);
        }

        public void Step(GradientOracle oracle)
        {
            double eta = lr(_t), mom = beta(_t);
            ScheduledSimulation.Gradient(oracle, _w, _g, _scratch, ScheduledSimulation.SimulatedBatch(batch(_t)));
            for (int i = 0; i < _w.Length; i++)
            {
                double next = _w[i] - eta * _g[i] + mom * (_w[i] - _prev[i]);
                _prev[i] = _w[i];
                _w[i] = next;
            }
            _t++;
        }
    }
}
