using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Tests.Oracles;

namespace ExactDynamics.Tests;

/// <summary>Shared cases and small helpers for the tests.</summary>
public static class TestSupport
{
    public static double RelErr(double actual, double expected)
    {
        if (actual == expected) return 0;
        return Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);
    }

    public static double WorstRelErr(double[] actual, double[] expected)
    {
        actual.Length.ShouldBe(expected.Length);
        double w = 0;
        for (int i = 0; i < actual.Length; i++) w = Math.Max(w, RelErr(actual[i], expected[i]));
        return w;
    }

    /// <summary>max_t |actual_t − expected_t| / max(|expected_t|, scale_t): relative error, measured against a
    /// rounding scale where the quantity itself passes close to zero.</summary>
    public static double WorstScaledErr(double[] actual, double[] expected, double[] scale)
    {
        actual.Length.ShouldBe(expected.Length);
        double w = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if (actual[i] == expected[i]) continue;
            double den = Math.Max(Math.Max(Math.Abs(expected[i]), scale[i]), 1e-300);
            w = Math.Max(w, Math.Abs(actual[i] - expected[i]) / den);
        }
        return w;
    }

    /// <summary>Seeded log-uniform eigenvalues in [lo, hi], with the largest pinned to hi.</summary>
    public static double[] RandomSpectrum(Random rng, int d, double lo = 1e-2, double hi = 1)
    {
        var v = new double[d];
        for (int i = 0; i < d; i++) v[i] = lo * Math.Pow(hi / lo, rng.NextDouble());
        v[0] = hi;
        return v;
    }

    /// <summary>A named library method together with the same method as a plain tuple.</summary>
    public sealed record NamedMethod(string Name, LinearMethod Method)
    {
        public MethodTuple Tuple => MethodTuple.From(Method);
        public override string ToString() => Name;
    }

    /// <summary>Every family the library names, plus three k = 3 methods built for the tests. λ_max ≈ 1.</summary>
    public static IEnumerable<NamedMethod> AllMethods()
    {
        yield return new("sgd", Sgd.Create(0.8));
        yield return new("hb", HeavyBall.Create(0.5, 0.6));
        yield return new("nesterov", Nesterov.Create(0.6, 0.7));
        yield return new("asgd", Asgd.Create(0.3, 50, 5));
        yield return new("torch", TorchMomentum.Create(0.2, 0.8));
        yield return new("torch-nesterov", TorchMomentum.Create(0.2, 0.8, nesterov: true));
        yield return new("twolag-k3", CustomMethods.TwoLagMomentum(0.4, 0.5, 0.2, 0.3).ToLibrary());
        yield return new("ema-k3", CustomMethods.MomentumWithEma(0.2, 0.8, 0.9).ToLibrary());
        yield return new("qhm-k3", CustomMethods.Qhm(0.7, 0.9, 0.7).ToLibrary());
    }

    public static Problem MakeProblem(double[] lambdas, double[]? initial = null, double batch = 1, double kurtosis = 3, double noise = 0)
        => new(Spectrum.FromValues(lambdas), initial, batch, kurtosis, noise);
}
