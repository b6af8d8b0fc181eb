using ExactDynamics.Methods;
using ExactDynamics.Spectral;
using ExactDynamics.Tests.Oracles;
using Xunit.Abstractions;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests;

/// <summary>
/// docs/math.md#contraction-gap: ρ, the gap, the divergence flag and the local radius against the dense d·k² operator
/// (MathNet EVD), for random small spectra and random hyperparameters, converging and diverging.
/// </summary>
public class ContractionGapDenseTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var family in new[] { "sgd", "hb", "nesterov", "asgd", "torch", "torch-nesterov" })
            foreach (var m4 in new[] { 1.0, 3.0 })
                foreach (var batch in new[] { 1.0, 4.0, 100.0 })
                    yield return [family, m4, batch];
    }

    /// <summary>A seed that is the same in every run (string.GetHashCode and HashCode are randomised per process).</summary>
    internal static int StableSeed(string family, double m4, double batch)
    {
        int h = 17;
        foreach (char ch in family) h = unchecked(h * 31 + ch);
        return Math.Abs(unchecked(h * 31 + (int)(m4 * 10) * 1009 + (int)batch * 7));
    }

    /// <summary>Seeded random hyperparameters for a spectrum with λ_max = 1; ranges straddle the stability edge.</summary>
    internal static (LinearMethod method, string spec) RandomMethod(string family, Random rng)
    {
        double U(double a, double b) => a + (b - a) * rng.NextDouble();
        switch (family)
        {
            case "sgd": { double lr = U(0.05, 2.6); return (Sgd.Create(lr), $"sgd lr={lr:G4}"); }
            case "hb": { double lr = U(0.05, 3.0), b = U(0, 0.95); return (HeavyBall.Create(lr, b), $"hb lr={lr:G4} β={b:G4}"); }
            case "nesterov": { double lr = U(0.05, 2.2), b = U(0, 0.95); return (Nesterov.Create(lr, b), $"nesterov lr={lr:G4} β={b:G4}"); }
            case "asgd":
                {
                    double kappa = Math.Exp(U(Math.Log(2), Math.Log(1000)));
                    double xi = U(0.5, Math.Min(10, 3 * kappa));
                    double lr = U(0.05, 1.3);
                    return (Asgd.Create(lr, kappa, xi), $"asgd lr={lr:G4} κ̃={kappa:G4} ξ={xi:G4}");
                }
            case "torch": { double lr = U(0.05, 2.5), mu = U(0, 0.95); return (TorchMomentum.Create(lr, mu), $"torch lr={lr:G4} μ={mu:G4}"); }
            case "torch-nesterov": { double lr = U(0.05, 2.0), mu = U(0, 0.95); return (TorchMomentum.Create(lr, mu, true), $"torch-nesterov lr={lr:G4} μ={mu:G4}"); }
            default: throw new ArgumentException(family);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gap_matches_dense_operator_spectral_radius_for_random_small_problems(string family, double m4, double batch)
    {
        var rng = new Random(StableSeed(family, m4, batch));
        double worstRho = 0, worstLocal = 0, worstFullVsSym = 0;
        int diverging = 0, secular = 0, n = 0;
        var failures = new List<string>();
        foreach (int d in new[] { 1, 2, 3, 5, 1, 2, 3, 5 })
        {
            var lambdas = RandomSpectrum(rng, d, 1e-2, 1);
            var (method, spec) = RandomMethod(family, rng);
            var tuple = MethodTuple.From(method);
            var problem = MakeProblem(lambdas, batch: batch, kurtosis: m4);
            var r = ContractionGap.Compute(problem, method);

            double rhoSym = DenseOperator.RhoSymmetric(lambdas, tuple, batch, m4);
            double rhoFull = DenseOperator.Rho(lambdas, tuple, batch, m4);
            double rhoLocal = DenseOperator.RhoLocalSymmetric(lambdas, tuple, batch, m4);
            double zLow = Math.Max(rhoLocal, DenseOperator.RhoMeanSquared(lambdas, tuple));
            double scale = Math.Max(1, rhoSym);
            n++;
            string label = $"{spec} d={d} λ=[{string.Join(",", lambdas.Select(x => x.ToString("G4")))}]";

            double eRho = Math.Abs(r.Rho - rhoSym) / scale;
            double eGap = Math.Abs(r.Gap - (1 - rhoSym)) / scale;
            double eLocal = Math.Abs(r.RhoLocal - rhoLocal) / Math.Max(1, rhoLocal);
            worstRho = Math.Max(worstRho, Math.Max(eRho, eGap));
            worstLocal = Math.Max(worstLocal, eLocal);
            worstFullVsSym = Math.Max(worstFullVsSym, Math.Abs(rhoFull - rhoSym) / scale);

            if (double.IsNaN(r.Rho) || double.IsNaN(r.Gap) || double.IsNaN(r.RhoLocal)) failures.Add($"NaN in {r} for {label}");
            if (eRho > 1e-10) failures.Add($"Rho {r.Rho:R} vs dense {rhoSym:R} (err {eRho:E2}) for {label}");
            if (eGap > 1e-10) failures.Add($"Gap {r.Gap:R} vs 1−ρ_dense {1 - rhoSym:R} (err {eGap:E2}) for {label}");
            if (eLocal > 1e-10) failures.Add($"RhoLocal {r.RhoLocal:R} vs dense max_i ρ(D_i) {rhoLocal:R} (err {eLocal:E2}) for {label}");
            if (Math.Abs(rhoSym - 1) > 1e-9)
            {
                bool div = rhoSym > 1;
                if (r.Diverges != div) failures.Add($"Diverges={r.Diverges} but dense ρ={rhoSym:R} for {label}");
                if (div && !(r.Gap < 0)) failures.Add($"diverging but Gap={r.Gap:R} for {label}");
                if (div) diverging++;
            }
            if (rhoSym - zLow > 1e-7)
            {
                secular++;
                if (!r.SecularRoot) failures.Add($"dense ρ={rhoSym:R} is above z_low={zLow:R} but SecularRoot=false for {label}");
            }
        }
        output.WriteLine($"{family} m4={m4} B={batch}: {n} cases ({diverging} diverging, {secular} secular roots); worst |ρ−ρ_dense|/max(1,ρ) {worstRho:E2}, worst RhoLocal err {worstLocal:E2}; dense full-vs-symmetric radius {worstFullVsSym:E2}");
        foreach (var f in failures) output.WriteLine("  FAIL " + f);
        failures.ShouldBeEmpty();
        worstFullVsSym.ShouldBeLessThan(1e-9, "docs/math.md#contraction-gap: the full k² operator has the same radius as its symmetric restriction");
    }

    /// <summary>
    /// For m4 &lt; 2 (κ' &lt; 0) a local block D_i is not itself a second-moment map, and its radius can EXCEED ρ:
    /// here D for λ = 1 has a complex pair of modulus 0.62957… (checked in exact rational arithmetic from the
    /// block's entries) while the dense operator's radius is 0.62005…. So "ρ ≥ z_low =
    /// max(ρ_D, max ρ(T_i)²)" (docs/math.md#kurtosis-below-two) does not hold for m4 &lt; 2 (ρ ≥ max ρ(T_i)² does); ρ must still be the dense radius.
    /// </summary>
    [Fact]
    public void Rho_is_the_dense_radius_even_when_a_local_block_radius_exceeds_it()
    {
        double[] l = [1, 0.12615247949803615];
        var m = TorchMomentum.Create(0.9067312937261218, 0.5631011681459384);
        var tuple = MethodTuple.From(m);
        var r = ContractionGap.Compute(MakeProblem(l, batch: 4, kurtosis: 1), m);
        double dense = DenseOperator.RhoSymmetric(l, tuple, 4, 1);
        double local = DenseOperator.RhoLocalSymmetric(l, tuple, 4, 1);
        output.WriteLine($"lib ρ={r.Rho:R} local={r.RhoLocal:R}; dense ρ={dense:R} local={local:R} (exact local 0.62957090191776361…)");
        local.ShouldBeGreaterThan(dense + 1e-3);
        r.Rho.ShouldBe(dense, 1e-12);
        r.Gap.ShouldBe(1 - dense, 1e-12);
        r.RhoLocal.ShouldBe(0.62957090191776361, 1e-12);
        (r.Rho >= DenseOperator.RhoMeanSquared(l, tuple) - 1e-15).ShouldBeTrue();
    }

    [Fact]
    public void Divergent_methods_report_negative_gap_and_never_NaN()
    {
        double[] l = [1.0, 0.3, 0.01];
        var cases = new (LinearMethod m, double batch, double m4)[]
        {
            (Sgd.Create(2.5), 1, 3), (Sgd.Create(50), 1, 3), (Sgd.Create(1.9), 1, 3), (Sgd.Create(1.0), 1, 30),
            (HeavyBall.Create(4.0, 0.9), 100, 3), (HeavyBall.Create(1.0, 0.99), 1, 3), (Nesterov.Create(3, 0.5), 4, 1),
            (Asgd.Create(1.5, 10, 2), 1, 3), (TorchMomentum.Create(0.5, 0.9), 1, 3),
        };
        foreach (var (m, batch, m4) in cases)
        {
            var problem = MakeProblem(l, batch: batch, kurtosis: m4);
            var r = ContractionGap.Compute(problem, m);
            double dense = DenseOperator.RhoSymmetric(l, MethodTuple.From(m), batch, m4);
            output.WriteLine($"{m.Spec} B={batch} m4={m4}: lib ρ={r.Rho:R} gap={r.Gap:R} diverges={r.Diverges}; dense ρ={dense:R}");
            dense.ShouldBeGreaterThan(1.0);
            r.Diverges.ShouldBeTrue(m.Spec);
            double.IsNaN(r.Gap).ShouldBeFalse();
            double.IsNaN(r.Rho).ShouldBeFalse();
            r.Gap.ShouldBeLessThan(0);
            r.Gap.ShouldBe(1 - r.Rho, 1e-12 * Math.Max(1, r.Rho));
            r.Rho.ShouldBe(dense, 1e-10 * dense);
        }
    }
}
