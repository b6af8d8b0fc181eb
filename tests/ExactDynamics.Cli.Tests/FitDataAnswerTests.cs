using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>fit --data</c> answers the usual questions on the data (docs/cli.md#fit): its critical batch and tuned methods are
/// those that separate runs of <c>critical-batch --data</c> and <c>tune --data</c> print for the fitted model (the
/// fitted kurtosis passed back with --kurtosis); under the empirical model nothing fitted enters and the output says
/// so; the plot shows the fit and its residuals; bad curves are one sentence, exit 2.
/// </summary>
public class FitDataAnswerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // 8 rows whose centred columns are orthogonal ±1 patterns scaled by 1, 0.6, 0.3 (H = diag(1, 0.36, 0.09))
    private static readonly int[][] Signs = [[1, 1, 1], [-1, 1, 1], [1, -1, 1], [-1, -1, 1], [1, 1, -1], [-1, 1, -1], [1, -1, -1], [-1, -1, -1]];
    private static readonly double[] Scales = [1, 0.6, 0.3];
    private static readonly double[] Lambda = [1, 0.36, 0.09];
    private const double M4 = 4, C = 2, P = 0.5; // the start of FitCommandTests.SgdRisk: v_j(0) = C·j^(−P)

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private string DataFile()
    {
        var x = _dir.File("x.csv");
        File.WriteAllLines(x, Signs.Select(r => string.Join(",", r.Select((v, j) => R(v * Scales[j])))));
        return x;
    }

    /// <summary>The exact curve at a few steps, times exp(0.02·N(0,1)) per point (seeded) so that the fit has scatter.</summary>
    private string CurveFile(string name, double lr, double batch, int seed)
    {
        // the plain per-direction loop of the Gaussian model (v_j(0) = 2·j^(−1/2), σ² = 10⁻³)
        var risk = FitCommandTests.SgdRisk(Lambda, M4, lr, batch, 300);
        var rng = new Random(seed);
        var sb = new StringBuilder("t,risk\n");
        foreach (var t in new[] { 0, 1, 2, 4, 7, 12, 20, 30, 45, 70, 100, 140, 200, 300 })
        {
            double z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            sb.Append(CultureInfo.InvariantCulture, $"{t},{R(risk[t] * Math.Exp(0.02 * z))}\n");
        }
        return _dir.File(name, sb.ToString());
    }

    private string Curves => $"--against {CurveFile("a.csv", 0.2, 1, 1)} --method sgd:lr=0.2 --batch 1 --against {CurveFile("b.csv", 0.8, 2, 2)} --method sgd:lr=0.8 --batch 2";

    private static JsonElement Answer(JsonElement fit, string family, double batch) =>
        fit.GetProperty("answers").EnumerateArray().Single(a => a.GetProperty("family").GetString() == family && a.GetProperty("at_batch").GetDouble() == batch);

    private static JsonElement ByFamily(JsonElement critical, string family) =>
        critical.ValueKind == JsonValueKind.Array ? critical.EnumerateArray().Single(c => c.GetProperty("family").GetString() == family) : critical;

    [Fact]
    public void Gaussian_answers_are_what_critical_batch_and_tune_print_for_the_fitted_kurtosis()
    {
        var x = DataFile();
        var r = Cli.Run(Cli.Args($"fit {Curves} --data {x} --family sgd,hb --at-batch 1,4 --format json -q"));
        r.ShouldSucceed();
        var fit = r.Json();
        fit.GetProperty("answers_moments").GetString().ShouldBe("gaussian");
        var k = fit.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "kurtosis");
        double m4 = k.GetProperty("value").GetDouble();
        Math.Abs(m4 - M4).ShouldBeLessThan(4 * k.GetProperty("stderr").GetDouble());

        var cb = Cli.Run(Cli.Args($"critical-batch --data {x} --moments gaussian --kurtosis {R(m4)} --family sgd,hb --format json -q"));
        cb.ShouldSucceed();
        foreach (var family in new[] { "sgd", "hb" })
        {
            var expected = ByFamily(cb.Json(), family);
            foreach (var batch in new[] { 1.0, 4.0 })
            {
                var a = Answer(fit, family, batch);
                a.GetProperty("critical_batch").GetDouble().ShouldBe(expected.GetProperty("critical_batch").GetDouble(), 1e-9 * expected.GetProperty("critical_batch").GetDouble());
                a.GetProperty("deterministic_scale").GetDouble().ShouldBe(expected.GetProperty("deterministic_scale").GetDouble(), 1e-9 * expected.GetProperty("deterministic_scale").GetDouble());
                a.GetProperty("critical_batch_stderr").GetDouble().ShouldBeGreaterThan(0);
                a.GetProperty("fitted_inputs").EnumerateArray().Select(e => e.GetString()).ShouldBe(["kurtosis"]);
                var tune = Cli.Run(Cli.Args($"tune --data {x} --moments gaussian --kurtosis {R(m4)} --family {family} --batch {R(batch)} --format json -q"));
                tune.ShouldSucceed();
                var t = tune.Json();
                a.GetProperty("method").GetString().ShouldBe(t.GetProperty("method").GetString());
                foreach (var p in t.GetProperty("params").EnumerateObject())
                {
                    a.GetProperty("params").GetProperty(p.Name).GetDouble().ShouldBe(p.Value.GetDouble(), 1e-12 * Math.Abs(p.Value.GetDouble()), p.Name);
                    a.GetProperty("params_stderr").GetProperty(p.Name).GetDouble().ShouldBeGreaterThanOrEqualTo(0);
                }
                a.GetProperty("gap").GetDouble().ShouldBe(t.GetProperty("gap").GetDouble(), 1e-12 * t.GetProperty("gap").GetDouble());
                // the same stability check on the data as tune --data
                var edge = a.GetProperty("stability_on_data").GetProperty("edge_lr");
                edge.GetProperty("gaussian").GetDouble().ShouldBe(t.GetProperty("edge_lr").GetProperty("gaussian").GetDouble());
                edge.GetProperty("empirical").GetDouble().ShouldBe(t.GetProperty("edge_lr").GetProperty("empirical").GetDouble());
                a.GetProperty("stability_on_data").GetProperty("stable_on_data").GetBoolean().ShouldBe(t.GetProperty("stable_on_data").GetBoolean());
            }
        }
    }

    [Fact]
    public void Empirical_answers_are_what_critical_batch_and_tune_print_and_carry_no_fit_uncertainty()
    {
        var x = DataFile();
        var r = Cli.Run(Cli.Args($"fit {Curves} --data {x} --moments empirical --fix init-exponent={R(P)},init-scale={R(C)} --family sgd --at-batch 2 --format json"));
        r.ShouldSucceed();
        r.Err.ShouldContain("answers: critical batch and tuning on the data under the empirical model; estimated up to");
        var a = Answer(r.Json(), "sgd", 2);
        r.Json().GetProperty("answers_moments").GetString().ShouldBe("empirical");
        a.GetProperty("fitted_inputs").GetArrayLength().ShouldBe(0);
        a.GetProperty("critical_batch_stderr").ValueKind.ShouldBe(JsonValueKind.Null);
        a.GetProperty("params_stderr").ValueKind.ShouldBe(JsonValueKind.Null);

        var cb = Cli.Run(Cli.Args($"critical-batch --data {x} --moments empirical --family sgd --format json -q"));
        cb.ShouldSucceed();
        double expected = cb.Json().GetProperty("critical_batch").GetDouble();
        a.GetProperty("critical_batch").GetDouble().ShouldBe(expected, 1e-9 * expected);
        var tune = Cli.Run(Cli.Args($"tune --data {x} --moments empirical --family sgd --batch 2 --format json -q"));
        tune.ShouldSucceed();
        a.GetProperty("method").GetString().ShouldBe(tune.Json().GetProperty("method").GetString());
        a.GetProperty("gap").GetDouble().ShouldBe(tune.Json().GetProperty("gap").GetDouble(), 1e-12);
        var edge = a.GetProperty("stability_on_data").GetProperty("edge_lr");
        edge.GetProperty("gaussian").GetDouble().ShouldBe(tune.Json().GetProperty("edge_lr").GetProperty("gaussian").GetDouble());
        edge.GetProperty("empirical").GetDouble().ShouldBe(tune.Json().GetProperty("edge_lr").GetProperty("empirical").GetDouble());

        // a fixed kurtosis leaves nothing fitted in the gaussian model's rate either
        var table = Cli.Run(Cli.Args($"fit {Curves} --data {x} --fix kurtosis=4 --family sgd --at-batch 2 -q"));
        table.ShouldSucceed();
        table.Out.ShouldContain("on the data, moments: gaussian (independent coordinates, kurtosis 4)");
        table.Out.ShouldContain("no fitted parameter enters these answers");
        table.Out.ShouldContain("sgd at B = 2: learning-rate edge along");
    }

    [Fact]
    public void The_plot_shows_the_fit_and_the_residuals_and_csv_has_the_data_rows()
    {
        var x = DataFile();
        var png = _dir.File("fit.png");
        var r = Cli.Run(Cli.Args($"fit {Curves} --data {x} --at-batch 4 --format csv --plot {png} -q"));
        r.ShouldSucceed();
        var (width, height) = Images.ShouldBePng(png);
        height.ShouldBeGreaterThan(width / 2);
        var rows = r.Csv();
        rows.ShouldContain(row => row[0] == "answers_moments" && row[1] == "gaussian");
        rows.ShouldContain(row => row[0] == "edge_lr_gaussian" && row[1] == "sgd");
        rows.ShouldContain(row => row[0] == "tuned_lr" && row[1] == "sgd" && row[3].Length > 0);
        var svg = _dir.File("fit.svg");
        Cli.Run(Cli.Args($"fit {Curves} --data {x} --no-answers --plot {svg} -q")).ShouldSucceed();
        var text = string.Join(" ", Images.ShouldBeSvgWithText(svg));
        text.ShouldContain("Residuals");
        text.ShouldContain("gaussian moments");
    }

    [Fact]
    public void Empirical_answers_estimated_over_a_minute_fall_back_to_the_matrix_model_and_say_so()
    {
        // the 8 × 3 data: an ASGD tuning takes about 2·10⁷ applications of the O(n d²) map, 26 of them minutes; SGD's a second
        var values = Signs.SelectMany(r => r.Select((v, j) => v * Scales[j])).ToArray();
        var data = ExactDynamics.Data.DataSet.Analyse(new ExactDynamics.Data.DataMatrix(8, 3, values));
        var model = new ExactDynamics.Fitting.DataCurveModel(data, ExactDynamics.Data.MomentModel.Empirical, null);
        var notes = new List<string>();
        var asgd = Options.FitAnswerPlan.Create(model, [ExactDynamics.Methods.MethodFamily.Asgd], [2.0], notes.Add);
        ((ExactDynamics.Fitting.DataCurveModel)asgd.Model).Moments.ShouldBe(ExactDynamics.Data.MomentModel.Matrix);
        asgd.FallBack!.ShouldContain("the answers use the matrix model");
        notes.ShouldHaveSingleItem().ShouldContain("estimated at");
        var sgd = Options.FitAnswerPlan.Create(model, [ExactDynamics.Methods.MethodFamily.Sgd], [2.0], notes.Add);
        sgd.Model.ShouldBeSameAs(model);
        sgd.FallBack.ShouldBeNull();
        notes[^1].ShouldContain("under the empirical model; estimated up to");
    }

    [Fact]
    public void Bad_curves_on_data_are_one_sentence_exit_2()
    {
        var x = DataFile();
        var empty = _dir.File("empty.csv", "t,risk\n");
        var nan = _dir.File("nan.csv", "t,risk\n0,1\n10,NaN\n20,0.5\n30,0.4\n");
        // a curve to t = 10⁹: a fit evaluates whole trajectories, far beyond what the data model runs in minutes
        var longCurve = _dir.File("long.csv", "t,risk\n0,1\n10,0.5\n100,0.3\n1000,0.1\n100000,0.05\n1000000000,0.01\n");
        var good = CurveFile("good.csv", 0.2, 1, 3);
        var cases = new (string Args, string Message)[]
        {
            ($"--against {empty} --method sgd:lr=0.2 --batch 1 --data {x}", "has a header but no rows"),
            ($"--against {nan} --method sgd:lr=0.2 --batch 1 --data {x}", "risk 'NaN' is not a finite number"),
            ($"--against {longCurve} --method sgd:lr=0.2 --batch 1 --data {x}", "would take about"),
            ($"--against {longCurve} --method sgd:lr=0.2 --batch 1 --data {x} --moments empirical", "would take about"),
            ($"--against {good} --method sgd:lr=0.2 --batch 1 --data {x} --moments matrix --at-batch 2.5", "the data models take whole batch sizes"),
            ($"--against {good} --method sgd:lr=0.2 --batch 1 --data {x} --at-batch 0", "give batch sizes ≥ 1"),
        };
        foreach (var (args, message) in cases)
        {
            var r = Cli.Run(Cli.Args("fit " + args));
            r.Code.ShouldBe(2, args);
            r.ErrLines.Length.ShouldBe(1, r.Err);
            r.Err.ShouldContain(message, Case.Sensitive, args);
        }
    }
}
