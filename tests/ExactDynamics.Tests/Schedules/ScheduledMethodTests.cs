using ExactDynamics.Cli.Parsing;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Tests.Schedules;

/// <summary>Method templates and the per-step settings a schedule produces.</summary>
public class ScheduledMethodTests
{
    private static void SameMethod(LinearMethod x, LinearMethod y)
    {
        x.K.ShouldBe(y.K);
        x.MatrixA.ShouldBe(y.MatrixA);
        x.B.ToArray().ShouldBe(y.B.ToArray());
        x.C.ToArray().ShouldBe(y.C.ToArray());
        x.O.ToArray().ShouldBe(y.O.ToArray());
        x.U.ToArray().ShouldBe(y.U.ToArray());
    }

    [Fact]
    public void Templates_at_other_values_are_the_families_own_methods()
    {
        SameMethod(MethodTemplate.Sgd(0.5).At(0.3, double.NaN), Sgd.Create(0.3));
        SameMethod(MethodTemplate.HeavyBall(0.5, 0.9).At(0.3, 0.7), HeavyBall.Create(0.3, 0.7));
        SameMethod(MethodTemplate.Nesterov(0.5, 0.9).At(0.3, 0.7), Nesterov.Create(0.3, 0.7));
        SameMethod(MethodTemplate.Asgd(0.5, 100, 3).At(0.2, double.NaN), Asgd.Create(0.2, 100, 3));
        SameMethod(MethodTemplate.Torch(0.5, 0.9, true).At(0.1, 0.8), TorchMomentum.Create(0.1, 0.8, true));
    }

    [Fact]
    public void FromMethod_recognises_every_family_and_treats_anything_else_as_custom()
    {
        MethodTemplate.FromMethod(Sgd.Create(0.25)).Family.ShouldBe(MethodFamily.Sgd);
        var hb = MethodTemplate.FromMethod(HeavyBall.Create(0.1, 0.3));
        hb.Family.ShouldBe(MethodFamily.HeavyBall);
        hb.Lr.ShouldBe(0.1);
        hb.Momentum.ShouldBe(0.3);
        MethodTemplate.FromMethod(Nesterov.Create(0.1, 0.3)).Family.ShouldBe(MethodFamily.Nesterov);
        var asgd = MethodTemplate.FromMethod(Asgd.Create(0.1, 50, 2, 0.5));
        asgd.Family.ShouldBe(MethodFamily.Asgd);
        asgd.Small.ShouldBe(0.5);
        var torch = MethodTemplate.FromMethod(TorchMomentum.Create(0.1, 0.9, true));
        torch.Family.ShouldBe(MethodFamily.Torch);
        torch.TorchNesterov.ShouldBeTrue();
        // a spec that lies about its matrices is not trusted
        var liar = new LinearMethod(new double[,] { { 1 } }, [0.3], [1], [1], null, "sgd:lr=0.5");
        MethodTemplate.FromMethod(liar).Family.ShouldBe(MethodFamily.Custom);
        MethodTemplate.FromMethod(new LinearMethod(new double[,] { { 1 } }, [0.3], [1], [1])).Family.ShouldBe(MethodFamily.Custom);
    }

    [Fact]
    public void Zero_learning_rate_keeps_A_and_zeroes_the_parameter_step()
    {
        var hb = MethodTemplate.HeavyBall(0.5, 0.9).At(0, 0.9);
        hb.MatrixA.ShouldBe(HeavyBall.Create(0.5, 0.9).MatrixA);
        hb.B.ToArray().ShouldBe([0.0, 0.0]);
        var torch = MethodTemplate.Torch(0.5, 0.9).At(0, 0.9);
        torch.B.ToArray().ShouldBe([0.0, -1.0]);
        torch.A(0, 1).ShouldBe(0);
        MethodTemplate.Asgd(0.5, 100, 3).At(0, double.NaN).B.ToArray().ShouldBe([0.0, 0.0]);
    }

    [Fact]
    public void Settings_follow_the_schedules()
    {
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.4, 0.9), ScheduleSpec.Parse("step:every=2,factor=0.5"),
            Schedule.FromValues([0.5, 0.8], absolute: true), ScheduleSpec.Parse("step:every=3,factor=2"));
        var s0 = sm.At(0, 4);
        s0.Lr.ShouldBe(0.4); s0.Momentum.ShouldBe(0.5); s0.Batch.ShouldBe(4);
        var s3 = sm.At(3, 4);
        s3.Lr.ShouldBe(0.2); s3.Momentum.ShouldBe(0.8); s3.Batch.ShouldBe(8);
        SameMethod(s3.Method, HeavyBall.Create(0.2, 0.8));
        sm.Description.ShouldBe("hb:lr=0.4,beta=0.9 lr-schedule=step:every=2,factor=0.5 momentum-schedule=file:(inline, 2 rows) batch-schedule=step:every=3,factor=2");
    }

    [Fact]
    public void Impossible_schedules_are_refused_with_one_sentence()
    {
        Should.Throw<InvalidInputException>(() => new ScheduledMethod(MethodTemplate.Sgd(0.5), null, Schedule.Cosine(10)))
            .Message.ShouldContain("sgd has no momentum parameter");
        Should.Throw<InvalidInputException>(() => new ScheduledMethod(MethodTemplate.Asgd(0.5, 10, 2), null, Schedule.Cosine(10)))
            .Message.ShouldContain("asgd has no momentum parameter");
        var custom = MethodTemplate.Custom(new LinearMethod(new double[,] { { 1 } }, [0.3], [1], [1]));
        Should.Throw<InvalidInputException>(() => new ScheduledMethod(custom, Schedule.Cosine(10)))
            .Message.ShouldContain("only a batch-size schedule applies");
        new ScheduledMethod(custom, null, null, Schedule.Step(2, 2)).At(3, 1).Batch.ShouldBe(2); // batch schedules are fine
        // momentum pushed to 1 or beyond, batch pushed below 1: the step is named
        var sm = new ScheduledMethod(MethodTemplate.HeavyBall(0.5, 0.6), null, Schedule.Step(3, 2));
        Should.Throw<InvalidInputException>(() => sm.At(3, 1)).Message.ShouldContain("At step 3");
        var small = new ScheduledMethod(MethodTemplate.Sgd(0.5), null, null, Schedule.Step(1, 0.5));
        Should.Throw<InvalidInputException>(() => small.At(2, 2)).Message.ShouldContain("B = 0.5 at step 2");
    }

    [Fact]
    public void The_tail_is_the_limit_of_every_schedule_or_a_reason_why_there_is_none()
    {
        var t = MethodTemplate.HeavyBall(0.4, 0.9);
        var cos = new ScheduledMethod(t, ScheduleSpec.Parse("warmup:10+cosine:steps=100,floor=0.25")).Tail(8);
        cos.Reason.ShouldBeNull();
        cos.From.ShouldBe(110);
        cos.Batch.ShouldBe(8);
        SameMethod(cos.Method!, HeavyBall.Create(0.1, 0.9));
        var warm = new ScheduledMethod(t, ScheduleSpec.Parse("warmup:10")).Tail(8);
        SameMethod(warm.Method!, HeavyBall.Create(0.4, 0.9));
        warm.From.ShouldBe(9);
        new ScheduledMethod(t, ScheduleSpec.Parse("cosine:steps=100")).Tail(8).Reason!.ShouldContain("decays to 0");
        new ScheduledMethod(t, ScheduleSpec.Parse("inverse-sqrt")).Tail(8).Reason!.ShouldContain("decays to 0");
        new ScheduledMethod(t, null, null, ScheduleSpec.Parse("step:every=10,factor=2")).Tail(8).Reason!.ShouldContain("without bound");
        var capped = new ScheduledMethod(t, null, null, Schedule.FromValues([1, 2, 4, 4], false)).Tail(8);
        capped.Batch.ShouldBe(32);
        capped.From.ShouldBe(2);
        new ScheduledMethod(t).Tail(3).From.ShouldBe(0);
    }
}
