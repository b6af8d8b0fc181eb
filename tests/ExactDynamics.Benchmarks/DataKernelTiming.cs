using System.Diagnostics;
using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// <c>data-kernels N D [REPEATS]</c>: the achieved multiply-add rate of each O(n d²) pass of one empirical-model step
/// (BENCHMARKS.md#empirical-model-kernels) — the quadratic forms q_i = x_iᵀQx_i, the weighted Gram matrix
/// F = Σ w_i x_i x_iᵀ, and the whole step (the rest = step − passes) — on random data, with 1 and 2 threads, as the
/// minimum wall time and the minimum CPU time over repeats. The rate counts the useful n d²/2 multiply-adds of
/// each pass (d(d+1)/2 per row), not the padded ones the kernels execute.
/// </summary>
internal static class DataKernelTiming
{
    public static void Run(int n, int d, int repeats, bool blocked = true)
    {
        var rng = new Random(1);
        var values = new double[n * d];
        for (int i = 0; i < values.Length; i++) values[i] = rng.NextDouble() * 2 - 1 + (i % d == 0 ? 0.3 : 0);
        var target = new double[n];
        for (int i = 0; i < n; i++) target[i] = rng.NextDouble();
        var sw = Stopwatch.StartNew();
        var data = DataSet.Analyse(new DataMatrix(n, d, values), target);
        Console.WriteLine($"n = {n}, d = {d}: analysed in {sw.Elapsed.TotalSeconds:F1} s; useful multiply-adds per pass n·d(d+1)/2 = {n * (d * (d + 1) / 2.0):E3}");
        var problem = new DataProblem(data, 8, data.InitialError(), null);
        double useful = n * (d * (d + 1) / 2.0);
        foreach (int threads in new[] { 1, 2 })
        {
            var options = new ExecutionOptions(threads);
            foreach (var kernels in new[] { DataKernelSet.Blocked, DataKernelSet.Tiled })
            {
                if (kernels == DataKernelSet.Blocked && !blocked) continue;
                var state = new EmpiricalMoments(problem, Sgd.Create(0.0005), options, kernels);
                state.Step(); // JIT
                var (stepWall, stepCpu) = Min(repeats, state.Step);
                var (qWall, qCpu) = Min(repeats, state.FormsPass);
                var (fWall, fCpu) = Min(repeats, state.GramPass);
                double rest = stepWall - qWall - fWall;
                Console.WriteLine($"threads {threads}, {kernels} kernels (risk after {state.Time} steps {state.Risk:R}):");
                Console.WriteLine($"  q pass   {qWall * 1e3,8:F2} ms (cpu {qCpu * 1e3,8:F2} ms)  {useful / qWall / 1e9,6:F2} GFMA/s");
                Console.WriteLine($"  F pass   {fWall * 1e3,8:F2} ms (cpu {fCpu * 1e3,8:F2} ms)  {useful / fWall / 1e9,6:F2} GFMA/s");
                Console.WriteLine($"  step     {stepWall * 1e3,8:F2} ms (cpu {stepCpu * 1e3,8:F2} ms)  {2 * useful / stepWall / 1e9,6:F2} GFMA/s overall; rest {rest * 1e3:F2} ms");
                Console.WriteLine($"  estimate {EmpiricalMoments.EstimatedSeconds(n, d, 1, 1, options) * 1e3,8:F2} ms a step (the cost model)");
            }
        }
    }

    private static (double Wall, double Cpu) Min(int repeats, Action f)
    {
        double best = double.MaxValue, cpuOfBest = double.MaxValue;
        var p = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            p.Refresh();
            var cpu0 = p.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            f();
            double wall = sw.Elapsed.TotalSeconds;
            p.Refresh();
            best = Math.Min(best, wall);
            cpuOfBest = Math.Min(cpuOfBest, (p.TotalProcessorTime - cpu0).TotalSeconds);
        }
        return (best, cpuOfBest);
    }
}
