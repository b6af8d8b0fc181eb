using System.Diagnostics;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Schedules;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// <c>tail D T</c>: one timed run each (fresh process, both cores, JIT warmed by a tiny run) of heavy ball's risk curve to T
/// at dimension D without averaging (fused pass and the automatic path), and with <c>average=tail:0.5</c> at every
/// step, at 10 chosen steps, and at T alone (docs/math.md#tail-averaging: one second-moment pass plus the blocks'
/// mean-map sweeps).
/// </summary>
internal static class TailTiming
{
    public static void Run(int d, int steps)
    {
        var problem = Cases.Risk(d);
        var noisy = new Problem(problem.Spectrum, null, problem.Batch, 3, 1e-3);
        var template = MethodTemplate.HeavyBall(0.05, 0.9);
        var tail = new ScheduledMethod(template.With(new MethodModifiers(TailFraction: 0.5)));
        var small = new Problem(ExactDynamics.Spectra.Spectrum.PowerLaw(1, 8), null, 16, 3, 1e-3);
        RiskRecursion.Trajectory(small, tail, 50); // JIT
        RiskRecursion.Trajectory(small, template.Base, 50, new ExecutionOptions(2, RiskAlgorithm.Fused));
        double Time(Func<double> f, out double value)
        {
            var sw = Stopwatch.StartNew();
            value = f();
            return sw.Elapsed.TotalSeconds;
        }
        double fused = Time(() => RiskRecursion.Trajectory(noisy, template.Base, steps, new ExecutionOptions(2, RiskAlgorithm.Fused))[steps], out var lf);
        double auto = Time(() => RiskRecursion.Trajectory(noisy, template.Base, steps)[steps], out _);
        double every = Time(() => RiskRecursion.Trajectory(noisy, tail, steps)[steps], out var lt);
        var at = Enumerable.Range(1, 10).Select(j => (long)steps * j / 10).ToArray();
        double chosen = Time(() => RiskRecursion.At(noisy, tail, at).Risk[^1], out _);
        double final = Time(() => RiskRecursion.FinalRisk(noisy, tail, steps), out _);
        Console.WriteLine($"d = {d}, T = {steps}, hb:lr=0.05,beta=0.9, B = 16, σ² = 1e-3 (L_T = {lf:G6}, tail-averaged {lt:G6}):");
        Console.WriteLine($"  no average: fused pass {fused:F3} s, automatic path {auto:F3} s");
        Console.WriteLine($"  average=tail:0.5 at every step {every:F3} s ({every / fused:F2}× the fused pass), at 10 chosen steps {chosen:F3} s, at T only {final:F3} s");
        // the sweeps' SIMD kernels against the scalar reference kernels, the whole curve to T, in this one run
        var all = Enumerable.Range(0, steps + 1).Select(t => (long)t).ToArray();
        TailAverage.At(small, tail, all.Take(51), vectorBits: -1); // JIT
        // alternated, twice each (the first of each pays for tiered compilation); the second of each is reported
        double scalar = 0, simd = 0, ls = 0, lv = 0;
        for (int rep = 0; rep < 2; rep++)
        {
            scalar = Time(() => TailAverage.At(noisy, tail, all, vectorBits: -1).Risk[^1], out ls);
            simd = Time(() => TailAverage.At(noisy, tail, all).Risk[^1], out lv);
        }
        Console.WriteLine($"  whole tail-averaged curve: scalar sweeps {scalar:F3} s, SIMD sweeps ({SimdWidth.Best} bits) {simd:F3} s (E L_T {ls:G15} and {lv:G15})");
        Console.WriteLine($"  peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
    }
}
