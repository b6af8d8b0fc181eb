using System.Text.RegularExpressions;

namespace ExactDynamics.Cli.Tests;

/// <summary>Every "$ exactdyn …" block of the README runs and prints (at least) the lines the README shows.</summary>
public partial class ReadmeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"```\n(\$ exactdyn [^\n]*)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    [Fact]
    public void Readme_commands_print_what_the_readme_shows()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");
        var blocks = Block().Matches(readme);
        blocks.Count.ShouldBeGreaterThan(5);
        int checkedBlocks = 0;
        foreach (Match m in blocks)
        {
            var command = m.Groups[1].Value[2..];
            if (command.Contains("file:", StringComparison.Ordinal)) continue; // needs the user's own file
            var args = Cli.Args(command)[1..].Select(a => a.EndsWith(".png", StringComparison.Ordinal) ? Path.Combine(_dir.Path, a) : a).ToArray();
            var r = Cli.Run(args);
            var output = r.Out + r.Err;
            foreach (var line in m.Groups[2].Value.Split('\n').Where(l => l.Trim().Length > 0))
                output.ShouldContain(line.TrimEnd(), customMessage: $"README block '{command}'");
            checkedBlocks++;
        }
        checkedBlocks.ShouldBeGreaterThan(5);
    }
}
