using System.Globalization;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>risk --at t1,t2,…</c>: E L_t at chosen steps. One-state methods (SGD) use <see cref="SgdSpectralRisk"/> (exact
/// eigendecomposition, O(d) per t, any t) when that is cheaper than stepping; everything else computes the exact trajectory
/// up to the largest t (RiskRecursion: renewal form with the blocked FFT convolution, or the fused pass; up to 2·10⁶ steps)
/// or steps beyond that, refusing horizons estimated to take more than five minutes.
/// </summary>
internal static class RiskAt
{
    /// <summary>Up to this many steps the whole trajectory is computed by <see cref="RiskRecursion.Trajectory(Problem, LinearMethod, int)"/>.</summary>
    private const long WholeTrajectoryMaxSteps = 2_000_000;

    /// <summary>Stepping estimated to take longer than this is refused with a sentence.</summary>
    private const double MaxSeconds = CostEstimate.RefuseSeconds;

    private static InvalidInputException TooFar(LinearMethod method, int d, long max, double seconds) => new(
        $"--at {max} would take about {seconds:G2} s for {method.Spec} at d = {d} (the exact recursion runs to the largest t); far horizons without stepping are available for one-state methods (SGD) only — for {method.Spec} use 'exactdyn gap' (E L_t ∝ ρ^t) or a smaller t.");

    /// <summary>ln E L_t predicted by the Perron asymptotics ln C + t ln ρ (for choosing a path, not for output).</summary>
    private static double LogRiskAt(Problem problem, LinearMethod method, Spectral.GapResult gap, long t)
    {
        double c = Spectral.PerronPrefactor.Compute(problem, method, gap);
        return Math.Log(Math.Max(c, 1e-300)) + t * Math.Log(gap.Rho);
    }

    /// <summary>A rough time for stepping the fused pass: ~1.5 ns per direction-step for k = 2 (0.5 for k = 1, k² times
    /// that beyond), halved on two cores above 3·8192 directions, plus ~0.2 µs per step.</summary>
    internal static double EstimatedSeconds(int k, int d, long steps)
    {
        return CostEstimate.SteppingSeconds(k, d, steps);
    }

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

    /// <summary>E L_t at <paramref name="points"/> (sorted, distinct); <paramref name="progress"/> receives the steps done.</summary>
    public static RiskTrajectory Compute(Problem problem, LinearMethod method, long[] points, Action<long>? progress = null,
        Action<string>? note = null)
    {
        long max = points[^1];
        int d = problem.Spectrum.Dimension;
        // the spectral SGD formula costs O(d²) once and O(d) per t: take it when the shared cost model says it is cheaper
        // than the exact trajectory to the largest t
        bool spectral = method.K == 1 && CostEstimate.SpectralSgdSeconds(d) < CostEstimate.TrajectorySeconds(problem, method, max);
        if (spectral)
        {
            CostEstimate.Require(CostEstimate.SpectralSgdSeconds(d), $"the exact E L_t of {method.Spec} at d = {d} by the spectral SGD formula (O(d²))",
                "use a smaller (e.g. binned) spectrum, or 'exactdyn gap' for the rate", note);
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
        // Up to 2·10⁶ steps the whole trajectory by the renewal form (k ≤ 2, m4 ≥ 2; the blocked FFT convolution) when it
        // will hold: not for a divergent method (it overflows) nor when the risk falls below ~1e-200 before the horizon
        // (it underflows) — in both cases RiskRecursion would redo the work with the fused pass, so step that directly.
        var gap = Spectral.ContractionGap.Compute(problem, method);
        long effective = max;
        if (gap.Diverges)
        {
            // stepping stops where the risk overflows: about ln(10³⁰⁸/L₀)/ln ρ steps, twice that for the transient
            double lnRho = Math.Log(gap.Rho);
            if (lnRho > 0) effective = (long)Math.Min(max, 2 * (709 - Math.Log(Math.Max(problem.Spectrum.Trace, 1e-300))) / lnRho + 1000);
        }
        bool renewal = method.K <= 2 && problem.Kurtosis >= 2 && !gap.Diverges && max <= WholeTrajectoryMaxSteps
                       && (problem.Noise > 0 || LogRiskAt(problem, method, gap, max) > Math.Log(1e-190));
        double seconds = renewal ? Math.Min(EstimatedSeconds(method.K, d, max), d * (double)max * (method.K == 1 ? 0.15e-9 : 0.6e-9))
                                 : EstimatedSeconds(method.K, d, effective);
        if (seconds > MaxSeconds) throw TooFar(method, d, max, seconds);
        if (seconds > 10) note?.Invoke($"computing the exact E L_t of {method.Spec} to t = {max} at d = {d} (about {seconds:F0} s)");
        if (renewal)
        {
            var all = RiskRecursion.Trajectory(problem, method, (int)max);
            progress?.Invoke(max);
            var ts = new List<long>();
            var rs = new List<double>();
            foreach (var t in points)
            {
                if (!double.IsFinite(all[t])) return new RiskTrajectory(ts.ToArray(), rs.ToArray(), true);
                ts.Add(t); rs.Add(all[t]);
            }
            return new RiskTrajectory(ts.ToArray(), rs.ToArray(), false);
        }
        var state = new SecondMoments(problem, method);
        var outT = new List<long>();
        var outR = new List<double>();
        int next = 0;
        for (long t = 0; t <= max; t++)
        {
            if (t > 0) state.Step();
            if ((t & 0xFFFF) == 0 && t > 0) progress?.Invoke(t);
            if (!double.IsFinite(state.Risk)) return new RiskTrajectory(outT.ToArray(), outR.ToArray(), true);
            if (t == points[next]) { outT.Add(t); outR.Add(state.Risk); next++; if (next == points.Length) break; }
        }
        return new RiskTrajectory(outT.ToArray(), outR.ToArray(), false);
    }
}
