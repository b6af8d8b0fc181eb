using ExactDynamics.Methods;
using ExactDynamics.Spectral;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// A training problem at one batch size as the tuner sees it (docs/math.md#data-rates): the contraction gap 1 − ρ of
/// any method, for the search and exactly. <see cref="Tuner"/>, <see cref="CriticalBatch"/> and <see cref="BatchSweep"/>
/// run on it, so that one tuner serves the spectral <see cref="Problem"/> (<see cref="SpectralRates"/>) and a dataset
/// under a fourth-moment model (<c>ExactDynamics.Data.DataRates</c>).
/// </summary>
public interface IRateModel
{
    /// <summary>The batch size B ≥ 1 (possibly real).</summary>
    double Batch { get; }

    /// <summary>λ_max of H (the scale of the step sizes the search starts from).</summary>
    double MaxEigenvalue { get; }

    /// <summary>λ_min of H (with λ_max, the condition number κ that the momentum search's range starts from, and the B → ∞ limit of the tuned gap).</summary>
    double MinEigenvalue { get; }

    /// <summary>The same problem at another batch size.</summary>
    IRateModel WithBatch(double batch);

    /// <summary>The gap of <paramref name="method"/> as reported (the model's full accuracy).</summary>
    GapResult Gap(LinearMethod method);

    /// <summary>A fresh evaluator for one search (it may keep warm starts between its calls; not shared between threads).</summary>
    IGapSearch Search();
}

/// <summary>The gap as the tuner's search evaluates it (docs/math.md#tuning).</summary>
public interface IGapSearch
{
    /// <summary>γ = 1 − ρ of <paramref name="method"/> (non-positive when it diverges); <paramref name="hint"/> is the
    /// previous gap of a nearby method, or NaN.</summary>
    double Gap(LinearMethod method, double hint);

    /// <summary>A residual that is positive when <paramref name="method"/> is stable (ρ &lt; 1), non-positive when it
    /// diverges, and continuous across the stability boundary (the step size's edge is a root of it).</summary>
    double StabilityResidual(LinearMethod method);
}

/// <summary>The spectral <see cref="Problem"/> as an <see cref="IRateModel"/> (the secular-equation gap of <see cref="ContractionGap"/>).</summary>
/// <param name="problem">The problem.</param>
public sealed partial class SpectralRates(Problem problem) : IRateModel
{
    /// <summary>The problem.</summary>
    public Problem Problem { get; } = problem ?? throw new ArgumentNullException(nameof(problem));

    /// <inheritdoc/>
    public double Batch => Problem.Batch;

    /// <inheritdoc/>
    public double MaxEigenvalue => Problem.Spectrum.Max;

    /// <inheritdoc/>
    public double MinEigenvalue => Problem.Spectrum.Min;

    /// <inheritdoc/>
    public IRateModel WithBatch(double batch) => new SpectralRates(Problem.WithBatch(batch));

    /// <inheritdoc/>
    public GapResult Gap(LinearMethod method) => ContractionGap.Compute(Problem, method);

    /// <inheritdoc/>
    public IGapSearch Search() => new SearchGap(Problem);
}
