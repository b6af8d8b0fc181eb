using System.Globalization;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>validate --data</c> on a tiny dataset whose exact curve is computed here by a plain dense recursion in the data's
/// own coordinates (SGD, B = 1, a real target from a fixed start): the mean error m and second moment S of
/// e' = (I − η x xᵀ) e + η x r, averaged over the n rows. A curve equal to it is consistent (z = 0), one 10 % above with
/// a 1 % standard error is rejected with z = 10 exactly, and exit codes, json fields and refusals follow validate's.
/// </summary>
public class ValidateDataTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly double[,] X = { { 1.0, 0.3 }, { -0.4, 1.2 }, { 0.7, -0.9 }, { -1.5, 0.2 }, { 2.1, 0.5 } };
    private static readonly double[] Y = [0.8, -0.3, 1.1, 0.4, 2.0];
    private const double Lr = 0.2;

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private string DataCsv() => _dir.File("data.csv",
        string.Join("\n", Enumerable.Range(0, Y.Length).Select(i => $"{F(X[i, 0])},{F(X[i, 1])},{F(Y[i])}")) + "\n");

    /// <summary>E ½ eᵀHe at t = 0..steps by the dense recursion on the centred rows (independent of the library).</summary>
    private static double[] Reference(int steps)
    {
        int n = Y.Length;
        var x = new double[n, 2];
        for (int j = 0; j < 2; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += X[i, j] / n;
            for (int i = 0; i < n; i++) x[i, j] = X[i, j] - mean;
        }
        double h00 = 0, h01 = 0, h11 = 0, b0 = 0, b1 = 0;
        for (int i = 0; i < n; i++)
        {
            h00 += x[i, 0] * x[i, 0] / n; h01 += x[i, 0] * x[i, 1] / n; h11 += x[i, 1] * x[i, 1] / n;
            b0 += x[i, 0] * Y[i] / n; b1 += x[i, 1] * Y[i] / n;
        }
        double det = h00 * h11 - h01 * h01;
        double w0 = (h11 * b0 - h01 * b1) / det, w1 = (h00 * b1 - h01 * b0) / det;
        var r = new double[n];
        for (int i = 0; i < n; i++) r[i] = Y[i] - x[i, 0] * w0 - x[i, 1] * w1;
        double[] m = [-w0, -w1];
        double[,] s = { { w0 * w0, w0 * w1 }, { w0 * w1, w1 * w1 } };
        var risk = new double[steps + 1];
        for (int t = 0; ; t++)
        {
            risk[t] = 0.5 * (h00 * s[0, 0] + 2 * h01 * s[0, 1] + h11 * s[1, 1]);
            if (t == steps) return risk;
            var m2 = new double[2];
            var s2 = new double[2, 2];
            for (int i = 0; i < n; i++)
            {
                // A = I − η x xᵀ; e' = A e + η r x
                var a = new double[2, 2];
                for (int p = 0; p < 2; p++) for (int q = 0; q < 2; q++) a[p, q] = (p == q ? 1 : 0) - Lr * x[i, p] * x[i, q];
                var am = new double[2];
                for (int p = 0; p < 2; p++) am[p] = a[p, 0] * m[0] + a[p, 1] * m[1];
                for (int p = 0; p < 2; p++)
                {
                    m2[p] += (am[p] + Lr * r[i] * x[i, p]) / n;
                    for (int q = 0; q < 2; q++)
                    {
                        double asa = 0;
                        for (int u = 0; u < 2; u++) for (int v = 0; v < 2; v++) asa += a[p, u] * s[u, v] * a[q, v];
                        s2[p, q] += (asa + Lr * r[i] * (am[p] * x[i, q] + x[i, p] * am[q]) + Lr * Lr * r[i] * r[i] * x[i, p] * x[i, q]) / n;
                    }
                }
            }
            m = m2; s = s2;
        }
    }

    private string Curve(string name, double factor, bool stderr)
    {
        var exact = Reference(30);
        var lines = new List<string> { stderr ? "t,risk,stderr" : "t,risk" };
        for (int t = 3; t <= 30; t += 3)
            lines.Add(stderr ? $"{t},{F(factor * exact[t])},{F(0.01 * exact[t])}" : $"{t},{F(factor * exact[t])}");
        return _dir.File(name, string.Join("\n", lines) + "\n");
    }

    private CliResult Validate(string curve, params string[] extra) =>
        Cli.Run(["validate", "--data", DataCsv(), "--target-column", "3", "--method", $"sgd:lr={F(Lr)}", "--batch", "1", "--against", curve, .. extra]);

    [Fact]
    public void The_exact_curve_is_consistent_and_ten_percent_above_it_is_z_10()
    {
        var ok = Validate(Curve("ok.csv", 1, true), "--moments", "empirical", "--format", "json");
        ok.Code.ShouldBe(0, ok.Err);
        var j = ok.Json();
        j.GetProperty("consistent").GetBoolean().ShouldBeTrue();
        Math.Abs(j.GetProperty("worst_z").GetDouble()).ShouldBeLessThan(1e-6);
        j.GetProperty("moments").GetString().ShouldBe("empirical");
        j.GetProperty("stderr_source").GetString().ShouldBe("file");
        ok.Err.ShouldContain("moments: empirical"); // the model and its estimated time, before the recursion runs
        ok.Err.ShouldContain("; estimated ");

        var off = Validate(Curve("off.csv", 1.1, true), "--moments", "empirical", "--format", "json");
        off.Code.ShouldBe(1);
        var k = off.Json();
        k.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        k.GetProperty("worst_z").GetDouble().ShouldBe(10, 1e-6);
        k.GetProperty("verdict").GetString()!.ShouldContain("above");
    }

    [Fact]
    public void Without_a_stderr_column_runs_simulate_the_same_rows()
    {
        var r = Validate(Curve("nose.csv", 1, false), "--runs", "400", "--moments", "empirical");
        r.Code.ShouldBe(0, r.Err);
        r.Out.ShouldContain("simulating the same rows, start and method with R = 400 runs");
        var j = Validate(Curve("nose1.csv", 1, false), "--runs", "400", "--moments", "empirical", "--format", "json").Json();
        j.GetProperty("stderr_source").GetString().ShouldBe("simulation");
        Math.Abs(j.GetProperty("worst_z").GetDouble()).ShouldBeLessThan(1e-6);
        var csv = Validate(Curve("nose2.csv", 1, false), "--runs", "400", "--moments", "matrix", "--format", "csv");
        csv.Csv()[0][^1].ShouldBe("moments");
        csv.Csv()[1][^1].ShouldBe("matrix");
    }

    [Fact]
    public void Bad_combinations_are_one_line_with_exit_2()
    {
        var curve = Curve("c.csv", 1, true);
        string[][] cases =
        [
            ["--spectrum", "powerlaw:a=1,d=2"],
            ["--lr-schedule", "cosine:steps=-3"],
            ["--moments", "quartic"],
            ["--noise", "0.1"],
        ];
        foreach (var extra in cases)
        {
            var r = Validate(curve, extra);
            r.Code.ShouldBe(2, string.Join(" ", extra) + "\n" + r.Err);
            r.ErrLines.Length.ShouldBe(1, string.Join(" ", extra) + "\n" + r.Err);
        }
        var none = Cli.Run("validate", "--method", "sgd:lr=0.1", "--batch", "1", "--against", curve);
        none.Code.ShouldBe(2);
        none.Err.ShouldContain("--data");
    }
}
