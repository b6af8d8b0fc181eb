using ExactDynamics.Spectra;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;
using ExactDynamics.Validation.UserCurves;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>simulate</c> and <c>validate</c> with averaged methods (docs/cli.md#simulate, docs/cli.md#validate,
/// docs/math.md#tail-averaging): <c>average=tail:F</c> is simulated run by run (csv t,risk,stderr as before), path for
/// path the literal port (the history of iterates), statistically the SGD tail average written out in
/// <see cref="TailAverageCliTests.BruteForce"/> (Bonferroni max-|z| at α = 10⁻³), for any thread count;
/// <c>validate</c> accepts an honest tail-averaged curve and rejects the off-by-one window; <c>average=uniform</c> and
/// <c>ema=τ</c> pass the same round trip.
/// </summary>
public class TailSimulationCliTests : IDisposable
{
    private const string Problem = TailAverageCliTests.Problem;
    private const string Tail = "--method sgd:lr=0.4,average=tail:0.5";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static SimulationSettings Settings(long steps, long every, int runs, ulong seed) => new()
    {
        Spectrum = Spectrum.FromValues([1, 0.5, 0.2], "values:1,0.5,0.2"), Batch = 2, Noise = 0.1, Steps = steps, Every = every, Runs = runs, Seed = seed,
    };

    [Fact]
    public void Simulate_reads_the_tail_average_of_each_run_and_agrees_with_the_written_out_expectation()
    {
        var r = Cli.Run(Cli.Args($"simulate {Problem} {Tail} --steps 40 --every 5 --runs 4000 --seed 3 --format csv"));
        r.ShouldSucceed();
        r.Err.ShouldBeEmpty();
        var rows = r.Csv();
        rows[0].ShouldBe(["t", "risk", "stderr"]);
        rows.Length.ShouldBe(10);
        var expected = TailAverageCliTests.BruteForce(40);
        double threshold = CurveComparer.BonferroniThreshold(9);
        foreach (var row in rows.Skip(1))
        {
            int t = int.Parse(row[0]);
            double z = (Cli.D(row[1]) - expected[t]) / Cli.D(row[2]);
            Math.Abs(z).ShouldBeLessThan(threshold, $"t = {t}");
        }
        // the same runs as the literal port: the mean of the last ⌈t/2⌉ iterates of each run's history
        var literal = MonteCarloSimulator.Run(Settings(40, 5, 4000, 3), new TailAverageLiteral(new SgdLiteral(0.4), 0.5));
        for (int j = 0; j < literal.Steps.Length; j++)
        {
            Cli.D(rows[j + 1][1]).ShouldBe(literal.Mean[j], 1e-12 * literal.Mean[j]);
            Cli.D(rows[j + 1][2]).ShouldBe(literal.StdErr[j], 1e-9 * literal.StdErr[j]);
        }
    }

    [Fact]
    public void Simulate_gives_the_same_numbers_for_any_thread_count()
    {
        string line = $"simulate {Problem} --method hb:lr=0.3,beta=0.5,average=tail:0.25 --lr-schedule cosine:steps=30 --steps 30 --every 3 --runs 80 --seed 5 --format csv";
        var a = Cli.Run(Cli.Args(line + " --threads 1"));
        a.ShouldSucceed();
        Cli.Run(Cli.Args(line + " --threads 3")).Out.ShouldBe(a.Out);
    }

    [Fact]
    public void Validate_accepts_the_simulated_tail_average_and_rejects_the_off_by_one_window()
    {
        var file = _dir.File("tail.csv");
        Cli.Run(Cli.Args($"simulate {Problem} {Tail} --steps 30 --runs 3000 --seed 8 --format csv --out {file}")).ShouldSucceed();
        var ok = Cli.Run(Cli.Args($"validate --against {file} {Problem} {Tail} --format json"));
        ok.ShouldSucceed();
        ok.Json().GetProperty("consistent").GetBoolean().ShouldBeTrue();
        ok.Json().GetProperty("steps_compared").GetInt32().ShouldBe(31);

        var wrong = _dir.File("off-by-one.csv");
        var sim = MonteCarloSimulator.Run(Settings(30, 1, 3000, 8), new TailAverageLiteral(new SgdLiteral(0.4), 0.5, offByOne: true));
        using (var w = new StreamWriter(wrong)) SimulatedCurve.From(sim).WriteCsv(w);
        var bad = Cli.Run(Cli.Args($"validate --against {wrong} {Problem} {Tail} --format json"));
        bad.Code.ShouldBe(1);
        bad.Json().GetProperty("consistent").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public void Validate_estimates_the_tail_average_standard_errors_by_simulation_without_a_stderr_column()
    {
        var sim = MonteCarloSimulator.Run(Settings(20, 2, 2000, 4), new TailAverageLiteral(new SgdLiteral(0.4), 0.5));
        var file = _dir.File("no-stderr.csv");
        using (var w = new StreamWriter(file)) (SimulatedCurve.From(sim) with { StdErr = null }).WriteCsv(w);
        var r = Cli.Run(Cli.Args($"validate --against {file} {Problem} {Tail} --runs 2000 --format json"));
        r.ShouldSucceed();
        r.Json().GetProperty("stderr_source").GetString().ShouldBe("simulation");
    }

    [Theory]
    [InlineData("sgd:lr=0.4,average=uniform")]
    [InlineData("sgd:lr=0.4,average=uniform:from=3")]
    [InlineData("hb:lr=0.3,beta=0.5,ema=0.8")]
    [InlineData("hb:lr=0.3,beta=0.5,average=tail:1")]
    public void Averaged_methods_round_trip_through_simulate_and_validate(string method)
    {
        var file = _dir.File("avg.csv");
        var s = Cli.Run(Cli.Args($"simulate {Problem} --method {method} --steps 24 --every 2 --runs 2000 --seed 6 --format csv --out {file}"));
        s.ShouldSucceed();
        File.ReadLines(file).First().ShouldBe("t,risk,stderr");
        var v = Cli.Run(Cli.Args($"validate --against {file} {Problem} --method {method} --format json"));
        v.ShouldSucceed();
        v.Json().GetProperty("consistent").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void A_tail_window_beyond_one_gigabyte_is_refused_with_one_sentence()
    {
        // d = 10⁴, T = 25000, F = 1: 25000 iterates of 80 kB for one run, 2 GB
        var r = Cli.Run(Cli.Args("simulate --spectrum powerlaw:a=1,d=10000 --method sgd:lr=0.1,average=tail:1 --batch 1 --steps 25000 --every 5000 --runs 2 --threads 1"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("more than the 1 GB allowed");
    }
}
