namespace ExactDynamics.Cli.Tests;

public class HelpTests
{
    [Theory]
    [InlineData("risk", new[] { "--spectrum", "--method", "--batch", "--kurtosis", "--noise", "--init", "--steps", "--every", "--plot", "--overlay", "--format", "--out" })]
    [InlineData("gap", new[] { "--spectrum", "--method", "--batch", "--kurtosis", "--noise", "--init", "--format", "--out" })]
    [InlineData("iterations", new[] { "--spectrum", "--method", "--batch", "--kurtosis", "--noise", "--init", "--target", "--max-steps", "--format", "--out" })]
    [InlineData("demo", new[] { "--batch", "--format", "--out" })]
    public void Help_lists_every_option_and_ends_with_a_runnable_example(string command, string[] options)
    {
        var r = Cli.Run(command, "--help");
        r.ShouldSucceed();
        r.Err.ShouldBeEmpty();
        foreach (var o in options) r.Out.ShouldContain(o);
        var lines = r.Out.TrimEnd().Split('\n');
        lines[^2].Trim().ShouldBe("Example:");
        var example = lines[^1].Trim();
        example.ShouldStartWith($"exactdyn {command}");

        // The example runs (minus the program name).
        var run = Cli.Run(Cli.Args(example)[1..]);
        run.ShouldSucceed();
    }

    [Fact]
    public void Root_help_lists_the_commands_and_ends_with_an_example()
    {
        var r = Cli.Run("--help");
        r.ShouldSucceed();
        foreach (var c in new[] { "risk", "gap", "iterations", "demo" }) r.Out.ShouldContain(c);
        r.Out.TrimEnd().Split('\n')[^1].Trim().ShouldStartWith("exactdyn ");
    }

    [Fact]
    public void Help_wins_over_missing_required_options()
    {
        var r = Cli.Run("risk", "--spectrum", "powerlaw:a=1,d=5", "--help");
        r.ShouldSucceed();
        r.Out.ShouldContain("--steps");
    }
}

public class RootHelpTests
{
    [Fact]
    public void Root_help_gives_each_command_one_short_line()
    {
        var r = Cli.Run("--help");
        r.ShouldSucceed();
        var lines = r.Out.Replace("\r", "").Split('\n');
        int start = Array.FindIndex(lines, l => l.StartsWith("Commands:", StringComparison.Ordinal));
        start.ShouldBeGreaterThan(0);
        var commands = lines.Skip(start + 1).TakeWhile(l => l.Trim().Length > 0).ToArray();
        foreach (var name in new[] { "risk", "gap", "iterations", "demo", "run", "optimize-schedule", "inspect" })
            commands.Count(l => l.TrimStart().StartsWith(name + " ", StringComparison.Ordinal)).ShouldBe(1, name);
        foreach (var line in commands) line.Length.ShouldBeLessThan(130, line); // every command, including new ones
        commands.ShouldAllBe(l => l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("                ", StringComparison.Ordinal)); // no wrapped continuation lines
        r.Out.ShouldContain("--quiet");
    }

    [Fact]
    public void Command_help_keeps_the_full_description()
    {
        var r = Cli.Run("gap", "--help");
        r.Out.ShouldContain("rho_local");
        r.Out.ShouldContain("secular_root");
    }

    [Theory]
    [InlineData("The exact risk (closed form, no sampling). csv columns: t,risk.", "The exact risk (closed form, no sampling).")]
    [InlineData("Runs it (e.g. this). More.", "Runs it (e.g. this).")]
    [InlineData("No period", "No period")]
    public void First_sentence(string description, string first) => HelpWithExample.FirstSentence(description).ShouldBe(first);
}
