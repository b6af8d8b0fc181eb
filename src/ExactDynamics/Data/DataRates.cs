using ExactDynamics.Methods;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Data;

/// <summary>
/// A dataset at one batch size under a fourth-moment model as an <see cref="IRateModel"/> (docs/math.md#data-rates):
/// the library's one tuner, critical batch and sweep run on the model's own rate <see cref="DataRate"/>, so every
/// method they try and return is inside the model's stability region (for the empirical model, the data's own edge).
/// As an <see cref="IRiskModel"/> it gives the tuner the model's exact risk from the problem's start (its own recursion,
/// <see cref="MatrixMoments"/> or <see cref="EmpiricalMoments"/>) for the iterations and final-risk objectives.
/// The search evaluates gaps to relative accuracy <see cref="SearchTolerance"/> (or ρ to <see cref="SearchFloor"/>), each Krylov solve warm-started from
/// the previous Perron vector; reported gaps have <see cref="DataRate.DefaultTolerance"/>.
/// </summary>
public sealed class DataRates : IRiskModel
{
    /// <summary>Relative accuracy of the gaps inside the tuner's search.</summary>
    public const double SearchTolerance = 1e-7;

    /// <summary>Residual accepted relative to ρ inside the search, whatever the gap (it locates the edge ρ = 1 to about this).</summary>
    public const double SearchFloor = 1e-10;

    /// <summary>Applications of the data model's map one tuning of <paramref name="family"/> takes, at most roughly (for
    /// the cost estimate: tens to hundreds of gap evaluations of hundreds of Krylov steps each, the map's eigenvalues
    /// clustering just below ρ; an application and one step of the recursion cost the same). Calibrated as upper bounds
    /// on the README's 1000 × 20 dataset under the empirical model (docs/cli.md#data-rate-commands), with the thick
    /// restart, on the quiet two-core machine: sgd 4.7 s (the estimate at 3·10⁵: 7.7 s), hb 638 s (at 3·10⁷: 770 s) —
    /// the search's many small Krylov solves cost more per application than one long recursion, so these counts are
    /// "applications at the recursion's price", not the solver's own count (sgd: 10568).
    /// The final-risk objective adds its local search's risk curves of T steps (<see cref="RiskCurvesPerTuning"/> of
    /// them); the iterations objective's curves run to the target, unknown beforehand, and are not counted.</summary>
    /// <param name="family">The tuned family.</param>
    /// <param name="objective">The tuning objective.</param>
    /// <param name="steps">The budget T of the final-risk objective.</param>
    /// <returns>The number of applications of the map to budget for one tuning.</returns>
    public static long TuneApplications(MethodFamily family, TuneObjective objective = TuneObjective.Gap, long? steps = null)
    {
        long gap = family switch
        {
            MethodFamily.Sgd => 300_000,
            MethodFamily.Asgd => 120_000_000,
            _ => 30_000_000,
        };
        return objective == TuneObjective.FinalRisk && steps is long t ? gap + RiskCurvesPerTuning * t : gap;
    }

    /// <summary>
    /// Steps the iterations objective's risk curves may each need (for the cost estimate; docs/cli.md#data-rate-commands):
    /// 1.5·ln(L₀/ε)/γ + 64, capped at the step limit, with γ the gap of the family tuned on the gaussian view of the data
    /// (the secular equation: milliseconds) — the curves of about <see cref="RiskCurvesPerTuning"/> trial settings run
    /// to ε, so a target far below L₀ makes every one of them long.
    /// </summary>
    /// <param name="problem">The data, batch and start.</param>
    /// <param name="family">The tuned family.</param>
    /// <param name="target">ε.</param>
    /// <param name="maxSteps">The step limit of one curve.</param>
    /// <param name="kurtosis">m4 of the gaussian view.</param>
    public static double IterationsCurveSteps(DataProblem problem, MethodFamily family, double target, long maxSteps, double kurtosis)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var guide = Tuner.Tune(DataRisk.GaussianProblem(problem.Homogeneous(), kurtosis), family);
        double l0 = DataRisk.Trajectory(problem, guide.Method, 0, MomentModel.Gaussian, kurtosis)[0];
        if (!(l0 > target)) return 0;
        double steps = 1.5 * Math.Log(l0 / target) / Math.Max(guide.Gap, 1e-300) + 64;
        return Math.Min(maxSteps, steps);
    }

    /// <summary>Risk curves the final-risk objective's local search evaluates, at most roughly (for the cost estimate).</summary>
    public const long RiskCurvesPerTuning = 200;

    private readonly double _kurtosis;

    private DataRates(DataProblem problem, MomentModel model, double kurtosis)
    {
        Problem = problem;
        Model = model;
        _kurtosis = kurtosis;
    }

    /// <summary>The rate model of <paramref name="problem"/> under <paramref name="model"/>: for the gaussian model the
    /// spectral problem on the data's eigenvalues (<see cref="DataRisk.GaussianProblem"/>, solved by the secular
    /// equation), otherwise the Perron root of the model's map.</summary>
    /// <param name="problem">The data and batch.</param>
    /// <param name="model">The fourth-moment model.</param>
    /// <param name="kurtosis">m4 of the gaussian model (ignored by the others).</param>
    public static IRateModel For(DataProblem problem, MomentModel model, double kurtosis = 3)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return model == MomentModel.Gaussian
            ? new SpectralRates(DataRisk.GaussianProblem(problem, kurtosis))
            : new DataRates(problem, model, kurtosis);
    }

    /// <summary>The data and batch.</summary>
    public DataProblem Problem { get; }

    /// <summary>The fourth-moment model (matrix or empirical).</summary>
    public MomentModel Model { get; }

    /// <inheritdoc/>
    public double Batch => Problem.Batch;

    /// <inheritdoc/>
    public double MaxEigenvalue => Problem.Data.Eigenvalues[0];

    /// <inheritdoc/>
    public double MinEigenvalue => Problem.Data.Eigenvalues[^1];

    /// <inheritdoc/>
    public IRateModel WithBatch(double batch) => new DataRates(Problem.WithRealBatch(batch), Model, _kurtosis);

    /// <inheritdoc/>
    public GapResult Gap(LinearMethod method) => DataRate.Compute(Problem, method, Model, _kurtosis).ToGapResult();

    /// <inheritdoc/>
    public IGapSearch Search() => new Searcher(this);

    /// <inheritdoc/>
    public IterationsResult Iterations(LinearMethod method, double target, long maxSteps) =>
        DataRisk.Iterations(Problem, method, Model, target, maxSteps, _kurtosis);

    /// <inheritdoc/>
    public (double Initial, Func<double> Next) Curve(LinearMethod method, long horizon)
    {
        if (Model == MomentModel.Matrix)
        {
            var state = new MatrixMoments(Problem, method);
            return (state.Risk, () => { state.Step(); return state.Risk; });
        }
        var empirical = new EmpiricalMoments(Problem, method);
        return (empirical.Risk, () => { empirical.Step(); return empirical.Risk; });
    }

    /// <inheritdoc/>
    public double FinalRisk(LinearMethod method, long steps)
    {
        var (risk, next) = Curve(method, steps);
        for (long t = 1; t <= steps && double.IsFinite(risk); t++) risk = next();
        return double.IsFinite(risk) ? risk : double.PositiveInfinity;
    }

    private sealed class Searcher(DataRates rates) : IGapSearch
    {
        private double[]? _warm;

        public double Gap(LinearMethod method, double hint)
        {
            var r = DataRate.Compute(rates.Problem, method, rates.Model, rates._kurtosis, SearchTolerance, _warm, floor: SearchFloor);
            if (double.IsFinite(r.Rho)) _warm = r.Vector;
            // beyond ρ = 2 the value only has to be negative (as the spectral search's −1)
            return Math.Max(r.Gap, -1);
        }

        public double StabilityResidual(LinearMethod method) => Gap(method, double.NaN);
    }
}
