using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests.Averaging;

/// <summary>The renewal (Volterra) form carries the two-state EMA and weight-decay methods of SGD: forced renewal form
/// against the fused pass (the plain recursion of the other tests checks the fused pass).</summary>
public class RenewalFormTests
{
    [Theory]
    [InlineData("ema")]
    [InlineData("wd")]
    [InlineData("wd-noise")]
    public void Renewal_form_matches_fused_pass_for_two_state_modifiers(string which)
    {
        var sgd = Sgd.Create(0.6);
        var method = which == "ema" ? Ema.Apply(sgd, 0.97) : WeightDecay.Coupled(sgd, 0.003);
        method.K.ShouldBe(2);
        VolterraRisk.Supports(method).ShouldBeTrue();
        var problem = new Problem(Spectrum.PowerLaw(1.2, 300), null, 4, 3, which == "wd" ? 0 : 0.05);
        var fused = RiskRecursion.Trajectory(problem, method, 1000, new ExecutionOptions(Algorithm: RiskAlgorithm.Fused));
        var renewal = RiskRecursion.Trajectory(problem, method, 1000, new ExecutionOptions(Algorithm: RiskAlgorithm.Volterra));
        WorstRelErr(renewal, fused).ShouldBeLessThan(1e-10);
    }
}
