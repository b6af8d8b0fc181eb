using ExactDynamics.Spectra;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.UserCurves;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>exactdyn validate --against FILE.csv</c> end to end: an honest simulation passes (exit 0), simulations with the
/// common bugs injected (made by the validation library's simulator) fail (exit 1), malformed files exit 2.
/// </summary>
public class ValidateCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    // The claimed setting: heavy ball lr = 0.3, β = 0.6 on λ_i = 1/i, d = 16, Gaussian, B = 8, σ² = 0.1.
    private const string Claim = "--spectrum powerlaw:a=1,d=16 --method hb:lr=0.3,beta=0.6 --batch 8 --noise 0.1";

    public void Dispose() => _dir.Dispose();

    private string Simulated(string name, ISimulatedOptimizer optimizer, int batch = 8, bool withStderr = true)
    {
        var result = MonteCarloSimulator.Run(new SimulationSettings
        {
            Spectrum = Spectrum.PowerLaw(1, 16), Batch = batch, Noise = 0.1, Steps = 60, Every = 5, Runs = 1500, Seed = 31,
        }, optimizer);
        var path = _dir.File(name);
        using (var w = new StreamWriter(path))
        {
            var curve = SimulatedCurve.From(result);
            (withStderr ? curve : curve with { StdErr = null }).WriteCsv(w);
        }
        return path;
    }

    private static CliResult Validate(string file, string extra = "") => Cli.Run(Cli.Args($"validate --against {file} {Claim} {extra}"));

    [Fact]
    public void Honest_simulation_is_consistent_exit_0()
    {
        var r = Validate(Simulated("honest.csv", new HeavyBallLiteral(0.3, 0.6)));
        r.ShouldSucceed();
        r.Out.ShouldContain("consistent with the exact expectation");
        r.Out.ShouldContain("worst z");
        r.Out.ShouldContain("at t = ");
        r.Err.ShouldBeEmpty();
    }

    [Fact]
    public void A_file_from_exactdyn_simulate_validates()
    {
        var file = _dir.File("cli.csv");
        Cli.Run(Cli.Args($"simulate {Claim} --steps 50 --every 5 --runs 1000 --seed 4 --format csv --out {file}")).ShouldSucceed();
        var r = Validate(file, "--format json");
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("consistent").GetBoolean().ShouldBeTrue();
        json.GetProperty("verdict").GetString().ShouldBe("consistent with the exact expectation");
        json.GetProperty("steps_compared").GetInt32().ShouldBe(11);
        json.GetProperty("stderr_source").GetString().ShouldBe("file");
        json.GetProperty("first_t_outside").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    public static TheoryData<string> Bugs => new() { "lr-doubled", "lr-over-batch", "batch-2", "batch-32", "gradient-at-lookahead" };

    [Theory]
    [MemberData(nameof(Bugs))]
    public void Simulations_with_injected_bugs_are_inconsistent_exit_1(string bug)
    {
        var file = bug switch
        {
            "lr-doubled" => Simulated(bug + ".csv", new HeavyBallLiteral(0.6, 0.6)),     // loss (ŷ − y)² without ½
            "lr-over-batch" => Simulated(bug + ".csv", new HeavyBallLiteral(0.3 / 8, 0.6)), // gradient averaged twice
            "batch-2" => Simulated(bug + ".csv", new HeavyBallLiteral(0.3, 0.6), batch: 2),
            "batch-32" => Simulated(bug + ".csv", new HeavyBallLiteral(0.3, 0.6), batch: 32),
            "gradient-at-lookahead" => Simulated(bug + ".csv", new NesterovLiteral(0.3, 0.6)), // momentum on the wrong iterate
            _ => throw new ArgumentOutOfRangeException(nameof(bug)),
        };
        var r = Validate(file);
        r.Code.ShouldBe(1, r.Out + r.Err);
        r.Out.ShouldContain("inconsistent: simulated risk is systematically ");
        r.Out.ShouldContain(" the exact one from step t = ");
        r.Err.ShouldBeEmpty();
    }

    [Fact]
    public void Json_of_a_failed_validation_names_where_and_exit_1_also_with_out()
    {
        var file = Simulated("bad.csv", new HeavyBallLiteral(0.6, 0.6));
        var outFile = _dir.File("verdict.json");
        var r = Validate(file, $"--format json --out {outFile}");
        r.Code.ShouldBe(1);
        r.Out.ShouldBeEmpty();
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(outFile)).RootElement;
        json.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        json.GetProperty("worst_z").GetDouble().ShouldBeGreaterThan(json.GetProperty("threshold").GetDouble());
        json.GetProperty("first_t_outside").GetInt64().ShouldBeGreaterThan(0);
        json.GetProperty("verdict").GetString()!.ShouldStartWith("inconsistent: simulated risk is systematically above the exact one from step t = ");
    }

    [Fact]
    public void Without_stderr_runs_estimates_it_by_simulation_and_without_either_it_is_an_error()
    {
        var file = Simulated("nostderr.csv", new HeavyBallLiteral(0.3, 0.6), withStderr: false);
        var none = Validate(file);
        none.Code.ShouldBe(2);
        none.ErrLines.Length.ShouldBe(1);
        none.Err.ShouldContain("no stderr column");
        none.Err.ShouldContain("--runs");
        var ok = Validate(file, "--runs 1500");
        ok.ShouldSucceed();
        ok.Out.ShouldContain("estimated by simulating the same problem and method with R = 1500 runs");
        var bad = Simulated("nostderr-bad.csv", new HeavyBallLiteral(0.6, 0.6), withStderr: false);
        Validate(bad, "--runs 1500").Code.ShouldBe(1);
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "missing column", "t,loss\n0,1\n", "no 'risk' column" },
        { "no header", "0,1\n1,0.5\n", "no header line" },
        { "non-numeric", "t,risk,stderr\n0,1,0.1\n5,abc,0.1\n", "risk value 'abc' is not a finite number" },
        { "unsorted", "t,risk,stderr\n0,1,0.1\n10,0.5,0.1\n5,0.7,0.1\n", "rows must be sorted" },
        { "duplicate", "t,risk,stderr\n0,1,0.1\n5,0.5,0.1\n5,0.5,0.1\n", "appears twice" },
        { "negative stderr", "t,risk,stderr\n0,1,-0.1\n", "stderr -0.1 is negative" },
        { "empty", "", "is empty" },
        { "ragged", "t,risk,stderr\n0,1\n", "has 2 fields" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_exit_2_with_one_sentence(string name, string content, string expected)
    {
        var file = _dir.File(name.Replace(' ', '-') + ".csv", content);
        var r = Validate(file);
        r.Code.ShouldBe(2);
        r.Out.ShouldBeEmpty();
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(expected);
        r.Err.ShouldContain(file);
    }

    [Fact]
    public void Missing_file_and_bad_options_exit_2()
    {
        Validate(Path.Combine(_dir.Path, "nope.csv")).Code.ShouldBe(2);
        var file = Simulated("ok.csv", new HeavyBallLiteral(0.3, 0.6));
        Validate(file, "--alpha 2").Code.ShouldBe(2);
        Validate(file, "--runs 1").Code.ShouldBe(2);
        var missing = Cli.Run(Cli.Args($"validate {Claim}"));
        missing.Code.ShouldBe(2);
        missing.Err.ShouldContain("--against");
    }
}
