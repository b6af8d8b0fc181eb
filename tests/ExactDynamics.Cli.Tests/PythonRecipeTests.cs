using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// docs/examples/plot_theory.py: calls exactdyn (--format json), simulates the same SGD run in NumPy and plots both with
/// matplotlib. Runs when python3 with numpy and matplotlib is installed; otherwise reported as skipped, with the reason.
/// </summary>
public partial class PythonRecipeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"worst \|z\| = ([0-9.]+)")]
    private static partial Regex WorstZ();

    internal static (int Code, string Out, string Err) Run(string file, string args, IDictionary<string, string>? env = null, string? cwd = null)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (cwd is not null) info.WorkingDirectory = cwd;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        try
        {
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message); // no such program
        }
    }

    [SkippableFact]
    public void Plot_theory_recipe_runs_and_the_simulation_agrees_with_exactdyn()
    {
        // EXACTDYN_PYTHON, else the python3 on the PATH, else the system one (which may have numpy when the PATH's has not)
        var candidates = new[] { Environment.GetEnvironmentVariable("EXACTDYN_PYTHON"), "python3", "/usr/bin/python3" }.OfType<string>().Where(c => c.Length > 0);
        var python = candidates.FirstOrDefault(c => Run(c, "-c \"import numpy, matplotlib\"").Code == 0);
        Skip.If(python is null,
            $"no python3 with numpy and matplotlib here (tried {string.Join(", ", candidates)}; set EXACTDYN_PYTHON); the recipe docs/examples/plot_theory.py was not run.");
        var script = Path.Combine(Repo.Root, "docs", "examples", "plot_theory.py");
        var cli = Path.Combine(AppContext.BaseDirectory, "exactdyn.dll");
        var fig = Path.Combine(_dir.Path, "fig.png");
        var r = Run(python!, $"\"{script}\" --out \"{fig}\"", new Dictionary<string, string> { ["EXACTDYN"] = $"dotnet \"{cli}\"" }, _dir.Path);
        r.Code.ShouldBe(0, r.Err);
        Images.ShouldBePng(fig);
        // 200 runs over 201 steps: the simulated mean stays within the Bonferroni bound (α = 0.001 over 201 steps:
        // Φ⁻¹(1 − 0.001/402) ≈ 4.6) of the exact curve exactdyn computed (fixed seed, so this does not flicker)
        var m = WorstZ().Match(r.Out);
        m.Success.ShouldBeTrue(r.Out);
        double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture).ShouldBeLessThan(4.6);
    }
}
