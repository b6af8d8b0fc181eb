using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ExactDynamics.Cli.Tests;

/// <summary>A test that packs, restores and builds outside the repository (about a minute): runs only in full mode.</summary>
public sealed class FullModeFactAttribute : FactAttribute
{
    /// <summary>The environment variable of the full test mode (shared with the validation suite).</summary>
    public const string Variable = "EXACTDYN_FULL";

    /// <summary>Skips unless <see cref="Variable"/> is 1.</summary>
    public FullModeFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"Packs and builds a console project (about a minute): set {Variable}=1 to run it.";
    }
}

/// <summary>
/// The README's package route, end to end: <c>dotnet pack src/ExactDynamics</c>, a new console project outside the
/// repository that adds the package folder as a source and references <c>ExactDynamics</c> as the README says, the
/// README's C# example as its Program.cs, and <c>dotnet run</c> — whose output must carry the numbers the example
/// quotes (878 exact steps, 877 in closed form, the gap 0.0158004…; these are checked against an independent recursion
/// in <see cref="LibraryExampleTests"/>). A private package cache keeps an older 0.1.0 from being used.
/// </summary>
public sealed class PackageRoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Output) Dotnet(string workingDirectory, string cache, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NUGET_PACKAGES"] = cache;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static void ShouldSucceed((int Code, string Output) r, string what) => r.Code.ShouldBe(0, $"{what}: {r.Output}");

    [FullModeFact]
    public void A_console_project_runs_the_readme_example_against_the_packed_library()
    {
        var cache = Directory.CreateDirectory(Path.Combine(_dir.Path, "packages")).FullName;
        var feed = Path.Combine(_dir.Path, "nupkg");
        ShouldSucceed(Dotnet(Repo.Root, cache, "pack", "src/ExactDynamics", "-o", feed), "dotnet pack");
        File.Exists(Path.Combine(feed, "ExactDynamics.0.1.0.nupkg")).ShouldBeTrue();

        var app = Directory.CreateDirectory(Path.Combine(_dir.Path, "App")).FullName;
        ShouldSucceed(Dotnet(app, cache, "new", "console", "--no-restore"), "dotnet new console");
        ShouldSucceed(Dotnet(app, cache, "new", "nugetconfig"), "dotnet new nugetconfig");
        ShouldSucceed(Dotnet(app, cache, "nuget", "add", "source", feed, "--name", "exactdynamics-local", "--configfile", "nuget.config"), "dotnet nuget add source");
        ShouldSucceed(Dotnet(app, cache, "add", "package", "ExactDynamics", "--version", "0.1.0"), "dotnet add package");
        File.ReadAllText(Directory.GetFiles(app, "*.csproj").Single()).ShouldContain("<PackageReference Include=\"ExactDynamics\" Version=\"0.1.0\" />");

        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");
        int section = readme.IndexOf("## Use the library from C#", StringComparison.Ordinal);
        var example = Regex.Match(readme[section..], "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        example.ShouldContain("Console.WriteLine");
        File.WriteAllText(Path.Combine(app, "Program.cs"), example);

        var run = Dotnet(app, cache, "run");
        ShouldSucceed(run, "dotnet run");
        run.Output.ShouldContain("exact 878, closed form 877");
        run.Output.ShouldContain("gap 0.0158004");
        // the package carries the XML documentation and the package README
        Directory.GetFiles(Path.Combine(cache, "exactdynamics", "0.1.0"), "ExactDynamics.xml", SearchOption.AllDirectories).ShouldNotBeEmpty();
        File.Exists(Path.Combine(cache, "exactdynamics", "0.1.0", "PACKAGE.md")).ShouldBeTrue();
    }
}
