using System.Text.RegularExpressions;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// Every "$ exactdyn …" block of the README runs and prints (at least) the lines the README shows — numbers printed
/// with 10 or more significant digits are compared to 9, so that a kernel that rounds differently in the last place
/// (a faster summation order) does not fail this test; the README should still be refreshed then.
/// </summary>
public partial class ReadmeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"```\n(\$ exactdyn [^\n]*)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"-?\d+\.\d{9,}(?:E[-+]?\d+)?")]
    private static partial Regex LongNumber();

    private static string Rounded(string text) => LongNumber().Replace(text, m =>
        double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture).ToString("G9", System.Globalization.CultureInfo.InvariantCulture));

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
            var output = Rounded(r.Out + r.Err);
            foreach (var line in m.Groups[2].Value.Split('\n').Where(l => l.Trim().Length > 0))
                output.ShouldContain(Rounded(line.TrimEnd()), customMessage: $"README block '{command}'");
            checkedBlocks++;
        }
        checkedBlocks.ShouldBeGreaterThan(5);
    }
}
