using ExactDynamics.Methods;

namespace ExactDynamics.Dynamics;

/// <summary>An exact risk trajectory: E L_t at the recorded steps.</summary>
/// <param name="Steps">The recorded steps t (increasing).</param>
/// <param name="Risk">E L_t at those steps.</param>
/// <param name="Overflowed">True when the risk left the range of double before the last requested step
/// (a divergent method); the trajectory then stops at the last finite value.</param>
public sealed record RiskTrajectory(long[] Steps, double[] Risk, bool Overflowed);

/// <summary>
/// The exact expected risk E L_t of MATH.md §3, t = 0..T. Two exact algorithms, chosen automatically
/// (<see cref="ExecutionOptions.Algorithm"/> overrides): the renewal (Volterra) form of <see cref="VolterraRisk"/>
/// (cache-blocked local sequences plus a scalar convolution, direct for short horizons and blocked FFT for long ones;
/// k ≤ 2, m4 ≥ 2, T ≤ 2·10⁶) and the fused O(k² d)-per-step
/// recursion of <see cref="SecondMoments"/> (everything else, and the definition of where a divergent run overflows).
/// Both are vectorised and use all cores with results independent of the thread count (docs/volterra.md).
/// <see cref="Reference"/> is the plain loop over full k×k blocks that they are tested against.
/// </summary>
public static class RiskRecursion
{
    /// <summary>
    /// E L_t at t = 0, every, 2·every, … and always at the last step <paramref name="steps"/>.
    /// Stops early (and says so) when the risk overflows.
    /// </summary>
    public static RiskTrajectory Run(Problem problem, LinearMethod method, long steps, long every = 1)
        => Run(problem, method, steps, every, null);

    /// <summary>As <see cref="Run(Problem, LinearMethod, long, long)"/> with explicit execution settings (thread count,
    /// algorithm); the results do not depend on them beyond the last bits.</summary>
    public static RiskTrajectory Run(Problem problem, LinearMethod method, long steps, long every, ExecutionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        if (every < 1) throw new InvalidInputException($"--every {every} is not allowed; it must be at least 1.");
        CostEstimate.RequireMemory(16.0 * (steps / every + 2), $"recording the risk at {steps / every + 2} steps");
        CostEstimate.RequireTrajectory(problem, method, steps);
        options ??= ExecutionOptions.Default;
        if (ChooseVolterra(problem, method, steps, options))
        {
            var risk = VolterraRisk.Trajectory(problem, method, (int)steps, options);
            if (risk is not null) return Record(risk, steps, every);
        }
        var state = new SecondMoments(problem, method, options);
        long count = steps / every + 2;
        var ts = new long[count];
        var rs = new double[count];
        int n = 0;
        ts[n] = 0; rs[n] = state.Risk; n++;
        bool overflow = false;
        for (long t = 1; t <= steps; t++)
        {
            state.Step();
            if (!double.IsFinite(state.Risk)) { overflow = true; break; }
            if (t % every == 0 || t == steps) { ts[n] = t; rs[n] = state.Risk; n++; }
        }
        return new RiskTrajectory(ts[..n], rs[..n], overflow);
    }

    private static RiskTrajectory Record(double[] risk, long steps, long every)
    {
        var ts = new List<long>();
        var rs = new List<double>();
        for (long t = 0; t <= steps; t++)
            if (t % every == 0 || t == steps) { ts.Add(t); rs.Add(risk[t]); }
        return new RiskTrajectory(ts.ToArray(), rs.ToArray(), false);
    }

    /// <summary>E L_t for every t = 0..steps; once the risk of a divergent method overflows, the rest is +∞ (never NaN).</summary>
    public static double[] Trajectory(Problem problem, LinearMethod method, int steps) => Trajectory(problem, method, steps, null);

    /// <summary>As <see cref="Trajectory(Problem, LinearMethod, int)"/> with explicit execution settings.</summary>
    public static double[] Trajectory(Problem problem, LinearMethod method, int steps, ExecutionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        CostEstimate.RequireMemory(8.0 * steps, $"the risk at {steps} steps");
        CostEstimate.RequireTrajectory(problem, method, steps);
        options ??= ExecutionOptions.Default;
        if (ChooseVolterra(problem, method, steps, options))
        {
            var risk = VolterraRisk.Trajectory(problem, method, steps, options);
            if (risk is not null) return risk;
        }
        var state = new SecondMoments(problem, method, options);
        var r = new double[steps + 1];
        r[0] = state.Risk;
        for (int t = 1; t <= steps; t++)
        {
            state.Step();
            if (!double.IsFinite(state.Risk)) { Array.Fill(r, double.PositiveInfinity, t, steps + 1 - t); break; }
            r[t] = state.Risk;
        }
        return r;
    }

    /// <summary>
    /// E L_t for t = 0..steps when the renewal form is the path <see cref="Trajectory(Problem, LinearMethod, int)"/> takes
    /// for this horizon (then much cheaper than stepping the fused pass), null otherwise: for searches over t (first hit
    /// of a target, crossing times) that step the fused pass themselves when it is not.
    /// </summary>
    internal static double[]? RenewalTrajectory(Problem problem, LinearMethod method, long steps) =>
        steps <= VolterraMaxSteps && ChooseVolterra(problem, method, steps, ExecutionOptions.Default)
            ? Trajectory(problem, method, (int)steps)
            : null;

    /// <summary>Largest horizon for which the automatic choice considers the renewal form (its convolution costs O(T²)
    /// below <see cref="VolterraRisk.FftCrossover"/> and O(T log² T) beyond; the limit bounds its memory, about 15
    /// doubles per step, to a few hundred MB).</summary>
    internal const long VolterraMaxSteps = 2_000_000;

    /// <summary>Smallest d·T for which the automatic choice considers the renewal form.</summary>
    internal const double MinVolterraWork = 1e6;

    /// <summary>
    /// The renewal form (for m4 ≥ 2, where all its terms are non-negative) costs about d·T local steps (cache-resident,
    /// ~2–3× cheaper than a fused step) plus the convolution (<see cref="ConvolutionCost(long)"/>); the fused pass costs
    /// d·T memory-bound steps. Take the renewal form when it is supported and cheaper.
    /// </summary>
    internal static bool ChooseVolterra(Problem problem, LinearMethod method, long steps, ExecutionOptions options)
    {
        if (options.Algorithm == RiskAlgorithm.Fused || !VolterraRisk.Supports(method)) return false;
        if (options.Algorithm == RiskAlgorithm.Volterra) return steps <= int.MaxValue - 1;
        if (steps < 2 || steps > VolterraMaxSteps) return false;
        // Small problems take well under a millisecond either way; there the fused pass is kept so that Trajectory/Run
        // give the same bits as stepping a SecondMoments by hand (the renewal form agrees to ~1e-13, not bitwise).
        if ((double)problem.Spectrum.Dimension * steps < MinVolterraWork) return false;
        // With m4 < 2 the local maps are not positive (κ' < 0): the renewal sums then cancel and lose digits in
        // fast-decaying regimes, while the fused pass keeps every block PSD. Keep the fused pass there.
        if (problem.Kurtosis < 2) return false;
        double d = problem.Spectrum.Dimension, t = steps;
        double fused = d * t * FusedCostPerDirectionStep(method.K, problem.Spectrum.Dimension);
        double volterra = d * t * VolterraCostPerDirectionStep(method) + ConvolutionCost(steps) * (method.K == 2 && !SameReadout(method) ? 1.5 : 1);
        return volterra < fused;
    }

    private static bool SameReadout(LinearMethod method)
    {
        for (int p = 0; p < method.K; p++) if (method.C[p] != method.O[p]) return false;
        return true;
    }

    // Relative costs (ns, one core) measured on the development machine; only their ratios matter.
    internal const double ConvolutionCostPerTerm = 0.15;
    /// <summary>ns per T·log₂²T of the blocked FFT convolution (BENCHMARKS.md §7: 51 ms at T = 10⁵, 0.72 s at 10⁶).</summary>
    internal const double BlockedConvolutionCost = 1.8;
    /// <summary>Cost (ns) of the convolution: ½T²·0.15 directly below <see cref="VolterraRisk.FftCrossover"/>,
    /// 1.8·T·log₂²T by <see cref="BlockedConvolution"/> beyond.</summary>
    internal static double ConvolutionCost(long steps)
    {
        double t = steps;
        if (steps < VolterraRisk.FftCrossover) return 0.5 * t * t * ConvolutionCostPerTerm;
        double l = Math.Log2(t);
        return BlockedConvolutionCost * t * l * l;
    }
    internal static double FusedCostPerDirectionStep(int k, int d) => (k == 1 ? 0.5 : 1.5) * (d > 1_000_000 ? 2 : 1);
    internal static double VolterraCostPerDirectionStep(LinearMethod method) => method.K == 1 ? 0.15 : 0.6;

    /// <summary>
    /// The reference: MATH.md §3 written as literally as possible, one full k×k block per direction,
    /// S ← T S Tᵀ + (1/B) b bᵀ [λ_i μ + (m4−2) λ_i² cᵀSc + σ² λ_i]. Slow; for tests.
    /// </summary>
    public static double[] Reference(Problem problem, LinearMethod method, int steps) =>
        ReferenceLoop(problem, steps, _ => (method, problem.Batch));

    /// <summary>
    /// The reference loop with step t's method and batch (<paramref name="at"/>(t) is used for the update from t to
    /// t + 1, and its o for the risk at t): MATH.md §3 with one full k×k block per direction. Shared by the constant and
    /// the scheduled references.
    /// </summary>
    internal static double[] ReferenceLoop(Problem problem, int steps, Func<int, (LinearMethod Method, double Batch)> at)
    {
        var first = at(0).Method;
        int k = first.K, d = problem.Spectrum.Dimension;
        var lam = problem.Spectrum.ToArray();
        var u = first.U.ToArray();
        var S = new double[d][,];
        for (int i = 0; i < d; i++)
        {
            S[i] = new double[k, k];
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) S[i][p, q] = problem.Initial[i] * u[p] * u[q];
        }
        double Quad(double[,] m, double[] v) { double s = 0; for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) s += v[p] * m[p, q] * v[q]; return s; }
        double RiskOf(double[] o) { double s = 0; for (int i = 0; i < d; i++) s += lam[i] * Quad(S[i], o); return 0.5 * s; }
        var risk = new double[steps + 1];
        risk[0] = RiskOf(first.O.ToArray());
        for (int t = 0; t < steps; t++)
        {
            var (method, batch) = at(t);
            var b = method.B.ToArray(); var c = method.C.ToArray();
            double mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * Quad(S[i], c);
            for (int i = 0; i < d; i++)
            {
                double l = lam[i];
                var T = new double[k, k];
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) T[p, q] = method.A(p, q) - l * b[p] * c[q];
                var next = new double[k, k];
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        double s = 0;
                        for (int r = 0; r < k; r++) for (int w = 0; w < k; w++) s += T[p, r] * S[i][r, w] * T[q, w];
                        next[p, q] = s;
                    }
                double bracket = l * mu + (problem.Kurtosis - 2) * l * l * Quad(S[i], c) + problem.Noise * l;
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) next[p, q] += b[p] * b[q] * bracket / batch;
                S[i] = next;
            }
            risk[t + 1] = RiskOf(at(t + 1).Method.O.ToArray());
        }
        return risk;
    }
}
