using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

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

    /// <summary>
    /// The stability of a tuned method on data: the largest stable learning rate along its shape (the other
    /// hyperparameters fixed) under the gaussian model and, when <paramref name="withEmpirical"/>, under the empirical
    /// model, and the empirical ρ of the method itself when it was tuned under another model. A tuning under the
    /// gaussian or matrix model can land beyond the data's own edge; the empirical ρ says whether it does.
    /// </summary>
    /// <param name="problem">The data and batch.</param>
    /// <param name="family">The tuned family.</param>
    /// <param name="parameters">Its tuned hyperparameters (names of <see cref="MethodFamilies.ParameterNames"/>).</param>
    /// <param name="tunedUnder">The model the tuning used.</param>
    /// <param name="kurtosis">m4 of the gaussian model.</param>
    /// <param name="withEmpirical">Whether to run the empirical model (O(n d²) per application of its map).</param>
    /// <param name="modifiers">The EMA and weight decay the tuning put on the family (their values in <paramref name="parameters"/> as <c>ema</c>, <c>wd</c>); null for none.</param>
    public static TunedStability OfTuned(DataProblem problem, MethodFamily family, IReadOnlyDictionary<string, double> parameters,
        MomentModel tunedUnder, double kurtosis, bool withEmpirical, TuneModifiers? modifiers = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(parameters);
        double lr = parameters["lr"];
        LinearMethod Along(double x)
        {
            var p = new Dictionary<string, double>(parameters) { ["lr"] = x };
            if (family == MethodFamily.Asgd) p["small"] = MethodFamilies.AsgdSmall;
            var m = family.Create(p);
            return modifiers is null || modifiers.IsNone ? m : modifiers.Apply(m, p.GetValueOrDefault("ema"), p.GetValueOrDefault("wd"));
        }
        double gaussian = LargestStableLearningRate(problem, Along, MomentModel.Gaussian, lr, kurtosis);
        double? empirical = null, rho = null;
        if (withEmpirical)
        {
            empirical = LargestStableLearningRate(problem, Along, MomentModel.Empirical, lr, kurtosis);
            if (tunedUnder != MomentModel.Empirical) rho = Rate(problem, Along(lr), MomentModel.Empirical, kurtosis);
        }
        return new TunedStability(gaussian, empirical, rho);
    }
}

/// <summary>The stability of a tuned method on data (<see cref="StabilityEdge.OfTuned"/>).</summary>
/// <param name="GaussianEdge">The largest stable learning rate along the tuned shape under the gaussian model (1% relative).</param>
/// <param name="EmpiricalEdge">The same under the empirical model (the data's own edge); null when not computed.</param>
/// <param name="EmpiricalRho">ρ of the tuned method under the empirical model, when it was tuned under another model; null otherwise.</param>
public sealed record TunedStability(double GaussianEdge, double? EmpiricalEdge, double? EmpiricalRho)
{
    /// <summary>Whether the tuned method converges on the data (empirical ρ &lt; 1); null when not computed.</summary>
    public bool? StableOnData => EmpiricalRho is double r ? r < 1 : null;

    /// <summary>How far the gaussian edge lies beyond the data's (gaussian / empirical); null when not computed.</summary>
    public double? GaussianOverEmpirical => EmpiricalEdge is double e && e > 0 ? GaussianEdge / e : null;
}
