using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Targets;

namespace ExactDynamics.Data;

/// <summary>
/// The exact expected risk E L_t of training on a dataset under one of the three fourth-moment models
/// (docs/math.md#three-fourth-moment-models): <see cref="MomentModel.Gaussian"/> runs the library's spectral recursion
/// on the data's eigenvalues and per-direction second moments E e₀ⱼ² (noise σ² = the residual variance);
/// <see cref="MomentModel.Matrix"/> runs <see cref="MatrixMoments"/>; <see cref="MomentModel.Empirical"/> runs
/// <see cref="EmpiricalMoments"/>.
/// </summary>
public static class DataRisk
{
    /// <summary>E L_t for t = 0..steps; once the risk of a divergent run overflows, the rest is +∞ (never NaN).</summary>
    /// <param name="problem">The data, batch and initial error.</param>
    /// <param name="method">The method.</param>
    /// <param name="steps">T ≥ 0.</param>
    /// <param name="model">The fourth-moment model.</param>
    /// <param name="kurtosis">m4 of the Gaussian model (ignored by the others).</param>
    /// <param name="options">Execution settings (threads, SIMD width); results do not depend on them.</param>
    public static double[] Trajectory(DataProblem problem, LinearMethod method, int steps, MomentModel model,
        double kurtosis = 3, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        MethodModifiers.RefuseTail(method, "the exact risk on a data matrix");
        // the method as it is (a constant custom template: an EMA warm-up carried by its parameters is not applied)
        return Trajectory(problem, new ScheduledMethod(MethodTemplate.Custom(method)), steps, model, kurtosis, options);
    }

    /// <summary>
    /// E L_t for t = 0..steps under schedules (docs/math.md#scheduled-data-recursion): update t → t + 1 uses step t's
    /// method and B_t; constant settings are the special case and give the constant method's numbers bit for bit. Once
    /// the risk of a divergent run overflows, the rest is +∞ (never NaN).
    /// </summary>
    /// <param name="problem">The data, base batch B and initial error.</param>
    /// <param name="scheduled">The method with its schedules (B_t = B·batch(t)).</param>
    /// <param name="steps">T ≥ 0.</param>
    /// <param name="model">The fourth-moment model.</param>
    /// <param name="kurtosis">m4 of the Gaussian model (ignored by the others).</param>
    /// <param name="options">Execution settings (threads, SIMD width); results do not depend on them.</param>
    public static double[] Trajectory(DataProblem problem, ScheduledMethod scheduled, int steps, MomentModel model,
        double kurtosis = 3, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        CostEstimate.RequireMemory(8.0 * (steps + 1.0), $"the risk at {steps + 1L} steps");
        var (first, step) = Stepper(problem, scheduled, model, kurtosis, options, steps);
        if (step is null) return first!;
        return Run(steps, first![0], step);
    }

    /// <summary>
    /// E L_t at the chosen steps <paramref name="points"/> (sorted, distinct, ≥ 0) under schedules: the gaussian model
    /// through <see cref="RiskRecursion.At(Problem, ScheduledMethod, long[], Action{long}?, Action{string}?)"/> (far
    /// horizons of SGD in O(d) per t), the matrix and empirical models by stepping their recursion to the last point,
    /// keeping only the chosen steps. When the risk overflows the result stops at the last finite chosen step.
    /// </summary>
    public static RiskTrajectory At(DataProblem problem, ScheduledMethod scheduled, long[] points, MomentModel model,
        double kurtosis = 3, ExecutionOptions? options = null, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(points);
        for (int i = 0; i < points.Length; i++)
            if (points[i] < 0 || i > 0 && points[i] <= points[i - 1])
                throw new InvalidInputException("The chosen steps must be distinct, increasing and at least 0.");
        if (points.Length == 0) return new RiskTrajectory([], [], false);
        if (model == MomentModel.Gaussian)
        {
            ScheduledSteps.FirstMethod(problem, scheduled);
            return RiskRecursion.At(GaussianProblem(problem, kurtosis), scheduled, points, progress);
        }
        var (first, step) = Stepper(problem, scheduled, model, kurtosis, options, 0);
        var ts = new List<long>();
        var rs = new List<double>();
        double risk = first![0];
        long t = 0;
        foreach (var p in points)
        {
            while (t < p)
            {
                risk = step!();
                t++;
                if (!double.IsFinite(risk)) return new RiskTrajectory(ts.ToArray(), rs.ToArray(), true);
                if ((t & 1023) == 0) progress?.Invoke(t);
            }
            ts.Add(p);
            rs.Add(risk);
        }
        progress?.Invoke(t);
        return new RiskTrajectory(ts.ToArray(), rs.ToArray(), false);
    }

    /// <summary>The model's recursion as (E L_0, a step that returns E L_t); the gaussian model returns its whole
    /// trajectory to <paramref name="steps"/> instead (the renewal form or the fused pass of <see cref="RiskRecursion"/>).</summary>
    private static (double[]? First, Func<double>? Step) Stepper(DataProblem problem, ScheduledMethod scheduled, MomentModel model,
        double kurtosis, ExecutionOptions? options, int steps)
    {
        switch (model)
        {
            case MomentModel.Gaussian:
                ScheduledSteps.FirstMethod(problem, scheduled);
                var gaussian = GaussianProblem(problem, kurtosis);
                return (scheduled.IsConstant
                    ? RiskRecursion.Trajectory(gaussian, scheduled.Template.Base, steps, options)
                    : RiskRecursion.Trajectory(gaussian, scheduled, steps), null);
            case MomentModel.Matrix:
            {
                var state = new MatrixMoments(problem, scheduled);
                return ([state.Risk], () => { state.Step(); return state.Risk; });
            }
            default:
            {
                var state = new EmpiricalMoments(problem, scheduled, options);
                return ([state.Risk], () => { state.Step(); return state.Risk; });
            }
        }
    }

    /// <summary>
    /// Iterations until E L_t ≤ ε under a fourth-moment model (docs/math.md#data-rates): the gaussian model is the
    /// spectral <see cref="IterationsToTarget.Compute(Problem, LinearMethod, double, long)"/> (closed form included);
    /// the matrix and empirical models step their exact recursion to the first hit, with ρ from <see cref="DataRate"/>
    /// (<see cref="IterationsToTarget.Compute(double, Func{double}, double, double, long, bool)"/>).
    /// </summary>
    public static IterationsResult Iterations(DataProblem problem, LinearMethod method, MomentModel model, double target,
        long maxSteps = IterationsToTarget.DefaultMaxSteps, double kurtosis = 3, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (model == MomentModel.Gaussian)
            return IterationsToTarget.Compute(GaussianProblem(problem, kurtosis), method, target, maxSteps);
        double rho = DataRate.Compute(problem, method, model, kurtosis, options: options).Rho;
        bool zero = LimitIsZero(problem, method);
        if (model == MomentModel.Matrix)
        {
            var state = new MatrixMoments(problem, method);
            return IterationsToTarget.Compute(state.Risk, () => { state.Step(); return state.Risk; }, rho, target, maxSteps, zero);
        }
        var empirical = new EmpiricalMoments(problem, method, options);
        return IterationsToTarget.Compute(empirical.Risk, () => { empirical.Step(); return empirical.Risk; }, rho, target, maxSteps, zero);
    }

    /// <summary>Whether a convergent run tends to E L_∞ = 0 exactly, so that every target is reached: a planted teacher without label noise (no
    /// residuals) and a method without a constant coordinate (no weight decay pulling towards the ridge solution).</summary>
    public static bool LimitIsZero(DataProblem problem, LinearMethod method) =>
        !(problem.Data.HasTarget && problem.WithResiduals) && problem.Noise == 0 && Spectral.AffineGap.ConstantCoordinates(method).Length == 0;

    /// <summary>
    /// Iterations until E L_t ≤ ε under schedules (docs/math.md#scheduled-data-recursion): the exact count follows the
    /// schedules step by step; ρ, the gap and the crude count describe the schedules' constant tail
    /// (<see cref="IterationsResult.Tail"/>) as if it ran from the start (NaN and +∞ when there is none), as on a
    /// spectrum (<see cref="IterationsToTarget.Compute(Problem, ScheduledMethod, double, long)"/>). Constant settings are
    /// the special case and give <see cref="Iterations(DataProblem, LinearMethod, MomentModel, double, long, double, ExecutionOptions?)"/>.
    /// The matrix and empirical models step to the first hit, at most to the tail's start plus 40/γ + 1000 steps (then
    /// the limit is reached, and reported as the floor).
    /// </summary>
    public static IterationsResult Iterations(DataProblem problem, ScheduledMethod scheduled, MomentModel model, double target,
        long maxSteps = IterationsToTarget.DefaultMaxSteps, double kurtosis = 3, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        var tail = scheduled.Tail(problem.Batch);
        if (scheduled.IsConstant)
            return Iterations(problem, scheduled.Template.Base, model, target, maxSteps, kurtosis, options) with { Tail = tail };
        IterationsToTarget.ValidateTarget(target);
        if (maxSteps < 0) throw new InvalidInputException($"Max steps {maxSteps} is not allowed; it must be at least 0.");
        if (model == MomentModel.Gaussian)
        {
            ScheduledSteps.FirstMethod(problem, scheduled);
            return IterationsToTarget.Compute(GaussianProblem(problem, kurtosis), scheduled, target, maxSteps);
        }
        double rho = tail.Method is null ? double.NaN
            : DataRate.Compute(problem.WithRealBatch(tail.Batch), tail.Method, model, kurtosis, options: options).Rho;
        long horizon = StepLimit(problem, tail, rho, maxSteps);
        var (first, step) = Stepper(problem, scheduled, model, kurtosis, options, 0);
        double last = first![0];
        var hit = IterationsToTarget.Compute(first[0], () => last = step!(), double.NaN, target, horizon);
        double l0 = first[0], gap = 1 - rho;
        bool converges = rho < 1;
        double floor = !converges ? double.PositiveInfinity : hit.Exact is null && horizon < maxSteps && double.IsFinite(last) ? last : 0;
        double crude = l0 <= target ? 0 : converges && floor < target ? (Math.Log(l0 - floor) - Math.Log(target - floor)) / gap : double.PositiveInfinity;
        return new IterationsResult(target, hit.Exact, null, crude, rho, gap, double.NaN, l0, maxSteps, floor, Tail: tail);
    }

    /// <summary>The steps a search for the first E L_t ≤ ε may take: the step limit, or, once the settings are constant
    /// (the schedules' tail, from step <see cref="ScheduleTail.From"/>) and contract at rate ρ towards a non-zero limit,
    /// 40/γ + 1000 steps more if that is smaller (the limit is then reached). With the limit 0 (<see cref="LimitIsZero"/>)
    /// every target is reached, so the step limit.</summary>
    public static long StepLimit(DataProblem problem, ScheduleTail tail, double rho, long maxSteps)
    {
        ArgumentNullException.ThrowIfNull(tail);
        if (tail.Method is null || LimitIsZero(problem, tail.Method) || !(rho < 1) || tail.From is not long f) return maxSteps;
        double h = f + (double)IterationsToTarget.SteppingHorizon(rho, maxSteps);
        return h >= maxSteps ? maxSteps : (long)h;
    }

    private static double[] Run(int steps, double first, Func<double> step)
    {
        var r = new double[steps + 1];
        r[0] = first;
        for (int t = 1; t <= steps; t++)
        {
            double v = step();
            if (!double.IsFinite(v)) { Array.Fill(r, double.PositiveInfinity, t, steps + 1 - t); break; }
            r[t] = v;
        }
        return r;
    }

    /// <summary>The Gaussian-model <see cref="Problem"/> of a data problem: the data's eigenvalues, s_j = E e₀ⱼ²,
    /// kurtosis m4, and σ² = the residual variance (or the independent noise).</summary>
    public static Problem GaussianProblem(DataProblem problem, double kurtosis = 3)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var data = problem.Data;
        var spectrum = Spectrum.FromValues(data.Eigenvalues, $"data ({data.Samples}×{data.Features})");
        double noise = data.HasTarget && problem.WithResiduals ? data.ResidualVariance : problem.Noise;
        return new Problem(spectrum, problem.SecondMoments(), problem.Batch, kurtosis, noise);
    }
}
