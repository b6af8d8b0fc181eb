using MathNet.Numerics.LinearAlgebra;

namespace ExactDynamics.Tests.Oracles;

/// <summary>
/// Oracle 1: the exact second moment of the FULL stacked state, Σ_t = E[x_t x_tᵀ] with x = vec of the
/// k×d state X (index (p, i) ↦ p·d + i), a (k·d)×(k·d) matrix. No block-diagonal structure is assumed:
/// every cross-covariance between directions i ≠ j and between states p ≠ q is carried.
///
/// Derivation (first principles, written for the tests):
///   x' = 𝒜 x − 𝔅 g,  g = Ĥ 𝒞 x − n,   𝒜 = A ⊗ I_d,  𝔅 = b ⊗ I_d,  𝒞 = cᵀ ⊗ I_d,
///   Ĥ = (1/B) Σ_b x_b x_bᵀ (fresh batch, independent of x), n = (1/B) Σ_b x_b ε_b, E[ε | x_b] = 0.
/// With G₀ = 𝒜 − 𝔅 H 𝒞 (the mean transition) and M = 𝒞 Σ 𝒞ᵀ = E[y yᵀ]:
///   Σ' = G₀ Σ G₀ᵀ + 𝔅 (E[Ĥ M Ĥ] − H M H) 𝔅ᵀ + 𝔅 E[n nᵀ] 𝔅ᵀ,
/// (cross terms with n vanish because E[ε | x] = 0 and ε is fresh; E x = 0 for all t since E x₀ = 0).
/// For B i.i.d. samples, E[Ĥ M Ĥ] = (1 − 1/B) H M H + (1/B) E[x xᵀ M x xᵀ] (pairs b ≠ b' factorise),
/// so E[Ĥ M Ĥ] − HMH = (1/B)(E4(M) − HMH) with E4(M) = E[x xᵀ M x xᵀ], evaluated here by brute force
/// from the fourth-moment TENSOR of z (x = H^{1/2} z, independent coordinates):
///   E4(M)_{pq} = Σ_{r,s} √(h_p h_q h_r h_s) M_{rs} E[z_p z_q z_r z_s],
/// with E[z_p z_q z_r z_s] computed by counting index multiplicities (E z = 0, E z² = 1, E z⁴ = m4; any
/// index appearing once or three times kills the moment). E[n nᵀ] = σ² H / B.
/// Risk: E L = ½ tr(H 𝒪 Σ 𝒪ᵀ), 𝒪 = oᵀ ⊗ I_d. Start: Σ₀ = (u uᵀ) ⊗ diag(s).
/// </summary>
public sealed class FullCovarianceRecursion
{
    private static readonly MatrixBuilder<double> M = Matrix<double>.Build;

    private readonly int _k, _d;
    private readonly double[] _h;
    private readonly double _batch, _m4, _noise;
    private readonly Matrix<double> _g0, _bm, _cm, _om, _H;
    private readonly double[,,,] _moment; // E[z_p z_q z_r z_s]
    private readonly double[] _o;

    public Matrix<double> Sigma { get; private set; }

    public FullCovarianceRecursion(double[] lambdas, double[] initial, MethodTuple method, double batch, double kurtosis, double noise)
    {
        _k = method.K; _d = lambdas.Length;
        _o = (double[])method.O.Clone();
        _h = (double[])lambdas.Clone();
        _batch = batch; _m4 = kurtosis; _noise = noise;
        int n = _k * _d;
        _H = M.DenseOfDiagonalArray(_h);
        var id = M.DenseIdentity(_d);
        var a = M.DenseOfArray(method.A);
        var calA = a.KroneckerProduct(id);
        _bm = M.DenseOfColumnArrays(method.B).KroneckerProduct(id);   // (k×1) ⊗ I  → n×d
        _cm = M.DenseOfRowArrays(method.C).KroneckerProduct(id);      // (1×k) ⊗ I  → d×n
        _om = M.DenseOfRowArrays(method.O).KroneckerProduct(id);
        _g0 = calA - _bm * _H * _cm;
        var uu = M.DenseOfColumnArrays(method.U) * M.DenseOfRowArrays(method.U);
        Sigma = uu.KroneckerProduct(M.DenseOfDiagonalArray(initial));
        if (Sigma.RowCount != n) throw new InvalidOperationException("shape");

        _moment = new double[_d, _d, _d, _d];
        for (int p = 0; p < _d; p++)
            for (int q = 0; q < _d; q++)
                for (int r = 0; r < _d; r++)
                    for (int s = 0; s < _d; s++)
                        _moment[p, q, r, s] = FourthMoment(p, q, r, s, kurtosis);
    }

    /// <summary>E[z_p z_q z_r z_s] for independent, centred, unit-variance z with E z⁴ = m4.</summary>
    public static double FourthMoment(int p, int q, int r, int s, double m4)
    {
        int[] idx = [p, q, r, s];
        double result = 1;
        var seen = new HashSet<int>();
        foreach (int i in idx)
        {
            if (!seen.Add(i)) continue;
            int mult = idx.Count(j => j == i);
            result *= mult switch { 1 => 0.0, 2 => 1.0, 3 => 0.0, 4 => m4, _ => throw new InvalidOperationException() };
        }
        return result;
    }

    /// <summary>E[x xᵀ M x xᵀ] for a single sample x = H^{1/2} z, by the 4-index sum.</summary>
    public Matrix<double> SingleSampleFourth(Matrix<double> m)
    {
        var r4 = M.Dense(_d, _d);
        for (int p = 0; p < _d; p++)
            for (int q = 0; q < _d; q++)
            {
                double acc = 0;
                for (int r = 0; r < _d; r++)
                    for (int s = 0; s < _d; s++)
                    {
                        double mom = _moment[p, q, r, s];
                        if (mom == 0) continue;
                        acc += Math.Sqrt(_h[p] * _h[q] * _h[r] * _h[s]) * m[r, s] * mom;
                    }
                r4[p, q] = acc;
            }
        return r4;
    }

    /// <summary>E[Ĥ M Ĥ] for a batch of B independent samples.</summary>
    public Matrix<double> MinibatchFourth(Matrix<double> m)
        => (1 - 1 / _batch) * (_H * m * _H) + (1 / _batch) * SingleSampleFourth(m);

    public double Risk => 0.5 * (_H * _om * Sigma * _om.Transpose()).Trace();

    /// <summary>
    /// The rounding scale of the risk: ½ Σ_i λ_i ‖o‖² tr S_i ≥ E L (Rayleigh). Floating-point evaluation of
    /// the block recursion is accurate relative to the size of the whole block, not of oᵀ S_i o alone: for a
    /// nearly deterministic rotating mode (momentum, m4 = 1) oᵀ S_i o passes close to zero at isolated steps
    /// while the block does not.
    /// </summary>
    public double RiskScale
    {
        get
        {
            double oo = _o.Sum(v => v * v), s = 0;
            for (int i = 0; i < _d; i++)
                for (int p = 0; p < _k; p++)
                    s += _h[i] * oo * Sigma[p * _d + i, p * _d + i];
            return 0.5 * s;
        }
    }

    public void Step()
    {
        var m = _cm * Sigma * _cm.Transpose();
        var extra = MinibatchFourth(m) - _H * m * _H + (_noise / _batch) * _H;
        var next = _g0 * Sigma * _g0.Transpose() + _bm * extra * _bm.Transpose();
        Sigma = 0.5 * (next + next.Transpose());
    }

    /// <summary>The k×k block of direction i (rows/cols (p, i)).</summary>
    public double[,] Block(int i)
    {
        var blk = new double[_k, _k];
        for (int p = 0; p < _k; p++) for (int q = 0; q < _k; q++) blk[p, q] = Sigma[p * _d + i, q * _d + i];
        return blk;
    }

    /// <summary>Risk and its rounding scale (<see cref="RiskScale"/>) for t = 0..steps.</summary>
    public static (double[] Risk, double[] Scale) TrajectoryWithScale(double[] lambdas, double[] initial, MethodTuple method, double batch, double kurtosis, double noise, int steps)
    {
        var rec = new FullCovarianceRecursion(lambdas, initial, method, batch, kurtosis, noise);
        var r = new double[steps + 1]; var sc = new double[steps + 1];
        r[0] = rec.Risk; sc[0] = rec.RiskScale;
        for (int t = 1; t <= steps; t++) { rec.Step(); r[t] = rec.Risk; sc[t] = rec.RiskScale; }
        return (r, sc);
    }

    public static double[] Trajectory(double[] lambdas, double[] initial, MethodTuple method, double batch, double kurtosis, double noise, int steps)
    {
        var rec = new FullCovarianceRecursion(lambdas, initial, method, batch, kurtosis, noise);
        var r = new double[steps + 1];
        r[0] = rec.Risk;
        for (int t = 1; t <= steps; t++) { rec.Step(); r[t] = rec.Risk; }
        return r;
    }
}
