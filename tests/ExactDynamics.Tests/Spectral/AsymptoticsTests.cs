using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectral;
using ExactDynamics.Tests.Oracles;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;
using static ExactDynamics.Tests.TestSupport;

namespace ExactDynamics.Tests;

/// <summary>
/// docs/math.md#contraction-gap, checked without the operator: the trajectory itself contracts at the rate ρ and approaches
/// C ρ^t with the library's Perron prefactor C. And C against the spectral projector of the dense operator.
/// </summary>
public class AsymptoticsTests(ITestOutputHelper output)
{
    private static readonly double[] Lambdas = [1.0, 0.5, 0.2, 0.1, 0.05];
    private static readonly double[] S0 = [1.0, 0.8, 1.3, 0.5, 2.0];

    public static IEnumerable<object[]> Converging() =>
    [
        ["sgd", 3.0, 4.0], ["sgd", 1.0, 1.0], ["sgd", 5.0, 16.0],
        ["hb", 3.0, 4.0], ["hb", 1.0, 32.0], ["hb", 3.0, 1.0],
        ["nesterov", 3.0, 8.0], ["asgd", 3.0, 4.0], ["torch", 3.0, 4.0], ["torch-nesterov", 1.0, 8.0],
    ];

    private static LinearMethod Make(string name, double batch) => name switch
    {
        "sgd" => Sgd.Create(batch >= 4 ? 0.9 : 0.5),
        "hb" => HeavyBall.Create(batch >= 4 ? 0.6 : 0.2, 0.5),
        "nesterov" => Nesterov.Create(0.5, 0.6),
        "asgd" => Asgd.Create(0.4, 20, 2),
        "torch" => TorchMomentum.Create(0.3, 0.5),
        "torch-nesterov" => TorchMomentum.Create(0.3, 0.5, true),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Second-largest eigenvalue modulus of the dense operator, to choose a horizon where the transient is gone.</summary>
    private static double SubdominantRatio(MethodTuple m, double batch, double m4, double rho)
    {
        var eig = DenseOperator.Eigenvalues(DenseOperator.RestrictSymmetric(DenseOperator.Build(Lambdas, m, batch, m4), m.K, Lambdas.Length));
        var mags = eig.Select(z => z.Magnitude).OrderByDescending(x => x).ToArray();
        // skip the dominant (real, simple) one
        return mags.Skip(1).First() / rho;
    }

    [Theory]
    [MemberData(nameof(Converging))]
    public void Risk_ratio_tends_to_rho_and_risk_over_rho_power_tends_to_prefactor(string name, double m4, double batch)
    {
        var method = Make(name, batch);
        var problem = MakeProblem(Lambdas, S0, batch, m4);
        var gap = ContractionGap.Compute(problem, method);
        gap.Diverges.ShouldBeFalse();
        double rho = gap.Rho;
        double c = PerronPrefactor.Compute(problem, method, gap);

        double sub = SubdominantRatio(MethodTuple.From(method), batch, m4, rho);
        sub.ShouldBeLessThan(1.0, "test design: the dominant eigenvalue must be strictly dominant");
        // horizon: transient (sub)^t below 1e-7, capped so that ρ^t stays far above underflow
        int tTransient = (int)Math.Ceiling(Math.Log(1e-7) / Math.Log(sub));
        int tUnderflow = (int)Math.Floor(Math.Log(1e-200) / Math.Log(rho));
        int T = Math.Min(tTransient, tUnderflow);
        var traj = RiskRecursion.Trajectory(problem, method, T);

        double ratio = traj[T] / traj[T - 1];
        // ratio − ρ is O((sub)^T) relative; ρ^T via exp(T ln ρ) with the library's ρ
        double cEmp = traj[T] / Math.Exp(T * Math.Log(rho));
        double eRatio = RelErr(ratio, rho), eC = RelErr(c, cEmp);
        output.WriteLine($"{method.Spec} m4={m4} B={batch}: ρ={rho:R} sub/ρ={sub:G4} T={T} (transient {tTransient}) L_T/L_(T-1) rel err {eRatio:E2}; C={c:R} vs L_T/ρ^T={cEmp:R} rel err {eC:E2}");
        eRatio.ShouldBeLessThan(1e-6);
        eC.ShouldBeLessThan(1e-3);
    }

    /// <summary>
    /// C from the spectral projector of the dense operator: E L_t = φᵀ 𝓜^t s₀ ≈ ρ^t (φᵀ r)(ℓᵀ s₀)/(ℓᵀ r) with r, ℓ
    /// the right and left eigenvectors of the dominant eigenvalue, φ the risk functional ½ Σ λ_i vec(o oᵀ),
    /// s₀ = ⊕ vec(s_i u uᵀ). No formula from docs/math.md, just linear algebra.
    /// </summary>
    [Theory]
    [MemberData(nameof(Converging))]
    public void Prefactor_matches_spectral_projector_of_dense_operator(string name, double m4, double batch)
    {
        var method = Make(name, batch);
        var tuple = MethodTuple.From(method);
        var problem = MakeProblem(Lambdas, S0, batch, m4);
        var gap = ContractionGap.Compute(problem, method);
        double c = PerronPrefactor.Compute(problem, method, gap);

        var op = DenseOperator.Build(Lambdas, tuple, batch, m4);
        int k = tuple.K, k2 = k * k, d = Lambdas.Length;
        var s0 = Vector<double>.Build.Dense(d * k2);
        var phi = Vector<double>.Build.Dense(d * k2);
        for (int i = 0; i < d; i++)
            for (int p = 0; p < k; p++)
                for (int q = 0; q < k; q++)
                {
                    s0[i * k2 + p * k + q] = S0[i] * tuple.U[p] * tuple.U[q];
                    phi[i * k2 + p * k + q] = 0.5 * Lambdas[i] * tuple.O[p] * tuple.O[q];
                }
        var right = DominantRealEigenvector(op);
        var left = DominantRealEigenvector(op.Transpose());
        double cDense = (phi * right.vec) * (left.vec * s0) / (left.vec * right.vec);
        output.WriteLine($"{method.Spec} m4={m4} B={batch}: C={c:R} dense projector {cDense:R} (dense ρ {right.value:R}, lib {gap.Rho:R}) rel err {RelErr(c, cDense):E2}");
        RelErr(c, cDense).ShouldBeLessThan(1e-8);
    }

    private static (double value, Vector<double> vec) DominantRealEigenvector(Matrix<double> m)
    {
        var evd = m.Evd();
        var ev = evd.EigenValues;
        int best = 0;
        for (int j = 1; j < ev.Count; j++) if (ev[j].Magnitude > ev[best].Magnitude) best = j;
        Math.Abs(ev[best].Imaginary).ShouldBeLessThan(1e-12, "dominant eigenvalue should be real");
        var v = evd.EigenVectors.Column(best);
        // polish with a few steps of inverse iteration at the computed eigenvalue (improves the vector)
        double lam = ev[best].Real;
        var shifted = m - (lam * (1 + 1e-13) + 1e-300) * Matrix<double>.Build.DenseIdentity(m.RowCount);
        var lu = shifted.LU();
        for (int it = 0; it < 3; it++) { v = lu.Solve(v); v /= v.L2Norm(); }
        return (lam, v);
    }
}
