using ExactDynamics.Methods;
using ExactDynamics.Targets;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// A rate model that also gives the exact expected risk of a method from the problem's start (docs/math.md#data-rates):
/// what the tuner needs for the iterations-to-target and final-risk objectives. The spectral <see cref="Problem"/>
/// (<see cref="SpectralRates"/>) and a dataset under a fourth-moment model (<c>ExactDynamics.Data.DataRates</c>) provide
/// it, so that <see cref="Tuner"/> runs one search for both.
/// </summary>
public interface IRiskModel : IRateModel
{
    /// <summary>The exact iterations until E L_t ≤ <paramref name="target"/> (docs/math.md#iterations-to-target).</summary>
    /// <param name="method">The method.</param>
    /// <param name="target">ε &gt; 0.</param>
    /// <param name="maxSteps">The step limit.</param>
    IterationsResult Iterations(LinearMethod method, double target, long maxSteps);

    /// <summary>The exact risk curve of <paramref name="method"/>: E L_0, and a function that returns E L_1, E L_2, … on
    /// successive calls (+∞ once the risk overflows).</summary>
    /// <param name="method">The method.</param>
    /// <param name="horizon">The last step the caller expects to ask for (a hint: a model may compute the curve up to it at once).</param>
    (double Initial, Func<double> Next) Curve(LinearMethod method, long horizon);

    /// <summary>E L_T after <paramref name="steps"/> steps (+∞ when the risk overflows first).</summary>
    /// <param name="method">The method.</param>
    /// <param name="steps">T ≥ 1.</param>
    double FinalRisk(LinearMethod method, long steps);
}
