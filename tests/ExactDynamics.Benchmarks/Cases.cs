using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Benchmarks;

/// <summary>The benchmark problems: power-law spectra λ_i = i^(−a), Gaussian data, convergent settings.</summary>
public static class Cases
{
    public static LinearMethod Method(string name) => name switch
    {
        "sgd" => Sgd.Create(0.5),
        "hb" => HeavyBall.Create(0.05, 0.9),
        "nesterov" => Nesterov.Create(0.05, 0.9),
        "asgd" => Asgd.Create(0.3, 50, 5),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The risk problem: λ_i = 1/i, B = 16 (tr H ≈ 14.4 at d = 10⁶).</summary>
    public static Problem Risk(int d) => new(Spectrum.PowerLaw(1, d), batch: 16);

    /// <summary>The gap problem: λ_i = i^(−1.5), B = 8.</summary>
    public static Problem Gap(int d) => new(Spectrum.PowerLaw(1.5, d), batch: 8);
}
