using System.Numerics;
using ExactDynamics.Methods;

namespace ExactDynamics.Spectral;

/// <summary>
/// MATH.md §4: the spectral radius ρ of the second-moment operator 𝓜 and the contraction gap γ = 1 − ρ.
/// <para>
/// With D_i = T_i⊗T_i + κ'_i bb ccᵀ (κ'_i = (m4 − 2)λ_i²/B) and the rank-one coupling, ρ is the largest real root
/// z &gt; z_low of the secular equation F(z) = (1/B) Σ_i λ_i² ccᵀ(zI − D_i)⁻¹bb = 1, or z_low when there is none.
/// Everything is solved for γ = 1 − z directly (zI − D_i = (I − D_i) − γI, with I − D_i formed without
/// cancellation in the consistent basis, see <see cref="LocalBlocks"/>), so that gaps far below machine epsilon keep
/// their relative precision. Sherman–Morrison gives ccᵀ(zI − D_i)⁻¹bb = g_i/(1 − κ'_i g_i) with
/// g_i = ccᵀ(zI − T_i⊗T_i)⁻¹bb (eq. §4 "cheaper form").
/// </para>
/// <para>
/// Search: for γ below γ_T = min_i (1 − ρ(T_i)²), every g_i is finite, positive and increasing in γ; the predicate
/// "some 1 − κ'_i g_i ≤ 0, or F ≥ 1" is monotone in γ and switches exactly at γ* = 1 − ρ, whether ρ is a secular root
/// or the lower end z_low = max(ρ_D, max_i ρ(T_i)²). It is bisected in log(γ_T − γ), starting from the relative offset
/// γ_T·(1 − 1e-13) (§4 (c)), to a relative width of a few ulps.
/// </para>
/// </summary>
public static class ContractionGap
{
    private const double RelativeOffset = 1e-13;

    /// <summary>ρ, γ = 1 − ρ, divergence and the local radius for one problem and method.</summary>
    public static GapResult Compute(Problem problem, LinearMethod method)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        var sys = new SecularSystem(problem, method);
        return sys.Solve();
    }

    internal sealed class SecularSystem
    {
        private readonly double[] _lambda;
        private readonly double _invB, _k4;
        public LocalBlocks Blocks { get; }
        public double GammaTop { get; }
        public int ArgGammaTop { get; }

        public SecularSystem(Problem problem, LinearMethod method)
        {
            _lambda = problem.Spectrum.ToArray();
            _invB = 1.0 / problem.Batch;
            _k4 = problem.Kurtosis - 2;
            Blocks = new LocalBlocks(method);
            double top = double.PositiveInfinity; int arg = 0;
            for (int i = 0; i < _lambda.Length; i++)
            {
                double g = Blocks.GammaT(_lambda[i]);
                if (g < top) { top = g; arg = i; }
            }
            GammaTop = top;
            ArgGammaTop = arg;
        }

        public double Lambda(int i) => _lambda[i];
        public double KappaPrime(int i) => _k4 * _lambda[i] * _lambda[i] * _invB;
        public double InvBatch => _invB;

        /// <summary>
        /// Evaluates the predicate at γ: returns +1 when γ ≥ γ* (some local denominator ≤ 0, or F(γ) ≥ 1),
        /// −1 below. When <paramref name="denominatorsOnly"/> only the local poles are tested (γ_low search).
        /// </summary>
        public bool Above(double gamma, bool denominatorsOnly, out double f)
        {
            f = 0;
            if (gamma >= GammaTop) return true;
            int m = Blocks.M;
            Span<double> x = stackalloc double[m];
            var cc = Blocks.CC;
            double sum = 0;
            for (int i = 0; i < _lambda.Length; i++)
            {
                double l = _lambda[i];
                if (!Blocks.SolveShifted(l, gamma, x, transpose: false)) return true;
                double g = LocalBlocks.Dot(cc, x);
                if (g < 0) return true;
                double den = 1 - _k4 * l * l * _invB * g;
                if (den <= 0) return true;
                sum += l * l * g / den;
            }
            f = sum * _invB;
            return !denominatorsOnly && f >= 1;
        }

        /// <summary>Transition point of the monotone predicate, searched in δ = γ_T − γ on a log scale.</summary>
        private double Transition(bool denominatorsOnly, double top)
        {
            double d0 = top != 0 ? Math.Abs(top) * RelativeOffset : 1e-300;
            if (!Above(top - d0, denominatorsOnly, out _)) return top;
            double lo = d0, hi = 2 * d0;
            int guard = 0;
            while (Above(top - hi, denominatorsOnly, out _))
            {
                lo = hi; hi *= 2;
                if (++guard > 2200 || double.IsInfinity(hi))
                    throw new InvalidOperationException("The secular equation has no root; the problem is degenerate.");
            }
            for (int it = 0; it < 200; it++)
            {
                if (hi <= lo * (1 + 4e-16)) break;
                double mid = Math.Sqrt(lo * hi);
                if (mid <= lo || mid >= hi) break;
                if (Above(top - mid, denominatorsOnly, out _)) lo = mid; else hi = mid;
            }
            return top - Math.Sqrt(lo * hi);
        }

        public GapResult Solve()
        {
            // Lower end of the search in gap space: γ_low = min(γ_T, min_i γ_D,i) (γ_D only matters when κ' > 0).
            double gammaLow = _k4 > 0 ? Transition(denominatorsOnly: true, GammaTop) : GammaTop;
            double gamma = Transition(denominatorsOnly: false, gammaLow);
            bool secularRoot = gamma < gammaLow;
            double rhoLocal = _k4 >= 0 ? 1 - gammaLow : LocalRadiusDense();
            double rho = 1 - gamma;
            return new GapResult(rho, gamma, gamma <= 0, rhoLocal, secularRoot);
        }

        /// <summary>GammaLow as used by <see cref="Solve"/> (for the prefactor's no-root case).</summary>
        public double GammaLow() => _k4 > 0 ? Transition(true, GammaTop) : GammaTop;

        /// <summary>max_i ρ(D_i) by dense eigenvalues (used for m4 &lt; 2, where D_i is not a positive map).</summary>
        private double LocalRadiusDense()
        {
            int m = Blocks.M;
            var g = new double[m * m];
            double best = 0;
            for (int i = 0; i < _lambda.Length; i++)
            {
                var mat = LocalD(i, g);
                foreach (Complex z in mat.Evd().EigenValues) best = Math.Max(best, z.Magnitude);
            }
            return best;
        }

        /// <summary>D_i = I − G⁰_i + κ'_i bb ccᵀ as a dense matrix (symmetric coordinates, consistent basis).</summary>
        public MathNet.Numerics.LinearAlgebra.Matrix<double> LocalD(int i, double[] scratch, double extraCoupling = 0)
        {
            int m = Blocks.M;
            double l = _lambda[i];
            Blocks.FillG0(l, scratch);
            double kp = KappaPrime(i) + extraCoupling;
            var bb = Blocks.BB; var cc = Blocks.CC;
            return MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(m, m,
                (e, f) => (e == f ? 1.0 : 0.0) - scratch[e * m + f] + kp * bb[e] * cc[f]);
        }
    }
}
