using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// gap, iterations, tune, sweep and critical-batch with <c>--data</c>, end to end on a .npy written in the test: the
/// full grid {−2, −1, 1, 2}³ with per-coordinate scales, whose coordinates are exactly independent with E z⁴ = 1.36
/// and H = diag(2.5·scale²). Every fourth-moment model must then give the spectral answers with m4 = 1.36, which the
/// test computes on the spectrum by the library's spectral path (secular equation, spectral recursion, spectral tuner).
/// A heavy-tailed dataset checks that tune says when the gaussian model's tuning diverges on the data.
/// </summary>
public class DataRateCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private static readonly double[] Scale = [1.3, 0.7, 0.25];
    private const double M4 = 8.5 / 6.25;
    private static readonly string M4Text = M4.ToString("R", CultureInfo.InvariantCulture);

    public void Dispose() => _dir.Dispose();

    private static Problem Spectral(double batch) => new(Spectrum.FromValues(Scale.Select(s => 2.5 * s * s)), null, batch, M4);

    /// <summary>A 2-D float64 .npy (version 1.0, C order), written byte by byte.</summary>
    private string WriteNpy(string name, double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({n}, {d}), }}";
        int total = 10 + dict.Length + 1;
        var header = Encoding.ASCII.GetBytes(dict + new string(' ', (total + 63) / 64 * 64 - total) + "\n");
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        ms.Write(header);
        var buffer = new byte[8];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) { BinaryPrimitives.WriteDoubleLittleEndian(buffer, x[i, j]); ms.Write(buffer); }
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(path, ms.ToArray());
        return path;
    }

    private string Grid()
    {
        double[] levels = [-2, -1, 1, 2];
        var x = new double[64, 3];
        int r = 0;
        foreach (var a in levels) foreach (var b in levels) foreach (var c in levels)
        {
            x[r, 0] = a * Scale[0]; x[r, 1] = b * Scale[1]; x[r, 2] = c * Scale[2];
            r++;
        }
        return WriteNpy("grid.npy", x);
    }

    /// <summary>Rows with a heavy-tailed common scale (every seventh row 12 times larger).</summary>
    private string HeavyTailed()
    {
        var rng = new Random(3);
        var x = new double[42, 3];
        for (int i = 0; i < 42; i++)
            for (int j = 0; j < 3; j++) x[i, j] = (i % 7 == 0 ? 6 : 0.5) * (rng.NextDouble() * 2 - 1) / (1 + j);
        return WriteNpy("heavy.npy", x);
    }

    [Theory]
    [InlineData("empirical", true)]
    [InlineData("matrix", true)]
    [InlineData("gaussian", false)] // the default m4 of the gaussian model is the data's scalar kurtosis, here 1.36
    public void Gap_on_independent_data_is_the_spectral_gap(string model, bool giveKurtosis)
    {
        var args = new List<string> { "gap", "--data", Grid(), "--method", "hb:lr=0.3,beta=0.5", "--batch", "2", "--moments", model, "--format", "json" };
        if (giveKurtosis) args.AddRange(["--kurtosis", M4Text]);
        var result = Cli.Run(args.ToArray());
        result.ShouldSucceed();
        var json = result.Json();
        var expected = ContractionGap.Compute(Spectral(2), HeavyBall.Create(0.3, 0.5));
        json.GetProperty("moments").GetString().ShouldBe(model);
        json.GetProperty("data").GetString()!.ShouldContain("n=64, d=3");
        json.GetProperty("rho").GetDouble().ShouldBe(expected.Rho, 1e-10);
        json.GetProperty("gap").GetDouble().ShouldBe(expected.Gap, 1e-9 * expected.Gap);
        json.GetProperty("diverges").GetBoolean().ShouldBeFalse();
        result.Err.ShouldContain("moments: " + model);
        result.Err.ShouldContain("linear algebra:");
    }

    [Fact]
    public void Gap_on_data_says_diverges_with_rho()
    {
        var result = Cli.Run("gap", "--data", Grid(), "--method", "sgd:lr=2", "--batch", "1", "--moments", "empirical", "--format", "csv");
        result.ShouldSucceed();
        var rows = result.Csv();
        rows[0].ShouldBe(["moments", "method", "batch", "rho", "gap", "diverges", "applications", "residual"]);
        rows[1][0].ShouldBe("empirical");
        rows[1][5].ShouldBe("true");
        double rho = Cli.D(rows[1][3]);
        rho.ShouldBe(ContractionGap.Compute(Spectral(1), Sgd.Create(2)).Rho, 1e-9 * rho);
    }

    [Theory]
    [InlineData("empirical")]
    [InlineData("matrix")]
    public void Iterations_on_independent_data_step_to_the_spectral_first_hit(string model)
    {
        var result = Cli.Run("iterations", "--data", Grid(), "--method", "hb:lr=0.3,beta=0.5", "--batch", "2", "--target", "1e-6",
            "--kurtosis", M4Text, "--moments", model, "--format", "csv");
        result.ShouldSucceed();
        var rows = result.Csv();
        rows[0][0].ShouldBe("moments");
        rows[1][0].ShouldBe(model);
        var reference = RiskRecursion.Reference(Spectral(2), HeavyBall.Create(0.3, 0.5), 2000);
        int first = Array.FindIndex(reference, r => r <= 1e-6);
        first.ShouldBeGreaterThan(10);
        int exact = int.Parse(rows[1][Array.IndexOf(rows[0], "exact")], CultureInfo.InvariantCulture);
        exact.ShouldBe(first);
    }

    [Fact]
    public void Tune_on_independent_data_is_the_spectral_tuning_and_reports_equal_edges()
    {
        var result = Cli.Run("tune", "--data", Grid(), "--family", "sgd", "--batch", "2", "--kurtosis", M4Text, "--moments", "empirical", "--format", "json");
        result.ShouldSucceed();
        var json = result.Json();
        var expected = Tuner.Tune(Spectral(2), MethodFamily.Sgd);
        json.GetProperty("moments").GetString().ShouldBe("empirical");
        json.GetProperty("gap").GetDouble().ShouldBe(expected.Gap, 1e-8 * expected.Gap);
        json.GetProperty("params").GetProperty("lr").GetDouble().ShouldBe(expected.Parameters["lr"], 1e-3 * expected.Parameters["lr"]);
        var edges = json.GetProperty("edge_lr");
        double g = edges.GetProperty("gaussian").GetDouble(), e = edges.GetProperty("empirical").GetDouble();
        (Math.Max(g, e) / Math.Min(g, e)).ShouldBeLessThan(1.011); // the same map, each bisected to 1%
    }

    [Theory]
    [InlineData("matrix")]
    [InlineData("empirical")]
    public void Tune_for_iterations_and_final_risk_on_independent_data_is_the_spectral_tuning(string model)
    {
        // the spectral problem with m4 = 1.36 and the isotropic start is what every model sees on this grid
        var spectral = Spectral(2);
        var its = Cli.Run("tune", "--data", Grid(), "--family", "sgd", "--batch", "2", "--moments", model,
            "--objective", "iterations", "--target", "1e-3", "--format", "json");
        its.ShouldSucceed();
        var j = its.Json();
        j.GetProperty("objective").GetString().ShouldBe("iterations");
        var method = Sgd.Create(j.GetProperty("params").GetProperty("lr").GetDouble());
        long count = j.GetProperty("iterations").GetInt64();
        // the count is the spectral recursion's first hit for the returned step, and as few as the spectral tuner's
        count.ShouldBe(Targets.IterationsToTarget.Compute(spectral, method, 1e-3).Exact!.Value);
        count.ShouldBeLessThanOrEqualTo(Tuner.Tune(spectral, MethodFamily.Sgd, new TuneOptions { Objective = TuneObjective.Iterations, Target = 1e-3 }).Iterations!.Exact!.Value);
        var risk = Cli.Run("tune", "--data", Grid(), "--family", "sgd", "--batch", "2", "--moments", model,
            "--objective", "risk", "--steps", "30", "--format", "json");
        risk.ShouldSucceed();
        var r = risk.Json();
        var expected = Tuner.Tune(spectral, MethodFamily.Sgd, new TuneOptions { Objective = TuneObjective.FinalRisk, Steps = 30 });
        double finalRisk = r.GetProperty("final_risk").GetDouble();
        finalRisk.ShouldBe(expected.FinalRisk!.Value, 1e-6 * expected.FinalRisk!.Value);
        double lr = r.GetProperty("params").GetProperty("lr").GetDouble();
        finalRisk.ShouldBe(RiskRecursion.Run(spectral, Sgd.Create(lr), 30, 30).Risk[^1], 1e-10 * finalRisk);
    }

    [Fact]
    public void Tune_with_a_tuned_ema_on_independent_data_is_the_spectral_tuning()
    {
        var spectral = Spectral(1);
        var result = Cli.Run("tune", "--data", Grid(), "--family", "sgd", "--batch", "1", "--moments", "matrix", "--noise", "0.01",
            "--modifiers", "ema=tune", "--objective", "risk", "--steps", "40", "--format", "json");
        result.ShouldSucceed();
        var j = result.Json();
        var noisy = new Problem(spectral.Spectrum, null, 1, M4, 0.01);
        var expected = Tuner.Tune(noisy, MethodFamily.Sgd,
            new TuneOptions { Objective = TuneObjective.FinalRisk, Steps = 40, Modifiers = new TuneModifiers(TuneEma: true) });
        double finalRisk = j.GetProperty("final_risk").GetDouble();
        finalRisk.ShouldBe(expected.FinalRisk!.Value, 1e-5 * expected.FinalRisk!.Value);
        var p = j.GetProperty("params");
        var method = Ema.Apply(Sgd.Create(p.GetProperty("lr").GetDouble()), p.GetProperty("ema").GetDouble());
        finalRisk.ShouldBe(RiskRecursion.Run(noisy, method, 40, 40).Risk[^1], 1e-10 * finalRisk);
    }

    [Fact]
    public void Tune_says_when_the_gaussian_tuning_diverges_on_heavy_tailed_data()
    {
        var path = HeavyTailed();
        var gaussian = Cli.Run("tune", "--data", path, "--family", "sgd", "--batch", "1", "--kurtosis", "3", "--moments", "gaussian", "--format", "json");
        gaussian.ShouldSucceed();
        var json = gaussian.Json();
        json.GetProperty("stable_on_data").GetBoolean().ShouldBeFalse();
        json.GetProperty("empirical_rho").GetDouble().ShouldBeGreaterThan(1);
        var edges = json.GetProperty("edge_lr");
        (edges.GetProperty("gaussian").GetDouble() / edges.GetProperty("empirical").GetDouble()).ShouldBeGreaterThan(1.5);
        gaussian.Err.ShouldContain("diverges on this data");
        gaussian.Err.ShouldContain("beyond the data's");
        // the empirical tuning stays below the data's edge
        var empirical = Cli.Run("tune", "--data", path, "--family", "sgd", "--batch", "1", "--moments", "empirical", "--format", "json").Json();
        empirical.GetProperty("rho").GetDouble().ShouldBeLessThan(1);
        empirical.GetProperty("params").GetProperty("lr").GetDouble().ShouldBeLessThan(empirical.GetProperty("edge_lr").GetProperty("empirical").GetDouble() * 1.01);
    }

    [Fact]
    public void Sweep_on_independent_data_is_the_spectral_sweep()
    {
        var result = Cli.Run("sweep", "--data", Grid(), "--family", "sgd", "--batches", "1,4", "--kurtosis", M4Text, "--moments", "matrix", "--format", "csv");
        result.ShouldSucceed();
        var rows = result.Csv();
        rows[0].ShouldBe(["moments", "family", "batch", "gap", "iterations", "ce", "method"]);
        rows.Length.ShouldBe(3);
        foreach (var row in rows.Skip(1))
        {
            row[0].ShouldBe("matrix");
            double b = Cli.D(row[2]);
            double expected = Tuner.Tune(Spectral(b), MethodFamily.Sgd).Gap;
            Cli.D(row[3]).ShouldBe(expected, 1e-7 * expected);
        }
    }

    [Fact]
    public void Critical_batch_on_independent_data_is_the_spectral_critical_batch()
    {
        var result = Cli.Run("critical-batch", "--data", Grid(), "--family", "sgd", "--kurtosis", M4Text, "--moments", "matrix", "--format", "json");
        result.ShouldSucceed();
        var json = result.Json();
        var expected = CriticalBatch.Compute(Spectral(1), MethodFamily.Sgd);
        json.GetProperty("moments").GetString().ShouldBe("matrix");
        json.GetProperty("critical_batch").GetDouble().ShouldBe(expected.CriticalBatch!.Value, 2e-3 * expected.CriticalBatch!.Value);
        json.GetProperty("small_batch_ce").GetDouble().ShouldBe(expected.SmallBatchCe, 1e-7 * expected.SmallBatchCe);
        json.GetProperty("stability_on_data").GetArrayLength().ShouldBe(1);
    }

    [Theory]
    [InlineData("gap --spectrum powerlaw:a=1,d=3 --method sgd:lr=0.1 --batch 1", "either --spectrum or --data")]
    [InlineData("sweep --family sgd --batches 1,2 --objective iterations --target 1e-3", "not available with it")]
    [InlineData("sweep --family sgd --batches 1,2 --schedule wsd --budget 100", "with --data only the constant-step tradeoffs")]
    [InlineData("critical-batch --family sgd --schedule wsd --budget 100", "with --data only the constant-step tradeoffs")]
    [InlineData("sweep --family sgd --batches 1,2 --modifiers ema=0.9", "--modifiers is not available")]
    [InlineData("critical-batch --family sgd --modifiers ema=0.9", "--modifiers is not available")]
    [InlineData("tune --family sgd --batch 1 --modifiers ema=tune", "An EMA never increases the contraction gap")]
    public void Unsupported_combinations_with_data_are_one_line_with_exit_2(string line, string message)
    {
        var args = Cli.Args(line).ToList();
        args.Insert(1, "--data");
        args.Insert(2, Grid());
        var result = Cli.Run(args.ToArray());
        result.Code.ShouldBe(2);
        result.ErrLines.Length.ShouldBe(1);
        result.Err.ShouldContain(message);
    }
}
