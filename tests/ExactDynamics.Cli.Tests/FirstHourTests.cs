using System.Globalization;
using ExactDynamics.Cli.Options;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;

namespace ExactDynamics.Cli.Tests;

/// <summary>The three everyday questions, smooth: spectra from rank-deficient data, the tuned method at the critical batch, overlays and validate --plot.</summary>
public class FirstHourTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    [Fact]
    public void An_existing_path_without_file_prefix_suggests_it()
    {
        var path = _dir.File("eigs.txt", "1\n0.5\n");
        var r = Cli.Run(Cli.Args($"gap --spectrum {path} --method sgd:lr=0.5 --batch 2"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain($"file:{path}");
    }

    [Fact]
    public void Round_off_eigenvalues_are_dropped_with_a_note_and_the_risk_is_that_of_the_rest()
    {
        // 3 real eigenvalues, an exact zero and a round-off negative (as np.linalg.eigvalsh gives for n < d)
        var path = _dir.File("eigs.txt", "1\n0.5\n0.25\n0\n-1.5e-17\n");
        var r = Cli.Run(Cli.Args($"risk --spectrum file:{path} --method sgd:lr=0.5 --batch 2 --steps 10 --every 5 --format csv --init isotropic"));
        r.ShouldSucceed();
        r.Err.ShouldContain("2 of the 5 eigenvalues");
        r.Err.ShouldContain("dropped");
        // independent: the same problem on the three positive eigenvalues
        var plain = Cli.Run(Cli.Args("risk --spectrum values:1,0.5,0.25 --method sgd:lr=0.5 --batch 2 --steps 10 --every 5 --format csv"));
        r.Out.ShouldBe(plain.Out);
    }

    [Fact]
    public void Clearly_negative_eigenvalues_are_still_refused()
    {
        var path = _dir.File("eigs.txt", "1\n0.5\n-0.01\n");
        var r = Cli.Run(Cli.Args($"gap --spectrum file:{path} --method sgd:lr=0.5 --batch 2"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("-0.01");
        r.Err.ShouldContain("negative");
    }

    [Fact]
    public void Null_tolerance_is_d_eps_lambda_max() =>
        ExactDynamics.IO.SpectrumFile.NullTolerance(1000, 2).ShouldBe(1000 * 2.220446049250313e-16 * 2);

    [Fact]
    public void Critical_batch_reports_the_tuned_method_there_and_it_is_tuned()
    {
        var r = Cli.Run(Cli.Args("critical-batch --spectrum powerlaw:a=1,d=40 --family hb --format json"));
        r.ShouldSucceed();
        var j = r.Json();
        double bc = j.GetProperty("critical_batch").GetDouble(), ce1 = j.GetProperty("small_batch_ce").GetDouble();
        double lr = j.GetProperty("params").GetProperty("lr").GetDouble(), beta = j.GetProperty("params").GetProperty("beta").GetDouble();
        j.GetProperty("method").GetString().ShouldBe($"hb:lr={R(lr)},beta={R(beta)}");
        j.GetProperty("kurtosis").GetDouble().ShouldBe(3);
        j.GetProperty("noise").GetDouble().ShouldBe(0);
        // independently: the gap of that method at B_crit, by the library's gap solver on a fresh problem
        var problem = new Problem(Spectrum.PowerLaw(1, 40), null, bc, 3, 0);
        double Gap(double l, double b) => ContractionGap.Compute(problem, HeavyBall.Create(l, b)).Gap;
        double g = Gap(lr, beta);
        // the critical batch's defining equation CE(B) = f·CE(1): gap/B = ½·gap*(1)
        (g / bc).ShouldBe(0.5 * ce1, 1e-3 * ce1);
        // tuned: moving either hyperparameter by 2% does not raise the gap (finite-difference optimality check)
        foreach (var (l, b) in new[] { (lr * 1.02, beta), (lr * 0.98, beta), (lr, beta * 1.02), (lr, beta * 0.98) })
        {
            double moved = Gap(l, b);
            if (double.IsFinite(moved)) moved.ShouldBeLessThanOrEqualTo(g * (1 + 1e-6));
        }
    }

    [Fact]
    public void Critical_batch_csv_keeps_its_columns_and_appends_method_parameters_and_model()
    {
        var r = Cli.Run(Cli.Args("critical-batch --spectrum powerlaw:a=1,d=40 --family sgd,hb --kurtosis 1 --noise 0.1 --format csv"));
        r.ShouldSucceed();
        var header = r.Out.Split('\n')[0];
        header.ShouldStartWith("family,fraction,critical_batch,small_batch_ce,deterministic_scale,deterministic_gap,critical_batch_vs_sgd,");
        header.ShouldEndWith(",method,lr,beta,kurtosis,noise");
        r.Out.Split('\n')[1].ShouldEndWith(",1,0.1");
    }

    [Theory]
    [InlineData("gap --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4")]
    [InlineData("risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --steps 5")]
    [InlineData("risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --method sgd:lr=0.25 --batch 4 --steps 5")]
    [InlineData("iterations --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --target 0.1")]
    [InlineData("tune --spectrum powerlaw:a=1,d=20 --family sgd --batch 4")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=20 --family sgd --batches 1,2")]
    public void Json_states_the_kurtosis_and_noise_it_assumed(string command)
    {
        var r = Cli.Run(Cli.Args(command + " --kurtosis 1.5 --noise 0.02 --format json"));
        r.ShouldSucceed();
        r.Json().GetProperty("kurtosis").GetDouble().ShouldBe(1.5);
        r.Json().GetProperty("noise").GetDouble().ShouldBe(0.02);
    }

    [Fact]
    public void Family_spellings_are_one_idea()
    {
        var a = Cli.Run(Cli.Args("sweep --spectrum powerlaw:a=1,d=20 --family sgd,hb --batches 1,4 --format csv"));
        var b = Cli.Run(Cli.Args("sweep --spectrum powerlaw:a=1,d=20 --families sgd,hb --batches 1,4 --format csv"));
        a.ShouldSucceed();
        b.ShouldSucceed();
        b.Out.ShouldBe(a.Out);
        a.Err.ShouldBeEmpty();
        b.Err.ShouldContain("--families is now spelled --family");
        Cli.Run(Cli.Args("tune --spectrum powerlaw:a=1,d=20 --families sgd --batch 4 --format csv")).Out
            .ShouldBe(Cli.Run(Cli.Args("tune --spectrum powerlaw:a=1,d=20 --family sgd --batch 4 --format csv")).Out);
    }

    [Fact]
    public void Overlay_with_a_loss_column_notes_it_and_floor_subtracts_half_the_noise()
    {
        var csv = _dir.File("train.csv", "t,loss,stderr\n0,2.1,0.1\n50,1.05,0.05\n300,0.8,0.05\n");
        var svg = Path.Combine(_dir.Path, "fig.svg");
        const string risk = "risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --noise 0.2 --steps 100 --every 50 --format csv";
        var r = Cli.Run(Cli.Args($"{risk} --plot {svg} --overlay {csv}"));
        r.ShouldSucceed();
        r.Err.ShouldContain("loss column");
        r.Err.ShouldContain("--overlay-offset floor");
        r.Err.ShouldContain("runs to t = 300, beyond --steps 100");
        var texts = Images.ShouldBeSvgWithText(svg);
        texts.ShouldContain("train.csv ± 2·stderr"); // the band
        var floor = Cli.Run(Cli.Args($"{risk} --plot {svg} --overlay {csv} --overlay-offset floor"));
        floor.ShouldSucceed();
        floor.Err.ShouldNotContain("loss column");
        Images.ShouldBeSvgWithText(svg).ShouldContain("train.csv − 0.1 (measured)"); // σ²/2 = 0.1
        Options.Overlays.ParseOffset("floor", 0.2).ShouldBe(0.1);
        Options.Overlays.ParseOffset("0.05", 0.2).ShouldBe(0.05);
        Cli.Run(Cli.Args($"{risk} --plot {svg} --overlay {csv} --overlay-offset abc")).Code.ShouldBe(2);
    }

    [Fact]
    public void Validate_plot_shows_both_curves_the_band_and_the_z_scores()
    {
        // a "simulation" that is the exact curve plus one stderr at every step: z = 1 everywhere
        var exact = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --steps 40 --every 10 --format csv"));
        var rows = exact.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .Select(f => $"{f[0]},{R(Cli.D(f[1]) * 1.01)},{R(Cli.D(f[1]) * 0.01)}");
        var sim = _dir.File("sim.csv", "t,risk,stderr\n" + string.Join('\n', rows) + "\n");
        var svg = Path.Combine(_dir.Path, "val.svg");
        var r = Cli.Run(Cli.Args($"validate --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --against {sim} --plot {svg} --format json"));
        r.ShouldSucceed();
        r.Json().GetProperty("worst_z").GetDouble().ShouldBe(1, 1e-9);
        var texts = Images.ShouldBeSvgWithText(svg);
        texts.ShouldContain("exact E L_t");
        texts.ShouldContain("sim.csv (simulated)");
        texts.ShouldContain("± 2·stderr (file)");
        texts.ShouldContain(t => t.StartsWith("z = (simulated − exact)/stderr — consistent", StringComparison.Ordinal));
        texts.ShouldContain(t => t.StartsWith("± 3.", StringComparison.Ordinal)); // the Bonferroni bound for 5 steps
    }

    [Fact]
    public void Help_has_no_parser_boilerplate_or_odd_defaults()
    {
        foreach (var command in new[] { "run", "sweep", "critical-batch", "tune", "risk", "validate" })
        {
            var r = Cli.Run(command, "--help");
            r.ShouldSucceed();
            r.Out.ShouldNotContain("[[--]");
            r.Out.ShouldNotContain("additional arguments", Case.Insensitive);
            r.Out.Split('\n').Where(l => l.TrimStart().StartsWith("--threads", StringComparison.Ordinal) || l.TrimStart().StartsWith("--max-batch", StringComparison.Ordinal))
                .ShouldAllBe(l => !l.Contains("[default:"));
            r.Out.ShouldNotContain("1099511627776");
            r.Out.ShouldNotContain("Show help and usage information");
            r.Out.ShouldNotContain("Show version information");
        }
    }
}
