namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>--modifiers average=tail:F|tune</c> (docs/cli.md#tune-modifiers, docs/math.md#tuned-tail-fraction): tune prints
/// the tuned fraction as a parameter, its spec reproduces the printed final risk through <c>risk</c>, the window of a
/// tuned F is n/T; the objectives and commands where F has no meaning refuse it with one sentence. (The tuned values
/// themselves are checked against brute-force grids in TunedTailFractionTests.)
/// </summary>
public class TailTuneCommandTests
{
    private const string Problem = "--spectrum values:4,1.6,0.4 --batch 2 --noise 0.3";

    [Theory]
    [InlineData("sgd", "average=tail:tune")]
    [InlineData("hb", "average=tail:0.25")]
    public void Tune_prints_the_fraction_and_its_spec_reproduces_the_final_risk(string family, string modifiers)
    {
        var r = Cli.Run(Cli.Args($"tune {Problem} --family {family} --modifiers {modifiers} --objective risk --steps 30 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        double f = json.GetProperty("params").GetProperty("tail").GetDouble();
        if (modifiers.EndsWith("tune")) (f * 30).ShouldBe(Math.Round(f * 30), 1e-9); // a tuned F is n/T
        else f.ShouldBe(0.25);                                                          // a fixed F as given
        string spec = json.GetProperty("method").GetString()!;
        spec.ShouldContain(",average=tail:");
        double risk = json.GetProperty("final_risk").GetDouble();
        var again = Cli.Run(Cli.Args($"risk {Problem} --method {spec} --at 30 --format csv"));
        again.ShouldSucceed();
        Cli.D(again.Csv()[1][1]).ShouldBe(risk, 1e-12 * risk);
        var csv = Cli.Run(Cli.Args($"tune {Problem} --family {family} --modifiers {modifiers} --objective risk --steps 30 --format csv"));
        csv.Csv()[0].ShouldContain("tail");
    }

    [Theory]
    [InlineData($"tune {Problem} --family sgd --modifiers average=tail:tune", "known length")]
    [InlineData($"tune {Problem} --family sgd --modifiers average=tail:0.5 --objective iterations --target 0.1", "known length")]
    [InlineData("sweep --spectrum values:4,1.6,0.4 --family sgd --batches 1,2 --modifiers average=tail:tune --objective iterations --target 0.1", "known length")]
    [InlineData("critical-batch --spectrum values:4,1.6,0.4 --family sgd --modifiers average=tail:0.5", "known length")]
    [InlineData($"tune {Problem} --family sgd --modifiers average=tail:tune,ema=0.9 --objective risk --steps 30", "give one of them")]
    [InlineData($"tune {Problem} --family sgd --modifiers average=tail:1.5 --objective risk --steps 30", "(0, 1]")]
    [InlineData($"tune {Problem} --family sgd --modifiers average=uniform --objective risk --steps 30", "average=tail:tune")]
    [InlineData($"tune {Problem} --family sgd --modifiers average=tail:x --objective risk --steps 30", "neither a number nor 'tune'")]
    public void Where_a_fraction_has_no_meaning_it_is_refused_with_one_sentence(string line, string expected)
    {
        var r = Cli.Run(Cli.Args(line));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(expected);
    }
}
