namespace ExactDynamics.Cli.Tests;

public class SuggestionTests
{
    private const string Gap = "gap --spectrum powerlaw:a=1,d=20 --method sgd:lr=0.5";

    [Theory]
    [InlineData(Gap + " --batc 8", "Unknown option '--batc'. Did you mean '--batch'?")]
    [InlineData(Gap + " --batch 8 --kurtossis 3", "Unknown option '--kurtossis'. Did you mean '--kurtosis'?")]
    [InlineData("risk --spectrm powerlaw:a=1,d=20 --method sgd:lr=0.5 --batch 2", "Unknown option '--spectrm'. Did you mean '--spectrum'?")]
    [InlineData(Gap + " --batch 8 --fromat csv", "Unknown option '--fromat'. Did you mean '--format'?")]
    [InlineData(Gap + " --batch 8 --spec x", "Unknown option '--spec'. Did you mean '--spectrum'?")]
    [InlineData("risk --spectrum values:1 --method sgd:lr=0.5 --batch 1 --step 5", "Unknown option '--step'. Did you mean '--steps'?")]
    [InlineData(Gap + " --batch 8 --quite", "Unknown option '--quite'. Did you mean '--quiet'?")]
    [InlineData("rsik --batch 2", "Unknown command 'rsik'. Did you mean 'risk'?")]
    [InlineData("itrations", "Unknown command 'itrations'. Did you mean 'iterations'?")]
    public void A_typo_gets_one_line_with_the_closest_name_and_exit_2(string line, string expected)
    {
        var r = Cli.Run(Cli.Args(line));
        r.Code.ShouldBe(2);
        r.Out.ShouldBeEmpty();
        r.ErrLines.Length.ShouldBe(1);
        r.ErrLines[0].ShouldStartWith(expected);
        r.ErrLines[0].ShouldContain("--help");
    }

    [Fact]
    public void Nothing_close_lists_what_is_allowed()
    {
        var r = Cli.Run(Cli.Args(Gap + " --batch 8 --xyzzy 1"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("Unknown option '--xyzzy'; gap takes");
        r.Err.ShouldContain("--spectrum");

        var c = Cli.Run("frobnicate");
        c.Code.ShouldBe(2);
        c.Err.ShouldContain("Unknown command 'frobnicate'; the commands are risk, gap");
    }

    [Fact]
    public void Equals_form_is_understood()
    {
        var r = Cli.Run(Cli.Args(Gap + " --batch 8 --formt=csv"));
        r.ErrLines[0].ShouldStartWith("Unknown option '--formt'. Did you mean '--format'?");
    }

    [Fact]
    public void Negative_numbers_are_values_not_options()
    {
        var r = Cli.Run(Cli.Args(Gap + " --batch 8 --noise -1"));
        r.Code.ShouldBe(2);
        r.Err.ShouldNotContain("Unknown option");
    }

    [Theory]
    [InlineData("batch", "batch", 0)]
    [InlineData("batc", "batch", 1)]
    [InlineData("kurtossis", "kurtosis", 1)]
    [InlineData("fromat", "format", 1)]
    [InlineData("abc", "xyz", 3)]
    public void Edit_distance(string a, string b, int d) => Options.Suggestions.Distance(a, b).ShouldBe(d);
}
