using ExactDynamics.Methods;

namespace ExactDynamics.Data;

/// <summary>
/// The stability edge on a dataset (docs/math.md#the-stability-edge-on-data): the asymptotic rate ρ of a method is the
/// Perron root of the homogeneous second-moment map of the chosen fourth-moment model, computed by
/// <see cref="DataRate"/> (the secular equation for the gaussian model; matrix-free restarted Arnoldi on the map for the
/// matrix and empirical models, docs/math.md#data-rates). The largest stable learning rate is found by bracketing and
/// bisection on ρ(η) = 1 to a stated relative tolerance.
/// </summary>
public static class StabilityEdge
{
    /// <summary>ρ of <paramref name="method"/> on the problem's data and batch under <paramref name="model"/>
    /// (<see cref="DataRate.Compute"/>; +∞ beyond the double range).</summary>
    public static double Rate(DataProblem problem, LinearMethod method, MomentModel model, double kurtosis = 3) =>
        DataRate.Compute(problem, method, model, kurtosis).Rho;

    /// <summary>
    /// The largest η with ρ(family(η)) &lt; 1, to relative precision <paramref name="tolerance"/>, starting from
    /// <paramref name="guess"/> (e.g. 2/(λ_max + tr H / B) for SGD). Returns +∞ if no edge is found below 2⁶⁰·guess.
    /// </summary>
    public static double LargestStableLearningRate(DataProblem problem, Func<double, LinearMethod> family, MomentModel model,
        double guess, double kurtosis = 3, double tolerance = 0.01)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(family);
        if (!(guess > 0) || !double.IsFinite(guess)) throw new InvalidInputException($"The starting learning rate {guess} must be a positive finite number.");
        bool Stable(double lr) => Rate(problem, family(lr), model, kurtosis) < 1;
        double lo, hi;
        if (Stable(guess))
        {
            lo = guess; hi = 2 * guess;
            int n = 0;
            while (Stable(hi)) { lo = hi; hi *= 2; if (++n > 60) return double.PositiveInfinity; }
        }
        else
        {
            hi = guess; lo = guess / 2;
            int n = 0;
            while (!Stable(lo)) { hi = lo; lo /= 2; if (++n > 60) return 0; }
        }
        while (hi / lo > 1 + tolerance)
        {
            double mid = Math.Sqrt(lo * hi);
            if (Stable(mid)) lo = mid; else hi = mid;
        }
        return lo;
    }
}
