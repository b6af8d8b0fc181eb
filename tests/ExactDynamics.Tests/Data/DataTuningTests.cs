using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Data;

/// <summary>
/// The library's tuner, critical batch and sweep on a dataset under the empirical model (<see cref="DataRates"/>),
/// against grid scans of the spectral radius of the dense empirical operator built in the test
/// (<see cref="DataRateTests.DenseEmpirical"/>), and the data's stability edge respected where the gaussian model's
/// edge lies far beyond it.
/// </summary>
public class DataTuningTests
{
    /// <summary>Rows with a heavy-tailed common scale (a few rows far larger than the rest): the whitened coordinates have
    /// a large kurtosis, so the gaussian model with m4 = 3 puts the edge far beyond the data's.</summary>
    internal static DataMatrix HeavyTailed(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var v = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            double scale = i % 7 == 0 ? 6 : 0.5;
            for (int j = 0; j < d; j++) v[i * d + j] = scale * (rng.NextDouble() * 2 - 1) / (1 + j);
        }
        return new DataMatrix(n, d, v);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Tuned_sgd_on_data_matches_a_grid_scan_of_the_dense_perron_root(int batch)
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(14, 3, 21, heavy: true);
        var x = DataRateTests.Centred(raw);
        var rates = DataRates.For(new DataProblem(DataSet.Analyse(raw), batch, null, null), MomentModel.Empirical);
        var tuned = Tuner.Tune(rates, MethodFamily.Sgd);
        // the grid: 1 − ρ(η) of the dense operator over η on a fine geometric grid
        double bestLr = 0, bestGap = double.NegativeInfinity;
        for (double lr = 0.01; lr < 20; lr *= 1.002)
        {
            double g = 1 - DataRateTests.DenseEmpirical(x, Sgd.Create(lr), batch);
            if (g > bestGap) { bestGap = g; bestLr = lr; }
        }
        double denseAtTuned = 1 - DataRateTests.DenseEmpirical(x, tuned.Method, batch);
        tuned.Gap.ShouldBe(denseAtTuned, 1e-9);
        tuned.Gap.ShouldBeGreaterThanOrEqualTo(bestGap - 1e-9);
        tuned.Parameters["lr"].ShouldBe(bestLr, 0.004 * bestLr);
    }

    [Fact]
    public void Tuned_heavy_ball_on_data_is_at_least_the_best_of_a_dense_grid()
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(14, 3, 21, heavy: true);
        var x = DataRateTests.Centred(raw);
        var rates = DataRates.For(new DataProblem(DataSet.Analyse(raw), 2, null, null), MomentModel.Empirical);
        var tuned = Tuner.Tune(rates, MethodFamily.HeavyBall);
        double bestGap = double.NegativeInfinity;
        for (double lr = 0.05; lr < 5; lr *= 1.08)
            for (double beta = 0; beta < 0.98; beta += 0.05)
                bestGap = Math.Max(bestGap, 1 - DataRateTests.DenseEmpirical(x, HeavyBall.Create(lr, beta), 2));
        double denseAtTuned = 1 - DataRateTests.DenseEmpirical(x, tuned.Method, 2);
        tuned.Gap.ShouldBe(denseAtTuned, 1e-9);
        tuned.Gap.ShouldBeGreaterThanOrEqualTo(bestGap - 1e-9);
        // and a local maximum of the dense operator's gap: no neighbour 0.1% away in lr or β is better
        double lr0 = tuned.Parameters["lr"], b0 = tuned.Parameters["beta"];
        foreach (var (dl, db) in new[] { (1.001, 1.0), (0.999, 1.0), (1.0, 1.001), (1.0, 0.999), (1.001, 1.001), (0.999, 0.999) })
            (1 - DataRateTests.DenseEmpirical(x, HeavyBall.Create(lr0 * dl, b0 * db), 2)).ShouldBeLessThanOrEqualTo(tuned.Gap + 1e-9);
    }

    [Fact]
    public void Tuning_on_data_respects_the_empirical_edge_where_the_gaussian_edge_is_far_beyond_it()
    {
        var raw = HeavyTailed(42, 3, 3);
        var x = DataRateTests.Centred(raw);
        var data = DataSet.Analyse(raw);
        var problem = new DataProblem(data, 1, null, null);
        double guess = 2 / (data.Eigenvalues[0] + data.Eigenvalues.Sum());
        double gaussianEdge = StabilityEdge.LargestStableLearningRate(problem, Sgd.Create, MomentModel.Gaussian, guess);
        double empiricalEdge = StabilityEdge.LargestStableLearningRate(problem, Sgd.Create, MomentModel.Empirical, guess);
        gaussianEdge.ShouldBeGreaterThan(1.5 * empiricalEdge);
        // the dense operator confirms the empirical edge: stable just below it, unstable at the gaussian edge
        DataRateTests.DenseEmpirical(x, Sgd.Create(empiricalEdge * 0.99), 1).ShouldBeLessThan(1);
        DataRateTests.DenseEmpirical(x, Sgd.Create(gaussianEdge * 0.99), 1).ShouldBeGreaterThan(1);
        foreach (var family in new[] { MethodFamily.Sgd, MethodFamily.HeavyBall })
        {
            var gaussianTuned = Tuner.Tune(DataRates.For(problem, MomentModel.Gaussian), family);
            var empiricalTuned = Tuner.Tune(DataRates.For(problem, MomentModel.Empirical), family);
            DataRateTests.DenseEmpirical(x, empiricalTuned.Method, 1).ShouldBeLessThan(1);
            // the gaussian model's optimum diverges on this data: only the empirical tuning is safe here
            DataRateTests.DenseEmpirical(x, gaussianTuned.Method, 1).ShouldBeGreaterThan(1);
        }
    }

    [Fact]
    public void Critical_batch_on_data_is_the_root_of_the_tuned_gap_per_sample()
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(14, 3, 21, heavy: true);
        var x = DataRateTests.Centred(raw);
        var rates = DataRates.For(new DataProblem(DataSet.Analyse(raw), 1, null, null), MomentModel.Empirical);
        var r = CriticalBatch.Compute(rates, MethodFamily.Sgd, new CriticalBatchOptions { MaxDegreeOfParallelism = 1 });
        r.CriticalBatch.ShouldNotBeNull();
        double bc = r.CriticalBatch!.Value;
        // the tuned gap at B, by a golden-section search of the dense operator's 1 − ρ over η, in the test
        double TunedGap(double b)
        {
            double lo = Math.Log(0.01), hi = Math.Log(50);
            double Gap(double u) => 1 - DataRateTests.DenseEmpirical(x, Sgd.Create(Math.Exp(u)), b);
            for (int i = 0; i < 80; i++)
            {
                double m1 = lo + 0.382 * (hi - lo), m2 = lo + 0.618 * (hi - lo);
                if (Gap(m1) < Gap(m2)) lo = m1; else hi = m2;
            }
            return Gap(0.5 * (lo + hi));
        }
        double g1 = TunedGap(1);
        r.SmallBatchCe.ShouldBe(g1, 1e-8);
        (TunedGap(bc) / bc).ShouldBe(0.5 * g1, 1e-3 * g1);
        // B → ∞: the deterministic closed form on the data's condition number
        var lambda = DataSet.Analyse(raw).Eigenvalues;
        double kappa = lambda[0] / lambda[^1];
        r.DeterministicGap.ShouldBe(4 * kappa / ((kappa + 1) * (kappa + 1)), 1e-12);
    }

    [Fact]
    public void Sweep_on_data_tunes_each_batch_under_the_model()
    {
        var raw = EmpiricalMomentsTests.RandomMatrix(14, 3, 21, heavy: true);
                var rates = DataRates.For(new DataProblem(DataSet.Analyse(raw), 1, null, null), MomentModel.Matrix);
        var rows = BatchSweep.Run(rates, [MethodFamily.Sgd], [1, 4], new SweepOptions { MaxDegreeOfParallelism = 1 });
        rows.Count.ShouldBe(2);
        foreach (var row in rows)
        {
            row.Gap.ShouldBe(DataRate.Compute(new DataProblem(DataSet.Analyse(raw), row.Batch, null, null), row.Tuned.Method, MomentModel.Matrix).Gap, 1e-9);
            row.Gap.ShouldBeGreaterThan(0);
        }
        rows[1].Gap.ShouldBeGreaterThan(rows[0].Gap);
    }

    /// <summary>A rate model with a gap but no risk curve.</summary>
    private sealed class GapOnly(IRateModel inner) : IRateModel
    {
        public double Batch => inner.Batch;
        public double MaxEigenvalue => inner.MaxEigenvalue;
        public double MinEigenvalue => inner.MinEigenvalue;
        public IRateModel WithBatch(double batch) => new GapOnly(inner.WithBatch(batch));
        public Spectral.GapResult Gap(LinearMethod method) => inner.Gap(method);
        public IGapSearch Search() => inner.Search();
    }

    [Fact]
    public void A_target_is_refused_when_the_rate_model_has_no_risk_curve()
    {
        var rates = DataRates.For(new DataProblem(DataSet.Analyse(EmpiricalMomentsTests.RandomMatrix(14, 3, 21, heavy: true)), 1, null, null), MomentModel.Empirical);
        rates.ShouldBeAssignableTo<IRiskModel>();
        Should.Throw<InvalidInputException>(() => Tuner.Tune(new GapOnly(rates), MethodFamily.Sgd, new TuneOptions { Target = 1e-3 }));
        Should.Throw<InvalidInputException>(() => Tuner.Tune(new GapOnly(rates), MethodFamily.Sgd, new TuneOptions { Objective = TuneObjective.FinalRisk, Steps = 10 }));
    }
}
