using ExactDynamics.Methods;

namespace ExactDynamics.Data;

/// <summary>
/// The stability edge on a dataset (docs/math.md#the-stability-edge-on-data): the asymptotic rate ρ of a method is the
/// Perron root of the homogeneous second-moment map of the chosen fourth-moment model (for the empirical model, a
/// positive linear map on k×k blocks of d×d matrices). It is computed matrix-free by the power method: the map is run
/// from the isotropic start for 2h steps and ρ ≈ (L_{2h}/L_h)^{1/h} (the risk is a positive functional of the
/// iterate, so this is the power-method estimate; an overflow means ρ &gt; 1, an underflow ρ &lt; 1). The largest stable
/// learning rate is found by bracketing and bisection on ρ(η) = 1 to a stated relative tolerance.
/// </summary>
public static class StabilityEdge
{
    /// <summary>Default power-method half-horizon h.</summary>
    public const int DefaultHorizon = 300;

    /// <summary>ρ of <paramref name="method"/> on the problem's data and batch under <paramref name="model"/>
    /// (+∞ when the iterates overflow, 0 when they underflow).</summary>
    public static double Rate(DataProblem problem, LinearMethod method, MomentModel model, double kurtosis = 3, int horizon = DefaultHorizon)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (horizon < 1) throw new InvalidInputException($"The power-method horizon {horizon} is not allowed; it must be at least 1.");
        var r = DataRisk.Trajectory(problem.Homogeneous(), method, 2 * horizon, model, kurtosis);
        double a = r[horizon], b = r[2 * horizon];
        if (double.IsPositiveInfinity(b)) return double.PositiveInfinity;
        if (b == 0 || a == 0) return 0;
        return Math.Pow(b / a, 1.0 / horizon);
    }

    /// <summary>
    /// The largest η with ρ(family(η)) &lt; 1, to relative precision <paramref name="tolerance"/>, starting from
    /// <paramref name="guess"/> (e.g. 2/(λ_max + tr H / B) for SGD). Returns +∞ if no edge is found below 2⁶⁰·guess.
    /// </summary>
    public static double LargestStableLearningRate(DataProblem problem, Func<double, LinearMethod> family, MomentModel model,
        double guess, double kurtosis = 3, double tolerance = 0.01, int horizon = DefaultHorizon)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(family);
        if (!(guess > 0) || !double.IsFinite(guess)) throw new InvalidInputException($"The starting learning rate {guess} must be a positive finite number.");
        bool Stable(double lr) => Rate(problem, family(lr), model, kurtosis, horizon) < 1;
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
