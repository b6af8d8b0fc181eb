using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Tests.Performance;

/// <summary>Results must not depend on the thread count (fixed chunking, partial sums reduced in chunk order), and the
/// automatic path must stop divergent methods cleanly at overflow.</summary>
public class DeterminismTests
{
    [Theory]
    [InlineData(RiskAlgorithm.Fused)]
    [InlineData(RiskAlgorithm.Volterra)]
    public void Results_are_bitwise_independent_of_the_thread_count(RiskAlgorithm algorithm)
    {
        int d = 40_001;
        var p = KernelAgreementTests.RandomProblem(3, d, 16, 3, 0);
        foreach (var m in new[] { Sgd.Create(0.5), HeavyBall.Create(0.2, 0.8), Nesterov.Create(0.2, 0.6) })
        {
            var one = RiskRecursion.Trajectory(p, m, 40, new ExecutionOptions(1, algorithm));
            var two = RiskRecursion.Trajectory(p, m, 40, new ExecutionOptions(2, algorithm));
            var many = RiskRecursion.Trajectory(p, m, 40, new ExecutionOptions(7, algorithm));
            two.ShouldBe(one);
            many.ShouldBe(one);
        }
    }

    [Fact]
    public void Long_renewal_path_with_the_fft_convolution_is_bitwise_independent_of_the_thread_count()
    {
        // three renewal chunks, T beyond the FFT crossover
        var p = KernelAgreementTests.RandomProblem(13, 9001, 16, 3, 1e-4);
        int steps = VolterraRisk.FftCrossover + 900;
        foreach (var m in new[] { HeavyBall.Create(0.2, 0.8), Nesterov.Create(0.2, 0.6) })
        {
            var one = RiskRecursion.Trajectory(p, m, steps, new ExecutionOptions(1, RiskAlgorithm.Volterra));
            var two = RiskRecursion.Trajectory(p, m, steps, new ExecutionOptions(2, RiskAlgorithm.Volterra));
            var many = RiskRecursion.Trajectory(p, m, steps, new ExecutionOptions(5, RiskAlgorithm.Volterra));
            two.ShouldBe(one);
            many.ShouldBe(one);
        }
    }

    [Fact]
    public void Concurrent_callers_get_the_same_bits()
    {
        var p = KernelAgreementTests.RandomProblem(4, 40_000, 16, 3, 0);
        var m = HeavyBall.Create(0.2, 0.8);
        var expected = RiskRecursion.Trajectory(p, m, 30, new ExecutionOptions(1, RiskAlgorithm.Fused));
        var results = new double[4][];
        Parallel.For(0, 4, j => results[j] = RiskRecursion.Trajectory(p, m, 30, new ExecutionOptions(2, RiskAlgorithm.Fused)));
        foreach (var r in results) r.ShouldBe(expected);
    }

    [Theory]
    [InlineData(RiskAlgorithm.Auto, 3000)]
    [InlineData(RiskAlgorithm.Fused, 3000)]
    [InlineData(RiskAlgorithm.Volterra, 3000)]
    [InlineData(RiskAlgorithm.Auto, 6000)]      // beyond the FFT crossover
    [InlineData(RiskAlgorithm.Volterra, 6000)]
    public void Divergent_methods_stop_cleanly_at_overflow(RiskAlgorithm algorithm, int steps)
    {
        var p = KernelAgreementTests.RandomProblem(6, 600, 1, 3, 0);
        foreach (var m in new[] { Sgd.Create(3.0), HeavyBall.Create(2.0, 0.9), Nesterov.Create(2.0, 0.9) })
        {
            var run = RiskRecursion.Run(p, m, steps, 7, new ExecutionOptions(0, algorithm));
            run.Overflowed.ShouldBeTrue(m.Spec);
            run.Risk.ShouldAllBe(r => double.IsFinite(r));
            var fused = RiskRecursion.Run(p, m, steps, 7, new ExecutionOptions(1, RiskAlgorithm.Fused));
            run.Steps.ShouldBe(fused.Steps);
            KernelAgreementTests.WorstRel(run.Risk, fused.Risk).ShouldBeLessThan(1e-12);
            var traj = RiskRecursion.Trajectory(p, m, 1500, new ExecutionOptions(0, algorithm));
            traj.ShouldAllBe(r => !double.IsNaN(r));
            double.IsPositiveInfinity(traj[^1]).ShouldBeTrue();
        }
    }

    [Fact]
    public void Auto_takes_the_renewal_form_for_large_problems_and_the_fused_pass_otherwise()
    {
        var big = new Problem(Spectra.Spectrum.PowerLaw(1, 1_000_000), batch: 16);
        RiskRecursion.ChooseVolterra(big, HeavyBall.Create(0.05, 0.9), 1000, ExecutionOptions.Default).ShouldBeTrue();
        RiskRecursion.ChooseVolterra(big, HeavyBall.Create(0.05, 0.9), 1000, new ExecutionOptions(Algorithm: RiskAlgorithm.Fused)).ShouldBeFalse();
        // long horizons: the blocked FFT convolution keeps the renewal form cheaper (BENCHMARKS.md#long-horizons)
        RiskRecursion.ChooseVolterra(big, HeavyBall.Create(0.05, 0.9), 100_000, ExecutionOptions.Default).ShouldBeTrue();
        RiskRecursion.ChooseVolterra(big, Nesterov.Create(0.05, 0.9), 1_000_000, ExecutionOptions.Default).ShouldBeTrue();
        // small d and a long horizon: the convolution would dominate, the fused pass
        var small = new Problem(Spectra.Spectrum.PowerLaw(1, 100), batch: 16);
        RiskRecursion.ChooseVolterra(small, HeavyBall.Create(0.05, 0.9), 100_000, ExecutionOptions.Default).ShouldBeFalse();
        // beyond the renewal form's memory horizon, and for k = 3, the fused pass
        RiskRecursion.ChooseVolterra(big, HeavyBall.Create(0.05, 0.9), 10_000_000, ExecutionOptions.Default).ShouldBeFalse();
        var k3 = new LinearMethod(new double[,] { { 1.5, -0.3, -0.2 }, { 1, 0, 0 }, { 0, 1, 0 } }, [0.4, 0, 0], [1, 0, 0], [1, 0, 0]);
        RiskRecursion.ChooseVolterra(big, k3, 1000, ExecutionOptions.Default).ShouldBeFalse();
    }

    [Fact]
    public void Run_records_every_nth_step_and_the_last()
    {
        var p = KernelAgreementTests.RandomProblem(8, 300, 4, 3, 0);
        var m = HeavyBall.Create(0.3, 0.7);
        var full = RiskRecursion.Trajectory(p, m, 103, new ExecutionOptions(1, RiskAlgorithm.Fused));
        foreach (var alg in new[] { RiskAlgorithm.Fused, RiskAlgorithm.Volterra })
        {
            var run = RiskRecursion.Run(p, m, 103, 10, new ExecutionOptions(1, alg));
            run.Steps.ShouldBe(new long[] { 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 103 });
            run.Overflowed.ShouldBeFalse();
            for (int j = 0; j < run.Steps.Length; j++)
                Math.Abs(run.Risk[j] - full[run.Steps[j]]).ShouldBeLessThan(5e-13 * full[run.Steps[j]]);
        }
    }
}
