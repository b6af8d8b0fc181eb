using System.Globalization;
using ExactDynamics.Dynamics;
using ExactDynamics.Schedules;
using ExactDynamics.Spectra;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// Schedules with <c>--data</c> (risk, risk --at, iterations, validate) on the full grid {−2, −1, 1, 2}³ with
/// per-coordinate scales, whose coordinates are exactly independent with E z⁴ = 1.36 and H = diag(2.5·scale²): the
/// empirical and matrix models must then give the spectral recursion with m4 = 1.36 under the same schedules, which the
/// test computes with the library's plain reference loop (<see cref="RiskRecursion.Reference(Problem, ScheduledMethod, int)"/>).
/// </summary>
public class DataScheduleCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly double[] Scale = [1.3, 0.7, 0.25];
    private const double M4 = 8.5 / 6.25;
    private static readonly string M4Text = M4.ToString("R", CultureInfo.InvariantCulture);
    private const string Method = "hb:lr=0.3,beta=0.5";
    private static readonly string[] ScheduleArgs =
        ["--lr-schedule", "cosine:steps=30,floor=0.2", "--momentum-schedule", "linear-warmup:steps=8", "--batch-schedule", "step:every=10,factor=2,max=4"];

    public void Dispose() => _dir.Dispose();

    private string Grid()
    {
        var lines = new List<string>();
        double[] levels = [-2, -1, 1, 2];
        foreach (var a in levels) foreach (var b in levels) foreach (var c in levels)
            lines.Add(string.Join(",", new[] { a * Scale[0], b * Scale[1], c * Scale[2] }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        return _dir.File("grid.csv", string.Join("\n", lines) + "\n");
    }

    /// <summary>The spectral reference under the same schedules, built from the library's schedule factories.</summary>
    private static double[] Reference(int steps)
    {
        var problem = new Problem(Spectrum.FromValues(Scale.Select(s => 2.5 * s * s)), null, 2, M4, 0.1);
        var scheduled = new ScheduledMethod(MethodTemplate.HeavyBall(0.3, 0.5), Schedule.Cosine(30, 0.2), Schedule.LinearWarmup(8), Schedule.Step(10, 2, 4));
        return RiskRecursion.Reference(problem, scheduled, steps);
    }

    private static double Rel(double a, double e) => Math.Abs(a - e) / Math.Abs(e);

    private string[] Common(string command, string model) =>
        [command, "--data", Grid(), "--method", Method, "--batch", "2", "--noise", "0.1", "--kurtosis", M4Text, "--moments", model, .. ScheduleArgs];

    [Theory]
    [InlineData("empirical")]
    [InlineData("matrix")]
    [InlineData("gaussian")]
    public void Risk_with_schedules_on_independent_data_is_the_scheduled_spectral_recursion(string model)
    {
        var result = Cli.Run([.. Common("risk", model), "--steps", "40", "--every", "5", "--format", "csv"]);
        result.ShouldSucceed();
        var reference = Reference(40);
        var rows = result.Csv();
        rows.Length.ShouldBe(10);
        for (int r = 1; r < rows.Length; r++)
        {
            int t = int.Parse(rows[r][^2], CultureInfo.InvariantCulture);
            Rel(Cli.D(rows[r][^1]), reference[t]).ShouldBeLessThan(1e-11);
        }
        // the schedules matter: the constant run differs
        var constant = Cli.Run("risk", "--data", Grid(), "--method", Method, "--batch", "2", "--noise", "0.1", "--moments", model, "--kurtosis", M4Text,
            "--steps", "40", "--every", "5", "--format", "csv");
        Rel(Cli.D(constant.Csv()[^1][^1]), reference[40]).ShouldBeGreaterThan(0.05);
        // the table names the schedules
        var table = Cli.Run([.. Common("risk", model), "--steps", "10"]);
        table.Out.ShouldContain("learning-rate schedule: cosine:steps=30,floor=0.2");
        table.Out.ShouldContain("batch schedule: step:every=10,factor=2,max=4");
    }

    [Fact]
    public void Risk_at_chosen_steps_with_schedules_gives_the_rows_of_the_curve()
    {
        var result = Cli.Run([.. Common("risk", "empirical"), "--at", "0,7,33", "--format", "csv"]);
        result.ShouldSucceed();
        var reference = Reference(33);
        var rows = result.Csv();
        rows.Length.ShouldBe(4);
        long[] ts = [0, 7, 33];
        for (int r = 1; r < rows.Length; r++)
        {
            long.Parse(rows[r][^2], CultureInfo.InvariantCulture).ShouldBe(ts[r - 1]);
            Rel(Cli.D(rows[r][^1]), reference[ts[r - 1]]).ShouldBeLessThan(1e-11);
        }
    }

    [Theory]
    [InlineData("empirical")]
    [InlineData("matrix")]
    public void Iterations_with_schedules_count_the_first_step_of_the_scheduled_curve(string model)
    {
        var reference = Reference(200);
        double target = 0.5 * (reference[25] + reference[26]);
        long first = Enumerable.Range(0, 201).First(t => reference[t] <= target);
        var result = Cli.Run([.. Common("iterations", model), "--target", target.ToString("R", CultureInfo.InvariantCulture), "--format", "json"]);
        result.ShouldSucceed();
        var json = result.Json();
        json.GetProperty("exact").GetInt64().ShouldBe(first);
        json.GetProperty("moments").GetString().ShouldBe(model);
        json.GetProperty("tail").GetProperty("method").GetString()!.ShouldStartWith("hb:lr=0.06"); // the cosine's floor 0.2 × 0.3
        json.GetProperty("tail").GetProperty("batch").GetDouble().ShouldBe(8); // B = 2 × the step schedule's cap 4
    }

    private string CurveFile(string name, double factor, bool stderr)
    {
        var reference = Reference(30);
        var lines = new List<string> { stderr ? "t,risk,stderr" : "t,risk" };
        for (int t = 0; t <= 30; t += 3)
        {
            string v = (factor * reference[t]).ToString("R", CultureInfo.InvariantCulture);
            lines.Add(stderr ? $"{t},{v},{(0.01 * reference[t]).ToString("R", CultureInfo.InvariantCulture)}" : $"{t},{v}");
        }
        return _dir.File(name, string.Join("\n", lines) + "\n");
    }

    [Fact]
    public void Validate_with_schedules_accepts_the_exact_curve_and_rejects_one_ten_percent_high()
    {
        var ok = Cli.Run([.. Common("validate", "empirical"), "--against", CurveFile("ok.csv", 1, true), "--format", "json"]);
        ok.Code.ShouldBe(0);
        ok.Json().GetProperty("worst_z").GetDouble().ShouldBe(0, 1e-6);
        var high = Cli.Run([.. Common("validate", "empirical"), "--against", CurveFile("high.csv", 1.1, true), "--format", "json"]);
        high.Code.ShouldBe(1);
        Math.Abs(high.Json().GetProperty("worst_z").GetDouble()).ShouldBe(10, 1e-6); // 10 % above with a 1 % stderr
        // without a stderr column the scheduled method is simulated on the same rows (B_t rows at step t)
        var runs = Cli.Run([.. Common("validate", "empirical"), "--against", CurveFile("runs.csv", 1, false), "--runs", "400", "--format", "json"]);
        runs.Code.ShouldBe(0);
        runs.Json().GetProperty("stderr_source").GetString().ShouldBe("simulation");
    }

    [Fact]
    public void An_ema_warm_up_on_data_changes_the_method_every_step_as_on_a_spectrum()
    {
        // timm's warm-up τ_t = min(τ, (1 + t)/(10 + t)) makes the method time-varying; on independent grid data the
        // empirical model must follow it as the spectral recursion does
        const string method = "hb:lr=0.3,beta=0.5,ema=0.9,ema-warmup=true";
        var spectrum = "values:" + string.Join(",", Scale.Select(s => (2.5 * s * s).ToString("R", CultureInfo.InvariantCulture)));
        var onData = Cli.Run("risk", "--data", Grid(), "--method", method, "--batch", "2", "--noise", "0.1", "--moments", "empirical",
            "--steps", "30", "--every", "3", "--format", "csv");
        var onSpectrum = Cli.Run("risk", "--spectrum", spectrum, "--method", method, "--batch", "2", "--noise", "0.1", "--kurtosis", M4Text,
            "--steps", "30", "--every", "3", "--format", "csv");
        onData.ShouldSucceed();
        onSpectrum.ShouldSucceed();
        var d = onData.Csv().Skip(1).Select(r => Cli.D(r[^1])).ToArray();
        var s = onSpectrum.Csv().Skip(1).Select(r => Cli.D(r[^1])).ToArray();
        d.Length.ShouldBe(11);
        for (int i = 0; i < d.Length; i++) Rel(d[i], s[i]).ShouldBeLessThan(1e-11);
    }

    [Fact]
    public void Risk_with_data_refuses_overlay_in_one_line_before_reading_the_data()
    {
        var result = Cli.Run("risk", "--data", Grid(), "--method", Method, "--batch", "2", "--overlay", "x.csv", "--plot", Path.Combine(_dir.Path, "p.png"));
        result.Code.ShouldBe(2);
        result.ErrLines.Length.ShouldBe(1);
        result.Err.ShouldContain("--overlay is not available with --data");
    }
}
