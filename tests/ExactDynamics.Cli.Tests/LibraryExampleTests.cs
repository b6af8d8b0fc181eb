using System.Runtime.CompilerServices;
using ExactDynamics.Dynamics;
using ExactDynamics.IO;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// The README's C# example ("Use the library from C#"), compiled and run here, its numbers checked against a plain
/// per-direction 2×2 second-moment recursion written out below (docs/math.md#second-moment-recursion) and against the
/// closed form L_0 = ½ Σ λ_i; further tests check that the README shows it verbatim, with the same usings, and that its
/// package instructions name the package id and version the library project packs.
/// </summary>
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
        Console.WriteLine($"gap {gap.Gap}, E L_0 = {risk[0]}, E L_1000 = {risk[1000]}, exact {it.Exact}, closed form {it.ClosedForm}");
        // README:end

        gap.Gap.ShouldBe(0.0158004, 1e-6);
        gap.Diverges.ShouldBeFalse();
        risk.Length.ShouldBe(1001);
        it.ClosedForm.ShouldBe(877);
        _ = typeof(SpectrumFile);

        // independently: L_0 = ½ Σ_{i ≤ 200} 1/i, and a plain recursion for the curve, the first hit and the rate
        double l0 = 0;
        for (int i = 200; i >= 1; i--) l0 += 0.5 / i;
        risk[0].ShouldBe(l0, 1e-14 * l0);
        var plain = PlainHeavyBallRisk(d: 200, lr: 0.25, beta: 0.85, batch: 8, kurtosis: 3, steps: 3000);
        // (the library solves the consistent method, A u = u exactly; the plain loop's fl(1 + β) − β ≠ 1 drifts by
        // ~t·1e-16/(1 − β), docs/volterra.md#accuracy, hence 1e-10 rather than a few ulps)
        for (int t = 0; t <= 1000; t += 50) risk[t].ShouldBe(plain[t], 1e-10 * plain[t], $"t = {t}");
        it.Exact.ShouldBe(Array.FindIndex(plain, r => r <= 1e-6));
        it.Exact.ShouldBe(878);
        // the ratio of successive risks tends to ρ (the next mode decays faster; 3000 steps leave ~1e-7 of it)
        (1 - plain[3000] / plain[2999]).ShouldBe(gap.Gap, 1e-6);
    }

    /// <summary>
    /// E L_t of heavy ball on λ_i = 1/i, isotropic start, written out with plain 2×2 blocks per direction:
    /// S ← T S Tᵀ + (1/B) b bᵀ [λ_i μ + (m4 − 2) λ_i² S₀₀], T = [[1 + β − ηλ_i, −β], [1, 0]], b = (η, 0), μ = Σ_j λ_j S_j,00.
    /// </summary>
    private static double[] PlainHeavyBallRisk(int d, double lr, double beta, double batch, double kurtosis, int steps)
    {
        var s = new double[d, 3]; // S00, S01, S11
        for (int i = 0; i < d; i++) { s[i, 0] = 1; s[i, 1] = 1; s[i, 2] = 1; }
        var risk = new double[steps + 1];
        for (int t = 0; ; t++)
        {
            double mu = 0;
            for (int i = 0; i < d; i++) mu += s[i, 0] / (i + 1);
            risk[t] = 0.5 * mu;
            if (t == steps) return risk;
            for (int i = 0; i < d; i++)
            {
                double l = 1.0 / (i + 1), t00 = 1 + beta - lr * l, t01 = -beta;
                double a = s[i, 0], b = s[i, 1], c = s[i, 2];
                // (T S Tᵀ) with T = [[t00, t01], [1, 0]]
                double n00 = t00 * t00 * a + 2 * t00 * t01 * b + t01 * t01 * c;
                double n01 = t00 * a + t01 * b;
                double n11 = a;
                n00 += lr * lr / batch * (l * mu + (kurtosis - 2) * l * l * a);
                s[i, 0] = n00; s[i, 1] = n01; s[i, 2] = n11;
            }
        }
    }

    [Fact]
    public void Readme_shows_the_example_verbatim()
    {
        var body = ExampleBody();
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");
        readme.ShouldContain(body, customMessage: "README.md's C# example differs from LibraryExampleTests; copy it over.");
    }

    [Fact]
    public void Readme_example_has_the_usings_it_needs()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");
        int section = readme.IndexOf("## Use the library from C#", StringComparison.Ordinal);
        section.ShouldBeGreaterThan(0);
        int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal);
        int end = readme.IndexOf("```", start + 10, StringComparison.Ordinal);
        var block = readme[(start + 10)..end];
        block.ShouldContain(ExampleBody());
        foreach (var ns in new[] { "ExactDynamics", "ExactDynamics.Dynamics", "ExactDynamics.Methods", "ExactDynamics.Spectra",
                     "ExactDynamics.Spectral", "ExactDynamics.Targets", "ExactDynamics.IO" })
            block.ShouldContain($"using {ns};\n");
    }

    [Fact]
    public void Readme_package_instructions_name_the_package_the_library_packs()
    {
        var csproj = File.ReadAllText(Path.Combine(Repo.Root, "src", "ExactDynamics", "ExactDynamics.csproj"));
        string Property(string name)
        {
            var m = System.Text.RegularExpressions.Regex.Match(csproj, $"<{name}>([^<]+)</{name}>");
            m.Success.ShouldBeTrue($"ExactDynamics.csproj has no <{name}>");
            return m.Groups[1].Value;
        }
        var id = Property("PackageId");
        var version = Property("Version");
        id.ShouldBe("ExactDynamics");
        Property("PackageLicenseExpression").ShouldBe("MIT");
        var readmeFile = Property("PackageReadmeFile");
        File.Exists(Path.Combine(Repo.Root, "src", "ExactDynamics", readmeFile)).ShouldBeTrue();

        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        readme.ShouldContain("dotnet pack src/ExactDynamics -o ./nupkg");
        readme.ShouldContain($"dotnet add package {id} --version {version}");
        readme.ShouldContain($"<PackageReference Include=\"{id}\" Version=\"{version}\" />");
        readme.ShouldContain("dotnet add reference /path/to/ExactDynamics/src/ExactDynamics/ExactDynamics.csproj");
        File.Exists(Path.Combine(Repo.Root, "src", "ExactDynamics", "ExactDynamics.csproj")).ShouldBeTrue();
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
