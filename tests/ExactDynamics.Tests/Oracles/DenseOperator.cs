using Complex = System.Numerics.Complex;
using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Oracles;

/// <summary>
/// Oracle 2: the dense second-moment operator 𝓜 of docs/math.md#contraction-gap on the full k²-vec of every block
/// (size d·k² × d·k², row-major vec: vec(S)[p·k + q] = S_pq, so vec(T S Tᵀ) = (T ⊗ T) vec S):
///   D_i = T_i ⊗ T_i + κ'_i · vec(bbᵀ) vec(ccᵀ)ᵀ,  κ'_i = (m4 − 2) λ_i² / B,  T_i = A − λ_i b cᵀ,
///   (𝓜 s)_i = D_i s_i + (λ_i/B) vec(bbᵀ) Σ_j λ_j vec(ccᵀ)ᵀ s_j.
/// (That this is the noise-free linear part of the block recursion is itself tested against
/// <see cref="FullCovarianceRecursion"/>.) Spectral radii come from MathNet's general EVD. Also the
/// restriction to symmetric blocks (k(k+1)/2 coordinates per block: entries p ≤ q), which is where the
/// dynamics lives.
/// </summary>
public static class DenseOperator
{
    private static readonly MatrixBuilder<double> Mb = Matrix<double>.Build;

    public static Matrix<double> T(MethodTuple m, double lambda)
    {
        int k = m.K;
        var t = Mb.Dense(k, k);
        for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) t[p, q] = m.A[p, q] - lambda * m.B[p] * m.C[q];
        return t;
    }

    private static Vector<double> VecOuter(double[] v)
    {
        int k = v.Length;
        var r = Vector<double>.Build.Dense(k * k);
        for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) r[p * k + q] = v[p] * v[q];
        return r;
    }

    public static Matrix<double> LocalBlock(MethodTuple m, double lambda, double batch, double kurtosis)
    {
        var t = T(m, lambda);
        var bb = VecOuter(m.B); var cc = VecOuter(m.C);
        return t.KroneckerProduct(t) + ((kurtosis - 2) * lambda * lambda / batch) * bb.OuterProduct(cc);
    }

    public static Matrix<double> Build(double[] lambdas, MethodTuple m, double batch, double kurtosis)
    {
        int k = m.K, k2 = k * k, d = lambdas.Length;
        var op = Mb.Dense(d * k2, d * k2);
        var bb = VecOuter(m.B); var cc = VecOuter(m.C);
        for (int i = 0; i < d; i++)
        {
            op.SetSubMatrix(i * k2, i * k2, LocalBlock(m, lambdas[i], batch, kurtosis));
            for (int j = 0; j < d; j++)
            {
                var coupling = (lambdas[i] * lambdas[j] / batch) * bb.OuterProduct(cc);
                var cur = op.SubMatrix(i * k2, k2, j * k2, k2);
                op.SetSubMatrix(i * k2, j * k2, cur + coupling);
            }
        }
        return op;
    }

    /// <summary>Embedding E (k² × m) of symmetric coordinates (entries p ≤ q) into vec, and selection P (m × k²).</summary>
    public static (Matrix<double> Embed, Matrix<double> Select) SymmetricBasis(int k)
    {
        int m = k * (k + 1) / 2;
        var e = Mb.Dense(k * k, m); var s = Mb.Dense(m, k * k);
        int c = 0;
        for (int p = 0; p < k; p++)
            for (int q = p; q < k; q++)
            {
                e[p * k + q, c] = 1; e[q * k + p, c] = 1;
                s[c, p * k + q] = 1;
                c++;
            }
        return (e, s);
    }

    /// <summary>Restriction of an operator on d blocks of k² to symmetric blocks (P 𝓜 E, block-wise).</summary>
    public static Matrix<double> RestrictSymmetric(Matrix<double> op, int k, int d)
    {
        var (e, s) = SymmetricBasis(k);
        var bigE = Mb.DenseIdentity(d).KroneckerProduct(e);
        var bigS = Mb.DenseIdentity(d).KroneckerProduct(s);
        return bigS * op * bigE;
    }

    public static Complex[] Eigenvalues(Matrix<double> op) => op.Evd().EigenValues.ToArray();

    public static double SpectralRadius(Matrix<double> op) => Eigenvalues(op).Max(z => z.Magnitude);

    /// <summary>ρ of the full d·k² operator.</summary>
    public static double Rho(double[] lambdas, MethodTuple m, double batch, double kurtosis)
        => SpectralRadius(Build(lambdas, m, batch, kurtosis));

    /// <summary>ρ of the operator restricted to symmetric blocks.</summary>
    public static double RhoSymmetric(double[] lambdas, MethodTuple m, double batch, double kurtosis)
        => SpectralRadius(RestrictSymmetric(Build(lambdas, m, batch, kurtosis), m.K, lambdas.Length));

    /// <summary>max_i ρ(D_i) on symmetric blocks.</summary>
    public static double RhoLocalSymmetric(double[] lambdas, MethodTuple m, double batch, double kurtosis)
        => lambdas.Max(l => SpectralRadius(RestrictSymmetric(LocalBlock(m, l, batch, kurtosis), m.K, 1)));

    /// <summary>max_i ρ(T_i)².</summary>
    public static double RhoMeanSquared(double[] lambdas, MethodTuple m)
        => lambdas.Max(l => Math.Pow(SpectralRadius(T(m, l)), 2));
}
