using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;

namespace ExactDynamics.Validation.UserCurves;

/// <summary>
/// <see cref="CurveValidator"/> for training on a user's own dataset (docs/math.md#validation-test,
/// docs/math.md#three-fourth-moment-models): the same Bonferroni max-|z| test of a measured mean curve against the
/// exact E L_t of the chosen fourth-moment model. With <see cref="MomentModel.Empirical"/> the exact curve makes no
/// modelling assumption (rows drawn uniformly with replacement, the data's own fourth moments, the full initial error
/// and the real residuals), so a rejection means the training code does something else. Without a stderr column the
/// standard errors come from simulating the user's setting itself: the same rows drawn with replacement, the same
/// start and method, R runs (<see cref="Setting(DataProblem)"/>).
/// </summary>
public static class DataCurveValidator
{
    /// <param name="problem">The data, batch and start the training claims to use.</param>
    /// <param name="method">The method it claims to run.</param>
    /// <param name="model">The fourth-moment model of the exact curve.</param>
    /// <param name="curve">The measured mean curve.</param>
    /// <param name="runs">Number of runs averaged; needed when the curve has no standard errors.</param>
    /// <param name="alpha">Family-wise false-alarm probability over the compared steps.</param>
    /// <param name="source">Names the curve in error messages.</param>
    /// <param name="kurtosis">m4 of the Gaussian model (ignored by the others).</param>
    /// <param name="options">Execution settings of the exact recursion (threads, SIMD width).</param>
    public static CurveValidation Validate(DataProblem problem, LinearMethod method, MomentModel model, SimulatedCurve curve, int? runs = null,
        double alpha = CurveComparer.DefaultAlpha, string source = "the simulation file", double kurtosis = 3, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(curve);
        if (runs is < 2) throw new InvalidInputException($"--runs {runs} is not allowed; the number of runs averaged must be at least 2.");
        if (problem.Batch > int.MaxValue) throw new InvalidInputException($"Batch size {problem.Batch} is too large to simulate.");
        return CurveValidator.Against(ExactAt(problem, method, model, curve.Steps, kurtosis, options), curve, runs, alpha, source,
            r => CurveValidator.MonteCarloStdErr(Setting(problem), new LinearMethodOptimizer(method), method.K, curve.Steps, r));
    }

    /// <summary>
    /// The same test for a method with schedules (docs/math.md#scheduled-data-recursion): the exact curve follows them
    /// step by step, and without a stderr column the simulation runs the scheduled method on the same rows, drawing
    /// B_t rows at step t (a real B_t rounded to the nearest whole number). Constant settings are
    /// <see cref="Validate(DataProblem, LinearMethod, MomentModel, SimulatedCurve, int?, double, string, double, ExecutionOptions?)"/>.
    /// </summary>
    public static CurveValidation Validate(DataProblem problem, ScheduledMethod scheduled, MomentModel model, SimulatedCurve curve, int? runs = null,
        double alpha = CurveComparer.DefaultAlpha, string source = "the simulation file", double kurtosis = 3, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        ArgumentNullException.ThrowIfNull(curve);
        if (scheduled.IsConstant) return Validate(problem, scheduled.Template.Base, model, curve, runs, alpha, source, kurtosis, options);
        if (runs is < 2) throw new InvalidInputException($"--runs {runs} is not allowed; the number of runs averaged must be at least 2.");
        return CurveValidator.Against(ExactAt(problem, scheduled, model, curve.Steps, kurtosis, options), curve, runs, alpha, source,
            r => CurveValidator.MonteCarloStdErr(Setting(problem, scheduled), Optimizer(problem, scheduled), scheduled.Template.Base.K, curve.Steps, r));
    }

    /// <summary>E L_t of the model under schedules at the given increasing steps (+∞ once a divergent run overflows).</summary>
    public static double[] ExactAt(DataProblem problem, ScheduledMethod scheduled, MomentModel model, IReadOnlyList<long> steps, double kurtosis = 3,
        ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0) return [];
        long last = steps[^1];
        if (last > int.MaxValue - 1) throw new InvalidInputException($"Step {last} is too far for the data models; compare steps up to {int.MaxValue - 1}.");
        var all = DataRisk.Trajectory(problem, scheduled, (int)last, model, kurtosis, options);
        return steps.Select(t => all[t]).ToArray();
    }

    /// <summary>The simulator's setting for a scheduled method: <see cref="Setting(DataProblem)"/>, with one row per
    /// oracle call when a schedule is present (the scheduled optimizer then draws B_t rows at step t).</summary>
    public static SimulationSettings Setting(DataProblem problem, ScheduledMethod scheduled)
    {
        ArgumentNullException.ThrowIfNull(scheduled);
        var setting = Setting(problem);
        return scheduled.IsConstant ? setting : setting with { Batch = 1 };
    }

    /// <summary>The optimizer that the simulator runs for <paramref name="scheduled"/>: the constant method's update, or
    /// the scheduled one (step t's method and B_t).</summary>
    public static ISimulatedOptimizer Optimizer(DataProblem problem, ScheduledMethod scheduled)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        return scheduled.IsConstant ? new LinearMethodOptimizer(scheduled.Template.Base) : new ScheduledMethodOptimizer(scheduled, problem.Batch);
    }

    /// <summary>E L_t of the model at the given increasing steps (+∞ once a divergent run overflows): the method as it
    /// is, a constant recursion.</summary>
    public static double[] ExactAt(DataProblem problem, LinearMethod method, MomentModel model, IReadOnlyList<long> steps, double kurtosis = 3,
        ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        MethodModifiers.RefuseTail(method, "the exact risk on a data matrix");
        return ExactAt(problem, new ScheduledMethod(MethodTemplate.Custom(method)), model, steps, kurtosis, options);
    }

    /// <summary>The user's setting for the simulator: the data's rows drawn with replacement (eigenbasis coordinates),
    /// the start's mean and variance, the batch, and the independent noise of a planted teacher.</summary>
    public static SimulationSettings Setting(DataProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var data = problem.Data;
        return new SimulationSettings
        {
            Spectrum = Spectrum.FromValues(data.Eigenvalues, $"data ({data.Samples}×{data.Features})"),
            Initial = problem.InitialVariance,
            InitialMean = problem.InitialMean,
            Batch = (int)problem.Batch,
            Noise = problem.Noise,
            Rows = DataRows.From(problem),
        };
    }
}
