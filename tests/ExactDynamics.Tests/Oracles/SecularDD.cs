namespace ExactDynamics.Tests.Oracles;

/// <summary>
/// Oracle 3: the contraction gap γ = 1 − ρ solved directly in gap space in double-double, for SGD (k = 1) and
/// heavy ball (k = 2, all directions overdamped), with Gaussian-or-heavier data (m4 ≥ 2, κ' ≥ 0: every
/// local block is a positive map, so its radius is its largest real eigenvalue and ρ(D_i) ≥ ρ(T_i)²).
///
/// SGD: T_i = 1 − ηλ_i, D_i = (1 − ηλ_i)² + κ'_i η², κ'_i = (m4 − 2)λ_i²/B. With e_i = ηλ_i the local gaps are
///   g_i = 1 − D_i = 2e_i − e_i² − (m4 − 2)e_i²/B   (no cancellation: formed from e_i, never from 1 − …),
/// and ccᵀ(zI − D_i)⁻¹bb = η²/(z − D_i) = η²/(g_i − γ), so the secular equation reads
///   F(γ) = (1/B) Σ_i e_i² / (g_i − γ) = 1,   γ &lt; min_i g_i,
/// F increasing in γ from 0 (γ → −∞) to +∞ (γ → min g_i). If F(0) &gt; 1 the root is negative (divergence).
///
/// Heavy ball: a_i = 1 + β − ηλ_i (with A₁₁ + A₁₂ = (1 + β) − β = 1 EXACTLY, as docs/math.md#consistent-basis asks, because
/// 1 + β is formed in double-double), symmetric block coordinates (x, y, z) = (S₀₀, S₀₁, S₁₁):
///   D_i = [[a² + κ'η², −2aβ, β²], [a, −β, 0], [1, 0, 0]],
///   det(ζI − D_i) = p_i(ζ) = ζ³ − (a² + κ'η² − β) ζ² + β(a² − κ'η² − β) ζ − β³   (hand derivation in
///   ClosedFormGapTests), and by Cramer's rule [(ζI − D_i)⁻¹]₀₀ = ζ(ζ + β)/p_i(ζ), so with bb = η² e_x and
///   ccᵀ s = x:  F(γ) = (1/B) Σ_i λ_i² η² ζ(ζ + β)/p_i(ζ),  ζ = 1 − γ.
/// The local gap of direction i is the smallest root γ of p_i(1 − γ) (found by bisection in [0, (1 − β)/2],
/// where the other two roots, near 1 − β and 1 − β², cannot be).
/// </summary>
public static class SecularDD
{
    /// <summary>γ for SGD; also returns the smallest local gap.</summary>
    public static (DD Gap, DD MinLocalGap) SgdGap(double[] lambdas, double eta, double batch, double m4)
    {
        int d = lambdas.Length;
        var w = new DD[d];   // e²/B
        var g = new DD[d];   // local gaps
        DD kb = ((DD)m4 - 2.0) / batch;
        DD minG = new(double.PositiveInfinity);
        for (int i = 0; i < d; i++)
        {
            DD e = (DD)eta * lambdas[i];
            DD e2 = e * e;
            w[i] = e2 / batch;
            g[i] = e * 2.0 - e2 - e2 * kb;
            if (g[i] < minG) minG = g[i];
        }
        (DD F, DD dF) F(DD gamma)
        {
            DD s = DD.Zero, ds = DD.Zero;
            for (int i = 0; i < d; i++)
            {
                DD term = w[i] / (g[i] - gamma);
                s += term;
                ds += term / (g[i] - gamma);
            }
            return (s, ds);
        }
        return (SolveBelowPoleNewton(F, minG), minG);
    }

    /// <summary>
    /// The root of F(γ) = 1 below the pole γ_top with F and F' = dF/dγ: safeguarded Newton on G = 1/F − 1 (exact
    /// for a single pole, so it lands on a root hugging the pole in a few steps), inside a bracket in
    /// δ = γ_top − γ that is kept by the sign of F − 1; bisection (geometric when the bracket spans decades)
    /// whenever Newton leaves the bracket.
    /// </summary>
    private static DD SolveBelowPoleNewton(Func<DD, (DD F, DD dF)> F, DD top)
    {
        DD dHi = DD.Abs(top) > 0 ? DD.Abs(top) : 1.0;
        while (F(top - dHi).F >= 1.0) dHi *= 2.0;
        DD dLo = DD.Zero; // δ → 0 is the pole: F → +∞
        DD delta = dHi;
        for (int it = 0; it < 500; it++)
        {
            var (f, df) = F(top - delta);
            if (f > 1.0) dLo = delta; else dHi = delta;
            // Newton on G(γ) = 1/F − 1: γ_new = γ + F(1 − F)/F'  ⇒  δ_new = δ − F(1 − F)/F'
            DD next = delta - f * (DD.One - f) / df;
            bool inside = next > dLo && next < dHi;
            if (!inside)
                next = dLo.Hi == 0 ? dHi / 1024.0 : (dHi / dLo).Hi > 4 ? DD.Sqrt(dHi * dLo) : (dHi + dLo) * 0.5;
            if ((DD.Abs(next - delta) / delta).Hi < 1e-31 || (dLo.Hi > 0 && ((dHi - dLo) / dLo).Hi < 1e-31))
                return top - next;
            delta = next;
        }
        throw new InvalidOperationException("SecularDD: Newton did not converge");
    }

    /// <summary>The root of F(γ) = 1 below the pole γ_top, F increasing; bisection on δ = γ_top − γ (geometric, then linear).</summary>
    private static DD SolveBelowPole(Func<DD, DD> F, DD top)
    {
        // δ_hi: F(top − δ_hi) < 1; δ_lo: F(top − δ_lo) > 1.
        DD dHi = DD.Abs(top) > 0 ? DD.Abs(top) : 1.0;
        while (F(top - dHi) >= 1.0) dHi *= 2.0;
        DD dLo = dHi;
        int guard = 0;
        while (F(top - dLo) <= 1.0)
        {
            dLo *= 0.5;
            if (++guard > 3000) throw new InvalidOperationException("SecularDD: no root found below the pole (is the pole's residue zero?)");
        }
        for (int it = 0; it < 400; it++)
        {
            DD mid = (dHi / dLo).Hi > 4 ? DD.Sqrt(dHi * dLo) : (dHi + dLo) * 0.5;
            if (F(top - mid) > 1.0) dLo = mid; else dHi = mid;
            if (((dHi - dLo) / dLo).Hi < 1e-30) break;
        }
        return top - (dHi + dLo) * 0.5;
    }

    private static DD HbCubic(DD a, DD q, DD beta, DD zeta)
    {
        // ζ³ − (a² + q − β) ζ² + β(a² − q − β) ζ − β³
        DD a2 = a * a;
        DD c2 = a2 + q - beta;
        DD c1 = beta * (a2 - q - beta);
        DD c0 = beta * beta * beta;
        return ((zeta - c2) * zeta + c1) * zeta - c0;
    }

    /// <summary>γ for heavy ball with every direction overdamped; also returns the smallest local gap.</summary>
    public static (DD Gap, DD MinLocalGap) HeavyBallGap(double[] lambdas, double eta, double beta, double batch, double m4)
    {
        int d = lambdas.Length;
        DD b = beta;
        DD onePlusBeta = DD.One + b; // exact
        var a = new DD[d]; var q = new DD[d]; var w = new DD[d];
        DD kb = ((DD)m4 - 2.0) / batch;
        int argMin = 0;
        for (int i = 0; i < d; i++)
        {
            DD e = (DD)eta * lambdas[i];
            a[i] = onePlusBeta - e;
            if ((a[i] * a[i] - b * 4.0).Hi < 0) throw new ArgumentException($"direction {i} is underdamped; the oracle needs real local roots");
            q[i] = e * e * kb;        // κ'_i η² = (m4−2) λ² η² / B
            w[i] = e * e / batch;     // λ² η² / B
            if (lambdas[i] < lambdas[argMin]) argMin = i;
        }
        DD half = (DD.One - b) * 0.5;
        DD LocalGap(int i)
        {
            DD P(DD gamma) => HbCubic(a[i], q[i], b, DD.One - gamma);
            DD lo = DD.Zero, hi = half;
            (P(lo).Hi > 0).ShouldBeTrue("p_i(1) = det(I − D_i) > 0 for a locally contracting direction");
            (P(hi).Hi < 0).ShouldBeTrue("one root of p_i(1 − γ) in [0, (1−β)/2]");
            // geometric then linear bisection for relative precision
            lo = hi * 1e-300;
            for (int it = 0; it < 2000; it++)
            {
                DD mid = (hi / lo).Hi > 4 ? DD.Sqrt(hi * lo) : (hi + lo) * 0.5;
                if (P(mid).Hi > 0) lo = mid; else hi = mid;
                if (((hi - lo) / lo).Hi < 1e-30) break;
            }
            return (hi + lo) * 0.5;
        }
        DD top = LocalGap(argMin);
        // no other direction's local pole lies below γ_top: p_j(1 − γ) keeps the sign of p_j(1) on [0, γ_top]
        for (int j = 0; j < d; j++)
            if (j != argMin)
                (HbCubic(a[j], q[j], b, DD.One - top).Hi > 0).ShouldBeTrue($"direction {j} must have a larger local gap");
        DD F(DD gamma)
        {
            DD zeta = DD.One - gamma;
            DD num = zeta * (zeta + b);
            DD s = DD.Zero;
            for (int i = 0; i < d; i++) s += w[i] * num / HbCubic(a[i], q[i], b, zeta);
            return s;
        }
        return (SolveBelowPole(F, top), top);
    }

    /// <summary>
    /// Any k = 2 method (A given exactly in double-double so that A u = u holds exactly), Gaussian-or-heavier
    /// data. Symmetric coordinates (x, y, z) = (S₀₀, S₀₁, S₁₁); with T = A − λ b cᵀ:
    ///   (T S Tᵀ)₀₀ = t₀₀² x + 2 t₀₀t₀₁ y + t₀₁² z,
    ///   (T S Tᵀ)₀₁ = t₀₀t₁₀ x + (t₀₀t₁₁ + t₀₁t₁₀) y + t₀₁t₁₁ z,
    ///   (T S Tᵀ)₁₁ = t₁₀² x + 2 t₁₀t₁₁ y + t₁₁² z,
    /// plus κ' · bb · (ccᵀ s) with bb = (b₀², b₀b₁, b₁²) and ccᵀ s = c₀² x + 2c₀c₁ y + c₁² z.
    /// F(γ) = (1/B) Σ λ_i² ccᵀ((1 − γ)I − D_i)⁻¹ bb by Cramer's rule in double-double. The local pole of the
    /// direction with the smallest local gap is the first sign change of det((1 − γ)I − D_i) going up from γ = 0
    /// (a real dominant local eigenvalue; valid for small ηλ, where T_i is a small perturbation of A whose
    /// second eigenvalue is well inside the unit disc).
    /// </summary>
    public static (DD Gap, DD MinLocalGap) K2Gap(double[] lambdas, DD[,] a, double[] b, double[] c, double batch, double m4)
    {
        int d = lambdas.Length;
        DD kb = ((DD)m4 - 2.0) / batch;
        var mats = new DD[d][,];
        DD[] bb = [(DD)b[0] * b[0], (DD)b[0] * b[1], (DD)b[1] * b[1]];
        DD[] cc = [(DD)c[0] * c[0], (DD)c[0] * c[1] * 2.0, (DD)c[1] * c[1]];
        var w = new DD[d];
        for (int i = 0; i < d; i++)
        {
            DD l = lambdas[i];
            DD t00 = a[0, 0] - l * b[0] * c[0], t01 = a[0, 1] - l * b[0] * c[1];
            DD t10 = a[1, 0] - l * b[1] * c[0], t11 = a[1, 1] - l * b[1] * c[1];
            var m = new DD[3, 3]
            {
                { t00 * t00, t00 * t01 * 2.0, t01 * t01 },
                { t00 * t10, t00 * t11 + t01 * t10, t01 * t11 },
                { t10 * t10, t10 * t11 * 2.0, t11 * t11 },
            };
            DD kp = l * l * kb;
            for (int r = 0; r < 3; r++) for (int q = 0; q < 3; q++) m[r, q] += kp * bb[r] * cc[q];
            mats[i] = m;
            w[i] = l * l / batch;
        }
        DD Det3(DD[,] m) =>
            m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
            - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
            + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        DD[,] Shifted(int i, DD gamma)
        {
            var r = new DD[3, 3];
            DD zeta = DD.One - gamma;
            for (int p = 0; p < 3; p++) for (int q = 0; q < 3; q++) r[p, q] = (p == q ? zeta : DD.Zero) - mats[i][p, q];
            return r;
        }
        DD LocalDet(int i, DD gamma) => Det3(Shifted(i, gamma));
        // the smallest local gap: first sign change of det going up from γ = 0, over a geometric grid
        DD top = new(double.PositiveInfinity);
        int argTop = -1;
        for (int i = 0; i < d; i++)
        {
            (LocalDet(i, DD.Zero).Hi > 0).ShouldBeTrue("det(I − D_i) > 0 for a locally contracting direction");
            DD lo = DD.Zero, hi = DD.Zero;
            for (double g = 1e-30; g < 1; g *= 1.5)
            {
                if (LocalDet(i, g).Hi <= 0) { hi = g; break; }
                lo = g;
            }
            if (hi.Hi == 0) continue; // no real local root below 1: not the pole we want
            if (top.Hi < lo.Hi) continue; // cannot beat the current smallest
            for (int it = 0; it < 300; it++)
            {
                DD mid = lo.Hi == 0 ? hi * 1e-3 : (hi + lo) * 0.5;
                if (LocalDet(i, mid).Hi > 0) lo = mid; else hi = mid;
                if (lo.Hi > 0 && ((hi - lo) / lo).Hi < 1e-30) break;
            }
            DD root = (hi + lo) * 0.5;
            if (root < top) { top = root; argTop = i; }
        }
        (argTop >= 0).ShouldBeTrue("some direction has a real local pole");
        for (int j = 0; j < d; j++)
            if (j != argTop) (LocalDet(j, top).Hi > 0).ShouldBeTrue($"direction {j} has no local pole below γ_top");
        DD F(DD gamma)
        {
            DD s = DD.Zero;
            for (int i = 0; i < d; i++)
            {
                var m = Shifted(i, gamma);
                DD det = Det3(m);
                // x = m⁻¹ bb by Cramer: replace column q by bb
                DD acc = DD.Zero;
                for (int q = 0; q < 3; q++)
                {
                    var mq = (DD[,])m.Clone();
                    for (int p = 0; p < 3; p++) mq[p, q] = bb[p];
                    acc += cc[q] * Det3(mq);
                }
                s += w[i] * acc / det;
            }
            return s;
        }
        return (SolveBelowPole(F, top), top);
    }
}
