using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;

namespace ExactDynamics.Cli.Tests;

/// <summary><c>exactdyn simulate</c> end to end: csv t,risk,stderr from the validation library's simulator.</summary>
public class SimulateCommandTests
{
    private const string Base = "simulate --spectrum powerlaw:a=1,d=12 --method hb:lr=0.3,beta=0.5 --batch 4 --noise 0.1 --steps 40 --every 10 --runs 300 --seed 9";

    [Fact]
    public void Csv_is_t_risk_stderr_with_the_library_values_bit_for_bit()
    {
        var r = Cli.Run(Cli.Args(Base + " --format csv"));
        r.ShouldSucceed();
        r.Err.ShouldBeEmpty();
        var rows = r.Csv();
        rows[0].ShouldBe(["t", "risk", "stderr"]);
        var expected = MonteCarloSimulator.Run(new SimulationSettings
        {
            Spectrum = Spectrum.PowerLaw(1, 12), Batch = 4, Noise = 0.1, Steps = 40, Every = 10, Runs = 300, Seed = 9,
        }, new LinearMethodOptimizer(HeavyBall.Create(0.3, 0.5)));
        rows.Length.ShouldBe(expected.Steps.Length + 1);
        for (int i = 0; i < expected.Steps.Length; i++)
        {
            long.Parse(rows[i + 1][0]).ShouldBe(expected.Steps[i]);
            Cli.D(rows[i + 1][1]).ShouldBe(expected.Mean[i]);
            Cli.D(rows[i + 1][2]).ShouldBe(expected.StdErr[i]);
        }
    }

    [Fact]
    public void Same_seed_same_numbers_for_any_thread_count_and_another_seed_differs()
    {
        var a = Cli.Run(Cli.Args(Base + " --format csv --threads 1"));
        var b = Cli.Run(Cli.Args(Base + " --format csv --threads 3"));
        var c = Cli.Run(Cli.Args(Base + " --format csv"));
        a.ShouldSucceed();
        b.Out.ShouldBe(a.Out);
        c.Out.ShouldBe(a.Out);
        Cli.Run(Cli.Args(Base.Replace("--seed 9", "--seed 10") + " --format csv")).Out.ShouldNotBe(a.Out);
    }

    [Fact]
    public void Json_and_table_carry_runs_seed_covariates_and_the_exact_curve()
    {
        var j = Cli.Run(Cli.Args(Base + " --format json --covariates mixture:m4=6,p=0.5"));
        j.ShouldSucceed();
        var json = j.Json();
        json.GetProperty("t").GetArrayLength().ShouldBe(5);
        json.GetProperty("stderr").GetArrayLength().ShouldBe(5);
        json.GetProperty("runs").GetInt32().ShouldBe(300);
        json.GetProperty("seed").GetInt64().ShouldBe(9);
        json.GetProperty("covariates").GetString().ShouldBe("mixture:m4=6,p=0.5");
        var t = Cli.Run(Cli.Args(Base + " --kurtosis 1"));
        t.ShouldSucceed();
        t.Out.ShouldContain("covariates rademacher");
        t.Out.ShouldContain("exact E L_t");
        t.Out.ShouldContain("kurtosis 1");
    }

    [Fact]
    public void Torch_rule_simulates_with_its_velocity_state()
    {
        var r = Cli.Run(Cli.Args("simulate --spectrum powerlaw:a=1,d=8 --method torch:lr=0.1,momentum=0.8 --batch 2 --steps 30 --every 10 --runs 200 --format csv"));
        r.ShouldSucceed();
        var rows = r.Csv();
        rows.Length.ShouldBe(5);
        Cli.D(rows[^1][1]).ShouldBeLessThan(Cli.D(rows[1][1]));
    }

    [Theory]
    [InlineData("--runs 1", "--runs 1")]
    [InlineData("--seed -3", "--seed -3")]
    [InlineData("--steps -1", "--steps -1")]
    [InlineData("--every 0", "--every 0")]
    [InlineData("--threads -1", "--threads -1")]
    [InlineData("--covariates cauchy", "cauchy")]
    [InlineData("--covariates mixture:m4=6 --kurtosis 3", "--kurtosis")]
    [InlineData("--batch 2.5", "--batch 2.5")]
    public void Bad_options_are_one_sentence_and_exit_2(string extra, string named)
    {
        var batch = extra.StartsWith("--batch", StringComparison.Ordinal) ? "" : "--batch 4";
        var args = Cli.Args($"simulate --spectrum powerlaw:a=1,d=12 --method hb:lr=0.3,beta=0.5 {batch} {extra}");
        var r = Cli.Run(args);
        r.Code.ShouldBe(2);
        r.Out.ShouldBeEmpty();
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(named);
    }
}
