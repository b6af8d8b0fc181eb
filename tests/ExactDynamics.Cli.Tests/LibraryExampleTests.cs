using System.Runtime.CompilerServices;
using ExactDynamics.Dynamics;
using ExactDynamics.IO;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;

namespace ExactDynamics.Cli.Tests;

/// <summary>The README's C# example, compiled and run here; a second test checks the README still shows it verbatim.</summary>
public class LibraryExampleTests
{
    [Fact]
    public void Readme_library_example_compiles_runs_and_gives_the_numbers_it_quotes()
    {
        // README:begin
        var spectrum = Spectrum.PowerLaw(a: 1, d: 200);          // or SpectrumFile.Read("eigs.npy") / ("eigs.txt")
        var problem = new Problem(spectrum, initial: null, batch: 8, kurtosis: 3, noise: 0);
        var hb = HeavyBall.Create(lr: 0.25, beta: 0.85);

        GapResult gap = ContractionGap.Compute(problem, hb);      // gap.Gap = 0.0158004…, gap.Rho, gap.Diverges
        double[] risk = RiskRecursion.Trajectory(problem, hb, 1000);  // E L_t for t = 0..1000
        IterationsResult it = IterationsToTarget.Compute(problem, hb, target: 1e-6);  // it.Exact = 878, it.ClosedForm = 877
        // README:end

        gap.Gap.ShouldBe(0.0158004, 1e-6);
        gap.Diverges.ShouldBeFalse();
        risk.Length.ShouldBe(1001);
        risk[0].ShouldBe(2.939015474060723, 1e-12);
        it.Exact.ShouldBe(878);
        it.ClosedForm.ShouldBe(877);
        _ = typeof(SpectrumFile);
    }

    [Fact]
    public void Readme_shows_the_example_verbatim()
    {
        var body = ExampleBody();
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");
        readme.ShouldContain(body, customMessage: "README.md's C# example differs from LibraryExampleTests; copy it over.");
    }

    private static string ExampleBody([CallerFilePath] string here = "")
    {
        var lines = File.ReadAllLines(here);
        int begin = Array.FindIndex(lines, l => l.Trim() == "// README:begin");
        int end = Array.FindIndex(lines, l => l.Trim() == "// README:end");
        var block = lines[(begin + 1)..end];
        int indent = block.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", block.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}
