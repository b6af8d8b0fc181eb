namespace ExactDynamics.Cli.Tests;

public class HelpTests
{
    [Theory]
    [InlineData("risk", new[] { "--spectrum", "--method", "--batch", "--kurtosis", "--noise", "--init", "--steps", "--every", "--format", "--out" })]
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
