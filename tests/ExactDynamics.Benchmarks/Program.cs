using System.Diagnostics;
using BenchmarkDotNet.Running;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet switcher; or <c>scale risk|fused|gap|tune|tune-asgd D</c>: one timed run at dimension D in a fresh process,
    /// printing the wall time and the peak working set (the d = 10⁷ scale check of BENCHMARKS.md); or
    /// <c>tune-profile|critical-profile|local-profile D</c>: the tuner's counts and timings (BENCHMARKS.md#tuning).
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
        if (args.Length >= 4 && args[0] == "long")
        {
            Long(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        if (args.Length >= 3 && args[0] == "tail")
        {
            TailTiming.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        if (args.Length >= 1 && args[0] == "fma-peak")
        {
            FmaPeak.Run();
            return;
        }
        if (args.Length >= 3 && args[0] == "data-kernels")
        {
            DataKernelTiming.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
                args.Length >= 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5, args.Length < 5 || args[4] != "tiled");
            return;
        }
        if (args.Length >= 3 && args[0] == "ema")
        {
            EmaTiming.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
                args.Length >= 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5);
            return;
        }
        if (args.Length >= 5 && args[0] == "ema-phases")
        {
            EmaPhases.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
                args[3], int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        if (args.Length >= 2 && args[0] == "conv-direct")
        {
            ConvDirect(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary><c>long renewal|fused|auto D T</c>: one timed heavy-ball trajectory (both cores) in a fresh process, with
    /// the peak working set (BENCHMARKS.md#long-horizons).</summary>
    private static void Long(string what, int d, int steps)
    {
        var problem = Cases.Risk(d);
        var method = Cases.Method("hb");
        var alg = what switch { "renewal" => RiskAlgorithm.Volterra, "fused" => RiskAlgorithm.Fused, "auto" => RiskAlgorithm.Auto, _ => throw new ArgumentException("long renewal|fused|auto D T") };
        var sw = Stopwatch.StartNew();
        var r = RiskRecursion.Trajectory(problem, method, steps, new ExecutionOptions(2, alg));
        double run = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"d = {d}, T = {steps}, hb, {what}: L_T = {r[steps]:R}, L_T/2 = {r[steps / 2]:R}; {run:F2} s (JIT included); " +
                          $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
    }

    /// <summary><c>conv-direct T</c>: one timed direct O(T²) convolution (heavy ball, d = 10⁴), and the blocked one.</summary>
    private static void ConvDirect(int steps)
    {
        var problem = Cases.Risk(10_000);
        var seq = VolterraRisk.LocalSequences(problem, Cases.Method("hb"), steps, new ExecutionOptions(2))!;
        var sw = Stopwatch.StartNew();
        var blocked = new BlockedConvolution(seq, 1.0 / problem.Batch, problem.Noise, steps).Run()!;
        double tb = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var direct = VolterraRisk.SolveDirect(problem, seq, steps)!;
        double td = sw.Elapsed.TotalSeconds;
        double worst = 0;
        for (int t = 0; t <= steps; t++) worst = Math.Max(worst, Math.Abs(blocked[t] - direct[t]) / direct[t]);
        Console.WriteLine($"T = {steps}: direct {td:F2} s, blocked {tb:F3} s (first call, JIT included), ratio {td / tb:F0}; max relative deviation {worst:E2}");
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
            "tune" => $"tune hb at B = 16: {Tradeoffs.Tuner.Tune(problem, Methods.MethodFamily.HeavyBall).Spec}",
            "tune-asgd" => $"tune asgd at B = 16: {Tradeoffs.Tuner.Tune(problem, Methods.MethodFamily.Asgd).Spec}",
            _ => throw new ArgumentException("scale risk|fused|gap|tune|tune-asgd D"),
        };
        double run = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"d = {d}, hb: {result}; problem built in {build:F2} s, computed in {run:F2} s (first call, JIT included); " +
                          $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
    }
}
