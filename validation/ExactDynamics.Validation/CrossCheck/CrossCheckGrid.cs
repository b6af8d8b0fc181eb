using ExactDynamics.Spectra;
using ExactDynamics.Validation.Sampling;

namespace ExactDynamics.Validation.CrossCheck;

/// <summary>
/// The cross-check grid: every method family × {Gaussian, Rademacher, heavy-tailed} × {σ² = 0, σ² &gt; 0}
/// × B ∈ {1, 7, 64} × {slow, fast power law}. Seeds are fixed and derived from the case's position in the grid.
/// </summary>
public static class CrossCheckGrid
{
    /// <summary>Dimension of the grid's spectra.</summary>
    public const int Dimension = 24;

    /// <summary>Steps simulated and the recording interval (41 recorded steps: t = 0, 2, …, 80).</summary>
    public const long Steps = 80, Every = 2;

    /// <summary>The label-noise variance of the σ² &gt; 0 half of the grid.</summary>
    public const double NoiseLevel = 0.5;

    /// <summary>The base seed of the grid.</summary>
    public const ulong Seed = 20240604;

    public static readonly int[] Batches = [1, 7, 64];

    public static readonly MethodFamily[] Families =
        [MethodFamily.Sgd, MethodFamily.HeavyBall, MethodFamily.Nesterov, MethodFamily.Asgd, MethodFamily.Torch, MethodFamily.TorchNesterov, MethodFamily.CustomEma];

    /// <summary>The three covariate laws: Gaussian (m4 = 3), Rademacher (m4 = 1), heavy-tailed Gaussian scale mixture (m4 = 6).</summary>
    public static CovariateDistribution[] Distributions() =>
        [CovariateDistribution.Gaussian, CovariateDistribution.Rademacher, new GaussianScaleMixture(6, 0.5)];

    /// <summary>Slow decay λ_i = i^{−1/2} and fast decay λ_i = i^{−2}, d = 24.</summary>
    public static (Spectrum Spectrum, string Label)[] Spectra() =>
    [
        (Spectrum.PowerLaw(0.5, Dimension), "slow powerlaw a=0.5,d=24"),
        (Spectrum.PowerLaw(2, Dimension), "fast powerlaw a=2,d=24"),
    ];

    /// <summary>All 7 × 3 × 2 × 3 × 2 = 252 cases, with <paramref name="runs"/> runs each.</summary>
    public static IReadOnlyList<CrossCheckCase> Full(int runs = 6000)
    {
        var list = new List<CrossCheckCase>();
        ulong index = 0;
        foreach (var family in Families)
            foreach (var dist in Distributions())
                foreach (var noise in new[] { 0.0, NoiseLevel })
                    foreach (var batch in Batches)
                        foreach (var (spectrum, label) in Spectra())
                            list.Add(CrossCheckCase.Create(family, spectrum, label, dist, noise, batch, Steps, Every, runs, Seed + 1000 * index++));
        return list;
    }
}
