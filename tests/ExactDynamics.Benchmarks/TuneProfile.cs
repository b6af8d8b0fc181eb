using System.Diagnostics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Benchmarks;

/// <summary><c>tune-profile D</c>: per family and batch size, the search's evaluations, passes, nodes and time.</summary>
public static class TuneProfile
{
    public static void Run(int d)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, d));
        foreach (var fam in new[] { MethodFamily.Sgd, MethodFamily.HeavyBall, MethodFamily.Nesterov, MethodFamily.Asgd })
        {
            FamilySearch.Candidate? warm = null;
            foreach (double b in new double[] { 1, 16, 256, 4096 })
            {
                var p = problem.WithBatch(b);
                var sw = Stopwatch.StartNew();
                var s = new FamilySearch(p, fam);
                var c = s.SearchGlobal(warm);
                double t = sw.Elapsed.TotalMilliseconds;
                warm = c;
                Console.WriteLine($"{fam,-10} B={b,5} score={c.Score:E6} evals={s.GapEvaluations,6} residuals={s.Residuals,6} scoreEvals={s.ScoreEvaluations,6} passes={s.Passes,8} nodes={s.Nodes,6} {t,8:F1} ms  {t * 1e6 / (s.Passes * (double)s.Nodes):F2} ns/node-pass");
            }
        }
    }
}

/// <summary><c>critical-profile D</c>: critical batch per family, tunings and time (warm JIT after a first call).</summary>
public static class CriticalProfile
{
    public static void Run(int d)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, d));
        CriticalBatch.Compute(new Problem(Spectrum.PowerLaw(1, 100)), MethodFamily.Asgd);
        foreach (var fam in new[] { MethodFamily.Sgd, MethodFamily.HeavyBall, MethodFamily.Nesterov, MethodFamily.Asgd })
        {
            var sw = Stopwatch.StartNew();
            var r = CriticalBatch.Compute(problem, fam);
            Console.WriteLine($"{fam,-10} critical={r.CriticalBatch:R} scale={r.DeterministicScale:R} tunings={r.Tunings} {sw.Elapsed.TotalMilliseconds:F0} ms");
        }
    }
}

/// <summary><c>local-profile D</c>: global vs local tunings between two grid points.</summary>
public static class LocalProfile
{
    public static void Run(int d)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, d));
        foreach (var fam in new[] { MethodFamily.HeavyBall, MethodFamily.Asgd, MethodFamily.HeavyBall, MethodFamily.Asgd })
        foreach (double b in new double[] { 8, 512 })
        {
            var a = Tuner.Tune(problem.WithBatch(b), fam);
            var c = Tuner.Tune(problem.WithBatch(2 * b), fam, new TuneOptions { WarmStart = a });
            var sw = Stopwatch.StartNew();
            var g = Tuner.Tune(problem.WithBatch(1.41 * b), fam, new TuneOptions { WarmStart = a });
            double tg = sw.Elapsed.TotalMilliseconds; sw.Restart();
            var l1 = Tuner.Tune(problem.WithBatch(1.41 * b), fam, new TuneOptions { LocalStarts = [a] });
            double t1 = sw.Elapsed.TotalMilliseconds; sw.Restart();
            var l2 = Tuner.Tune(problem.WithBatch(1.41 * b), fam, new TuneOptions { LocalStarts = [a, c] });
            double t2 = sw.Elapsed.TotalMilliseconds;
            Console.WriteLine($"{fam,-10} B={1.41 * b,7}: global {g.Gap:R} ({g.Evaluations} evals, {tg:F1} ms); local(a) {(l1.Gap - g.Gap) / g.Gap:E2} ({l1.Evaluations}, {t1:F1} ms); local(a,c) {(l2.Gap - g.Gap) / g.Gap:E2} ({l2.Evaluations}, {t2:F1} ms)");
        }
    }
}

/// <summary><c>tune-timing D</c>: whole tunings (search + exact report) per family and batch.</summary>
public static class TuneTiming
{
    public static void Run(int d)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, d));
        foreach (var fam in new[] { MethodFamily.HeavyBall, MethodFamily.Asgd })
            foreach (double b in new double[] { 1, 64, 4096 })
            {
                var sw = Stopwatch.StartNew();
                var t = Tuner.Tune(problem.WithBatch(b), fam);
                double total = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                var g = ExactDynamics.Spectral.ContractionGap.Compute(problem.WithBatch(b), t.Method);
                Console.WriteLine($"{fam,-10} B={b,5}: tune {total,8:F1} ms, of which one exact gap ≈ {sw.Elapsed.TotalMilliseconds,6:F1} ms; gap {g.Gap:E4}");
            }
    }
}

/// <summary><c>eval-profile D</c>: the cost of one search gap evaluation and of its parts (ASGD, compressed spectrum).</summary>
public static class EvalProfile
{
    public static void Run(int d)
    {
        var problem = new Problem(Spectrum.PowerLaw(1, d), batch: 16);
        var (nodes, weights) = SpectrumCompression.Compress(problem.Spectrum.Values, FamilySearch.CompressionEps);
        var sg = new SearchGap(problem, nodes, weights);
        var m = ExactDynamics.Methods.Asgd.Create(0.6, 7000, 13);
        double g = sg.Gap(m);
        const int n = 20000;
        for (int rep = 0; rep < 2; rep++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) ExactDynamics.Methods.Asgd.Create(0.6, 7000, 13);
            double tMethod = sw.Elapsed.TotalMicroseconds / n; sw.Restart();
            for (int i = 0; i < n; i++) new ExactDynamics.Spectral.ContractionGap.SecularSystem(nodes, weights, 16, 3, m);
            double tSys = sw.Elapsed.TotalMicroseconds / n; sw.Restart();
            var sys = new ExactDynamics.Spectral.ContractionGap.SecularSystem(nodes, weights, 16, 3, m);
            for (int i = 0; i < n; i++) sys.Secular(g * 0.9, out _, out _, out _);
            double tPass = sw.Elapsed.TotalMicroseconds / n; sw.Restart();
            for (int i = 0; i < n; i++) sys.GammaLow();
            double tLow = sw.Elapsed.TotalMicroseconds / n; sw.Restart();
            long p0 = sg.Passes;
            for (int i = 0; i < n; i++) sg.Gap(m, g * (1 + 1e-6));
            double tGap = sw.Elapsed.TotalMicroseconds / n; sw.Restart();
            for (int i = 0; i < n; i++) sg.StabilityResidual(m);
            double tRes = sw.Elapsed.TotalMicroseconds / n;
            Console.WriteLine($"nodes {nodes.Length}: method {tMethod:F2} µs, system (γ_T pass) {tSys:F2} µs, secular pass {tPass:F2} µs, γ_low {tLow:F2} µs, gap(hint) {tGap:F2} µs ({(sg.Passes - p0) / (double)n:F1} counted passes), residual {tRes:F2} µs");
        }
    }
}
