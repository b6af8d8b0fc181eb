using System.Text.RegularExpressions;
using ExactDynamics.Cli.Commands;
using ExactDynamics.Cli.Options;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// README.md as a new user reads it. Every "$ exactdyn …" block (written by docs/readme/regenerate.sh) runs and prints
/// exactly the lines the README shows — no line left out, none added; numbers printed with 10 or more significant
/// digits are compared to 9, so that a kernel that rounds differently in the last place does not fail this test (the
/// README should still be regenerated then). Every other command the README shows — in ```bash blocks and in the prose
/// — is complete: it parses with no missing or unknown option.
/// </summary>
public partial class ReadmeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"```\n(\$ exactdyn [^\n]*)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"-?\d+\.\d{9,}(?:E[-+]?\d+)?")]
    private static partial Regex LongNumber();

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"(?<!`)`(exactdyn [^`]+)`")]
    private static partial Regex InlineCommand();

    private static string Readme => File.ReadAllText(Path.Combine(Repo.Root, "README.md")).Replace("\r\n", "\n");

    private static string Rounded(string text) => LongNumber().Replace(text, m =>
        double.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture).ToString("G9", System.Globalization.CultureInfo.InvariantCulture));

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').Select(l => Rounded(l.TrimEnd())).ToArray();

    [Fact]
    public void Readme_commands_print_exactly_what_the_readme_shows()
    {
        var blocks = Block().Matches(Readme);
        blocks.Count.ShouldBeGreaterThan(8);
        int checkedBlocks = 0;
        foreach (Match m in blocks)
        {
            var command = m.Groups[1].Value[2..];
            // needs the NumPy recipe's eigs.npy, or the data recipe's X.npy and training run (made by numpy's random
            // generator): docs/readme/regenerate.sh checks them
            if (command.Contains("file:eigs.npy", StringComparison.Ordinal) || command.Contains("X.npy", StringComparison.Ordinal)) continue;
            var args = Cli.Args(command)[1..]
                .Select(a => a.EndsWith(".png", StringComparison.Ordinal) || a.EndsWith(".svg", StringComparison.Ordinal) ? Path.Combine(_dir.Path, a) : a).ToArray();
            var r = Cli.Run(args);
            Lines(r.Out + r.Err).ShouldBe(Lines(m.Groups[2].Value), $"README block '{command}' (run docs/readme/regenerate.sh)");
            checkedBlocks++;
        }
        checkedBlocks.ShouldBeGreaterThan(8);
    }

    /// <summary>The exactdyn command lines of the README outside "$" blocks: ```bash lines (with \ continuations) and inline code.</summary>
    private static List<string> OtherCommands()
    {
        var commands = new List<string>();
        foreach (Match b in BashBlock().Matches(Readme))
        {
            var joined = b.Groups[1].Value.Replace("\\\n", " ");
            foreach (var line in joined.Split('\n'))
            {
                var code = line.Split(" #", 2)[0].Trim();
                if (code.StartsWith("exactdyn ", StringComparison.Ordinal)) commands.Add(code);
            }
        }
        foreach (Match m in InlineCommand().Matches(Readme))
        {
            var code = Regex.Replace(m.Groups[1].Value, @"\s+", " ").Trim();
            if (code.Contains("COMMAND", StringComparison.Ordinal) || code.Contains('…')) continue; // placeholders
            commands.Add(code);
        }
        return commands;
    }

    [Fact]
    public void Every_other_readme_command_is_complete()
    {
        var commands = OtherCommands();
        commands.ShouldContain(c => c.StartsWith("exactdyn tune ", StringComparison.Ordinal));
        commands.ShouldContain(c => c.StartsWith("exactdyn sweep ", StringComparison.Ordinal));
        commands.Count.ShouldBeGreaterThan(6);
        foreach (var command in commands)
        {
            var root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null));
            var words = Cli.Args(command)[1..];
            if (words.Length == 1 && !words[0].StartsWith('-'))
            {
                // prose naming a command ("`exactdyn ramp` compares …"): the command exists
                root.Subcommands.Select(c => c.Name).ShouldContain(words[0], $"README names '{command}'");
                continue;
            }
            var parse = root.Parse(words);
            parse.Errors.Select(e => e.Message).ShouldBeEmpty($"README command '{command}'");
            if (command != "exactdyn --help") parse.CommandResult.Command.ShouldNotBe(root, $"README command '{command}' names no command");
        }
    }
}
