using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests.Dynamics;

/// <summary>
/// The vectorised k = 3 kernel of the fused pass (docs/math.md#second-moment-recursion; used by an EMA or weight decay on
/// a two-state method): heavy ball with an EMA and heavy ball with coupled decay against the plain joint recursion written
/// from the update rules, at every SIMD width, with d odd so that both the vector body and the scalar tail run.
/// </summary>
public class ThreeStateKernelTests
{
    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void Heavy_ball_with_an_ema_and_with_decay_match_the_plain_joint_recursion(int bits)
    {
        const int d = 37, T = 60;
        var lam = Enumerable.Range(1, d).Select(i => 1.0 / i).ToArray();
        var s = Enumerable.Range(1, d).Select(i => 1.0 + 0.1 * (i % 3)).ToArray();
        var problem = new Problem(Spectrum.FromValues(lam), s, 3, 2.5, 0.05);
        double eta = 0.5, beta = 0.6, tau = 0.9, wd = 0.03;
        var opts = new ExecutionOptions(VectorBits: bits);

        var ema = new SecondMoments(problem, Ema.Apply(HeavyBall.Create(eta, beta), tau), opts);
        var emaRule = new Averaging.PlainJointMoments.Rule(l => new double[,]
        {
            { 1 + beta - eta * l, -beta, 0 },
            { 1, 0, 0 },
            { (1 - tau) * (1 + beta - eta * l), -(1 - tau) * beta, tau },
        }, [-eta, 0, -(1 - tau) * eta], [1, 0, 0]);
        var emaPlain = Averaging.PlainJointMoments.Risk(Averaging.PlainJointMoments.Run(lam, s, [1, 1, 1], 3, 2.5, 0.05, T, _ => emaRule), lam, 2);

        // coupled decay, state (w − w*, w_prev − w*, w*), from w_0 = 0: e' = (1+β)e − βe_prev − η(ĝ(e) + wd(e + w*))
        var decay = new SecondMoments(problem, WeightDecay.Coupled(HeavyBall.Create(eta, beta), wd), opts);
        var decayRule = new Averaging.PlainJointMoments.Rule(l => new double[,]
        {
            { 1 + beta - eta * (l + wd), -beta, -eta * wd },
            { 1, 0, 0 },
            { 0, 0, 1 },
        }, [-eta, 0, 0], [1, 0, 0]);
        var decayPlain = Averaging.PlainJointMoments.Risk(Averaging.PlainJointMoments.Run(lam, s, [1, 1, -1], 3, 2.5, 0.05, T, _ => decayRule), lam, 0);

        for (int t = 1; t <= T; t++)
        {
            ema.Step();
            decay.Step();
            RelErr(ema.Risk, emaPlain[t]).ShouldBeLessThan(1e-12, $"EMA, t = {t}");
            RelErr(decay.Risk, decayPlain[t]).ShouldBeLessThan(1e-12, $"decay, t = {t}");
        }
    }
}
