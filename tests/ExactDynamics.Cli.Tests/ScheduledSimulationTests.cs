namespace ExactDynamics.Cli.Tests;

/// <summary>simulate and validate with --lr-schedule, --momentum-schedule, --batch-schedule.</summary>
public sealed class ScheduledSimulationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Problem = "--spectrum powerlaw:a=1,d=20 --method hb:lr=0.1,beta=0.6 --batch 2 --noise 0.1";
    private const string Schedules = "--lr-schedule warmup:10+cosine:steps=50 --momentum-schedule linear-warmup:steps=10 --batch-schedule step:every=20,factor=2";

    [Fact]
    public void A_scheduled_simulation_validates_against_the_scheduled_curve_and_not_the_constant_one()
    {
        var csv = _dir.File("sim.csv");
        var sim = Cli.Run(Cli.Args($"simulate {Problem} {Schedules} --steps 60 --every 2 --runs 2000 --seed 5 --format csv --out {csv}"));
        sim.ShouldSucceed();
        sim.Err.ShouldBeEmpty();
        File.ReadAllLines(csv)[0].ShouldBe("t,risk,stderr");
        var ok = Cli.Run(Cli.Args($"validate {Problem} {Schedules} --against {csv} --format json"));
        ok.Code.ShouldBe(0, ok.Out + ok.Err);
        ok.Json().GetProperty("consistent").GetBoolean().ShouldBeTrue();
        var constant = Cli.Run(Cli.Args($"validate {Problem} --against {csv} --format json"));
        constant.Code.ShouldBe(1);
    }

    [Fact]
    public void A_real_batch_schedule_is_rounded_by_the_simulator_and_says_so()
    {
        var r = Cli.Run(Cli.Args($"simulate {Problem} --batch-schedule cosine:steps=10,floor=0.5 --steps 10 --runs 50 --format csv"));
        r.ShouldSucceed();
        r.Err.ShouldContain("rounds it to the nearest whole number of samples");
    }

    [Fact]
    public void Bad_schedules_exit_2_on_simulate_and_validate()
    {
        var csv = _dir.File("c.csv", "t,risk,stderr\n0,1,0.1\n");
        foreach (var line in new[] { $"simulate {Problem} --steps 5 --lr-schedule nope", $"validate {Problem} --against {csv} --momentum-schedule cosine:steps=" })
        {
            var r = Cli.Run(Cli.Args(line));
            r.Code.ShouldBe(2);
            r.ErrLines.Length.ShouldBe(1);
        }
    }
}
