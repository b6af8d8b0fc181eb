using System.Globalization;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// Every data command reads, announces and refuses the same way (docs/cli.md#data-options): an option that cannot go
/// with the data is refused in one stderr sentence, exit 2, BEFORE the data are read — shown by pointing --data at a
/// file that does not exist, so that reading it would give another sentence — and a run refused for its cost says so
/// without first announcing the data.
/// </summary>
public class DataRefusalTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Commands => new()
    {
        "risk --method sgd:lr=0.1 --steps 10",
        "simulate --method sgd:lr=0.1 --steps 10 --runs 10",
        "iterations --method sgd:lr=0.1 --target 1e-3",
        "gap --method sgd:lr=0.1",
        "validate --method sgd:lr=0.1 --against CURVE",
    };

    private string Curve() => _dir.File("curve.csv", "t,risk,stderr\n1,0.5,0.01\n2,0.4,0.01\n");

    private CliResult Run(string line, params string[] extra)
    {
        var args = Cli.Args(line.Replace("CURVE", Curve())).ToList();
        args.InsertRange(1, ["--data", Path.Combine(_dir.Path, "missing.npy"), "--batch", "1"]);
        return Cli.Run([.. args, .. extra]);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Options_that_cannot_go_with_the_data_are_refused_before_it_is_read(string line)
    {
        (string[] Extra, string Message)[] cases =
        [
            (["--target-data", "y.npy", "--noise", "0.1"], "with a target the residuals are the noise"),
            (["--target-data", "y.npy", "--init", "power:p=1"], "with a target the start is the fixed point"),
            (["--start", "w0.npy"], "--start needs a target"),
            (["--target-data", "y.npy", "--target-column", "2"], "not both"),
            (["--moments", "quartic"], "Fourth-moment model 'quartic' is not known"),
        ];
        foreach (var (extra, message) in cases)
        {
            var r = Run(line, extra);
            r.Code.ShouldBe(2, string.Join(" ", extra) + "\n" + r.Err);
            r.ErrLines.Length.ShouldBe(1, r.Err);
            r.Err.ShouldContain(message);
            r.Err.ShouldNotContain("missing.npy");
        }
    }

    [Fact]
    public void A_run_refused_for_its_cost_does_not_announce_the_data_first()
    {
        var lines = new List<string>();
        var rng = new Random(1);
        for (int i = 0; i < 64; i++) lines.Add(string.Join(",", Enumerable.Range(0, 3).Select(_ => rng.NextDouble().ToString("R", CultureInfo.InvariantCulture))));
        var data = _dir.File("x.csv", string.Join("\n", lines) + "\n");
        var r = Cli.Run("risk", "--data", data, "--method", "sgd:lr=0.1", "--batch", "1", "--moments", "empirical", "--at", "1000000000000");
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1, r.Err);
        r.Err.ShouldContain("empirical model");
    }

    [Theory]
    [InlineData("risk --moments matrix --steps 2000000000 --every 1000000000")]
    [InlineData("risk --moments matrix --at 5000000000")]
    [InlineData("iterations --moments matrix --noise 0.1 --target 1e-300 --max-steps 1000000000000 --lr-schedule step:every=1000000000,factor=0.5")]
    [InlineData("validate --moments matrix --against CURVE")]
    public void Matrix_model_runs_of_minutes_are_refused_up_front_in_one_sentence(string line)
    {
        // the matrix model once had no cost estimate: risk --moments matrix --steps 2e9 ran for hours
        var lines = new List<string>();
        var rng = new Random(3);
        for (int i = 0; i < 64; i++) lines.Add(string.Join(",", Enumerable.Range(0, 3).Select(_ => rng.NextDouble().ToString("R", CultureInfo.InvariantCulture))));
        var data = _dir.File("x.csv", string.Join("\n", lines) + "\n");
        string curve = _dir.File("far.csv", "t,risk,stderr\n1,0.5,0.01\n2000000000,0.4,0.01\n");
        var args = Cli.Args(line.Replace("CURVE", curve)).ToList();
        args.InsertRange(1, ["--data", data, "--batch", "1", "--method", "sgd:lr=0.1"]);
        var r = Cli.Run([.. args]);
        r.Code.ShouldBe(2, r.Err);
        // iterations needs the rate before it can bound its steps, so the data may be announced ("exactdyn: …") first
        r.ErrLines.Count(l => !l.StartsWith("exactdyn:", StringComparison.Ordinal)).ShouldBe(1, r.Err);
        r.ErrLines[^1].ShouldContain("matrix model");
    }

    [Fact]
    public void Tuning_for_iterations_to_a_far_target_is_refused_before_its_long_curves_run()
    {
        // the curves to ε were not in the estimate: ε = 1e-300 on a planted teacher once ran minutes after "estimated 16 s"
        var lines = new List<string>();
        var rng = new Random(5);
        for (int i = 0; i < 1000; i++) lines.Add(string.Join(",", Enumerable.Range(0, 20).Select(j => (rng.NextDouble() / (j + 1)).ToString("R", CultureInfo.InvariantCulture))));
        var data = _dir.File("x6.csv", string.Join("\n", lines) + "\n");
        var r = Cli.Run("tune", "--data", data, "--family", "sgd", "--batch", "1", "--moments", "empirical", "--objective", "iterations", "--target", "1e-300");
        r.Code.ShouldBe(2, r.Err);
        r.ErrLines.Count(l => !l.StartsWith("exactdyn:", StringComparison.Ordinal)).ShouldBe(1, r.Err);
        r.ErrLines[^1].ShouldContain("risk curves");
    }
}
