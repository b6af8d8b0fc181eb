using System.Text.RegularExpressions;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// README's "Start from my data matrix" recipe as a user runs it: its Python block (NumPy: the data, and a training loop
/// that samples rows with replacement, 1000 runs) writes X.npy, y.npy and my_run.csv; then the README's validate line,
/// with the models it names, gives the verdicts the README states — consistent under the empirical model (exit 0),
/// inconsistent under the Gaussian one (exit 1). Runs when a python3 with numpy is installed; otherwise skipped, saying why.
/// </summary>
public partial class DataRecipeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"### Start from my data matrix.*?```python\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Recipe();

    [SkippableFact]
    public void The_readme_data_recipe_validates_under_the_empirical_model_and_not_the_gaussian_one()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("EXACTDYN_PYTHON"), "python3", "/usr/bin/python3" }.OfType<string>().Where(c => c.Length > 0);
        var python = candidates.FirstOrDefault(c => PythonRecipeTests.Run(c, "-c \"import numpy\"").Code == 0);
        Skip.If(python is null, $"no python3 with numpy here (tried {string.Join(", ", candidates)}; set EXACTDYN_PYTHON); the README's data recipe was not run.");
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");
        var code = Recipe().Match(readme);
        code.Success.ShouldBeTrue("README has a python block after 'Start from my data matrix'");
        var script = _dir.File("recipe.py", code.Groups[1].Value);
        var r = PythonRecipeTests.Run(python!, $"\"{script}\"", cwd: _dir.Path);
        r.Code.ShouldBe(0, r.Err);
        string[] args(string model) =>
        [
            "validate", "--data", Path.Combine(_dir.Path, "X.npy"), "--target-data", Path.Combine(_dir.Path, "y.npy"), "--method", "sgd:lr=0.2",
            "--batch", "8", "--against", Path.Combine(_dir.Path, "my_run.csv"), "--moments", model, "--format", "json",
        ];
        var empirical = Cli.Run(args("empirical"));
        empirical.Code.ShouldBe(0, empirical.Out + empirical.Err);
        var gaussian = Cli.Run(args("gaussian"));
        gaussian.Code.ShouldBe(1, gaussian.Out + gaussian.Err);
        gaussian.Json().GetProperty("worst_z").GetDouble().ShouldBeGreaterThan(gaussian.Json().GetProperty("threshold").GetDouble());
    }
}
