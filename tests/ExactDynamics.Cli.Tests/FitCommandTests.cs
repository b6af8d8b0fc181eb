using System.Globalization;
using System.Text;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>exactdyn fit</c> end to end (docs/cli.md#fit): exact SGD curves written by a plain per-direction recursion in
/// this file give back the parameters they were made with; bad input is one sentence, exit 2.
/// </summary>
public class FitCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const int D = 20;
    private const double A = 1.2, S = 1.5, Noise = 1e-3, P = 0.5, C = 2;

    /// <summary>
    /// E L_t of SGD written out: v_i ← (1 − ηλ_i)² v_i + (η²/B)[λ_i Σ_j λ_j v_j + (m4 − 2)λ_i² v_i + σ²λ_i],
    /// E L_t = ½ Σ λ_i v_i, with λ_i = S·i^(−a), v_i(0) = c·i^(−p), m4 = 3.
    /// </summary>
    private static double[] SgdRisk(double lr, double batch, int steps) =>
        SgdRisk(Enumerable.Range(1, D).Select(i => S * Math.Pow(i, -A)).ToArray(), 3, lr, batch, steps);

    internal static double[] SgdRisk(double[] lam, double m4, double lr, double batch, int steps)
    {
        int d = lam.Length;
        var v = Enumerable.Range(1, d).Select(i => C * Math.Pow(i, -P)).ToArray();
        var risk = new double[steps + 1];
        for (int t = 0; ; t++)
        {
            double mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * v[i];
            risk[t] = 0.5 * mu;
            if (t == steps) return risk;
            for (int i = 0; i < d; i++)
                v[i] = (1 - lr * lam[i]) * (1 - lr * lam[i]) * v[i] + lr * lr / batch * (lam[i] * mu + (m4 - 2) * lam[i] * lam[i] * v[i] + Noise * lam[i]);
        }
    }

    private string CurveFile(string name, double lr, double batch, double offset = 0, string column = "risk", double[]? risk = null)
    {
        risk ??= SgdRisk(lr, batch, 400);
        var sb = new StringBuilder($"t,{column}\n");
        foreach (var t in new long[] { 0, 1, 2, 4, 7, 12, 20, 30, 45, 70, 100, 140, 200, 260, 330, 400 })
            sb.Append(CultureInfo.InvariantCulture, $"{t},{(risk[t] + offset).ToString("R", CultureInfo.InvariantCulture)}\n");
        var path = _dir.File(name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private string TwoCurves => $"--against {CurveFile("a.csv", 0.1, 1)} --method sgd:lr=0.1 --batch 1 --against {CurveFile("b.csv", 0.3, 4)} --method sgd:lr=0.3 --batch 4 --model powerlaw:d={D}";

    [Fact]
    public void Exact_curves_give_back_their_parameters_and_the_answers()
    {
        var r = Cli.Run(Cli.Args($"fit {TwoCurves} --fix kurtosis=3 --at-batch 2 --format json"));
        r.ShouldSucceed();
        var j = r.Json();
        var truth = new Dictionary<string, double> { ["a"] = A, ["scale"] = S, ["noise"] = Noise, ["init-exponent"] = P, ["init-scale"] = C, ["kurtosis"] = 3 };
        foreach (var p in j.GetProperty("parameters").EnumerateArray())
        {
            string name = p.GetProperty("name").GetString()!;
            Math.Abs(p.GetProperty("value").GetDouble() / truth[name] - 1).ShouldBeLessThan(1e-6, name);
            p.GetProperty("fixed").GetBoolean().ShouldBe(name == "kurtosis");
        }
        j.GetProperty("rows").GetInt32().ShouldBe(32);
        j.GetProperty("free").GetInt32().ShouldBe(5);
        j.GetProperty("chi2_per_row").GetDouble().ShouldBeLessThan(1e-20);
        var answer = j.GetProperty("answers")[0];
        answer.GetProperty("family").GetString().ShouldBe("sgd");
        answer.GetProperty("at_batch").GetDouble().ShouldBe(2);
        answer.GetProperty("critical_batch").GetDouble().ShouldBeGreaterThan(1);
        answer.GetProperty("method").GetString()!.ShouldStartWith("sgd:lr=");
        var curve = j.GetProperty("curves")[1];
        curve.GetProperty("method").GetString().ShouldBe("sgd:lr=0.3");
        curve.GetProperty("batch").GetDouble().ShouldBe(4);
        curve.GetProperty("t").GetArrayLength().ShouldBe(16);
    }

    [Fact]
    public void Csv_table_and_plot()
    {
        var png = _dir.File("fit.png");
        var csv = Cli.Run(Cli.Args($"fit {TwoCurves} --fix kurtosis=3,noise={Noise.ToString("R", CultureInfo.InvariantCulture)} --no-answers --format csv --plot {png}"));
        csv.ShouldSucceed();
        var rows = csv.Csv();
        rows[0].ShouldBe(["quantity", "name", "value", "stderr", "lower", "upper"]);
        rows.Count(x => x[0] == "parameter").ShouldBe(4);
        rows.Count(x => x[0] == "fixed").ShouldBe(2);
        rows.ShouldContain(x => x[0] == "curve_chi2_per_row" && x[1] == "b.csv");
        rows.ShouldNotContain(x => x[0] == "critical_batch");
        File.Exists(png).ShouldBeTrue();
        new FileInfo(png).Length.ShouldBeGreaterThan(1000);

        var table = Cli.Run(Cli.Args($"fit {TwoCurves} --fix kurtosis=3 --family sgd,hb"));
        table.ShouldSucceed();
        table.Out.ShouldContain("Fit of powerlaw:d=20 to 2 curves");
        table.Out.ShouldContain("init-exponent");
        table.Out.ShouldContain("critical batch");
        table.Out.ShouldContain("hb:lr=");
    }

    [Fact]
    public void A_loss_with_a_floor_is_fitted_with_the_loss_objective_and_refused_by_the_log_objective()
    {
        var loss = CurveFile("loss.csv", 0.1, 1, offset: 0.05, column: "loss");
        var other = CurveFile("loss2.csv", 0.3, 4, offset: 0.05, column: "loss");
        var r = Cli.Run(Cli.Args($"fit --against {loss} --against {other} --method sgd:lr=0.1 --method sgd:lr=0.3 --batch 1 --batch 4 --model powerlaw:d={D} --objective loss --fix kurtosis=3,init-exponent={P} --no-answers --format json"));
        r.ShouldSucceed();
        var floor = r.Json().GetProperty("parameters").EnumerateArray().First(p => p.GetProperty("name").GetString() == "floor");
        Math.Abs(floor.GetProperty("value").GetDouble() / 0.05 - 1).ShouldBeLessThan(1e-6);
        var refused = Cli.Run(Cli.Args($"fit --against {loss} --method sgd:lr=0.1 --batch 1 --model powerlaw:d={D}"));
        refused.Code.ShouldBe(2);
        refused.Err.ShouldContain("holds a loss");
    }

    [Fact]
    public void Bad_input_is_one_sentence_exit_2()
    {
        var good = CurveFile("good.csv", 0.1, 1);
        var empty = _dir.File("empty.csv");
        File.WriteAllText(empty, "t,risk\n");
        var zero = _dir.File("zero.csv");
        File.WriteAllText(zero, "t,risk\n0,1\n10,0.5\n20,0\n30,0.1\n40,0.1\n50,0.1\n60,0.1\n70,0.1\n");
        var cases = new (string Args, string Message)[]
        {
            ($"--against {empty} --method sgd:lr=0.1 --batch 1 --model powerlaw:d=10", "has a header but no rows"),
            ($"--against {zero} --method sgd:lr=0.1 --batch 1 --model powerlaw:d=10", "the log-risk objective needs positive values"),
            ($"--against {good} --method sgd:lr=0.1 --batch 1 --model powerlaw:d=10 --fix a=1,scale=1,noise=0,init-exponent=0,init-scale=1,kurtosis=3", "leave at least one free to fit"),
            ($"--against {good} --against {good} --method sgd:lr=0.1 --method sgd:lr=0.2 --method sgd:lr=0.3 --batch 1 --model powerlaw:d=10", "2 curves (--against) but 3 values of --method"),
            ($"--against {good} --method sgd:lr=0.1 --batch 1 --model powerlaw:d=10 --fix beta=0.9", "has no parameter 'beta'"),
            ($"--against {good} --method sgd:lr=0.1 --batch 1", "The fit needs a model"),
            ($"--against {good} --method sgd:lr=0.1 --batch 1 --model powerlaw", "missing parameter d"),
            ($"--against {good} --method sgd:lr=0.1 --batch 1 --model powerlaw:d=10 --fix kurtosis", "is not of the form name=value"),
        };
        foreach (var (args, message) in cases)
        {
            var r = Cli.Run(Cli.Args("fit " + args));
            r.Code.ShouldBe(2, args);
            r.ErrLines.Length.ShouldBe(1, r.Err);
            r.Err.ShouldContain(message, Case.Sensitive, args);
        }
    }

    [Fact]
    public void A_data_matrix_with_a_planted_teacher_gives_back_noise_start_and_kurtosis()
    {
        // 8 rows whose three centred columns are orthogonal ±1 patterns scaled by 1, 0.6, 0.3: H = XᵀX/n is diagonal
        // with eigenvalues 1, 0.36, 0.09 and the eigenbasis is the coordinate axes, so the Gaussian data model is the
        // recursion above on these eigenvalues
        int[][] signs = [[1, 1, 1], [-1, 1, 1], [1, -1, 1], [-1, -1, 1], [1, 1, -1], [-1, 1, -1], [1, -1, -1], [-1, -1, -1]];
        double[] scales = [1, 0.6, 0.3];
        var x = _dir.File("x.csv");
        File.WriteAllLines(x, signs.Select(r => string.Join(",", r.Select((v, j) => (v * scales[j]).ToString("R", CultureInfo.InvariantCulture)))));
        double[] lam = [1, 0.36, 0.09];
        const double m4 = 4;
        var a = CurveFile("da.csv", 0.2, 1, risk: SgdRisk(lam, m4, 0.2, 1, 400));
        var b = CurveFile("db.csv", 0.8, 2, risk: SgdRisk(lam, m4, 0.8, 2, 400));
        var r = Cli.Run(Cli.Args($"fit --against {a} --method sgd:lr=0.2 --batch 1 --against {b} --method sgd:lr=0.8 --batch 2 --data {x} --format json -q"));
        r.ShouldSucceed();
        var truth = new Dictionary<string, double> { ["noise"] = Noise, ["init-exponent"] = P, ["init-scale"] = C, ["kurtosis"] = m4 };
        var parameters = r.Json().GetProperty("parameters").EnumerateArray().ToArray();
        parameters.Select(p => p.GetProperty("name").GetString()).ShouldBe(["noise", "init-exponent", "init-scale", "kurtosis"]);
        foreach (var p in parameters)
            Math.Abs(p.GetProperty("value").GetDouble() / truth[p.GetProperty("name").GetString()!] - 1).ShouldBeLessThan(1e-6, p.GetProperty("name").GetString());
        r.Json().GetProperty("model").GetString()!.ShouldContain("gaussian moments");
    }
}
