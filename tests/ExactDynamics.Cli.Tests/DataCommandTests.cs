using System.Globalization;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>risk --data</c> and <c>inspect --data</c> on a dataset whose answer is known independently: the full grid
/// {−2, −1, 1, 2}³ with per-coordinate scales, over which the coordinates are exactly independent with E z⁴ = 1.36 and
/// H = diag(2.5·scale²). Every fourth-moment model must then reproduce the spectral recursion with m4 = 1.36.
/// </summary>
public class DataCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly double[] Scale = [1.3, 0.7, 0.25];
    private const double M4 = 8.5 / 6.25;

    public void Dispose() => _dir.Dispose();

    private string GridCsv()
    {
        var lines = new List<string> { "x1,x2,x3" };
        double[] levels = [-2, -1, 1, 2];
        foreach (var a in levels) foreach (var b in levels) foreach (var c in levels)
            lines.Add(string.Join(",", new[] { a * Scale[0], b * Scale[1], c * Scale[2] }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        return _dir.File("grid.csv", string.Join("\n", lines) + "\n");
    }

    [Theory]
    [InlineData("empirical")]
    [InlineData("matrix")]
    [InlineData("gaussian")]
    public void Risk_on_independent_data_is_the_spectral_recursion_under_every_model(string model)
    {
        var path = GridCsv();
        var result = Cli.Run("risk", "--data", path, "--method", "hb:lr=0.3,beta=0.5", "--batch", "2", "--steps", "40", "--every", "10",
            "--noise", "0.1", "--kurtosis", M4.ToString("R", CultureInfo.InvariantCulture), "--moments", model, "--format", "csv");
        result.ShouldSucceed();
        var rows = result.Csv();
        rows[0].ShouldBe(["moments", "method", "t", "risk"]);
        var spectrum = Spectrum.FromValues(Scale.Select(s => 2.5 * s * s));
        var reference = RiskRecursion.Reference(new Problem(spectrum, null, 2, M4, 0.1), HeavyBall.Create(0.3, 0.5), 40);
        rows.Length.ShouldBe(6);
        for (int r = 1; r < rows.Length; r++)
        {
            rows[r][0].ShouldBe(model);
            int t = int.Parse(rows[r][^2], CultureInfo.InvariantCulture); // the method field is quoted (it holds a comma)
            TestSupportRel(Cli.D(rows[r][^1]), reference[t]).ShouldBeLessThan(1e-11);
        }
        result.Err.ShouldContain("moments: " + model);
        result.Err.ShouldContain("centred");
    }

    [Fact]
    public void Gaussian_model_without_kurtosis_uses_the_datas_scalar_kurtosis()
    {
        // On the grid every direction has E z⁴ = 8.5/2.5² = 1.36 (by hand), so the default equals --kurtosis 1.36, not 3.
        var path = GridCsv();
        string[] args = ["risk", "--data", path, "--method", "sgd:lr=0.1", "--batch", "1", "--steps", "30", "--every", "10", "--moments", "gaussian", "--format", "csv"];
        var byDefault = Cli.Run(args);
        var given = Cli.Run([.. args, "--kurtosis", "1.36"]);
        var three = Cli.Run([.. args, "--kurtosis", "3"]);
        byDefault.ShouldSucceed();
        double[] Risks(CliResult r) => r.Csv().Skip(1).Select(row => Cli.D(row[^1])).ToArray();
        var d = Risks(byDefault);
        var g = Risks(given);
        var t = Risks(three);
        d.Length.ShouldBe(4);
        for (int i = 1; i < d.Length; i++)
        {
            TestSupportRel(d[i], g[i]).ShouldBeLessThan(1e-12); // the data's kurtosis is 1.36 up to rounding
            TestSupportRel(d[i], t[i]).ShouldBeGreaterThan(1e-3);
        }
        byDefault.Err.ShouldContain("kurtosis 1.36");
    }

    private static double TestSupportRel(double a, double e) => Math.Abs(a - e) / Math.Abs(e);

    [Fact]
    public void Inspect_reports_the_grid_spectrum_kurtosis_independence_and_equal_edges()
    {
        var path = GridCsv();
        var result = Cli.Run("inspect", "--data", path, "--batches", "1,4", "--kurtosis", M4.ToString("R", CultureInfo.InvariantCulture), "--format", "json");
        result.ShouldSucceed();
        var json = result.Json();
        var eig = json.GetProperty("eigenvalues").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int j = 0; j < 3; j++) eig[j].ShouldBe(2.5 * Scale[j] * Scale[j], 1e-12);
        json.GetProperty("kurtosis").EnumerateArray().ShouldAllBe(e => Math.Abs(e.GetDouble() - M4) < 1e-12);
        json.GetProperty("dependence").GetProperty("min").GetDouble().ShouldBe(1, 1e-12);
        json.GetProperty("dependence").GetProperty("max").GetDouble().ShouldBe(1, 1e-12);
        var edges = json.GetProperty("stability_edge").EnumerateArray().ToArray();
        edges.Length.ShouldBe(6);
        foreach (var batch in new[] { 1.0, 4.0 })
        {
            var lrs = edges.Where(e => e.GetProperty("batch").GetDouble() == batch).Select(e => e.GetProperty("lr").GetDouble()).ToArray();
            lrs.Length.ShouldBe(3);
            (lrs.Max() / lrs.Min()).ShouldBeLessThan(1.011); // the same map under all three models, each bisected to 1%
        }
    }

    [Fact]
    public void Bad_combinations_are_one_line_with_exit_2()
    {
        var path = GridCsv();
        var y = _dir.File("y.csv", string.Join("\n", Enumerable.Range(0, 64).Select(i => (i % 5).ToString(CultureInfo.InvariantCulture))) + "\n");
        var cases = new[]
        {
            new[] { "risk", "--method", "sgd:lr=0.1", "--batch", "1" },
            ["risk", "--data", path, "--spectrum", "powerlaw:a=1,d=3", "--method", "sgd:lr=0.1", "--batch", "1"],
            ["risk", "--data", path, "--target-data", y, "--init", "power:p=1", "--method", "sgd:lr=0.1", "--batch", "1"],
            ["risk", "--data", path, "--method", "sgd:lr=0.1", "--batch", "1.5"],
            ["risk", "--data", path, "--method", "sgd:lr=0.1", "--batch", "1", "--moments", "quartic"],
            ["risk", "--data", _dir.File("missing.npy") + ".nope.npy", "--method", "sgd:lr=0.1", "--batch", "1"],
        };
        foreach (var args in cases)
        {
            var r = Cli.Run(args);
            r.Code.ShouldBe(2, string.Join(" ", args));
            r.ErrLines.Length.ShouldBe(1, string.Join(" ", args) + "\n" + r.Err);
        }
    }

    [Fact]
    public void Target_column_equals_a_separate_target_file()
    {
        var lines = new List<string>();
        var rng = new Random(1);
        var ys = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            double a = rng.NextDouble(), b = rng.NextDouble(), target = a - 2 * b + 0.3 * rng.NextDouble();
            lines.Add(FormattableString.Invariant($"{a:R},{target:R},{b:R}"));
            ys.Add(FormattableString.Invariant($"{target:R}"));
        }
        var both = _dir.File("both.csv", string.Join("\n", lines));
        var x = _dir.File("x.csv", string.Join("\n", lines.Select(l => { var p = l.Split(','); return p[0] + "," + p[2]; })));
        var y = _dir.File("y.txt", string.Join("\n", ys));
        var a1 = Cli.Run("risk", "--data", both, "--target-column", "2", "--method", "sgd:lr=0.5", "--batch", "3", "--steps", "20", "--format", "csv");
        var a2 = Cli.Run("risk", "--data", x, "--target-data", y, "--method", "sgd:lr=0.5", "--batch", "3", "--steps", "20", "--format", "csv");
        a1.ShouldSucceed(); a2.ShouldSucceed();
        a1.Out.ShouldBe(a2.Out);
        a1.Csv()[1][0].ShouldBe("empirical"); // the default for a small problem
    }
}
