using System.Text.RegularExpressions;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// docs/cli.md and <c>exactdyn COMMAND --help</c> describe the same commands with the same options: every command the
/// root help lists has a <c>### name</c> section in docs/cli.md whose first table lists, in its first column, exactly
/// the options that command's help shows (apart from <c>--help</c> itself), and the page has no section for a command
/// that does not exist.
/// </summary>
public partial class CliReferenceTests
{
    [GeneratedRegex(@"--[a-z][a-z0-9-]*")]
    private static partial Regex LongOption();

    /// <summary>The names in the first column of an option line of System.CommandLine's help ("  -q, --quiet  text").</summary>
    [GeneratedRegex(@"^  (-\S.*?)(?:\s{2,}|$)")]
    private static partial Regex HelpOptionLine();

    [GeneratedRegex(@"^  ([a-z][a-z-]*)(?:\s|$)")]
    private static partial Regex HelpCommandLine();

    private static readonly string[] Ignored = ["--help", "--version"];

    /// <summary>The lines of one section ("Options:", "Commands:") of a help text.</summary>
    private static IEnumerable<string> HelpSection(string help, string title)
    {
        bool inside = false;
        foreach (var line in help.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0])) { inside = line.TrimEnd() == title; continue; }
            if (inside) yield return line;
        }
    }

    internal static string[] Commands()
    {
        var r = Cli.Run("--help");
        r.ShouldSucceed();
        return HelpSection(r.Out, "Commands:").Select(l => HelpCommandLine().Match(l)).Where(m => m.Success)
            .Select(m => m.Groups[1].Value).ToArray();
    }

    internal static SortedSet<string> HelpOptions(string command)
    {
        var r = Cli.Run(command, "--help");
        r.ShouldSucceed();
        var options = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in HelpSection(r.Out, "Options:"))
        {
            var m = HelpOptionLine().Match(line);
            if (!m.Success) continue;
            foreach (Match o in LongOption().Matches(m.Groups[1].Value)) options.Add(o.Value);
        }
        options.ExceptWith(Ignored);
        return options;
    }

    /// <summary>
    /// The options in the first column of the first table after the heading <c>### command</c> of docs/cli.md, or
    /// null when there is no such section.
    /// </summary>
    internal static SortedSet<string>? DocumentedOptions(string[] page, string command)
    {
        int heading = Array.FindIndex(page, l => l.TrimEnd() == "### " + command);
        if (heading < 0) return null;
        var options = new SortedSet<string>(StringComparer.Ordinal);
        bool inTable = false;
        for (int i = heading + 1; i < page.Length && !page[i].StartsWith('#'); i++)
        {
            var line = page[i].Trim();
            if (!line.StartsWith('|')) { if (inTable) break; continue; }
            inTable = true;
            var first = line.Split('|', StringSplitOptions.None)[1];
            foreach (Match o in LongOption().Matches(first)) options.Add(o.Value);
        }
        options.ExceptWith(Ignored);
        return options;
    }

    private static string[] Page() => File.ReadAllLines(Path.Combine(Repo.Root, "docs", "cli.md"));

    [Fact]
    public void Every_command_has_a_section_in_docs_cli_md_and_every_section_is_a_command()
    {
        var commands = Commands();
        commands.Length.ShouldBeGreaterThan(10);
        commands.ShouldContain("risk");
        commands.ShouldContain("run");
        var page = Page();
        foreach (var c in commands)
            DocumentedOptions(page, c).ShouldNotBeNull($"docs/cli.md has no '### {c}' section");

        var sections = page.Where(l => l.StartsWith("### ", StringComparison.Ordinal)).Select(l => l[4..].Trim()).ToArray();
        sections.Except(commands).ShouldBeEmpty("docs/cli.md documents a command that 'exactdyn --help' does not list");
    }

    [Fact]
    public void The_options_in_each_help_and_in_docs_cli_md_are_the_same_set()
    {
        var page = Page();
        var mismatches = new List<string>();
        foreach (var c in Commands())
        {
            var help = HelpOptions(c);
            help.ShouldNotBeEmpty();
            var documented = DocumentedOptions(page, c) ?? [];
            var missing = help.Except(documented).ToArray();
            var extra = documented.Except(help).ToArray();
            if (missing.Length > 0) mismatches.Add($"{c}: in --help but not in docs/cli.md: {string.Join(", ", missing)}");
            if (extra.Length > 0) mismatches.Add($"{c}: in docs/cli.md but not in --help: {string.Join(", ", extra)}");
        }
        mismatches.ShouldBeEmpty();
    }

    [Fact]
    public void The_parsers_of_this_test_see_what_they_should()
    {
        // The help parser on a known command: the problem options, the command's own, the shared output options.
        var gap = HelpOptions("gap");
        foreach (var o in new[] { "--spectrum", "--method", "--batch", "--kurtosis", "--noise", "--init", "--format", "--out", "--quiet" })
            gap.ShouldContain(o);
        gap.ShouldNotContain("--steps");
        gap.ShouldNotContain("--help");

        // The page parser stops at the first table: options mentioned later in prose do not count.
        string[] page =
        [
            "### demo", "", "text about `--steps`", "", "| option | meaning |", "|---|---|", "| `--batch` | B |",
            "| `-q`, `--quiet` | quiet |", "", "Output mentions `--format` in prose.", "| `--out` | a second table |", "### next",
        ];
        DocumentedOptions(page, "demo")!.ShouldBe(new SortedSet<string>(["--batch", "--quiet"], StringComparer.Ordinal));
        DocumentedOptions(page, "missing").ShouldBeNull();
    }
}
