using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Tests;

/// <summary>--size and --scale on every command with --plot; tick labels that read alike on every axis.</summary>
public class FigureOptionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --steps 50", 600, 400, 2)]
    [InlineData("sweep --spectrum powerlaw:a=1,d=20 --family sgd --batches 1..4", 900, 300, 1)]
    [InlineData("critical-batch --spectrum powerlaw:a=1,d=20 --family sgd,hb", 800, 300, 1.5)]
    [InlineData("validate --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --against SIM", 500, 350, 1)]
    public void Size_and_scale_set_the_png_pixels(string command, int w, int h, double scale)
    {
        var sim = _dir.File("sim.csv", "t,risk,stderr\n0,20,0.1\n1,15,0.1\n");
        var png = Path.Combine(_dir.Path, "fig.png");
        var r = Cli.Run([.. Cli.Args(command.Replace("SIM", sim)), "--plot", png, "--size", $"{w}x{h}", "--scale", scale.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        r.Code.ShouldBeLessThanOrEqualTo(1, r.Err); // validate may say inconsistent (exit 1) — the figure is still drawn
        var (pw, ph) = Images.ShouldBePng(png);
        // a several-panel figure divides the size among its panels (a pixel may be lost to rounding per panel)
        pw.ShouldBeInRange((int)(w * scale) - 3, (int)(w * scale));
        ph.ShouldBe((int)(h * scale));
    }

    [Theory]
    [InlineData("--size 700", "WIDTHxHEIGHT")]
    [InlineData("--size 50x400", "between 100 and 10000")]
    [InlineData("--scale 0", "resolution factor")]
    public void Bad_sizes_are_one_sentence(string option, string said)
    {
        var r = Cli.Run(Cli.Args($"risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --plot {Path.Combine(_dir.Path, "x.png")} {option}"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(said);
    }

    [Fact]
    public void Size_without_plot_is_refused()
    {
        var r = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --size 500x400"));
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("give --plot");
    }

    [Fact]
    public void Step_ticks_have_no_thousands_separator_and_decades_are_powers_of_ten()
    {
        var svg = Path.Combine(_dir.Path, "risk.svg");
        Cli.Run(Cli.Args($"risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 4 --steps 3000 --every 1000 --plot {svg}")).ShouldSucceed();
        var texts = Images.ShouldBeSvgWithText(svg);
        texts.ShouldContain(t => t == "1000" || t == "2000");
        texts.ShouldNotContain(t => System.Text.RegularExpressions.Regex.IsMatch(t, @"^\d{1,3},\d{3}$"));
        texts.ShouldContain("10⁰"); // the top decade reads 10⁰, not 1
        texts.ShouldNotContain("1");
    }

    [Fact]
    public void Ticks_inside_a_decade_read_as_multiples_of_a_power_of_ten()
    {
        // 1.5e-3 … 4e-3: no decade inside, so round values labelled m×10ⁿ
        var labels = Plots.LogTickPositions(Math.Log10(1.5e-3), Math.Log10(4e-3)).Select(t => t.Label).OfType<string>().ToArray();
        labels.ShouldNotBeEmpty();
        labels.ShouldAllBe(l => l.Contains("×10⁻³"));
        Plots.Label(2e-3).ShouldBe("2×10⁻³");
        Plots.Label(1e-3).ShouldBe("10⁻³");
        Plots.Label(0.75).ShouldBe("7.5×10⁻¹");
    }

    [Fact]
    public void Panel_svg_has_each_title_once()
    {
        var svg = Path.Combine(_dir.Path, "sweep.svg");
        Cli.Run(Cli.Args($"sweep --spectrum powerlaw:a=1,d=20 --family sgd,hb --batches 1..16 --target 1e-3 --plot {svg}")).ShouldSucceed();
        var texts = Images.ShouldBeSvgWithText(svg);
        texts.Count(t => t.StartsWith("Tuned contraction gap", StringComparison.Ordinal)).ShouldBe(1);
        texts.Count(t => t == "batch size B").ShouldBe(2); // two panels have a batch axis, each labelled once
    }
}
