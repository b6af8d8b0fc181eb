using System.Diagnostics;
using BenchmarkDotNet.Running;
using ExactDynamics.Dynamics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet switcher; or <c>scale risk|fused|gap|tune|tune-asgd D</c>: one timed run at dimension D in a fresh process,
    /// printing the wall time and the peak working set (the d = 10⁷ scale check of BENCHMARKS.md); or
    /// <c>tune-profile|critical-profile|local-profile D</c>: the tuner's counts and timings (BENCHMARKS.md §6).
    /// </summary>
    public static void Main(string[] args)
    {
        if (args.Length >= 3 && args[0] == "scale")
        {
            Scale(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        // profiles of the tuner (plain timings, not BenchmarkDotNet): per-tuning counts, critical batch, local vs global
        Action<int>? profile = args.Length >= 2 ? args[0] switch
        {
            "tune-profile" => TuneProfile.Run,
            "critical-profile" => CriticalProfile.Run,
            "local-profile" => LocalProfile.Run,
            "tune-timing" => TuneTiming.Run,
            "eval-profile" => EvalProfile.Run,
            _ => null,
        } : null;
        if (profile is not null)
        {
            profile(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void Scale(string what, int d)
    {
        var sw = Stopwatch.StartNew();
        var problem = Cases.Risk(d);
        double build = sw.Elapsed.TotalSeconds;
        var method = Cases.Method("hb");
        sw.Restart();
        string result = what switch
        {
            "risk" => $"risk T=100 (auto): L_100 = {RiskRecursion.Run(problem, method, 100, 10).Risk[^1]:R}",
            "fused" => $"risk T=100 (fused): L_100 = {RiskRecursion.Run(problem, method, 100, 10, new ExecutionOptions(Algorithm: RiskAlgorithm.Fused)).Risk[^1]:R}",
            "gap" => $"gap: {ContractionGap.Compute(problem, method).Gap:R}",
            "tune" => $"tune hb at B = 16: {Tradeoffs.Tuner.Tune(problem, Tradeoffs.MethodFamily.HeavyBall).Spec}",
            "tune-asgd" => $"tune asgd at B = 16: {Tradeoffs.Tuner.Tune(problem, Tradeoffs.MethodFamily.Asgd).Spec}",
            _ => throw new ArgumentException("scale risk|fused|gap|tune|tune-asgd D"),
        };
        double run = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"d = {d}, hb: {result}; problem built in {build:F2} s, computed in {run:F2} s (first call, JIT included); " +
                          $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
    }
}
