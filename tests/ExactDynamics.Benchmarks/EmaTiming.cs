using System.Diagnostics;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;

namespace ExactDynamics.Benchmarks;

/// <summary>
/// <c>ema D T [rounds]</c>: the risk trajectory of each base method and of its EMA (τ = 0.99) at dimension D to T
/// (both cores, the automatic path: the renewal form), interleaved base / EMA for several rounds in one process, with
/// the minimum wall time and the minimum process CPU time (user + system, both threads) of each; then the renewal
/// form's phases for the EMA (base sequences, the average's sequences, the convolution). BENCHMARKS.md#ema.
/// </summary>
internal static class EmaTiming
{
    public static void Run(int d, int steps, int rounds)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, d), batch: 8);
        (string Name, LinearMethod Method)[] families =
        [
            ("sgd", Sgd.Create(0.5)),
            ("hb", HeavyBall.Create(0.05, 0.9)),
            ("nesterov", Nesterov.Create(0.05, 0.9)),
            ("torch", TorchMomentum.Create(0.05, 0.9)),
            ("sgd+wd", WeightDecay.Coupled(Sgd.Create(0.5), 1e-3)),
        ];
        var small = new Problem(Spectrum.PowerLaw(1, 20000), batch: 8);
        foreach (var (_, m) in families) // JIT
        {
            RiskRecursion.Trajectory(small, m, 300);
            RiskRecursion.Trajectory(small, Ema.Apply(m, 0.99), 300, new ExecutionOptions(2, RiskAlgorithm.Volterra));
        }
        var proc = Process.GetCurrentProcess();
        (double Wall, double Cpu) Time(Func<double[]> f)
        {
            proc.Refresh();
            var cpu0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var r = f();
            double wall = sw.Elapsed.TotalSeconds;
            proc.Refresh();
            if (!double.IsFinite(r[^1])) throw new InvalidOperationException("not finite");
            return (wall, (proc.TotalProcessorTime - cpu0).TotalSeconds);
        }
        Console.WriteLine($"d = {d}, T = {steps}, B = 8, λ_i = 1/i, τ = 0.99, {rounds} rounds interleaved; minima (wall / CPU s)");
        foreach (var (name, m) in families)
        {
            var ema = Ema.Apply(m, 0.99);
            double bw = double.MaxValue, bc = double.MaxValue, ew = double.MaxValue, ec = double.MaxValue;
            for (int r = 0; r < rounds; r++)
            {
                var b = Time(() => RiskRecursion.Trajectory(problem, m, steps));
                var e = Time(() => RiskRecursion.Trajectory(problem, ema, steps));
                bw = Math.Min(bw, b.Wall); bc = Math.Min(bc, b.Cpu); ew = Math.Min(ew, e.Wall); ec = Math.Min(ec, e.Cpu);
            }
            Console.WriteLine($"  {name,-9} base {bw:F3} / {bc:F3}   ema {ew:F3} / {ec:F3}   ratio wall {ew / bw:F2}, CPU {ec / bc:F2}");
        }
    }
}

/// <summary><c>ema-phases D T family</c>: the phases of the renewal form of an EMA (τ = 0.99) in one process, each the
/// minimum over five runs: the base method's sequences alone, the EMA's sequences (base and average), the convolution.</summary>
internal static class EmaPhases
{
    public static void Run(int d, int steps, string family, int threads)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, d), batch: 8);
        var m = family switch { "sgd" => Sgd.Create(0.5), "nesterov" => Nesterov.Create(0.05, 0.9), _ => HeavyBall.Create(0.05, 0.9) };
        var opts = new ExecutionOptions(threads, RiskAlgorithm.Volterra);
        var proc = Process.GetCurrentProcess();
        double Min(Action a)
        {
            double best = double.MaxValue, bestCpu = double.MaxValue;
            for (int r = 0; r < 5; r++)
            {
                proc.Refresh();
                var c0 = proc.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                a();
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
                proc.Refresh();
                bestCpu = Math.Min(bestCpu, (proc.TotalProcessorTime - c0).TotalSeconds);
            }
            Console.Write($" [cpu {bestCpu:F3}]");
            return best;
        }
        VolterraRisk.Sequences? seq = null;
        Console.Write($"{family} d = {d}, T = {steps}, {threads} threads:");
        double b = Min(() => VolterraRisk.LocalSequences(problem, m, steps, opts));
        Console.WriteLine($" base sequences {b:F3} s");
        double e = Min(() => seq = EmaRenewal.LocalSequences(problem, m, 0.99, steps, opts));
        Console.WriteLine($"  ema sequences {e:F3} s");
        double s = Min(() => VolterraRisk.Solve(problem, seq!, steps));
        Console.WriteLine($"  solve {s:F3} s");
        var ema = Ema.Apply(m, 0.99);
        double all = Min(() => RiskRecursion.Trajectory(problem, ema, steps, opts));
        Console.WriteLine($"  whole trajectory {all:F3} s");
        double bAll = Min(() => RiskRecursion.Trajectory(problem, m, steps, opts));
        Console.WriteLine($"  base whole trajectory {bAll:F3} s");
    }
}
