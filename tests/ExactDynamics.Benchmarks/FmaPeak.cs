using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// <c>fma-peak</c>: this core's clock and FMA-512 throughput (BENCHMARKS.md#empirical-model-kernels). One dependent
/// chain of 512-bit FMAs runs at one FMA per FMA latency (4 cycles on Intel cores since Skylake-X), so its rate gives the
/// clock under an AVX-512 load; 24 independent chains show the throughput, and throughput × latency / clock is the
/// number of FMA-512 ports (1 or 2). Minimum wall and CPU times over repeats (a shared machine only ever slows a run down; under load the CPU time is the
/// better measure).
/// </summary>
internal static class FmaPeak
{
    public static void Run()
    {
        if (!Avx512F.IsSupported)
        {
            Console.WriteLine("no AVX-512 on this machine");
            return;
        }
        const long iters = 50_000_000;
        Chain(1000); Throughput(1000); // JIT
        double chain = double.MaxValue, thru = double.MaxValue, cpuChain = double.MaxValue, cpuThru = double.MaxValue;
        for (int r = 0; r < 7; r++)
        {
            var (w, c) = Time(() => Chain(iters));
            chain = Math.Min(chain, w); cpuChain = Math.Min(cpuChain, c);
            (w, c) = Time(() => Throughput(iters / 4));
            thru = Math.Min(thru, w); cpuThru = Math.Min(cpuThru, c);
        }
        double latencyNs = chain / (8.0 * iters) * 1e9;           // 8 dependent FMAs per iteration
        double clock4 = 4 / latencyNs;                              // GHz if the latency is 4 cycles
        double fmaPerNs = 24.0 * (iters / 4) / thru / 1e9;          // vector FMAs per ns
        Console.WriteLine($"dependent FMA-512 chain: {latencyNs:F3} ns per FMA (wall {chain:F3} s, cpu {cpuChain:F3} s) → clock {clock4:F2} GHz at 4-cycle latency");
        Console.WriteLine($"24 independent chains: {fmaPerNs:F2} vector FMAs/ns = {fmaPerNs * 8:F1} GFMA/s (double) on one core (wall {thru:F3} s, cpu {cpuThru:F3} s)");
        Console.WriteLine($"→ {fmaPerNs / clock4:F2} FMA-512 per cycle (ports), peak {fmaPerNs * 8:F1} GFMA/s per core, {2 * fmaPerNs * 8:F1} on 2 cores");
        // the same from the CPU time (a loaded machine stretches the wall time, not the time the thread ran)
        double latCpu = cpuChain / (8.0 * iters) * 1e9, clockCpu = 4 / latCpu, perNsCpu = 24.0 * (iters / 4) / cpuThru / 1e9;
        TileRates();
        GramLikeRates();
        Console.WriteLine($"from CPU time: clock {clockCpu:F2} GHz, {perNsCpu * 8:F1} GFMA/s per core, {perNsCpu / clockCpu:F2} FMA-512 per cycle");
    }

    /// <summary>The empirical model's register tile (8 × 24, depth 128) on operands that stay in L1 (the kernel's
    /// ceiling) and with the broadcast operand streaming through L2 (as in the passes).</summary>
    private static void TileRates()
    {
        var a = new double[128 * 8 * 64];
        var b = new double[128 * 24];
        var c = new double[192];
        for (int i = 0; i < a.Length; i++) a[i] = 1e-3 * (i % 7);
        for (int i = 0; i < b.Length; i++) b[i] = 1e-3 * (i % 5);
        foreach (int spread in new[] { 1, 64 })
        {
            const int calls = 200_000;
            double wall = double.MaxValue, cpu = double.MaxValue;
            for (int r = 0; r < 5; r++)
            {
                var (w, cp) = Time(() =>
                {
                    for (int k = 0; k < calls; k++)
                        ExactDynamics.Data.DataKernels.Tile(ref a[k % spread * 1024], 8, ref b[0], 128, ref c[0], true);
                });
                wall = Math.Min(wall, w); cpu = Math.Min(cpu, cp);
            }
            double fmas = calls * 128.0 * 192;
            Console.WriteLine($"tile 8×24, depth 128, A {(spread == 1 ? "in L1" : "streaming 512 KiB (L2)")}: {fmas / wall / 1e9:F1} GFMA/s wall, {fmas / cpu / 1e9:F1} GFMA/s cpu");
        }
    }

    /// <summary>The tile as the Gram pass calls it: A with stride 24 from a 128-row block of 33 panels (811 KiB, L2),
    /// C accumulated into one tile, or into 1683 tiles in turn (2.6 MiB, as F at d = 784).</summary>
    private static void GramLikeRates()
    {
        var a = new double[33 * 128 * 24];
        var b = new double[128 * 24];
        var c = new double[1683 * 192];
        for (int i = 0; i < a.Length; i++) a[i] = 1e-3 * (i % 7);
        for (int i = 0; i < b.Length; i++) b[i] = 1e-3 * (i % 5);
        foreach (bool spreadC in new[] { false, true })
        {
            const int calls = 100_000;
            double wall = double.MaxValue, cpu = double.MaxValue;
            for (int r = 0; r < 5; r++)
            {
                var (w, cp) = Time(() =>
                {
                    for (int k = 0; k < calls; k++)
                    {
                        int g = k % 99;
                        ExactDynamics.Data.DataKernels.Tile(ref a[g / 3 * 128 * 24 + g % 3 * 8], 24, ref b[0], 128, ref c[spreadC ? k % 1683 * 192 : 0], true);
                    }
                });
                wall = Math.Min(wall, w); cpu = Math.Min(cpu, cp);
            }
            double fmas = calls * 128.0 * 192;
            Console.WriteLine($"tile as in the Gram pass (A stride 24 over 811 KiB), C {(spreadC ? "over 2.6 MiB" : "one tile")}: {fmas / wall / 1e9:F1} GFMA/s wall, {fmas / cpu / 1e9:F1} GFMA/s cpu");
        }
    }

    private static (double Wall, double Cpu) Time(Action f)
    {
        var p = Process.GetCurrentProcess();
        var cpu0 = p.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        f();
        double wall = sw.Elapsed.TotalSeconds;
        p.Refresh();
        return (wall, (p.TotalProcessorTime - cpu0).TotalSeconds);
    }

    private static double Sink;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Chain(long iters)
    {
        var a = Vector512.Create(0.999999); var b = Vector512.Create(1e-9); var x = Vector512.Create(Sink + 1);
        for (long i = 0; i < iters; i++)
        {
            x = Avx512F.FusedMultiplyAdd(x, a, b); x = Avx512F.FusedMultiplyAdd(x, a, b);
            x = Avx512F.FusedMultiplyAdd(x, a, b); x = Avx512F.FusedMultiplyAdd(x, a, b);
            x = Avx512F.FusedMultiplyAdd(x, a, b); x = Avx512F.FusedMultiplyAdd(x, a, b);
            x = Avx512F.FusedMultiplyAdd(x, a, b); x = Avx512F.FusedMultiplyAdd(x, a, b);
        }
        Sink += x.ToScalar();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Throughput(long iters)
    {
        var a = Vector512.Create(0.999999); var b = Vector512.Create(1e-9);
        var s = Vector512.Create(Sink + 1);
        Vector512<double> x0 = s, x1 = s, x2 = s, x3 = s, x4 = s, x5 = s, x6 = s, x7 = s, x8 = s, x9 = s, x10 = s, x11 = s;
        Vector512<double> y0 = s, y1 = s, y2 = s, y3 = s, y4 = s, y5 = s, y6 = s, y7 = s, y8 = s, y9 = s, y10 = s, y11 = s;
        for (long i = 0; i < iters; i++)
        {
            x0 = Avx512F.FusedMultiplyAdd(x0, a, b); x1 = Avx512F.FusedMultiplyAdd(x1, a, b); x2 = Avx512F.FusedMultiplyAdd(x2, a, b);
            x3 = Avx512F.FusedMultiplyAdd(x3, a, b); x4 = Avx512F.FusedMultiplyAdd(x4, a, b); x5 = Avx512F.FusedMultiplyAdd(x5, a, b);
            x6 = Avx512F.FusedMultiplyAdd(x6, a, b); x7 = Avx512F.FusedMultiplyAdd(x7, a, b); x8 = Avx512F.FusedMultiplyAdd(x8, a, b);
            x9 = Avx512F.FusedMultiplyAdd(x9, a, b); x10 = Avx512F.FusedMultiplyAdd(x10, a, b); x11 = Avx512F.FusedMultiplyAdd(x11, a, b);
            y0 = Avx512F.FusedMultiplyAdd(y0, a, b); y1 = Avx512F.FusedMultiplyAdd(y1, a, b); y2 = Avx512F.FusedMultiplyAdd(y2, a, b);
            y3 = Avx512F.FusedMultiplyAdd(y3, a, b); y4 = Avx512F.FusedMultiplyAdd(y4, a, b); y5 = Avx512F.FusedMultiplyAdd(y5, a, b);
            y6 = Avx512F.FusedMultiplyAdd(y6, a, b); y7 = Avx512F.FusedMultiplyAdd(y7, a, b); y8 = Avx512F.FusedMultiplyAdd(y8, a, b);
            y9 = Avx512F.FusedMultiplyAdd(y9, a, b); y10 = Avx512F.FusedMultiplyAdd(y10, a, b); y11 = Avx512F.FusedMultiplyAdd(y11, a, b);
        }
        var t = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11 + y0 + y1 + y2 + y3 + y4 + y5 + y6 + y7 + y8 + y9 + y10 + y11;
        Sink += t.ToScalar();
    }
}
