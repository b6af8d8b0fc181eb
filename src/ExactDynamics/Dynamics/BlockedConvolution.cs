using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ExactDynamics.Numerics;

namespace ExactDynamics.Dynamics;

/// <summary>
/// The renewal equation of <see cref="VolterraRisk"/>,
/// <code>
/// μ_t = f_t + (1/B) g_t,   g_t = Σ_{s&lt;t} K_{t−1−s} ν_s,   ν_s = μ_s + σ²     (and h_t = Σ_{s&lt;t} R_{t−1−s} ν_s),
/// </code>
/// solved in O(T log² T) by the divide-and-conquer ("online" / relaxed) convolution of Hairer, Lubich and Schlichte
/// (SIAM J. Sci. Stat. Comput. 6, 1985): on [lo, hi) solve the first half, add the contribution of its ν to the second
/// half, solve the second half. Blocks of <see cref="Leaf"/> steps are summed directly (SIMD dot products), and so are
/// off-diagonal rectangles with fewer than <see cref="MinFftSquare"/> inputs; larger ones are one cyclic convolution
/// each (length N ≥ outputs + inputs − 1, the wrapped part of the product misses the outputs).
/// <para>
/// <b>Precision.</b> All terms K_j ν_s are non-negative (m4 ≥ 2), so a direct sum is accurate to a few ulps relative at
/// every t, while an FFT convolution is accurate only norm-wise: for non-negative data its error at every output is
/// about C·u·√(log₂N)·‖a‖₁‖k‖₁/N (the size of the mean output; C ≤ 7 measured against double-double, 16 used),
/// which for a decaying risk can exceed late outputs by many orders of magnitude. What keeps the FFT honest:
/// (1) exponential weighting: Σ_s K_{n−s} ν_s = 2^{ℓn} Σ_s (K_{n−s} 2^{−ℓ(n−s)})(ν_s 2^{−ℓs}); each rectangle takes ℓ
/// from the decay of ν over the last quarter of its inputs (the best predictor of how g decays across its outputs), so
/// the weighted history is flat and the error, ∝ 2^{ℓn} at output n, decays with the risk; ℓ is a multiple of 2⁻²⁴, so
/// every exponent ℓ·i is exact and every weight is within an ulp or two;
/// (2) grading: a power-law history cannot be flattened by a geometric weight; when the weighted inputs peak far from
/// the outputs (the first rectangle of every level holds the early transient) the inputs are halved, recursively,
/// which puts small blocks near s = 0 as in Hairer–Lubich–Schlichte, and rectangles with long outputs are cut into
/// pieces of the input length;
/// (3) an a-posteriori test at every t: the error estimates of all rectangles that fed g_t are summed (E_t), and once g_t
/// is complete (all its terms are non-negative, so the computed g_t is the true scale) it is accepted only if
/// E_t ≤ <see cref="Tolerance"/>·g_t; otherwise g_t is recomputed as the full direct dot product Σ_{s&lt;t} K_{t−1−s}ν_s,
/// exactly what the direct solver does: a regime the FFT cannot resolve costs time, not digits;
/// (4) a growing run (ν past <see cref="GrowthLimit"/>·ν₀: divergent or critical, where the renewal feedback no longer
/// damps the per-step relative errors but accumulates them) is finished directly.
/// Everything is sequential and in a fixed order: the result does not depend on the thread count.
/// </para>
/// </summary>
internal sealed class BlockedConvolution
{
    /// <summary>Steps per diagonal block summed directly.</summary>
    internal const int Leaf = 64;
    /// <summary>Off-diagonal squares with fewer inputs than this are summed directly.</summary>
    internal const int MinFftSquare = 256;
    /// <summary>Accept an FFT-assembled g_t when its summed error estimate is at most this fraction of g_t.</summary>
    internal const double Tolerance = 4e-14;
    /// <summary>C in the error estimate C·u·√(log₂N)·‖a‖₁‖k‖₁/N of one length-N cyclic convolution of non-negative data.</summary>
    internal const double ErrorConstant = 16;
    private const double Unit = 1.1102230246251565e-16; // u = 2^-53
    /// <summary>Largest |ℓ| (bits per step) considered for the weighting.</summary>
    private const double MaxRate = 8;
    private const int Samples = 96;
    /// <summary>
    /// Once ν_t exceeds this multiple of ν₀ the run is growing (a divergent or critical method: the renewal feedback
    /// share → 1, so the relative errors of every step accumulate instead of being damped) and the rest is summed
    /// directly, whose per-step rounding is several times smaller than the FFT's.
    /// </summary>
    internal const double GrowthLimit = 1e3;

    private readonly double[] _f, _k, _krev;
    private readonly double[]? _r, _rk, _rrev;
    private readonly double _invB, _sigma2;
    private readonly int _steps, _len;
    private readonly double[] _nu, _logNu, _g, _e, _risk;
    private readonly double[]? _h, _e2;
    private double[] _ar, _ai, _br, _bi, _w;

    /// <summary>g_t as assembled (for tests).</summary>
    internal double[] G => _g;
    /// <summary>Step from which every g_t was summed directly because ν grew past <see cref="GrowthLimit"/>·ν₀
    /// (−1 if never).</summary>
    public int DirectFrom { get; private set; } = -1;
    /// <summary>Number of t whose FFT-assembled g_t (or h_t) failed the a-posteriori test and was summed directly.</summary>
    public int Fallbacks { get; private set; }
    /// <summary>Of <see cref="Fallbacks"/>, those of the read-out sum h_t.</summary>
    public int ReadoutFallbacks { get; private set; }
    /// <summary>Number of off-diagonal squares done by FFT.</summary>
    public int FftSquares { get; private set; }
    /// <summary>Number of those squares that used a nonzero weighting rate.</summary>
    public int WeightedSquares { get; private set; }
    /// <summary>Largest E_t/g_t (and E2_t/h_t) among accepted t.</summary>
    public double WorstAcceptedEstimate { get; private set; }

    /// <summary>True when every kernel value is non-negative (the precondition of the error argument).</summary>
    internal static bool Applicable(VolterraRisk.Sequences seq)
    {
        foreach (var v in seq.K) if (!(v >= 0)) return false;
        if (seq.RK is not null) foreach (var v in seq.RK) if (!(v >= 0)) return false;
        return true;
    }

    internal BlockedConvolution(VolterraRisk.Sequences seq, double invB, double sigma2, int steps)
    {
        _f = seq.F; _k = seq.K; _r = seq.R; _rk = seq.RK;
        _invB = invB; _sigma2 = sigma2; _steps = steps; _len = steps + 1;
        _krev = new double[Math.Max(steps, 1)];
        for (int j = 0; j < steps; j++) _krev[j] = _k[steps - 1 - j];
        if (_r is not null)
        {
            _rrev = new double[Math.Max(steps, 1)];
            for (int j = 0; j < steps; j++) _rrev[j] = _rk![steps - 1 - j];
            _h = new double[_len];
            _e2 = new double[_len];
        }
        _nu = new double[_len]; _logNu = new double[_len]; _g = new double[_len]; _e = new double[_len];
        _risk = new double[_len];
        int p = Span;
        _ar = new double[p]; _ai = new double[p]; _br = new double[p]; _bi = new double[p];
        _w = new double[p];
    }

    /// <summary>The padded length: Leaf·2^k ≥ T + 1.</summary>
    private int Span
    {
        get
        {
            int p = Leaf;
            while (p < _len) p *= 2;
            return p;
        }
    }

    /// <summary>E L_t for t = 0..steps, or null when a value is not finite or too small to trust (as the direct solver).</summary>
    internal double[]? Run()
    {
        int p = Span;
        if (p >= 2 * MinFftSquare) Fft.Twiddles(p);
        return Solve(0, p) ? _risk : null;
    }

    private bool Solve(int lo, int hi)
    {
        if (lo >= _len) return true;
        if (hi - lo <= Leaf) return LeafBlock(lo, Math.Min(hi, _len));
        int mid = lo + (hi - lo) / 2;
        if (!Solve(lo, mid)) return false;
        Square(lo, mid, hi);
        return Solve(mid, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LeafBlock(int lo, int hi)
    {
        for (int t = lo; t < hi; t++)
        {
            if (DirectFrom >= 0)
            {
                _g[t] = VolterraRisk.Dot(_krev.AsSpan(_steps - t, t), _nu.AsSpan(0, t));
                if (_rrev is not null) _h![t] = VolterraRisk.Dot(_rrev.AsSpan(_steps - t, t), _nu.AsSpan(0, t));
            }
            else if (t > lo)
            {
                _g[t] += VolterraRisk.Dot(_krev.AsSpan(_steps - t + lo, t - lo), _nu.AsSpan(lo, t - lo));
                if (_rrev is not null) _h![t] += VolterraRisk.Dot(_rrev.AsSpan(_steps - t + lo, t - lo), _nu.AsSpan(lo, t - lo));
            }
            if (DirectFrom < 0 && _e[t] != 0)
            {
                if (!(_e[t] <= Tolerance * _g[t]))
                {
                    _g[t] = VolterraRisk.Dot(_krev.AsSpan(_steps - t, t), _nu.AsSpan(0, t));
                    Fallbacks++;
                }
                else WorstAcceptedEstimate = Math.Max(WorstAcceptedEstimate, _e[t] / _g[t]);
            }
            if (DirectFrom < 0 && _rrev is not null && _e2![t] != 0)
            {
                if (!(_e2[t] <= Tolerance * _h![t]))
                {
                    _h![t] = VolterraRisk.Dot(_rrev.AsSpan(_steps - t, t), _nu.AsSpan(0, t));
                    Fallbacks++;
                    ReadoutFallbacks++;
                }
                else WorstAcceptedEstimate = Math.Max(WorstAcceptedEstimate, _e2[t] / _h![t]);
            }
            double m = _f[t] + _invB * _g[t];
            double l = 0.5 * (_r is null ? m : _r[t] + _invB * _h![t]);
            _nu[t] = m + _sigma2;
            _logNu[t] = Math.Log2(_nu[t]);
            if (DirectFrom < 0 && _nu[t] > GrowthLimit * _nu[0]) DirectFrom = t + 1;
            if (!double.IsFinite(m) || !double.IsFinite(l) || m < VolterraRisk.SmallestTrusted || l < VolterraRisk.SmallestTrusted) return false;
            _risk[t] = l;
        }
        return true;
    }

    /// <summary>Adds Σ_{s∈[lo,mid)} K_{t−1−s} ν_s to g_t (and the R sum to h_t) for t ∈ [mid, min(hi, T+1)).</summary>
    private void Square(int lo, int mid, int hi)
    {
        if (mid >= _len || DirectFrom >= 0) return;
        Rect(lo, mid, mid, Math.Min(hi, _len));
    }

    /// <summary>
    /// Adds Σ_{s∈[inLo,inHi)} K_{t−1−s} ν_s to g_t (and the R sum to h_t) for t ∈ [outLo, outHi), all inputs before
    /// all outputs. Direct below <see cref="MinFftSquare"/> inputs; outputs longer than twice the inputs are cut into
    /// pieces of the input length (FFT length 2A); inputs whose weighted values are concentrated far from the outputs
    /// (the early transient in the first square of every level: a power-law ν cannot be flattened by a geometric
    /// weight) are halved, which grades the blocks towards s = 0 as in Hairer–Lubich–Schlichte; otherwise one
    /// weighted cyclic convolution of length N ≥ O + A − 1 (its wrapped part misses the outputs).
    /// </summary>
    private void Rect(int inLo, int inHi, int outLo, int outHi)
    {
        int A = inHi - inLo, O = outHi - outLo;
        if (O <= 0 || A <= 0) return;
        if (A < MinFftSquare)
        {
            for (int t = outLo; t < outHi; t++)
            {
                _g[t] += VolterraRisk.Dot(_krev.AsSpan(_steps - t + inLo, A), _nu.AsSpan(inLo, A));
                if (_rrev is not null) _h![t] += VolterraRisk.Dot(_rrev.AsSpan(_steps - t + inLo, A), _nu.AsSpan(inLo, A));
            }
            return;
        }
        if (O > 2 * A)
        {
            for (int o = outLo; o < outHi; o += A) Rect(inLo, inHi, o, Math.Min(outHi, o + A));
            return;
        }
        int j0 = outLo - inHi;     // smallest lag: t = outLo, s = inHi − 1
        int kl = O + A - 1;        // lags j0 … j0 + kl − 1
        double rate = LocalRate(inLo, inHi, O);
        if (A < 2 * MinFftSquare && Concentrated(inLo, inHi, rate))
        {
            for (int t = outLo; t < outHi; t++)
            {
                _g[t] += VolterraRisk.Dot(_krev.AsSpan(_steps - t + inLo, A), _nu.AsSpan(inLo, A));
                if (_rrev is not null) _h![t] += VolterraRisk.Dot(_rrev.AsSpan(_steps - t + inLo, A), _nu.AsSpan(inLo, A));
            }
            return;
        }
        if (A >= 2 * MinFftSquare && Concentrated(inLo, inHi, rate))
        {
            int half = inLo + A / 2;
            Rect(half, inHi, outLo, outHi);
            Rect(inLo, half, outLo, outHi);
            return;
        }
        FftSquares++;
        if (rate != 0) WeightedSquares++;
        int n = 1;
        while (n < kl) n <<= 1;
        if (_ar.Length < n) { _ar = new double[n]; _ai = new double[n]; _br = new double[n]; _bi = new double[n]; _w = new double[n]; }
        var w = _w.AsSpan(0, kl);
        if (rate != 0) Powers(-rate, 0, w);
        // a' = ν_{inLo+s} 2^{−ℓs}, k' = K_{j0+i} 2^{−ℓi} (+ i R_{j0+i} 2^{−ℓi}); each normalised by a power of two (exact)
        var ar = _ar.AsSpan(0, n); var ai = _ai.AsSpan(0, n); var br = _br.AsSpan(0, n); var bi = _bi.AsSpan(0, n);
        for (int i = 0; i < A; i++) ar[i] = rate == 0 ? _nu[inLo + i] : _nu[inLo + i] * w[i];
        ar[A..].Clear(); ai.Clear();
        for (int i = 0; i < kl; i++) br[i] = rate == 0 ? _k[j0 + i] : _k[j0 + i] * w[i];
        br[kl..].Clear(); bi.Clear();
        if (_rk is not null) for (int i = 0; i < kl; i++) bi[i] = rate == 0 ? _rk[j0 + i] : _rk[j0 + i] * w[i];
        int ea = Normalise(ar), ek = Normalise(br.Slice(0, kl)), er = _rk is null ? int.MinValue : Normalise(bi.Slice(0, kl));
        if (ea == int.MinValue || (ek == int.MinValue && er == int.MinValue)) return; // nothing to add
        double na = SumAbs(ar.Slice(0, A)), nb = SumAbs(br.Slice(0, kl)) + SumAbs(bi.Slice(0, kl));
        var (cos, sin) = Fft.Twiddles(n);
        Fft.ForwardToBitReversed(ar, ai, n, cos, sin);
        Fft.ForwardToBitReversed(br, bi, n, cos, sin);
        for (int i = 0; i < n; i++)
        {
            double xr = ar[i], xi = ai[i], yr = br[i], yi = bi[i];
            ar[i] = xr * yr - xi * yi;
            ai[i] = xr * yi + xi * yr;
        }
        Fft.InverseFromBitReversed(ar, ai, n, cos, sin);
        double est = ErrorConstant * Unit * Math.Sqrt(Math.Log2(Math.Max(n, 2))) * na * nb / n;
        bool finite = double.IsFinite(est);
        var scale = _w.AsSpan(0, O);
        if (rate != 0) Powers(rate, A - 1, scale);
        double invN = 1.0 / n;
        for (int t = outLo; t < outHi; t++)
        {
            int idx = t - outLo + A - 1;
            double sc = rate == 0 ? invN : invN * scale[t - outLo];
            if (ek != int.MinValue)
            {
                double cg = Math.ScaleB(ar[idx] * sc, ea + ek), eg = Math.ScaleB(est * n * sc, ea + ek);
                _g[t] += cg;
                _e[t] = finite && double.IsFinite(cg) ? _e[t] + eg : double.PositiveInfinity;
            }
            if (_rk is not null && er != int.MinValue)
            {
                double ch = Math.ScaleB(ai[idx] * sc, ea + er), eh = Math.ScaleB(est * n * sc, ea + er);
                _h![t] += ch;
                _e2![t] = finite && double.IsFinite(ch) ? _e2[t] + eh : double.PositiveInfinity;
            }
        }
    }

    /// <summary>dst[i] = 2^{rate·(start + i)}, from 2^{rate·start}·2^{64·rate·b}·2^{rate·r} (i = 64b + r; every
    /// argument exact since rate is a multiple of 2⁻²⁴): three roundings, no error growth along i.</summary>
    private static void Powers(double rate, int start, Span<double> dst)
    {
        Span<double> fine = stackalloc double[64];
        for (int r = 0; r < 64; r++) fine[r] = double.Exp2(rate * r);
        double s0 = double.Exp2(rate * start);
        for (int b = 0; 64 * b < dst.Length; b++)
        {
            double c = s0 * double.Exp2(rate * (64 * b));
            int end = Math.Min(64, dst.Length - 64 * b);
            for (int r = 0; r < end; r++) dst[64 * b + r] = c * fine[r];
        }
    }

    /// <summary>
    /// True when the weighted inputs ν_s 2^{−ℓ(s − inLo)} on [inLo, inHi) peak more than 4× above their largest value
    /// in the last quarter (the part nearest the outputs): the FFT error, proportional to their sum, would then be
    /// large against the outputs, which see the early inputs only through long lags.
    /// </summary>
    private bool Concentrated(int inLo, int inHi, double rate)
    {
        int A = inHi - inLo, q0 = inHi - A / 4;
        double all = double.NegativeInfinity, late = double.NegativeInfinity;
        int st = (A + Samples - 1) / Samples;
        for (int s = inLo; s < inHi; s += st)
        {
            double v = _logNu[s] - rate * (s - inLo);
            all = Math.Max(all, v);
            if (s >= q0) late = Math.Max(late, v);
        }
        for (int s = Math.Max(q0, inHi - 4); s < inHi; s++) late = Math.Max(late, _logNu[s] - rate * (s - inLo));
        return !(all <= late + 2);
    }

    /// <summary>Scales x by 2^−e (exact) so that max|x| ∈ [1, 2); returns e, or int.MinValue when x ≡ 0.</summary>
    private static int Normalise(Span<double> x)
    {
        double mx = 0;
        foreach (var v in x) mx = Math.Max(mx, Math.Abs(v));
        if (mx == 0 || !double.IsFinite(mx)) return mx == 0 ? int.MinValue : 0;
        int e = Math.ILogB(mx);
        for (int i = 0; i < x.Length; i++) x[i] = Math.ScaleB(x[i], -e);
        return e;
    }

    private static double SumAbs(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x) s += Math.Abs(v);
        return s;
    }

    /// <summary>
    /// The weighting rate ℓ (bits per step): the decay rate of ν over the last quarter of the inputs (the part nearest
    /// the outputs, and the best predictor of how g decays across them), from means of log₂ν over 8 steps at both
    /// ends; 0 when it would change the weights by less than a bit over the rectangle; rounded to a multiple of 2⁻²⁴.
    /// </summary>
    private double LocalRate(int inLo, int inHi, int O)
    {
        int A = inHi - inLo, q = Math.Max(8, A / 4), w = 8;
        int b0 = inHi - q, b1 = inHi - w;
        double s0 = 0, s1 = 0;
        for (int i = 0; i < w; i++) { s0 += _logNu[b0 + i]; s1 += _logNu[b1 + i]; }
        double rate = (s1 - s0) / w / (b1 - b0);
        if (!double.IsFinite(rate) || Math.Abs(rate) * (A + O) < 1) return 0;
        double bound = Math.Min(MaxRate, 500.0 / (A + O));
        rate = Math.Clamp(rate, -bound, bound);
        return Math.Round(rate * 16777216.0) / 16777216.0;
    }
}
