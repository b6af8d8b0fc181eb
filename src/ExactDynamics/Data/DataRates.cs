using ExactDynamics.Methods;
using ExactDynamics.Spectral;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Data;

/// <summary>
/// A dataset at one batch size under a fourth-moment model as an <see cref="IRateModel"/> (docs/math.md#data-rates):
/// the library's one tuner, critical batch and sweep run on the model's own rate <see cref="DataRate"/>, so every
/// method they try and return is inside the model's stability region (for the empirical model, the data's own edge).
/// The search evaluates gaps to relative accuracy <see cref="SearchTolerance"/> (or ρ to <see cref="SearchFloor"/>), each Krylov solve warm-started from
/// the previous Perron vector; reported gaps have <see cref="DataRate.DefaultTolerance"/>.
/// </summary>
public sealed class DataRates : IRateModel
{
    /// <summary>Relative accuracy of the gaps inside the tuner's search.</summary>
    public const double SearchTolerance = 1e-7;

    /// <summary>Residual accepted relative to ρ inside the search, whatever the gap (it locates the edge ρ = 1 to about this).</summary>
    public const double SearchFloor = 1e-10;

    /// <summary>Applications of the data model's map one tuning of <paramref name="family"/> takes, at most roughly (for
    /// the cost estimate: tens to hundreds of gap evaluations of hundreds to thousands of Krylov steps each, the map's
    /// eigenvalues clustering just below ρ). Calibrated on the README's 1000 × 20 dataset under the empirical model:
    /// sgd took 8 s (≈ 1.8·10⁵ applications' worth), hb over 200 s (≈ 4·10⁶); the estimates are upper bounds
    /// (docs/cli.md#data-rate-commands).</summary>
    /// <param name="family">The tuned family.</param>
    /// <returns>The number of applications of the map to budget for one tuning.</returns>
    public static long TuneApplications(MethodFamily family) => family switch
    {
        MethodFamily.Sgd => 200_000,
        MethodFamily.Asgd => 20_000_000,
        _ => 5_000_000,
    };

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
