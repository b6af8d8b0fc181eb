using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Targets;

namespace ExactDynamics.Tradeoffs;

/// <summary>The spectral problem's exact risk for the tuner's iterations and final-risk objectives (docs/math.md#tuning):
/// the library's one recursion (<see cref="SecondMoments"/>, <see cref="RiskRecursion"/>) and <see cref="IterationsToTarget"/>.</summary>
public sealed partial class SpectralRates : IRiskModel
{
    /// <inheritdoc/>
    public IterationsResult Iterations(LinearMethod method, double target, long maxSteps) =>
        IterationsToTarget.Compute(Problem, method, target, maxSteps);

    /// <inheritdoc/>
    /// <remarks>The whole trajectory to the horizon by the renewal form where that is faster, else (and beyond it) by stepping.</remarks>
    public (double Initial, Func<double> Next) Curve(LinearMethod method, long horizon)
    {
        var state = new SecondMoments(Problem, method);
        double[]? curve = RiskRecursion.RenewalTrajectory(Problem, method, horizon);
        long t = 0;
        return (state.Risk, () =>
        {
            t++;
            if (curve is not null && t < curve.Length) return curve[t];
            while (state.Time < t) state.Step();
            return state.Risk;
        });
    }

    /// <inheritdoc/>
    public double FinalRisk(LinearMethod method, long steps) => ModifiedTuning.FinalRisk(Problem, method, steps);
}
