using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;

namespace ExactDynamics.Tradeoffs;

/// <summary>One schedule with its best base learning rate.</summary>
/// <param name="Schedule">The learning-rate schedule (null = constant).</param>
/// <param name="BaseLr">The base learning rate with the lowest final risk.</param>
/// <param name="FinalRisk">E L_T at that base learning rate (exact).</param>
/// <param name="Evaluations">Exact runs the search took.</param>
public sealed record TunedSchedule(Schedule? Schedule, double BaseLr, double FinalRisk, int Evaluations)
{
    /// <summary>The schedule's spec string (<c>constant</c> for none).</summary>
    public string Name => Schedule?.Spec ?? "constant";
}

/// <summary>
/// Tunes a method's base learning rate for a learning-rate schedule to minimise the exact final risk E L_T after a
/// fixed number of steps: a log-spaced grid over [lo, hi], then a golden-section search in log lr between the grid
/// neighbours of the best point. Diverging or overflowing runs count as +∞.
/// </summary>
public static class ScheduleTuning
{
    /// <param name="problem">The problem (its batch is the base batch).</param>
    /// <param name="family">The method for a base learning rate (e.g. <c>lr => MethodTemplate.HeavyBall(lr, 0.9)</c>).</param>
    /// <param name="lrSchedule">The learning-rate schedule; null = constant.</param>
    /// <param name="steps">The budget T.</param>
    /// <param name="lo">Smallest base learning rate tried.</param>
    /// <param name="hi">Largest base learning rate tried.</param>
    /// <param name="grid">Grid points (≥ 3).</param>
    /// <param name="refine">Golden-section iterations after the grid.</param>
    /// <returns>The best base learning rate and its exact final risk E L_T.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">The budget, range or grid is out of range.</exception>
    public static TunedSchedule TuneBaseLr(Problem problem, Func<double, MethodTemplate> family, Schedule? lrSchedule, long steps,
        double lo, double hi, int grid = 32, int refine = 30)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return TuneBaseLr(m => RiskRecursion.FinalRisk(problem, m, steps), family, lrSchedule, steps, lo, hi, grid, refine);
    }

    /// <summary>As the public overload, scoring each run with <paramref name="finalRisk"/> (e.g. on a compressed spectrum).</summary>
    internal static TunedSchedule TuneBaseLr(Func<ScheduledMethod, double> finalRisk, Func<double, MethodTemplate> family, Schedule? lrSchedule,
        long steps, double lo, double hi, int grid = 32, int refine = 30)
    {
        ArgumentNullException.ThrowIfNull(finalRisk);
        ArgumentNullException.ThrowIfNull(family);
        if (!(lo > 0) || !(hi > lo) || !double.IsFinite(hi))
            throw new InvalidInputException($"The learning-rate search range [{lo}, {hi}] is not allowed; it needs 0 < lo < hi < ∞.");
        if (grid < 3) throw new InvalidInputException($"A grid of {grid} points is not allowed; use at least 3.");
        int evaluations = 0;
        double Objective(double logLr)
        {
            Interlocked.Increment(ref evaluations);
            double lr = Math.Exp(logLr);
            double r;
            try
            {
                r = finalRisk(new ScheduledMethod(family(lr), lrSchedule));
            }
            catch (InvalidInputException)
            {
                return double.PositiveInfinity;
            }
            return double.IsFinite(r) && r > 0 ? Math.Log(r) : r == 0 ? double.NegativeInfinity : double.PositiveInfinity;
        }

        double a = Math.Log(lo), b = Math.Log(hi), h = (b - a) / (grid - 1);
        var xs = Enumerable.Range(0, grid).Select(i => a + i * h).ToArray();
        var fs = new double[grid];
        Parallel.For(0, grid, i => fs[i] = Objective(xs[i]));
        int best = 0;
        for (int i = 1; i < grid; i++) if (fs[i] < fs[best]) best = i;
        if (double.IsPositiveInfinity(fs[best]))
            throw new InvalidInputException($"Every base learning rate in [{lo}, {hi}] diverges within {steps} steps; lower the range.");

        double left = xs[Math.Max(0, best - 1)], right = xs[Math.Min(grid - 1, best + 1)];
        double bestX = xs[best], bestF = fs[best];
        const double invPhi = 0.6180339887498949;
        double c = right - invPhi * (right - left), d = left + invPhi * (right - left);
        double fc = Objective(c), fd = Objective(d);
        for (int it = 0; it < refine; it++)
        {
            if (fc <= fd) { right = d; d = c; fd = fc; c = right - invPhi * (right - left); fc = Objective(c); }
            else { left = c; c = d; fc = fd; d = left + invPhi * (right - left); fd = Objective(d); }
        }
        if (fc < bestF) { bestF = fc; bestX = c; }
        if (fd < bestF) { bestF = fd; bestX = d; }
        return new TunedSchedule(lrSchedule, Math.Exp(bestX), Math.Exp(bestF), evaluations);
    }
}
