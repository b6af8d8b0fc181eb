using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Cli.Tests;

public class DivergenceTests
{
    private const string Divergent = "--spectrum powerlaw:a=1,d=50 --method sgd:lr=5 --batch 8";

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    [InlineData("table")]
    public void Risk_of_a_divergent_method_prints_growing_values_without_NaN(string format)
    {
        var r = Cli.Run(Cli.Args($"risk {Divergent} --steps 50 --format {format}"));
        r.ShouldSucceed();
        r.Out.ShouldNotContain("NaN");
        r.Out.ShouldNotContain("Infinity");
        r.Out.ShouldNotContain("∞");
        if (format == "csv")
        {
            var risk = r.Csv().Skip(1).Select(row => Cli.D(row[1])).ToArray();
            risk.Length.ShouldBe(51);
            risk[^1].ShouldBeGreaterThan(risk[0] * 1e10);
        }
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    [InlineData("table")]
    public void Risk_that_overflows_stops_at_the_last_finite_value_with_a_message(string format)
    {
        var r = Cli.Run(Cli.Args($"risk {Divergent} --steps 5000 --every 10 --format {format}"));
        r.ShouldSucceed();
        r.Out.ShouldNotContain("NaN");
        r.Out.ShouldNotContain("Infinity");
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("overflow");
        var expected = RiskRecursion.Run(new Problem(Spectrum.PowerLaw(1, 50), null, 8), Sgd.Create(5), 5000, 10);
        expected.Overflowed.ShouldBeTrue();
        if (format == "json")
        {
            var risk = r.Json().GetProperty("risk").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            // The library's rows t = 0, 10, 20, … and then the last finite step before the overflow.
            risk.ShouldBe(expected.Risk);
            risk[^1].ShouldBeGreaterThan(1e300);
            risk.ShouldAllBe(x => double.IsFinite(x));
            var t = r.Json().GetProperty("t").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            t.ShouldBe(expected.Steps);
            (t[^1] % 10).ShouldNotBe(0);
            // independently: stepping the second moments by hand, step t_last is finite and t_last + 1 overflows
            var state = new SecondMoments(new Problem(Spectrum.PowerLaw(1, 50), null, 8), Sgd.Create(5));
            for (long s = 0; s < t[^1]; s++) state.Step();
            state.Risk.ShouldBe(risk[^1]);
            state.Step();
            double.IsFinite(state.Risk).ShouldBeFalse();
        }
    }
}
