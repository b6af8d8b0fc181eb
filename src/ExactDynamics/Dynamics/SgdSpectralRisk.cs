using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Dynamics;

/// <summary>
/// E L_t of a one-state method (SGD) at any t without stepping (docs/volterra.md#sgd-without-stepping). For k = 1 the second-moment
/// operator of docs/math.md#second-moment-recursion is diagonal plus rank one, M = diag(D) + u wᵀ with D_i = (1 − λ_i b)² + (m4 − 2)λ_i² b²/B,
/// u_i = λ_i b²/B, w_i = λ_i (consistent basis, c = o = 1). Since u_i w_i &gt; 0 its eigenvalues are the roots z_k of the
/// secular equation Σ_i u_i w_i/(z − D_i) = 1, one between each pair of consecutive distinct D's and one above the
/// largest (interlacing), and with F'_k = Σ u_i w_i/(z_k − D_i)²
/// <code>
/// E L_t = ½ Σ_k z_kᵗ S_k / F'_k  +  ½ σ² Σ_k (1 − z_kᵗ)/((1 − z_k) F'_k),     S_k = Σ_j w_j s_j/(z_k − D_j).
/// </code>
/// Set-up costs O(d²) (each of the ≤ d roots by a safeguarded Newton iteration on a pole-free form of the secular
/// function, O(d) per evaluation, roots in parallel), after which any t costs O(d). Equal D's are merged (their other
/// modes are invisible to the risk). Every difference z_k − D_j is formed as (D_origin − D_j) + δ with δ measured from
/// the nearer pole, so roots next to a pole keep their relative distance to it.
/// </summary>
public sealed class SgdSpectralRisk
{
    private readonly double[] _z;        // roots z_k
    private readonly double[] _oneMinusZ; // 1 − z_k, formed without cancellation
    private readonly double[] _weight;   // S_k / F'_k
    private readonly double[] _noiseWeight; // 1 / F'_k
    private readonly double _sigma2;
    private ProblemScale _scale; // E L_t = 2^(e+f) × the normalised problem's

    private SgdSpectralRisk(double[] z, double[] oneMinusZ, double[] weight, double[] noiseWeight, double sigma2)
    {
        _z = z; _oneMinusZ = oneMinusZ; _weight = weight; _noiseWeight = noiseWeight; _sigma2 = sigma2;
    }

    /// <summary>The eigenvalues of the operator that the risk sees (the secular roots), ascending.</summary>
    public IReadOnlyList<double> Eigenvalues => _z;

    /// <summary>E L_t at one step t ≥ 0 (docs/math.md#sgd-spectral-risk).</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="method">A one-state method (SGD).</param>
    /// <param name="t">The step.</param>
    /// <returns>E L_t.</returns>
    /// <exception cref="InvalidInputException">The method has more than one state.</exception>
    public static double At(Problem problem, LinearMethod method, long t) => Create(problem, method).At(t);

    /// <summary>Builds the decomposition (O(d²)); then <see cref="At(long)"/> costs O(d) per t.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="method">A one-state method (SGD).</param>
    /// <param name="options">Execution settings (threads); null for the defaults.</param>
    /// <returns>The decomposition.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidInputException">The method has more than one state.</exception>
    public static SgdSpectralRisk Create(Problem problem, LinearMethod method, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (method.K != 1)
            throw new InvalidInputException($"The spectral risk formula needs a one-state method (SGD); {method.Spec} has k = {method.K} (docs/volterra.md#k2-study explains why k = 2 is not offered).");
        options ??= ExecutionOptions.Default;
        (problem, method, var scale) = ProblemScale.Normalise(problem, method); // O(1) numbers; E L scaled back in At
        var basis = new ConsistentBasis(method);
        double b = basis.Btilde[0];
        double invB = 1.0 / problem.Batch, k4 = problem.Kurtosis - 2;
        var lam = problem.Spectrum.Values;
        var init = problem.Initial;
        int d = lam.Length;
        // poles D_i, their distance from 1 (no cancellation), coupling weights a_i = u_i w_i and read-out weights
        var items = new (double D, double OneMinusD, double A, double Ws)[d];
        for (int i = 0; i < d; i++)
        {
            double l = lam[i], x = l * b, kp = k4 * l * l * invB;
            double t = 1 - x;
            items[i] = (t * t + kp * b * b, x * (2 - x) - kp * b * b, l * l * b * b * invB, l * init[i]); // S̃₀ = s_i (S₀ = s_i u²)
        }
        Array.Sort(items, (p, q) => p.D.CompareTo(q.D));
        // merge equal poles
        var p = new List<double>(d); var om = new List<double>(d); var a = new List<double>(d); var ws = new List<double>(d);
        foreach (var it in items)
        {
            if (p.Count > 0 && it.D == p[^1]) { a[^1] += it.A; ws[^1] += it.Ws; continue; }
            p.Add(it.D); om.Add(it.OneMinusD); a.Add(it.A); ws.Add(it.Ws);
        }
        var poles = p.ToArray(); var oneMinusPole = om.ToArray(); var aa = a.ToArray(); var ww = ws.ToArray();
        int n = poles.Length;
        double total = 0;
        foreach (double v in aa) total += v;
        var z = new double[n]; var omz = new double[n]; var weight = new double[n]; var noise = new double[n];
        Parallel.For(0, n, options.ParallelOptions, k => Mode(poles, oneMinusPole, aa, ww, total, k, z, omz, weight, noise));
        return new SgdSpectralRisk(z, omz, weight, noise, problem.Noise) { _scale = scale };
    }

    private readonly record struct Root(int Origin, double Delta);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Mode(double[] poles, double[] oneMinusPole, double[] aa, double[] ww, double total, int k,
        double[] z, double[] omz, double[] weight, double[] noise)
    {
        var root = SolveRoot(poles, aa, k, total);
        // z − D_j = (D_origin − D_j) + δ
        double s = 0, fp = 0;
        double po = poles[root.Origin];
        for (int j = 0; j < poles.Length; j++)
        {
            double inv = 1 / ((po - poles[j]) + root.Delta);
            s += ww[j] * inv;
            fp += aa[j] * inv * inv;
        }
        z[k] = po + root.Delta;
        omz[k] = oneMinusPole[root.Origin] - root.Delta;
        weight[k] = s / fp;
        noise[k] = 1 / fp;
    }


    /// <summary>
    /// Root k of 1 = Σ_j a_j/(z − p_j): in (p_k, p_{k+1}) for k &lt; n − 1, in (p_{n−1}, p_{n−1} + Σa] for the last.
    /// Newton on the pole-free f(z) = (z − p_k)(p_{k+1} − z)·h(z) (resp. (z − p_{n−1})·h(z)), bracketed, with δ
    /// measured from the nearer end.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static Root SolveRoot(double[] p, double[] a, int k, double total)
    {
        int n = p.Length;
        bool last = k == n - 1;
        double width = last ? total : p[k + 1] - p[k];
        // origin: the nearer end of the interval, by the sign of f at the midpoint
        int origin = k;
        if (!last)
        {
            Eval(p, a, k, origin, 0.5 * width, out double fm, out _);
            if (fm > 0) origin = k; // root in the left half
            else origin = k + 1;
        }
        // δ in (lo, hi) relative to the origin: left origin δ ∈ (0, width), right origin δ ∈ (−width, 0)
        double lo = origin == k ? 0 : -width, hi = origin == k ? width : 0;
        if (!last) { if (origin == k) hi = 0.5 * width; else lo = -0.5 * width; }
        double delta = 0.5 * (lo + hi);
        for (int it = 0; it < 200; it++)
        {

            Eval(p, a, k, origin, delta, out double f, out double df);
            if (f == 0) break;
            if (f < 0) lo = delta; else hi = delta;
            double next = delta - f / df;
            if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
            if (Math.Abs(next - delta) <= 2e-16 * Math.Max(Math.Abs(next), 1e-300) || hi - lo <= 2e-16 * Math.Max(Math.Abs(lo), Math.Abs(hi))) { delta = next; break; }
            delta = next;
        }
        return new Root(origin, delta);
    }

    /// <summary>f and f' at z = p_origin + δ for root k (see <see cref="SolveRoot"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Eval(double[] p, double[] a, int k, int origin, double delta, out double f, out double df)
    {
        int n = p.Length;
        bool last = k == n - 1;
        double g = 1, dg = 0;
        for (int j = 0; j < n; j++)
        {
            if (j == k || (!last && j == k + 1)) continue;
            double inv = 1 / ((p[origin] - p[j]) + delta);
            double ai = a[j] * inv;
            g -= ai;
            dg += ai * inv;
        }
        double left = (p[origin] - p[k]) + delta; // z − p_k
        if (last)
        {
            f = left * g - a[k];
            df = g + left * dg;
            return;
        }
        double right = (p[k + 1] - p[origin]) - delta; // p_{k+1} − z
        double q = left * right;
        f = q * g - a[k] * right + a[k + 1] * left;
        df = (right - left) * g + q * dg + a[k] + a[k + 1];
    }

    /// <summary>E L_t (O(d)).</summary>
    public double At(long t)
    {
        if (t < 0) throw new InvalidInputException($"Step {t} is not allowed; t must be at least 0.");
        double sum = 0, noise = 0;
        for (int k = 0; k < _z.Length; k++)
        {
            double zt = Power(_z[k], _oneMinusZ[k], t);
            sum += zt * _weight[k];
            if (_sigma2 != 0)
            {
                // Σ_{n<t} z^n = (1 − zᵗ)/(1 − z), or t when z = 1
                double geo = _oneMinusZ[k] != 0 ? (1 - zt) / _oneMinusZ[k] : t;
                noise += geo * _noiseWeight[k];
            }
        }
        return _scale.RiskToUser(0.5 * (sum + _sigma2 * noise));
    }

    /// <summary>E L_t at several steps.</summary>
    public double[] At(IReadOnlyList<long> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var r = new double[steps.Count];
        for (int j = 0; j < r.Length; j++) r[j] = At(steps[j]);
        return r;
    }

    /// <summary>zᵗ with full relative precision for z near 1 (exp(t·log1p(−(1 − z)))).</summary>
    private static double Power(double z, double oneMinusZ, long t)
    {
        if (t == 0) return 1;
        if (z > 0 && Math.Abs(oneMinusZ) < 0.5) return Math.Exp(t * LogOnePlus(-oneMinusZ));
        return Math.Pow(z, t);
    }

    private static double LogOnePlus(double x)
    {
        double u = 1 + x;
        if (u == 1) return x;
        return Math.Log(u) * x / (u - 1);
    }
}
