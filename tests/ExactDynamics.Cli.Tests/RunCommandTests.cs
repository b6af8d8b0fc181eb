using ExactDynamics.Cli.Commands;
using ExactDynamics.Cli.Options;

namespace ExactDynamics.Cli.Tests;

public class RunCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Risk_experiment_gives_what_the_command_line_gives_and_draws_the_figure()
    {
        var file = _dir.File("exp.json", """
            {
              "description": "Figure 1: SGD against heavy ball",
              "command": "risk",
              "spectrum": "powerlaw:a=1,d=50",
              "method": ["sgd:lr=0.5", "hb:lr=0.25,beta=0.85"],
              "batch": 8,
              "steps": 200,
              "every": 50,
              "format": "csv",
              "plot": "fig.png"
            }
            """);
        var r = Cli.Run("run", file);
        r.ShouldSucceed();
        var direct = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=50 --method sgd:lr=0.5 --method hb:lr=0.25,beta=0.85 --batch 8 --steps 200 --every 50 --format csv"));
        r.Out.ShouldBe(direct.Out);
        Images.ShouldBePng(Path.Combine(_dir.Path, "fig.png")); // relative to the experiment file, not the working folder
    }

    [Fact]
    public void Options_after_the_file_override_it()
    {
        var file = _dir.File("gap.json", """{"command": "gap", "spectrum": "powerlaw:a=1,d=30", "method": "sgd:lr=0.5", "batch": 4, "format": "table"}""");
        var r = Cli.Run("run", file, "--format", "json", "--batch", "2");
        r.ShouldSucceed();
        r.Out.ShouldBe(Cli.Run(Cli.Args("gap --spectrum powerlaw:a=1,d=30 --method sgd:lr=0.5 --batch 2 --format json")).Out);
    }

    [Fact]
    public void Relative_spectrum_files_are_found_next_to_the_experiment()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir.Path, "paper")).FullName;
        File.WriteAllText(Path.Combine(sub, "eigs.txt"), "eigenvalue\n1\n0.5\n0.25\n");
        var file = Path.Combine(sub, "exp.json");
        File.WriteAllText(file, """{"command": "iterations", "spectrum": "file:eigs.txt", "method": "sgd:lr=0.5", "batch": 1, "target": 1e-3, "format": "json", "quiet": true}""");
        var r = Cli.Run("run", file);
        r.ShouldSucceed();
        r.Json().GetProperty("target").GetDouble().ShouldBe(1e-3);
        r.Out.ShouldBe(Cli.Run(Cli.Args("iterations --spectrum values:1,0.5,0.25 --method sgd:lr=0.5 --batch 1 --target 1e-3 --format json")).Out);
    }

    [Theory]
    [InlineData("""{"command": "gap", "spectrum": "powerlaw:a=1,d=5", "method": "sgd:lr=0.5", "batc": 2}""", "\"batc\" is not an option of gap; did you mean \"batch\"?")]
    [InlineData("""{"command": "gpa", "spectrum": "powerlaw:a=1,d=5"}""", "\"command\": \"gpa\" is not a command; did you mean \"gap\"?")]
    [InlineData("""{"spectrum": "powerlaw:a=1,d=5"}""", "has no \"command\" string")]
    [InlineData("""{"command": "run"}""", "\"command\": \"run\" is not a command")]
    [InlineData("""[1, 2]""", "holds a JSON array, not an object")]
    [InlineData("""{"command": "gap",""", "is not valid JSON")]
    [InlineData("""{"command": "gap", "spectrum": {"a": 1}}""", "\"spectrum\" is a JSON object")]
    [InlineData("""{"command": "gap", "spectrum": "powerlaw:a=1,d=5", "method": "sgd:lr=0.5"}""", "--batch")]
    public void Mistakes_are_one_line_and_exit_2(string json, string said)
    {
        var file = _dir.File("bad.json", json);
        var r = Cli.Run("run", file);
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(said);
    }

    [Fact]
    public void Missing_file_is_a_usage_error()
    {
        var r = Cli.Run("run", Path.Combine(_dir.Path, "nope.json"));
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("does not exist");
    }

    [Fact]
    public void The_shipped_example_experiments_run_and_never_write_into_tracked_files()
    {
        var examples = Path.Combine(Repo.Root, "docs", "examples");
        // experiment files have a "command"; docs/examples also holds a custom: method file
        var files = Directory.GetFiles(examples, "*.json").Where(f => File.ReadAllText(f).Contains("\"command\"", StringComparison.Ordinal)).ToArray();
        files.ShouldNotBeEmpty();
        var ignored = File.ReadAllLines(Path.Combine(Repo.Root, ".gitignore"));
        var scratch = Directory.CreateDirectory(Path.Combine(_dir.Path, "examples")).FullName;
        foreach (var f in files)
        {
            // where the experiment writes, resolved as run resolves it: next to the file, in a git-ignored name
            var args = RunCommand.ToArguments(f, CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null)), []);
            for (int i = 0; i + 1 < args.Length; i++)
            {
                if (args[i] is not ("--plot" or "--out")) continue;
                var target = Path.GetFullPath(args[i + 1]);
                Path.GetDirectoryName(target).ShouldBe(Path.GetFullPath(examples), $"{f} writes {target}");
                ignored.ShouldContain($"/docs/examples/*{Path.GetExtension(target)}", $"{f} writes {target}, which git would track");
            }
            var copy = Path.Combine(scratch, Path.GetFileName(f));
            File.Copy(f, copy);
            var r = Cli.Run("run", copy, "--format", "csv");
            r.Code.ShouldBe(0, $"{f}: {r.Err}");
        }
        Directory.GetFiles(scratch, "*.png").Length.ShouldBe(files.Length);
    }

    [Fact]
    public void The_custom_method_example_is_heavy_ball_written_out()
    {
        var custom = Path.Combine(Repo.Root, "docs", "examples", "custom-heavy-ball.json");
        var a = Cli.Run(Cli.Args($"risk --spectrum powerlaw:a=1,d=50 --method custom:{custom} --batch 4 --steps 30 --every 10 --format csv"));
        var b = Cli.Run(Cli.Args("risk --spectrum powerlaw:a=1,d=50 --method hb:lr=0.25,beta=0.85 --batch 4 --steps 30 --every 10 --format csv"));
        a.ShouldSucceed();
        a.Out.ShouldBe(b.Out);
    }
}

internal static class Repo
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ExactDynamics.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("The repository root (with ExactDynamics.sln) was not found.");
        }
    }
}
