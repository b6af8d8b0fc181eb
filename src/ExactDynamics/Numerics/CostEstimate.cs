using System.Globalization;

namespace ExactDynamics.Numerics;

/// <summary>
/// One cost model for every long computation (docs/math.md#cost-estimate): a rough time and memory for each exact path
/// and for the Monte Carlo simulator, checked before any work starts. A computation estimated above
/// <see cref="RefuseSeconds"/>, or needing more memory than the process may use, is refused with the estimate and
/// what to use instead; one above <see cref="NoteSeconds"/> is announced. The constants were measured on the
/// development machine (one core: about 0.5 ns per direction-step of the fused SGD pass, 1.5 ns for k = 2, ~1 ns per
/// flop of the dense k &gt; 2 solves); only their order of magnitude matters.
/// </summary>
public static class CostEstimate
{
    /// <summary>Work estimated above this many seconds is refused (a few minutes).</summary>
    public const double RefuseSeconds = 300;

    /// <summary>Work estimated above this many seconds is announced on stderr.</summary>
    public const double NoteSeconds = 10;

    /// <summary>Cores the parallel passes can use (chunks of 8192 directions, from 3·8192 directions).</summary>
    internal static double Speedup(int d) => d >= 3 * 8192 ? Math.Max(1, Math.Min(Environment.ProcessorCount, d / 8192.0)) * 0.5 + 0.5 : 1;

    /// <summary>Seconds for one step of the fused second-moment pass over d directions with k states: ~0.5 ns per
    /// direction for k = 1, 1.5 ns for k = 2, 4 ns for k = 3 (the vectorised three-state kernel), the k×k congruence (≈ 2k³
    /// flops at ~0.5 ns) beyond, plus ~1 µs per step.</summary>
    public static double StepSeconds(int k, int d)
    {
        double perDirection = k == 1 ? 0.5 : k == 2 ? 1.5 : k == 3 ? 4.0 : Math.Max(1.5 * k * k / 4.0, k * (double)k * k);
        return d * perDirection * 1e-9 / Speedup(d) + 1e-6;
    }

    /// <summary>Seconds to step the exact recursion <paramref name="steps"/> times.</summary>
    public static double SteppingSeconds(int k, int d, double steps) => steps * StepSeconds(k, d);

    /// <summary>Seconds for a contraction-gap solve: the vectorised closed-form resolvents for k ≤ 2 (~100 passes of
    /// ~3 ns per direction); for k &gt; 2 two dense m×m solves per direction (m = k(k+1)/2, ≈ (4/3)m³ flops) a few
    /// times over.</summary>
    public static double GapSeconds(int k, int d)
    {
        if (k <= 2) return 100 * d * 3e-9 / Speedup(d) + 1e-3;
        double m = k * (k + 1) / 2.0;
        return 3 * d * (4.0 / 3.0) * m * m * m * 1e-9 + 1e-3;
    }

    /// <summary>Bytes of the per-direction scratch of a gap solve for k &gt; 2 (two m×m matrices).</summary>
    public static double GapBytes(int k)
    {
        if (k <= 2) return 0;
        double m = k * (k + 1) / 2.0;
        return 2 * m * m * 8;
    }

    /// <summary>Bytes of the fused pass: k(k+1)/2 blocks of d doubles, plus the eigenvalues and initial moments.</summary>
    public static double RecursionBytes(int k, int d) => (k * (k + 1) / 2.0 + 3) * d * 8.0;

    /// <summary>Seconds of the exact spectral SGD path (the secular roots: d Newton solves over d terms, ~30 ns each).</summary>
    public static double SpectralSgdSeconds(int d) => (double)d * d * 30e-9 + 1e-3;

    /// <summary>Seconds of a Monte Carlo simulation: per run and step, B samples of d Gaussian coordinates (~4 ns each)
    /// and k state updates of d coordinates, spread over the cores.</summary>
    public static double SimulationSeconds(int k, int d, double batch, double steps, double runs) =>
        runs * steps * d * (4e-9 * batch + 1e-9 * k) / Math.Max(1, Environment.ProcessorCount) + 1e-3;

    /// <summary>The memory this process may use (the GC's limit: the container's or the machine's).</summary>
    public static double AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Refuses work estimated above <see cref="RefuseSeconds"/> with one sentence: what, the estimate, and what to use
    /// instead; hands a note to <paramref name="note"/> when it is above <see cref="NoteSeconds"/>.
    /// </summary>
    /// <param name="seconds">The estimate.</param>
    /// <param name="what">The computation, e.g. "the exact risk of hb:lr=0.5,beta=0.6 to t = 10¹² at d = 200".</param>
    /// <param name="instead">What to do instead (a clause), e.g. "use 'exactdyn gap' for the rate".</param>
    /// <param name="note">Receives the announcement of a long computation (null: none).</param>
    public static void Require(double seconds, string what, string instead, Action<string>? note = null)
    {
        if (!(seconds <= RefuseSeconds))
            throw new InvalidInputException($"{Capitalise(what)} would take about {Duration(seconds)} (more than {RefuseSeconds:F0} s); {instead}.");
        if (seconds > NoteSeconds) note?.Invoke($"{what} will take about {Duration(seconds)}");
    }

    /// <summary>Refuses an allocation of <paramref name="bytes"/> that the process cannot hold (above 80% of
    /// <see cref="AvailableBytes"/>), with the memory it would need.</summary>
    public static void RequireMemory(double bytes, string what)
    {
        double available = AvailableBytes;
        if (!(bytes <= 0.8 * available))
            throw new InvalidInputException($"{Capitalise(what)} would need about {Bytes(bytes)} of memory, but only {Bytes(available)} is available; use a smaller problem.");
    }

    /// <summary>A duration for people: "40 s", "3.2 h", "27 days", "3e+05 years".</summary>
    public static string Duration(double seconds)
    {
        var c = CultureInfo.InvariantCulture;
        if (!double.IsFinite(seconds)) return "forever";
        if (seconds < 120) return seconds.ToString("G2", c) + " s";
        if (seconds < 7200) return (seconds / 60).ToString("G2", c) + " min";
        if (seconds < 2 * 86400) return (seconds / 3600).ToString("G2", c) + " h";
        if (seconds < 2 * 365.25 * 86400) return (seconds / 86400).ToString("G2", c) + " days";
        return (seconds / (365.25 * 86400)).ToString("G2", c) + " years";
    }

    /// <summary>A size for people: "12 MB", "8 GB", "2e+05 TB".</summary>
    public static string Bytes(double bytes)
    {
        var c = CultureInfo.InvariantCulture;
        if (!double.IsFinite(bytes)) return "unbounded";
        if (bytes < 1e6) return (bytes / 1e3).ToString("G2", c) + " kB";
        if (bytes < 1e9) return (bytes / 1e6).ToString("G3", c) + " MB";
        if (bytes < 1e12) return (bytes / 1e9).ToString("G3", c) + " GB";
        return (bytes / 1e12).ToString("G3", c) + " TB";
    }


    /// <summary>Refuses a contraction-gap solve that would take more than a few minutes or more memory than there is
    /// (the general k-state path costs O(d·k⁶) time and O(k⁴) memory).</summary>
    public static void RequireGap(int k, int d, string spec, Action<string>? note = null)
    {
        RequireMemory(GapBytes(k), $"the contraction gap of {spec} (k = {k} states)");
        Require(GapSeconds(k, d), $"the contraction gap of {spec} (k = {k} states) at d = {d}",
            "a method with fewer states, or a smaller (e.g. binned) spectrum", note);
    }

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
