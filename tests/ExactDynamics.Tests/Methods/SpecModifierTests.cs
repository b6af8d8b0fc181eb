using ExactDynamics.Cli.Parsing;
using ExactDynamics.Methods;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests.Averaging;

/// <summary>The --method grammar of the modifiers and of sfsgd: what each spec builds, checked against the library's
/// constructors called directly, and the refusals.</summary>
public class SpecModifierTests
{
    private static void SameMethod(LinearMethod a, LinearMethod b)
    {
        a.K.ShouldBe(b.K);
        for (int i = 0; i < a.K; i++)
        {
            a.B[i].ShouldBe(b.B[i]); a.C[i].ShouldBe(b.C[i]); a.O[i].ShouldBe(b.O[i]); a.U[i].ShouldBe(b.U[i]);
            for (int j = 0; j < a.K; j++) a.A(i, j).ShouldBe(b.A(i, j));
        }
    }

    [Fact]
    public void Modifiers_build_decay_then_ema_whatever_the_order()
    {
        var m = SpecParser.ParseMethod("torch:lr=0.1,ema=0.99,momentum=0.9,wd=0.01,decay=decoupled");
        SameMethod(m, Ema.Apply(WeightDecay.Decoupled(TorchMomentum.Create(0.1, 0.9), 0.1, 0.01), 0.99));
        m.Spec.ShouldBe("torch:lr=0.1,momentum=0.9,wd=0.01,decay=decoupled,ema=0.99");
        SameMethod(SpecParser.ParseMethod(m.Spec), m);
        SameMethod(SpecParser.ParseMethod("sfsgd:lr=0.3,beta=0.9"), ScheduleFree.Step(0.3, 0.9, 1));
        SameMethod(SpecParser.ParseMethod("hb:lr=0.3,beta=0.8,wd=0.02"), WeightDecay.Coupled(HeavyBall.Create(0.3, 0.8), 0.02));
    }

    [Theory]
    [InlineData("sgd:lr=0.1,ema=1.2", "EMA decay")]
    [InlineData("sgd:lr=0.1,wd=-1", "weight decay")]
    [InlineData("sgd:lr=0.1,decay=decoupled", "no weight decay")]
    [InlineData("sgd:lr=0.1,wd=0.1,decay=sideways", "convention")]
    [InlineData("sgd:lr=0.1,ema-warmup=true", "no EMA decay")]
    [InlineData("sfsgd:lr=0.1,beta=0.9,wd=0.1,decay=decoupled", "first state")]
    [InlineData("sfsgd:lr=0.1,beta=2", "β")]
    public void Bad_modifiers_are_refused_with_a_sentence_naming_the_quantity(string spec, string fragment)
    {
        Should.Throw<InvalidInputException>(() => SpecParser.ParseMethod(spec)).Message.ShouldContain(fragment);
    }
}
