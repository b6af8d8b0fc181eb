using System.Globalization;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>risk --at t1,t2,…</c>: E L_t at chosen steps. One-state methods (SGD) use <see cref="SgdSpectralRisk"/> (exact
/// eigendecomposition, O(d) per t, any t) when that is cheaper than stepping; everything else steps the exact recursion.
/// </summary>
internal static class RiskAt
{
    /// <summary>Stepping beyond this many direction-steps is refused (minutes of work).</summary>
    private const double MaxDirectionSteps = 2e11;

    public static long[] ParseSteps(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new InvalidInputException("--at needs at least one step, e.g. --at 10,1000.");
        var steps = new SortedSet<long>();
        foreach (var p in parts)
        {
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < 0 || v != Math.Floor(v) || v > 9e18)
                throw new InvalidInputException($"--at value '{p}' is not allowed; steps must be whole numbers ≥ 0 (e.g. 1000 or 1e9).");
            steps.Add((long)v);
        }
        return steps.ToArray();
    }

    public static RiskTrajectory Compute(Problem problem, LinearMethod method, long[] points)
    {
        long max = points[^1];
        int d = problem.Spectrum.Dimension;
        bool spectral = method.K == 1 && (double)max * d > 4.0 * d * d;
        if (spectral)
        {
            var sgd = SgdSpectralRisk.Create(problem, method);
            var risks = new List<double>();
            var ts = new List<long>();
            foreach (var t in points)
            {
                double r = sgd.At(t);
                if (!double.IsFinite(r)) return new RiskTrajectory(ts.ToArray(), risks.ToArray(), true);
                ts.Add(t); risks.Add(r);
            }
            return new RiskTrajectory(ts.ToArray(), risks.ToArray(), false);
        }
        if ((double)max * d > MaxDirectionSteps)
            throw new InvalidInputException(
                $"--at {max} would step {method.Spec} {(double)max * d:G3} direction-steps; far horizons without stepping are available for one-state methods (SGD) only.");
        var state = new SecondMoments(problem, method);
        var outT = new List<long>();
        var outR = new List<double>();
        int next = 0;
        for (long t = 0; t <= max; t++)
        {
            if (t > 0) state.Step();
            if (!double.IsFinite(state.Risk)) return new RiskTrajectory(outT.ToArray(), outR.ToArray(), true);
            if (t == points[next]) { outT.Add(t); outR.Add(state.Risk); next++; if (next == points.Length) break; }
        }
        return new RiskTrajectory(outT.ToArray(), outR.ToArray(), false);
    }
}
