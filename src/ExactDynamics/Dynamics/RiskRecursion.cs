using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectral;

namespace ExactDynamics.Dynamics;

/// <summary>An exact risk trajectory: E L_t at the recorded steps.</summary>
/// <param name="Steps">The recorded steps t (increasing).</param>
/// <param name="Risk">E L_t at those steps.</param>
/// <param name="Overflowed">True when the risk left the range of double before the last requested step
/// (a divergent method); the trajectory then stops at the last finite value.</param>
public sealed record RiskTrajectory(long[] Steps, double[] Risk, bool Overflowed);

/// <summary>
/// The exact expected risk E L_t of docs/math.md#second-moment-recursion, t = 0..T. Two exact algorithms, chosen automatically
/// (<see cref="ExecutionOptions.Algorithm"/> overrides): the renewal (Volterra) form of <see cref="VolterraRisk"/>
/// (cache-blocked local sequences plus a scalar convolution, direct for short horizons and blocked FFT for long ones;
/// k ≤ 2, m4 ≥ 2, T ≤ 2·10⁶) and the fused O(k² d)-per-step
/// recursion of <see cref="SecondMoments"/> (everything else, and the definition of where a divergent run overflows).
/// Both are vectorised and use all cores with results independent of the thread count (docs/volterra.md).
/// <see cref="Reference(Problem, LinearMethod, int)"/> is the plain loop over full k×k blocks that they are tested against.
/// </summary>
public static class RiskRecursion
{
    /// <summary>
    /// E L_t at t = 0, every, 2·every, … and always at the last step <paramref name="steps"/>.
    /// Stops early (and says so) when the risk overflows.
    /// </summary>
    /// <param name="problem">The problem.</param>
    /// <param name="method">The method.</param>
    /// <param name="steps">The last step T ≥ 0.</param>
    /// <param name="every">The spacing of the recorded steps, ≥ 1.</param>
    /// <returns>The recorded steps and risks, and whether the run stopped at an overflow.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException"><paramref name="steps"/> &lt; 0 or <paramref name="every"/> &lt; 1.</exception>
    public static RiskTrajectory Run(Problem problem, LinearMethod method, long steps, long every = 1)
        => Run(problem, method, steps, every, null);

    /// <summary>As <see cref="Run(Problem, LinearMethod, long, long)"/> with explicit execution settings (thread count,
    /// algorithm); the results do not depend on them beyond the last bits.</summary>
    public static RiskTrajectory Run(Problem problem, LinearMethod method, long steps, long every, ExecutionOptions? options)
        => Run(problem, method, steps, every, options, null);

    private static RiskTrajectory Run(Problem problem, LinearMethod method, long steps, long every, ExecutionOptions? options,
        Action<string>? note)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (MethodModifiers.TailOf(method) is not null) return Run(problem, ScheduledMethod.Constant(method), steps, every, note);
        CheckSteps(steps, every);
        CostEstimate.RequireMemory(16.0 * (steps / every + 2), $"recording the risk at {steps / every + 2} steps");
        RequireTrajectory(problem, method, steps, note);
        options ??= ExecutionOptions.Default;
        if (ChooseVolterra(problem, method, steps, options))
        {
            var risk = VolterraRisk.Trajectory(problem, method, (int)steps, options);
            if (risk is not null) return Record(risk, steps, every);
        }
        return Stepped(new SecondMoments(problem, method, options), steps, every);
    }

    /// <summary>
    /// E L_t at t = 0, every, 2·every, … and the last step, under schedules (docs/math.md#schedules); constant settings
    /// are the special case and give <see cref="Run(Problem, LinearMethod, long, long)"/>'s numbers bit for bit.
    /// When the risk overflows (a divergent run), the curve stops at the last finite step, which is appended.
    /// </summary>
    /// <param name="problem">The problem.</param>
    /// <param name="scheduled">The method, with or without schedules.</param>
    /// <param name="steps">The last step T.</param>
    /// <param name="every">The reporting interval.</param>
    /// <param name="note">Receives one sentence when the run will take more than ten seconds (see <see cref="CostEstimate"/>).</param>
    /// <exception cref="InvalidInputException">steps &lt; 0 or every &lt; 1, or a run that would take more than a few minutes.</exception>
    public static RiskTrajectory Run(Problem problem, ScheduledMethod scheduled, long steps, long every = 1, Action<string>? note = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (scheduled.TailFraction is not null)
        {
            CheckSteps(steps, every);
            CostEstimate.RequireMemory(16.0 * (steps / every + 2), $"recording the risk at {steps / every + 2} steps");
            return Tail(problem, scheduled, Recorded(steps, every), null, note);
        }
        if (scheduled.IsConstant) return Run(problem, scheduled.Template.Base, steps, every, null, note);
        CheckSteps(steps, every);
        RequireStepping(problem, scheduled, steps, note);
        return Stepped(new SecondMoments(problem, scheduled), steps, every);
    }

    private static void RequireStepping(Problem problem, ScheduledMethod scheduled, long steps, Action<string>? note = null) =>
        CostEstimate.Require(CostEstimate.SteppingSeconds(scheduled.Template.Base.K, problem.Spectrum.Dimension, steps),
            $"the exact risk of {scheduled.Description} to t = {steps} at d = {problem.Spectrum.Dimension}",
            "use fewer steps or a smaller spectrum", note);

    /// <summary>The tail average's risk at the sorted horizons (docs/math.md#tail-averaging), priced first by the one cost model.</summary>
    private static RiskTrajectory Tail(Problem problem, ScheduledMethod scheduled, IEnumerable<long> horizons, Action<long>? progress,
        Action<string>? note)
    {
        long last = horizons.LastOrDefault();
        CostEstimate.RequireMemory(TailAverage.Bytes(scheduled.Template.Base.K, problem.Spectrum.Dimension, last),
            $"the tail average of {scheduled.Description} at d = {problem.Spectrum.Dimension}");
        CostEstimate.Require(TailAverage.Seconds(problem, scheduled, horizons),
            $"the exact tail-averaged risk of {scheduled.Description} to t = {last} at d = {problem.Spectrum.Dimension}",
            "use fewer steps or a smaller spectrum", note);
        return TailAverage.At(problem, scheduled, horizons, progress);
    }

    /// <summary>t = 0, every, 2·every, … and the last step.</summary>
    private static IEnumerable<long> Recorded(long steps, long every)
    {
        for (long t = 0; t <= steps; t++)
            if (t % every == 0 || t == steps) yield return t;
    }

    private static void CheckSteps(long steps, long every)
    {
        if (steps < 0) throw new InvalidInputException($"The number of steps {steps} is not allowed; it must be at least 0.");
        if (every < 1) throw new InvalidInputException($"A reporting interval of {every} steps is not allowed; it must be at least 1.");
    }

    /// <summary>
    /// The one stepping loop of the curve: records t = 0, every, … and the last step; when the risk overflows at step t
    /// the run stops and step t − 1 (the last finite value) is recorded too, so a diverging curve shows how far it got.
    /// </summary>
    private static RiskTrajectory Stepped(SecondMoments state, long steps, long every)
    {
        var ts = new List<long> { 0 };
        var rs = new List<double> { state.Risk };
        double last = state.Risk;
        for (long t = 1; t <= steps; t++)
        {
            state.Step();
            if (!double.IsFinite(state.Risk))
            {
                if (ts[^1] != t - 1) { ts.Add(t - 1); rs.Add(last); }
                return new RiskTrajectory(ts.ToArray(), rs.ToArray(), true);
            }
            last = state.Risk;
            if (t % every == 0 || t == steps) { ts.Add(t); rs.Add(last); }
        }
        return new RiskTrajectory(ts.ToArray(), rs.ToArray(), false);
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
    /// <param name="problem">The problem.</param>
    /// <param name="method">The method.</param>
    /// <param name="steps">The last step T ≥ 0.</param>
    /// <returns>An array of T + 1 risks, index t.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException"><paramref name="steps"/> &lt; 0.</exception>
    public static double[] Trajectory(Problem problem, LinearMethod method, int steps) => Trajectory(problem, method, steps, null);

    /// <summary>As <see cref="Trajectory(Problem, LinearMethod, int)"/> with explicit execution settings.</summary>
    public static double[] Trajectory(Problem problem, LinearMethod method, int steps, ExecutionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (MethodModifiers.TailOf(method) is not null) return Trajectory(problem, ScheduledMethod.Constant(method), steps);
        CheckSteps(steps, 1);
        CostEstimate.RequireMemory(8.0 * steps, $"the risk at {steps} steps");
        RequireTrajectory(problem, method, steps);
        options ??= ExecutionOptions.Default;
        if (ChooseVolterra(problem, method, steps, options))
        {
            var risk = VolterraRisk.Trajectory(problem, method, steps, options);
            if (risk is not null) return risk;
        }
        return Every(new SecondMoments(problem, method, options), steps);
    }

    /// <summary>E L_t for every t = 0..steps under schedules; once the risk overflows, the rest is +∞ (never NaN).</summary>
    /// <exception cref="InvalidInputException">steps &lt; 0.</exception>
    public static double[] Trajectory(Problem problem, ScheduledMethod scheduled, int steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (scheduled.TailFraction is not null)
        {
            CheckSteps(steps, 1);
            CostEstimate.RequireMemory(8.0 * steps, $"the risk at {steps} steps");
            var tail = Tail(problem, scheduled, Recorded(steps, 1), null, null);
            var r = new double[steps + 1];
            Array.Fill(r, double.PositiveInfinity);
            for (int j = 0; j < tail.Risk.Length; j++) r[tail.Steps[j]] = tail.Risk[j];
            return r;
        }
        if (scheduled.IsConstant) return Trajectory(problem, scheduled.Template.Base, steps);
        return Fused(problem, scheduled, steps);
    }

    /// <summary>The fused kernel's trajectory under schedules even for constant settings (for tests of the kernel).</summary>
    internal static double[] Fused(Problem problem, ScheduledMethod scheduled, int steps)
    {
        CheckSteps(steps, 1);
        RequireStepping(problem, scheduled, steps);
        return Every(new SecondMoments(problem, scheduled), steps);
    }

    private static double[] Every(SecondMoments state, int steps)
    {
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

    /// <summary>The risk after exactly <paramref name="steps"/> steps (+∞ if it overflowed first).</summary>
    /// <exception cref="InvalidInputException">steps &lt; 0.</exception>
    public static double FinalRisk(Problem problem, ScheduledMethod scheduled, long steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        CheckSteps(steps, 1);
        if (scheduled.TailFraction is not null)
        {
            var tail = Tail(problem, scheduled, [steps], null, null);
            return tail.Overflowed ? double.PositiveInfinity : tail.Risk[0];
        }
        var state = new SecondMoments(problem, scheduled);
        for (long t = 0; t < steps; t++) { state.Step(); if (!double.IsFinite(state.Risk)) return double.PositiveInfinity; }
        return state.Risk;
    }

    /// <summary>The first t ≤ <paramref name="maxSteps"/> with E L_t ≤ <paramref name="target"/> under schedules, or
    /// null (not reached, or the risk overflowed first).</summary>
    public static long? FirstBelow(Problem problem, ScheduledMethod scheduled, double target, long maxSteps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (scheduled.TailFraction is not null)
        {
            // step by step: the horizons 0, 1, … are streamed and the search stops at the first hit
            foreach (var (t, risk) in TailAverage.Stream(problem, scheduled, Recorded(maxSteps, 1)))
            {
                if (!double.IsFinite(risk)) return null;
                if (risk <= target) return t;
            }
            return null;
        }
        var state = new SecondMoments(problem, scheduled);
        if (state.Risk <= target) return 0;
        for (long t = 1; t <= maxSteps; t++)
        {
            state.Step();
            if (!double.IsFinite(state.Risk)) return null;
            if (state.Risk <= target) return t;
        }
        return null;
    }

    /// <summary>Up to this many steps <see cref="At(Problem, ScheduledMethod, long[], Action{long}?, Action{string}?)"/>
    /// computes the whole trajectory (renewal form) instead of stepping.</summary>
    private const long WholeTrajectoryMaxSteps = VolterraMaxSteps;

    /// <summary>E L_t at chosen steps of a constant method; see
    /// <see cref="At(Problem, ScheduledMethod, long[], Action{long}?, Action{string}?)"/>.</summary>
    public static RiskTrajectory At(Problem problem, LinearMethod method, long[] points, Action<long>? progress = null,
        Action<string>? note = null) => At(problem, ScheduledMethod.Constant(method), points, progress, note);

    /// <summary>
    /// E L_t at the chosen steps <paramref name="points"/> (sorted, distinct, ≥ 0): the one entry point that owns the
    /// choice of algorithm. One-state methods (SGD) without schedules use the exact eigendecomposition of
    /// <see cref="SgdSpectralRisk"/> (O(d²) once, O(d) per t, any t) when that is cheaper than stepping; constant
    /// methods the whole renewal-form trajectory up to 2·10⁶ steps when it will hold (not divergent, risk not
    /// underflowing before the horizon); everything else steps the fused pass. The one cost model,
    /// <see cref="CostEstimate"/>, refuses work of more than a few minutes and announces through <paramref name="note"/>
    /// work of more than ten seconds. A divergent run stops at its last finite value (<see cref="RiskTrajectory.Overflowed"/>).
    /// </summary>
    /// <param name="problem">The problem.</param>
    /// <param name="scheduled">The method, with or without schedules.</param>
    /// <param name="points">The steps t at which to report E L_t.</param>
    /// <param name="progress">Receives the number of steps done so far (when stepping).</param>
    /// <param name="note">Receives one sentence when the computation will take long.</param>
    /// <exception cref="InvalidInputException">No steps, a negative or unsorted step, or a horizon that would take
    /// longer than <see cref="CostEstimate.RefuseSeconds"/>.</exception>
    public static RiskTrajectory At(Problem problem, ScheduledMethod scheduled, long[] points, Action<long>? progress = null,
        Action<string>? note = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(points);
        if (points.Length == 0) throw new InvalidInputException("At least one step is needed.");
        for (int j = 0; j < points.Length; j++)
            if (points[j] < 0 || j > 0 && points[j] <= points[j - 1])
                throw new InvalidInputException("The steps must be whole numbers ≥ 0 in increasing order.");
        long max = points[^1];
        int d = problem.Spectrum.Dimension;
        var method = scheduled.Template.Base;
        string what = $"the exact E L_t of {scheduled.Description} to t = {max} at d = {d}";
        const string instead = "use the contraction gap (E L_t ∝ ρ^t) for far horizons, or a smaller t";
        if (scheduled.TailFraction is not null) return Tail(problem, scheduled, points, progress, note);
        if (!scheduled.IsConstant)
        {
            RequireStepping(problem, scheduled, max, note);
        }
        else if (method.K == 1 && CostEstimate.SpectralSgdSeconds(d) + 1e-9 * d * (double)points.Length < TrajectorySeconds(problem, method, max))
        {
            // SGD: the eigendecomposition (O(d²) once, O(d) per t) is cheaper than the trajectory to the largest t
            CostEstimate.Require(CostEstimate.SpectralSgdSeconds(d), what + " by the eigendecomposition", instead, note);
            var sgd = SgdSpectralRisk.Create(problem, method);
            return Pick(points, t => sgd.At(t));
        }
        else
        {
            CostEstimate.Require(TrajectorySeconds(problem, method, max), what, instead, note);
        }
        bool renewal = false;
        if (scheduled.IsConstant && max <= WholeTrajectoryMaxSteps && VolterraRisk.Supports(method) && problem.Kurtosis >= 2)
        {
            // the renewal form overflows for a divergent method and underflows when the risk falls below ~1e-200 before
            // the horizon; in both cases the fused pass would redo the work, so step directly
            var gap = ContractionGap.Compute(problem, method);
            if (!gap.Diverges)
            {
                double logRisk = Math.Log(Math.Max(PerronPrefactor.Compute(problem, method, gap), 1e-300)) + max * Math.Log(gap.Rho);
                renewal = problem.Noise > 0 || logRisk > Math.Log(1e-190);
            }
        }
        if (renewal)
        {
            var all = Trajectory(problem, method, (int)max);
            progress?.Invoke(max);
            return Pick(points, t => all[t]);
        }
        var state = new SecondMoments(problem, scheduled);
        var outT = new List<long>();
        var outR = new List<double>();
        int next = 0;
        for (long t = 0; t <= max; t++)
        {
            if (t > 0) state.Step();
            if ((t & 0xFFFF) == 0 && t > 0) progress?.Invoke(t);
            if (!double.IsFinite(state.Risk)) return new RiskTrajectory(outT.ToArray(), outR.ToArray(), true);
            if (t == points[next]) { outT.Add(t); outR.Add(state.Risk); next++; if (next == points.Length) break; }
        }
        return new RiskTrajectory(outT.ToArray(), outR.ToArray(), false);
    }

    private static RiskTrajectory Pick(long[] points, Func<long, double> risk)
    {
        var ts = new List<long>();
        var rs = new List<double>();
        foreach (var t in points)
        {
            double r = risk(t);
            if (!double.IsFinite(r)) return new RiskTrajectory(ts.ToArray(), rs.ToArray(), true);
            ts.Add(t); rs.Add(r);
        }
        return new RiskTrajectory(ts.ToArray(), rs.ToArray(), false);
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
    /// <summary>ns per T·log₂²T of the blocked FFT convolution (BENCHMARKS.md#long-horizons: 51 ms at T = 10⁵, 0.72 s at 10⁶).</summary>
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
    internal static double FusedCostPerDirectionStep(int k, int d) => (k == 1 ? 0.5 : k == 2 ? 1.5 : 4.5) * (d > 1_000_000 ? 2 : 1);
    /// <summary>An EMA over a one- or two-state method (<see cref="EmaRenewal"/>) runs the base sequences and the
    /// average's in one pass: measured about 2.3× (two-state base) and 3× (one-state base) the base method's.</summary>
    internal static double VolterraCostPerDirectionStep(LinearMethod method) =>
        EmaRenewal.Supports(method) ? (method.K == 2 ? 0.45 : 1.4) : method.K == 1 ? 0.15 : 0.6;

    /// <summary>
    /// The reference: docs/math.md#second-moment-recursion written as literally as possible, one full k×k block per direction,
    /// S ← T S Tᵀ + (1/B) b bᵀ [λ_i μ + (m4−2) λ_i² cᵀSc + σ² λ_i]. Slow; for tests.
    /// </summary>
    public static double[] Reference(Problem problem, LinearMethod method, int steps) =>
        ReferenceLoop(problem, steps, _ => (method, problem.Batch));

    /// <summary>
    /// The reference under schedules: docs/math.md#scheduled-recursion with step t's settings, written as literally as possible (one full k×k
    /// block per direction, μ_t recomputed from the blocks with c_t at every step). Slow; for tests.
    /// </summary>
    public static double[] Reference(Problem problem, ScheduledMethod scheduled, int steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        return ReferenceLoop(problem, steps, t =>
        {
            var settings = scheduled.At(t, problem.Batch);
            return (settings.Method, settings.Batch);
        });
    }

    /// <summary>
    /// The reference loop with step t's method and batch (<paramref name="at"/>(t) is used for the update from t to
    /// t + 1, and its o for the risk at t): docs/math.md#second-moment-recursion with one full k×k block per direction. Shared by the constant and
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

    /// <summary>
    /// Seconds for the exact risk to t = <paramref name="steps"/> by the path this class takes (the
    /// renewal form or the fused pass); a divergent method stops where its risk overflows (about
    /// 2·ln(10³⁰⁸/L₀)/ln ρ steps), which is estimated from ρ when the horizon is long.
    /// </summary>
    public static double TrajectorySeconds(Problem problem, LinearMethod method, long steps)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        int d = problem.Spectrum.Dimension, k = method.K;
        double effective = steps;
        if (CostEstimate.SteppingSeconds(k, d, steps) > CostEstimate.NoteSeconds && CostEstimate.GapSeconds(k, d) <= CostEstimate.RefuseSeconds)
        {
            var gap = ContractionGap.Compute(problem, method);
            double lnRho = Math.Log(gap.Rho);
            if (gap.Diverges && lnRho > 0) effective = Math.Min(steps, 2 * (709 - Math.Log(Math.Max(problem.Spectrum.Trace, 1e-300))) / lnRho + 1000);
        }
        double fused = CostEstimate.SteppingSeconds(k, d, effective);
        if (effective <= VolterraMaxSteps && ChooseVolterra(problem, method, (long)effective, ExecutionOptions.Default))
            return Math.Min(fused, (d * effective * VolterraCostPerDirectionStep(method) / CostEstimate.Speedup(d) + ConvolutionCost((long)effective)) * 1e-9);
        return fused;
    }

    /// <summary>Refuses an exact risk trajectory to t = <paramref name="steps"/> that would take more than a few minutes
    /// (and announces one above ten seconds), naming the problem and what to use instead.</summary>
    public static void RequireTrajectory(Problem problem, LinearMethod method, long steps, Action<string>? note = null)
    {
        int d = problem.Spectrum.Dimension;
        CostEstimate.Require(TrajectorySeconds(problem, method, steps), $"the exact risk of {method.Spec} to t = {steps} at d = {d}",
            "use the contraction gap for the rate (E L_t ∝ ρ^t), fewer steps, or a smaller spectrum", note);
    }
}
