using System.Globalization;
using System.Text.Json;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// Every command on generated hostile inputs: random scales, extreme step sizes, subnormal and huge values, large
/// method sizes, devices and typos in files, horizons of years. Each run exits 0 with finite numbers only, or 2 with
/// one line on stderr — never 70 (internal error) or a crash — and scaled problems print the same rates.
/// </summary>
public class HostileInputCliTests : IDisposable
{
    private readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Exit 0 with finite numbers in every json number field, or exit 2 with exactly one line.</summary>
    private static CliResult Check(string line, params string[] extra)
    {
        var args = Cli.Args(line).Concat(extra).ToArray();
        var r = Cli.Run(args);
        if (r.Code == 2)
        {
            r.ErrLines.Length.ShouldBe(1, $"{line}: {r.Err}");
            return r;
        }
        r.Code.ShouldBeOneOf([0, 1], $"{line}: {r.Err}"); // validate exits 1 for an inconsistent curve
        foreach (var token in new[] { "Infinity", "NaN", "∞" }) r.Out.ShouldNotContain(token, customMessage: line);
        if (line.Contains("--format json")) AllFinite(r.Json(), line);
        return r;
    }

    private static void AllFinite(JsonElement e, string line)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) AllFinite(p.Value, line); break;
            case JsonValueKind.Array: foreach (var x in e.EnumerateArray()) AllFinite(x, line); break;
            case JsonValueKind.Number: double.IsFinite(e.GetDouble()).ShouldBeTrue(line); break;
        }
    }

    [Fact]
    public void ScaledProblemsPrintTheSameRatesOrARefusal()
    {
        var rng = new Random(1341);
        var methods = new[] { "sgd:lr={0}", "hb:lr={0},beta=0.6", "nesterov:lr={0},beta=0.5", "asgd:lr={0},kappa=50,xi=5" };
        for (int trial = 0; trial < 12; trial++)
        {
            double a = 0.5 + rng.NextDouble(), lr = 0.05 + 0.3 * rng.NextDouble();
            int d = rng.Next(5, 80);
            string m = methods[trial % methods.Length];
            var baseRun = Check($"gap --spectrum powerlaw:a={F(a)},d={d} --method {string.Format(CultureInfo.InvariantCulture, m, F(lr))} --batch 4 --format json");
            baseRun.Code.ShouldBe(0);
            double gap = baseRun.Json().GetProperty("gap").GetDouble();
            double s = Math.Pow(10, rng.Next(-300, 301));
            var scaled = Check($"gap --spectrum powerlaw:a={F(a)},d={d},scale={F(s)} --method {string.Format(CultureInfo.InvariantCulture, m, F(lr / s))} --batch 4 --format json");
            if (scaled.Code != 0) continue; // a refusal in one sentence is allowed
            double g = scaled.Json().GetProperty("gap").GetDouble();
            (Math.Abs(g - gap) / Math.Abs(gap)).ShouldBeLessThan(1e-10, $"s = {F(s)}, {m}");
            scaled.Json().GetProperty("diverges").GetBoolean().ShouldBe(baseRun.Json().GetProperty("diverges").GetBoolean());
        }
    }

    [Fact]
    public void GeneratedHostileValuesGiveFiniteNumbersOrOneLine()
    {
        var rng = new Random(1342);
        string[] hostile = ["4.9e-324", "1e-310", "2.2e-308", "1e-300", "1e300", "1.7976931348623157e308", "1e154", "0.5", "3"];
        string Pick() => hostile[rng.Next(hostile.Length)];
        for (int trial = 0; trial < 20; trial++)
        {
            string spec = $"powerlaw:a=1,d={rng.Next(1, 40)},scale={Pick()}";
            string method = rng.Next(3) switch
            {
                0 => $"sgd:lr={Pick()}",
                1 => $"hb:lr={Pick()},beta=0.5",
                _ => $"nesterov:lr={Pick()},beta=0.9",
            };
            string common = $"--spectrum {spec} --method {method} --batch {rng.Next(1, 9)} --noise {(rng.Next(2) == 0 ? "0" : Pick())}";
            Check($"gap {common} --format json");
            Check($"risk {common} --steps 20 --every 5 --format json");
            Check($"iterations {common} --target 1e-6 --max-steps 2000 --format json");
        }
    }

    [Fact]
    public void HostileFilesHorizonsAndMethodSizesAreRefusedUpFrontInOneLine()
    {
        // a k = 40 custom method (used to overflow the stack) and a k = 300 one (days, tens of GB)
        string Custom(int k, double lr)
        {
            var rows = Enumerable.Range(0, k).Select(i => "[" + string.Join(",", Enumerable.Range(0, k).Select(j => i == j ? "1" : "0")) + "]");
            var b = string.Join(",", Enumerable.Range(0, k).Select(i => i == 0 ? F(lr) : "0"));
            var c = string.Join(",", Enumerable.Range(0, k).Select(i => i == 0 ? "1" : "0"));
            return _dir.File($"k{k}.json", $"{{\"A\": [{string.Join(",", rows)}], \"b\": [{b}], \"c\": [{c}], \"o\": [{c}]}}");
        }
        var k40 = Check($"risk --spectrum powerlaw:a=1,d=3 --method custom:{Custom(40, 0.3)} --batch 2 --steps 3 --format json");
        k40.Code.ShouldBe(0);
        Check($"gap --spectrum powerlaw:a=1,d=50 --method custom:{Custom(300, 0.3)} --batch 2").Code.ShouldBe(2);
        // years of work and terabytes of memory
        Check("risk --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 4 --steps 1000000000000 --every 1000000000").Code.ShouldBe(2);
        Check("simulate --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 4 --steps 1000000000000 --every 1000000000").Code.ShouldBe(2);
        Check("gap --spectrum powerlaw:a=1,d=2000000000 --method sgd:lr=0.5 --batch 4").Code.ShouldBe(2);
        // devices and typos
        if (File.Exists("/dev/zero"))
        {
            Check("gap --spectrum file:/dev/zero --method sgd:lr=0.5 --batch 4").Code.ShouldBe(2);
            Check("gap --spectrum powerlaw:a=1,d=5 --method custom:/dev/zero --batch 4").Code.ShouldBe(2);
        }
        foreach (var typo in new[] { "1e", "1O", "0x1" })
        {
            var path = _dir.File("typo.txt", $"{typo}\n0.5\n0.25\n");
            var r = Check($"gap --spectrum file:{path} --method sgd:lr=0.5 --batch 4");
            r.Code.ShouldBe(2);
            r.Err.ShouldContain("line 1");
        }
        // a validate row with stderr 0
        var zero = _dir.File("zero.csv", "t,risk,stderr\n0,2.9,0\n10,1.3,0.01\n");
        Check($"validate --against {zero} --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 8").Code.ShouldBe(2);
    }

    [Fact]
    public void EveryFileOptionRefusesDevicesDirectoriesEmptyAndBinaryFilesInOneLine()
    {
        // /dev/zero never ends (a CSV data file once read it into memory until an internal error); a directory, an
        // empty file and random bytes (with and without a .npy name) must each be one sentence, exit 2.
        var rng = new Random(2026);
        var bytes = new byte[4096];
        rng.NextBytes(bytes);
        var binary = _dir.File("random.bin");
        File.WriteAllBytes(binary, bytes);
        var binaryNpy = _dir.File("random.npy");
        File.WriteAllBytes(binaryNpy, bytes);
        var hostile = new List<string> { _dir.Path, _dir.File("empty.csv", ""), binary, binaryNpy };
        if (File.Exists("/dev/zero")) hostile.Add("/dev/zero");
        var good = _dir.File("good.csv", "a,b\n1,2\n3,5\n4,4\n0,1\n");
        const string P = "powerlaw:a=1,d=5", M = "--method sgd:lr=0.1 --batch 2";
        string[] templates =
        [
            "inspect --data {0}",
            $"risk --data {{0}} {M} --steps 3",
            $"risk --data {good} --target-data {{0}} {M} --steps 3",
            $"gap --data {{0}} {M}",
            $"gap --spectrum file:{{0}} {M}",
            $"risk --spectrum {P} --init file:{{0}} {M} --steps 3",
            $"risk --spectrum {P} {M} --steps 3 --lr-schedule file:{{0}}",
            $"risk --spectrum {P} {M} --steps 3 --overlay {{0}}",
            $"gap --spectrum {P} --method custom:{{0}} --batch 2",
            $"validate --against {{0}} --spectrum {P} {M}",
            $"fit --against {{0}} --model powerlaw:d=5 {M}",
            "run {0}",
        ];
        foreach (var template in templates)
            foreach (var path in hostile)
            {
                var line = string.Format(CultureInfo.InvariantCulture, template, path);
                Check(line).Code.ShouldBe(2, line);
            }
    }

    [Fact]
    public void SimulateOfADivergingMethodStopsWithASentenceAndFiniteRows()
    {
        var r = Check("simulate --spectrum powerlaw:a=1,d=20 --method sgd:lr=3 --batch 4 --steps 400 --every 50 --runs 20 --format csv");
        r.Code.ShouldBe(0);
        r.Err.ShouldContain("diverges");
        r.Err.ShouldContain("ρ =");
        var rows = r.Csv().Skip(1).ToArray();
        rows.Length.ShouldBeLessThan(9);
        foreach (var row in rows) foreach (var field in row) double.IsFinite(Cli.D(field)).ShouldBeTrue();
    }

    [Fact]
    public void IterationsBelowTheNoiseFloorReportNoCount()
    {
        var r = Check("iterations --spectrum powerlaw:a=1,d=50 --method sgd:lr=0.5 --batch 4 --noise 0.1 --target 1e-6 --format json");
        var j = r.Json();
        j.GetProperty("exact").ValueKind.ShouldBe(JsonValueKind.Null);
        j.GetProperty("closed_form").ValueKind.ShouldBe(JsonValueKind.Null);
        j.GetProperty("crude").ValueKind.ShouldBe(JsonValueKind.Null);
        j.GetProperty("floor").GetDouble().ShouldBeGreaterThan(1e-6);
        var table = Cli.Run(Cli.Args("iterations --spectrum powerlaw:a=1,d=50 --method sgd:lr=0.5 --batch 4 --noise 0.1 --target 1e-6"));
        table.Out.ShouldContain("noise floor");
    }

    [Fact]
    public void ValidateWithRunsOnlyRejectsAHalvedBatch()
    {
        // the project's own simulation at B = 4, checked against the exact curve at B = 8 with --runs only
        var sim = Cli.Run(Cli.Args("simulate --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.4 --batch 4 --steps 60 --every 10 --runs 400 --seed 3 --format csv"));
        sim.ShouldSucceed();
        var lines = sim.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(",", l.Split(',').Take(2)));
        var path = _dir.File("halved.csv", string.Join("\n", lines) + "\n");
        var r = Cli.Run(Cli.Args($"validate --against {path} --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.4 --batch 8 --runs 400 --format json"));
        r.Code.ShouldBe(1, r.Err);
        r.Json().GetProperty("consistent").GetBoolean().ShouldBeFalse();
        // and the same file against its own batch is consistent
        var ok = Cli.Run(Cli.Args($"validate --against {path} --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.4 --batch 4 --runs 400 --format json"));
        ok.Code.ShouldBe(0, ok.Out + ok.Err);
    }

    [Fact]
    public void HeavyTailedCurvesAreNotCalledConsistentWithoutSayingTheTestHasNoPower()
    {
        // the exact curve itself, with standard errors of a per-run sd 44 times the mean at R = 2000 runs
        var exact = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.4 --batch 4 --steps 40 --every 10 --format csv"));
        exact.ShouldSucceed();
        var rows = exact.Csv().Skip(1).Select(r => $"{r[0]},{r[1]},{F(44 * Cli.D(r[1]) / Math.Sqrt(2000))}");
        var path = _dir.File("heavy.csv", "t,risk,stderr\n" + string.Join("\n", rows) + "\n");
        var r = Cli.Run(Cli.Args($"validate --against {path} --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.4 --batch 4 --runs 2000 --format json"));
        r.Code.ShouldBe(0, r.Err);
        r.Json().GetProperty("verdict").GetString()!.ShouldContain("no power");
        r.Err.ShouldContain("warning");
        // without --runs the spread is unknown: no claim either way
        var plain = Cli.Run(Cli.Args($"validate --against {path} --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.4 --batch 4 --format json"));
        plain.Json().GetProperty("verdict").GetString()!.ShouldNotContain("no power");
    }
}
