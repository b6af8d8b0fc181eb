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
/// or the lower end z_low = max(ρ_D, max_i ρ(T_i)²). The lower end is found first (the local poles γ_D,i, one small
/// Newton solve per direction), then the root below it, searched in δ = γ_low − γ starting from the relative offset
/// γ_T·(1 − 1e-13) (§4 (c)), with a safeguarded Newton iteration on 1 − 1/F (F′ from the same pass).
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

        /// <summary>Number of search steps taken (diagnostics).</summary>
        [ThreadStatic] internal static int Evaluations;

        /// <summary>Evaluation of a monotone function φ(γ) for <see cref="Transition"/>: φ increasing in γ, the sought
        /// point is φ = 0; <c>valid = false</c> means γ lies above the domain (a pole was crossed).</summary>
        private delegate void Evaluator(double gamma, out bool valid, out double phi, out double dphi);

        /// <summary>
        /// γ* = sup{γ &lt; top : valid and φ(γ) &lt; 0}, searched in δ = top − γ &gt; 0 with a safeguarded Newton iteration
        /// (bracket [lo, hi] in δ; geometric bisection or doubling whenever Newton leaves it). Starts at the relative
        /// offset δ₀ = |top|·1e-13 (MATH.md §4 (c)); returns top itself when φ &lt; 0 already there.
        /// </summary>
        private static double Transition(double top, Evaluator eval)
        {
            double d0 = top != 0 ? Math.Abs(top) * RelativeOffset : 1e-300;
            eval(top - d0, out bool valid, out double phi, out double dphi);
            if (valid && phi < 0) return top;
            double lo = d0, hi = double.PositiveInfinity, cur = d0;
            for (int it = 0; it < 3000; it++)
            {
                Evaluations++;
                double prop = double.NaN;
                bool newton = false;
                if (valid && dphi > 0 && double.IsFinite(phi / dphi))
                {
                    prop = cur + phi / dphi; // γ_new = γ − φ/φ′
                    // converged: the step is below what γ = top − δ can resolve (a few ulps of δ and of top)
                    if (Math.Abs(prop - cur) <= 4e-16 * (cur + Math.Abs(top))) return top - prop;
                    newton = prop > lo && prop < hi;
                }
                if (!newton)
                    prop = !double.IsPositiveInfinity(hi) ? Math.Sqrt(lo * hi)
                        : it == 0 ? Math.Max(4 * lo, Math.Max(0.5 * Math.Abs(top), 1e-30)) // jump to the scale of the gap itself
                        : lo * 4;
                eval(top - prop, out valid, out phi, out dphi);
                bool above = !valid || phi >= 0;
                if (above) lo = Math.Max(lo, prop); else hi = Math.Min(hi, prop);
                if (valid && phi == 0) return top - prop;
                cur = prop;
                if (!double.IsPositiveInfinity(hi) && hi - lo <= 1e-15 * lo + 4e-16 * Math.Abs(top)) return top - Math.Sqrt(lo * hi);
                if (double.IsInfinity(lo)) throw new InvalidOperationException("The secular equation has no root; the problem is degenerate.");
            }
            return top - (double.IsPositiveInfinity(hi) ? lo : Math.Sqrt(lo * hi));
        }

        /// <summary>
        /// F(γ) = (1/B) Σ λ_i² g_i/(1 − κ'_i g_i) and dF/dγ (g_i' = yᵀx from the two resolvent solves).
        /// Invalid when some denominator is ≤ 0 (γ above a local pole of D_i).
        /// </summary>
        public void Secular(double gamma, out bool valid, out double f, out double df)
        {
            f = 0; df = 0; valid = gamma < GammaTop;
            if (!valid) return;
            double sum = 0, dsum = 0;
            var blocks = Blocks;
            for (int i = 0; i < _lambda.Length; i++)
            {
                double l = _lambda[i];
                if (!blocks.Resolvent(l, gamma, out double g, out double gp) || g < 0) { valid = false; return; }
                double den = 1 - _k4 * l * l * _invB * g;
                if (den <= 0) { valid = false; return; }
                double l2 = l * l;
                sum += l2 * g / den;
                dsum += l2 * gp / (den * den);
            }
            f = sum * _invB;
            df = dsum * _invB;
        }

        private void SecularPhi(double gamma, out bool valid, out double phi, out double dphi)
        {
            Secular(gamma, out valid, out double f, out double df);
            if (!valid) { phi = dphi = 0; return; }
            if (f <= 0) { phi = double.NegativeInfinity; dphi = 0; return; }
            phi = 1 - 1 / f;           // increasing in γ, zero where F = 1
            dphi = df / (f * f);
        }

        /// <summary>γ_D,i: the local pole of direction i, where κ'_i g_i(γ) = 1 below γ_T,i (κ'_i &gt; 0).</summary>
        private double LocalPole(int i)
        {
            double l = _lambda[i];
            double kp = KappaPrime(i);
            double top = Blocks.GammaT(l);
            void Eval(double gamma, out bool valid, out double phi, out double dphi)
            {
                phi = dphi = 0;
                double g = 0, gp = 0;
                valid = gamma < top && Blocks.Resolvent(l, gamma, out g, out gp);
                if (!valid) return;
                if (g < 0) { valid = false; return; }
                if (g == 0) { phi = double.NegativeInfinity; return; }
                phi = kp - 1 / g;
                dphi = gp / (g * g);
            }
            return Transition(top, Eval);
        }

        public GapResult Solve()
        {
            // Lower end in gap space: γ_low = min(γ_T, min_i γ_D,i); the local poles γ_D,i exist only for κ' > 0.
            double gammaLow = GammaLow();
            double gamma = Transition(gammaLow, SecularPhi);
            bool secularRoot = gamma < gammaLow;
            double rhoLocal = _k4 >= 0 ? 1 - gammaLow : LocalRadiusDense();
            double rho = 1 - gamma;
            return new GapResult(rho, gamma, gamma <= 0, rhoLocal, secularRoot);
        }

        /// <summary>γ_low = 1 − z_low = min(min_i γ_T,i, min_i γ_D,i).</summary>
        public double GammaLow()
        {
            double low = GammaTop;
            if (_k4 > 0)
                for (int i = 0; i < _lambda.Length; i++) low = Math.Min(low, LocalPole(i));
            return low;
        }

        /// <summary>max_i ρ(D_i) by dense eigenvalues (used for m4 &lt; 2, where D_i is not a positive map).</summary>
        private double LocalRadiusDense()
        {
            int m = Blocks.M;
            var g = new double[m * m];
            double best = 0;
            for (int i = 0; i < _lambda.Length; i++)
            {
                if (m == 1)
                {
                    Blocks.FillG0(_lambda[i], g);
                    best = Math.Max(best, Math.Abs(1 - g[0] + KappaPrime(i) * Blocks.BB[0] * Blocks.CC[0]));
                    continue;
                }
                var mat = LocalD(i, g);
                if (m == 3)
                {
                    // characteristic polynomial z³ − tr z² + (Σ principal minors) z − det = 0
                    double tr = mat[0, 0] + mat[1, 1] + mat[2, 2];
                    double minors = mat[0, 0] * mat[1, 1] - mat[0, 1] * mat[1, 0] + mat[0, 0] * mat[2, 2] - mat[0, 2] * mat[2, 0]
                                    + mat[1, 1] * mat[2, 2] - mat[1, 2] * mat[2, 1];
                    double det = mat.Determinant();
                    var r = MathNet.Numerics.FindRoots.Cubic(-det, minors, -tr, 1);
                    foreach (var z0 in new[] { r.Item1, r.Item2, r.Item3 })
                        best = Math.Max(best, PolishCubicRoot(z0, tr, minors, det).Magnitude);
                    continue;
                }
                foreach (Complex z in mat.Evd().EigenValues) best = Math.Max(best, z.Magnitude);
            }
            return best;
        }

        /// <summary>Newton steps on z³ − tr z² + M z − det (the closed-form cubic loses digits on complex pairs).</summary>
        private static Complex PolishCubicRoot(Complex z, double tr, double minors, double det)
        {
            for (int it = 0; it < 4; it++)
            {
                Complex p = ((z - tr) * z + minors) * z - det;
                Complex dp = (3 * z - 2 * tr) * z + minors;
                if (dp == Complex.Zero) break;
                Complex step = p / dp;
                z -= step;
                if (step.Magnitude <= 1e-17 * z.Magnitude) break;
            }
            return z;
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
