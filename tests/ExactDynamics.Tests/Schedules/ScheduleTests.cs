using ExactDynamics.Cli.Parsing;
using ExactDynamics.Schedules;

namespace ExactDynamics.Tests.Schedules;

/// <summary>Schedule values, the spec grammar and schedule files (docs/schedules.md).</summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "exactdyn-sched-" + Guid.NewGuid().ToString("N"));

    public ScheduleTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string File(string name, string content)
    {
        var p = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(p, content);
        return p;
    }

    private static double[] Values(Schedule s, int n) => Enumerable.Range(0, n).Select(t => s.Value(t)).ToArray();

    [Fact]
    public void Constant_is_one_forever()
    {
        var s = ScheduleSpec.Parse("constant");
        s.IsIdentity.ShouldBeTrue();
        Values(s, 5).ShouldAllBe(v => v == 1);
        s.ConstantFrom.ShouldBe(0);
        s.Limit.ShouldBe(1);
    }

    [Fact]
    public void Step_multiplies_by_the_factor_every_N_steps()
    {
        var s = ScheduleSpec.Parse("step:every=3,factor=0.5");
        Values(s, 8).ShouldBe([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
        s.ConstantFrom.ShouldBeNull();
        s.Limit.ShouldBe(0);
        var ramp = ScheduleSpec.Parse("step:every=2,factor=2");
        Values(ramp, 6).ShouldBe([1, 1, 2, 2, 4, 4]);
        ramp.Limit.ShouldBe(double.PositiveInfinity);
        var capped = ScheduleSpec.Parse("step:every=2,factor=2,max=3");
        Values(capped, 8).ShouldBe([1, 1, 2, 2, 3, 3, 3, 3]);
        capped.ConstantFrom.ShouldBe(4);
        capped.Limit.ShouldBe(3);
        capped.Spec.ShouldBe("step:every=2,factor=2,max=3");
    }

    [Fact]
    public void Cosine_starts_at_one_and_ends_at_the_floor()
    {
        var s = ScheduleSpec.Parse("cosine:steps=4,floor=0.2");
        var v = Values(s, 6);
        v[0].ShouldBe(1);
        v[1].ShouldBe(0.2 + 0.8 * 0.5 * (1 + Math.Cos(Math.PI / 4)), 1e-15);
        v[2].ShouldBe(0.6, 1e-15);
        v[4].ShouldBe(0.2);
        v[5].ShouldBe(0.2);
        s.ConstantFrom.ShouldBe(4);
        s.Limit.ShouldBe(0.2);
        ScheduleSpec.Parse("cosine:steps=10").Limit.ShouldBe(0);
    }

    [Fact]
    public void Linear_warmup_reaches_one_at_update_W_minus_1()
    {
        foreach (var spec in new[] { "linear-warmup:steps=4", "linear-warmup:4", "warmup:4", "warmup:steps=4" })
        {
            var s = ScheduleSpec.Parse(spec);
            Values(s, 6).ShouldBe([0.25, 0.5, 0.75, 1, 1, 1]);
            s.ConstantFrom.ShouldBe(3);
        }
    }

    [Fact]
    public void Warmup_then_decay_starts_the_decay_clock_after_the_warmup()
    {
        var s = ScheduleSpec.Parse("warmup:2+cosine:steps=4");
        var cos = Schedule.Cosine(4);
        var v = Values(s, 8);
        v[0].ShouldBe(0.5);
        v[1].ShouldBe(1);
        for (int t = 2; t < 8; t++) v[t].ShouldBe(cos.Value(t - 2));
        s.ConstantFrom.ShouldBe(6);
        s.Spec.ShouldBe("warmup:2+cosine:steps=4");
        ScheduleSpec.Parse(s.Spec).Spec.ShouldBe(s.Spec);
        var isq = ScheduleSpec.Parse("linear-warmup:steps=3+inverse-sqrt:tau=3");
        isq.Value(3).ShouldBe(1);
        isq.Value(6).ShouldBe(1 / Math.Sqrt(2), 1e-15);
        isq.ConstantFrom.ShouldBeNull();
    }

    [Fact]
    public void Wsd_warms_up_holds_and_decays_linearly()
    {
        var s = ScheduleSpec.Parse("wsd:warmup=2,stable=3,decay=4");
        Values(s, 11).ShouldBe([0.5, 1, 1, 1, 1, 1, 0.75, 0.5, 0.25, 0, 0]);
        s.ConstantFrom.ShouldBe(9);
        var f = ScheduleSpec.Parse("wsd:warmup=0,stable=1,decay=2,floor=0.5");
        Values(f, 4).ShouldBe([1, 1, 0.75, 0.5]);
        f.Limit.ShouldBe(0.5);
    }

    [Fact]
    public void Inverse_sqrt_is_one_over_sqrt_of_one_plus_t_over_tau()
    {
        var s = ScheduleSpec.Parse("inverse-sqrt");
        s.Value(0).ShouldBe(1);
        s.Value(3).ShouldBe(0.5);
        ScheduleSpec.Parse("inverse-sqrt:tau=10").Value(30).ShouldBe(0.5);
        s.Limit.ShouldBe(0);
    }

    [Fact]
    public void Specs_read_back_to_the_same_schedule()
    {
        foreach (var spec in new[] { "constant", "step:every=10,factor=0.3", "step:every=3,factor=2,max=8", "cosine:steps=100", "cosine:steps=100,floor=0.1",
                     "linear-warmup:steps=7", "warmup:5+step:every=10,factor=0.5", "wsd:warmup=1,stable=2,decay=3,floor=0.25",
                     "inverse-sqrt", "inverse-sqrt:tau=2.5" })
        {
            var s = ScheduleSpec.Parse(spec);
            var back = ScheduleSpec.Parse(s.Spec);
            Values(back, 40).ShouldBe(Values(s, 40));
        }
    }

    [Fact]
    public void File_multiplier_and_value_rows_with_the_last_row_repeated()
    {
        var m = ScheduleSpec.Parse("file:" + File("m.csv", "multiplier\n1\n0.5\n# comment\n\n0.25\n"));
        m.IsAbsolute.ShouldBeFalse();
        Values(m, 5).ShouldBe([1, 0.5, 0.25, 0.25, 0.25]);
        m.ConstantFrom.ShouldBe(2);
        var v = ScheduleSpec.Parse("file:" + File("v.csv", "value\r\n0.9\r\n0.95\r\n"));
        v.IsAbsolute.ShouldBeTrue();
        Values(v, 3).ShouldBe([0.9, 0.95, 0.95]);
    }

    [Theory]
    [InlineData("weird", "unknown schedule 'weird'")]
    [InlineData("", "is empty")]
    [InlineData("step:every=10", "missing parameter factor")]
    [InlineData("step:every=1.5,factor=0.5", "not a whole number")]
    [InlineData("step:every=0,factor=0.5", "every=0 is not allowed")]
    [InlineData("step:every=10,factor=-1", "factor=-1 is not allowed")]
    [InlineData("cosine:steps=10,floor=2", "floor=2 is not allowed")]
    [InlineData("cosine:steps=x", "not a whole number")]
    [InlineData("cosine:steps=10,bogus=1", "unknown parameter 'bogus'")]
    [InlineData("cosine:steps=10,steps=20", "twice")]
    [InlineData("constant:1", "takes no parameters")]
    [InlineData("warmup", "needs its length")]
    [InlineData("warmup:abc", "not a whole number")]
    [InlineData("warmup:10+", "nothing after")]
    [InlineData("warmup:10+nonsense", "unknown schedule 'nonsense'")]
    [InlineData("warmup:10+warmup:5+cosine:steps=3", "one warmup only")]
    [InlineData("wsd:warmup=1,stable=2", "missing parameter decay")]
    [InlineData("inverse-sqrt:tau=0", "tau=0 is not allowed")]
    [InlineData("file:", "names no file")]
    [InlineData("file:/nonexistent/x.csv", "does not exist")]
    public void Bad_specs_are_one_sentence_errors(string spec, string fragment)
    {
        var e = Should.Throw<InvalidInputException>(() => ScheduleSpec.Parse(spec, "--lr-schedule"));
        e.Message.ShouldContain(fragment);
        e.Message.ShouldNotContain("\n");
        e.Message.TrimEnd().ShouldEndWith(".");
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("multiplier\n", "no rows")]
    [InlineData("lr\n0.1\n", "the header is 'lr'")]
    [InlineData("0.1\n0.2\n", "the header is '0.1'")]
    [InlineData("multiplier\n1\nabc\n", "line 3: 'abc' is not a number")]
    [InlineData("multiplier\n1\n-0.5\n", "line 3: -0.5 is not allowed")]
    [InlineData("multiplier\n1,2\n", "more than one column")]
    [InlineData("value\nNaN\n", "not allowed")]
    public void Malformed_files_are_one_sentence_errors(string content, string fragment)
    {
        var path = File("bad.csv", content);
        var e = Should.Throw<InvalidInputException>(() => ScheduleSpec.Parse("file:" + path));
        e.Message.ShouldContain(fragment);
        e.Message.ShouldNotContain("\n");
    }
}
