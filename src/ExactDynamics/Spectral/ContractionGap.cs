using System.Numerics;
using System.Runtime.CompilerServices;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;

namespace ExactDynamics.Spectral;

/// <summary>
/// docs/math.md#contraction-gap: the spectral radius ρ of the second-moment operator 𝓜 and the contraction gap γ = 1 − ρ.
/// <para>
/// With D_i = T_i⊗T_i + κ'_i bb ccᵀ (κ'_i = (m4 − 2)λ_i²/B) and the rank-one coupling, ρ is the largest real root
/// z &gt; z_low of the secular equation F(z) = (1/B) Σ_i λ_i² ccᵀ(zI − D_i)⁻¹bb = 1, or z_low when there is none.
/// Everything is solved for γ = 1 − z directly (zI − D_i = (I − D_i) − γI, with I − D_i formed without
/// cancellation in the consistent basis, see <see cref="LocalBlocks"/>), so that gaps far below machine epsilon keep
/// their relative precision. Sherman–Morrison gives ccᵀ(zI − D_i)⁻¹bb = g_i/(1 − κ'_i g_i) with
/// g_i = ccᵀ(zI − T_i⊗T_i)⁻¹bb (docs/math.md#stein-equation).
/// </para>
/// <para>
/// Search: for γ below γ_T = min_i (1 − ρ(T_i)²), every g_i is finite, positive and increasing in γ; the predicate
/// "some 1 − κ'_i g_i ≤ 0, or F ≥ 1" is monotone in γ and switches exactly at γ* = 1 − ρ, whether ρ is a secular root
/// or the lower end z_low = max(ρ_D, max_i ρ(T_i)²). The lower end is found first (the local poles γ_D,i, one small
/// Newton solve per direction), then the root below it, searched in δ = γ_low − γ starting from the relative offset
/// γ_T·(1 − 1e-13) (docs/math.md#gap-space), with a safeguarded Newton iteration on 1 − 1/F (F′ from the same pass).
/// </para>
/// <para>
/// Performance: for k ≤ 2 each pass over the directions is vectorised (the closed-form resolvents of
/// <see cref="SecularKernels"/>, bit-identical per direction to the scalar ones) and, for large d, cut into fixed chunks
/// that run on all cores with partial sums added in chunk order (results independent of the thread count). Of the d
/// local poles only the minimum matters: one vectorised screening pass at γ_T finds the few directions whose pole can
/// lie below it, and only those are solved. A computation allocates O(1) objects besides the cached eigenvalue array.
/// </para>
/// </summary>
public static class ContractionGap
{
    private const double RelativeOffset = 1e-13;

    /// <summary>ρ, γ = 1 − ρ, divergence and the local radius for one problem and method (docs/math.md#secular-equation).</summary>
    /// <param name="problem">The problem (a real batch size is allowed).</param>
    /// <param name="method">The method.</param>
    /// <returns>The rate; a divergent method (ρ ≥ 1) has <see cref="GapResult.Diverges"/> set and a negative gap, never NaN.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static GapResult Compute(Problem problem, LinearMethod method) => Compute(problem, method, null);

    /// <summary>As <see cref="Compute(Problem, LinearMethod)"/> with explicit execution settings (threads, SIMD width);
    /// the result does not depend on the thread count, and on the SIMD width only through the order of summation.</summary>
    public static GapResult Compute(Problem problem, LinearMethod method, ExecutionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        MethodModifiers.RefuseTail(method, "a contraction gap");
        CostEstimate.RequireGap(method.K, problem.Spectrum.Dimension, method.Spec);
        // weight decay carries w* as a constant coordinate: the gap is then the rate of approach to the limit
        if (method.K > 1 && AffineGap.ConstantCoordinates(method).Length > 0) return AffineGap.Compute(problem, method);
        (problem, method, _) = ProblemScale.Normalise(problem, method); // O(1) numbers; ρ and γ are scale-invariant
        var sys = new SecularSystem(problem, method, options);
        return sys.Solve();
    }

    /// <summary>Directions per chunk of the parallel passes (fixed: results do not depend on the thread count).</summary>
    internal const int ChunkSize = 8192;
    /// <summary>Below this many directions every pass runs on the calling thread.</summary>
    internal const int ParallelThreshold = 4 * ChunkSize;

    /// <summary>The eigenvalues as an array: the <see cref="Spectrum"/>'s own (immutable) storage, shared read-only by
    /// every pass, so that d = 10⁷ eigenvalues exist once in memory.</summary>
    internal static double[] LambdaOf(Spectrum spectrum) => spectrum.Storage;

    internal sealed class SecularSystem
    {
        private readonly double[] _lambda;
        /// <summary>Multiplicities of the eigenvalue nodes (null: each direction once).</summary>
        private readonly double[]? _weights;
        private readonly double _invB, _k4;
        private readonly int _bits, _threads, _chunks;
        public LocalBlocks Blocks { get; }
        public double GammaTop { get; }
        public int ArgGammaTop { get; }

        public SecularSystem(Problem problem, LinearMethod method, ExecutionOptions? options = null)
            : this(LambdaOf(problem.Spectrum), null, problem.Batch, problem.Kurtosis, method, options)
        {
        }

        /// <summary>
        /// The system on eigenvalue nodes with multiplicities: F(γ) = (1/B) Σ_i w_i λ_i² g_i/(1 − κ'_i g_i) (a node of
        /// weight w stands for w equal eigenvalues; the local quantities γ_T, γ_D and ρ(D_i) do not depend on w).
        /// The tuner searches on a compressed spectrum this way (<see cref="Tradeoffs.SpectrumCompression"/>).
        /// </summary>
        internal SecularSystem(double[] nodes, double[]? weights, double batch, double kurtosis, LinearMethod method, ExecutionOptions? options = null)
        {
            options ??= ExecutionOptions.Default;
            if (weights is not null && weights.Length != nodes.Length) throw new ArgumentException("One weight per node is needed.", nameof(weights));
            _lambda = nodes;
            _weights = weights;
            _invB = 1.0 / batch;
            _k4 = kurtosis - 2;
            Blocks = new LocalBlocks(method);
            _bits = SimdWidth.Resolve(options.VectorBits);
            _chunks = (_lambda.Length + ChunkSize - 1) / ChunkSize;
            _threads = _lambda.Length >= ParallelThreshold ? options.Threads : 1;
            var (top, arg) = ComputeGammaTop();
            GammaTop = top;
            ArgGammaTop = arg;
        }

        public double Lambda(int i) => _lambda[i];
        public double KappaPrime(int i) => _k4 * _lambda[i] * _lambda[i] * _invB;
        public double InvBatch => _invB;

        /// <summary>Search steps taken by this system's solves so far (root-finding iterations, as MathNet's solvers
        /// report theirs); the tuner's warm starts are tested by it.</summary>
        internal int Iterations => _iterations;
        private int _iterations;

        // ---------------------------------------------------------------- chunked passes

        private ReadOnlySpan<double> ChunkOf(int c)
        {
            int i0 = c * ChunkSize;
            return _lambda.AsSpan(i0, Math.Min(ChunkSize, _lambda.Length - i0));
        }

        private ReadOnlySpan<double> WeightsOf(int c)
        {
            if (_weights is null) return default;
            int i0 = c * ChunkSize;
            return _weights.AsSpan(i0, Math.Min(ChunkSize, _weights.Length - i0));
        }

        private void RunChunks(IChunkJob job)
        {
            if (_threads > 1 && _chunks > 1) ChunkPool.Shared.Run(job, _chunks, _threads);
            else for (int c = 0; c < _chunks; c++) job.Run(c);
        }

        private sealed class TopJob(SecularSystem sys) : IChunkJob
        {
            public readonly double[] Min = new double[sys._chunks];
            public readonly int[] Arg = new int[sys._chunks];
            /// <summary>Further indices attaining the chunk minimum exactly (ties), rare.</summary>
            public readonly List<int>?[] Ties = new List<int>?[sys._chunks];
            [ThreadStatic] private static double[]? _values;

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Run(int c)
            {
                var blocks = sys.Blocks;
                var lam = sys._lambda;
                int i0 = c * ChunkSize, i1 = Math.Min(lam.Length, i0 + ChunkSize);
                var values = _values ??= new double[ChunkSize];
                var chunk = lam.AsSpan(i0, i1 - i0);
                if (blocks.K == 2)
                {
                    var k = blocks.Constants2;
                    switch (sys._bits)
                    {
                        case 512: SecularKernels.GammaT2All<V512>(k, blocks, chunk, values); break;
                        case 256: SecularKernels.GammaT2All<V256>(k, blocks, chunk, values); break;
                        default: SecularKernels.GammaT2All<V128>(k, blocks, chunk, values); break;
                    }
                }
                else
                    for (int i = 0; i < chunk.Length; i++) values[i] = blocks.K == 1 ? blocks.GammaT1(chunk[i]) : blocks.GammaT(chunk[i]);
                double top = double.PositiveInfinity; int arg = i0;
                List<int>? ties = null;
                for (int j = 0; j < chunk.Length; j++)
                {
                    double g = values[j];
                    if (g < top) { top = g; arg = i0 + j; ties?.Clear(); }
                    else if (g == top) (ties ??= []).Add(i0 + j);
                }
                Min[c] = top; Arg[c] = arg; Ties[c] = ties is { Count: > 0 } ? ties : null;
            }
        }

        /// <summary>Every index other than <see cref="ArgGammaTop"/> with γ_T,i = γ_T exactly.</summary>
        private List<int>? _topTies;

        /// <summary>γ_T = min_i (1 − ρ(T_i)²) and its first argmin.</summary>
        private (double, int) ComputeGammaTop()
        {
            var job = new TopJob(this);
            RunChunks(job);
            double top = double.PositiveInfinity; int arg = 0;
            for (int c = 0; c < _chunks; c++) if (job.Min[c] < top) { top = job.Min[c]; arg = job.Arg[c]; }
            for (int c = 0; c < _chunks; c++)
            {
                if (job.Min[c] != top) continue;
                if (job.Arg[c] != arg) (_topTies ??= []).Add(job.Arg[c]);
                if (job.Ties[c] is { } t) (_topTies ??= []).AddRange(t);
            }
            return (top, arg);
        }

        private sealed class SecularJob(SecularSystem sys) : IChunkJob
        {
            public double Gamma;
            public readonly double[] Sum = new double[sys._chunks], DSum = new double[sys._chunks];
            public readonly bool[] Valid = new bool[sys._chunks];
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Run(int c)
            {
                Valid[c] = sys.SecularChunk(c, Gamma, out Sum[c], out DSum[c]);
            }
        }

        private SecularJob? _secularJob;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool SecularChunk(int c, double gamma, out double sum, out double dsum)
        {
            var lam = ChunkOf(c);
            var wts = WeightsOf(c);
            double k4InvB = _k4 * _invB;
            var blocks = Blocks;
            if (blocks.K == 2)
            {
                var k = blocks.Constants2;
                return _bits switch
                {
                    512 => SecularKernels.Secular2<V512>(k, lam, wts, gamma, k4InvB, out sum, out dsum),
                    256 => SecularKernels.Secular2<V256>(k, lam, wts, gamma, k4InvB, out sum, out dsum),
                    _ => SecularKernels.Secular2<V128>(k, lam, wts, gamma, k4InvB, out sum, out dsum),
                };
            }
            if (blocks.K == 1)
            {
                double b0 = blocks.B0;
                return _bits switch
                {
                    512 => SecularKernels.Secular1<V512>(b0, lam, wts, gamma, k4InvB, out sum, out dsum),
                    256 => SecularKernels.Secular1<V256>(b0, lam, wts, gamma, k4InvB, out sum, out dsum),
                    _ => SecularKernels.Secular1<V128>(b0, lam, wts, gamma, k4InvB, out sum, out dsum),
                };
            }
            double s = 0, ds = 0;
            for (int j = 0; j < lam.Length; j++)
            {
                double l = lam[j];
                if (!blocks.Resolvent(l, gamma, out double g, out double gp) || g < 0) { sum = dsum = 0; return false; }
                double den = 1 - _k4 * l * l * _invB * g;
                if (den <= 0) { sum = dsum = 0; return false; }
                double l2 = wts.IsEmpty ? l * l : wts[j] * (l * l);
                s += l2 * g / den;
                ds += l2 * gp / (den * den);
            }
            sum = s; dsum = ds;
            return true;
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
            if (_chunks == 1)
            {
                valid = SecularChunk(0, gamma, out sum, out dsum);
                if (!valid) return;
            }
            else
            {
                var job = _secularJob ??= new SecularJob(this);
                job.Gamma = gamma;
                RunChunks(job);
                for (int c = 0; c < _chunks; c++)
                {
                    if (!job.Valid[c]) { valid = false; return; }
                    sum += job.Sum[c];
                    dsum += job.DSum[c];
                }
            }
            f = sum * _invB;
            df = dsum * _invB;
        }

        // ---------------------------------------------------------------- the monotone search

        /// <summary>A monotone function φ(γ) for <see cref="Transition{TEval}(double, ref TEval, double)"/>: φ increasing in γ, the sought point is φ = 0;
        /// <c>valid = false</c> means γ lies above the domain (a pole was crossed).</summary>
        private interface IEvaluator
        {
            void Eval(double gamma, out bool valid, out double phi, out double dphi);
        }

        /// <summary>
        /// γ* = sup{γ &lt; top : valid and φ(γ) &lt; 0}, searched in δ = top − γ &gt; 0 with a safeguarded Newton iteration
        /// (bracket [lo, hi] in δ; geometric bisection or doubling whenever Newton leaves it). Starts at the relative
        /// offset δ₀ = |top|·1e-13 (docs/math.md#gap-space); returns top itself when φ &lt; 0 already there.
        /// </summary>
        private double Transition<TEval>(double top, ref TEval eval, double hint = double.NaN) where TEval : struct, IEvaluator
        {
            int steps = 0;
            double root = Transition(top, ref eval, ref steps, hint);
            Interlocked.Add(ref _iterations, steps);
            return root;
        }

        private static double Transition<TEval>(double top, ref TEval eval, ref int steps, double hint) where TEval : struct, IEvaluator
        {
            double d0 = top != 0 ? Math.Abs(top) * RelativeOffset : 1e-300;
            eval.Eval(top - d0, out bool valid, out double phi, out double dphi);
            if (valid && phi < 0) return top;
            double lo = d0, hi = double.PositiveInfinity, cur = d0;
            for (int it = 0; it < 3000; it++)
            {
                steps++;
                double prop = double.NaN;
                bool newton = false;
                if (it == 0 && hint > 0 && top - hint > lo)
                {
                    prop = top - hint; // a nearby solution (e.g. of a neighbouring method in a search) as the first point
                    newton = true;
                }
                else if (valid && dphi > 0 && double.IsFinite(phi / dphi))
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
                eval.Eval(top - prop, out valid, out phi, out dphi);
                bool above = !valid || phi >= 0;
                if (above) lo = Math.Max(lo, prop); else hi = Math.Min(hi, prop);
                if (valid && phi == 0) return top - prop;
                cur = prop;
                if (!double.IsPositiveInfinity(hi) && hi - lo <= 1e-15 * lo + 4e-16 * Math.Abs(top)) return top - Math.Sqrt(lo * hi);
                if (double.IsInfinity(lo)) throw new InvalidOperationException("The secular equation has no root; the problem is degenerate.");
            }
            return top - (double.IsPositiveInfinity(hi) ? lo : Math.Sqrt(lo * hi));
        }

        private struct SecularPhi(SecularSystem sys) : IEvaluator
        {
            public readonly void Eval(double gamma, out bool valid, out double phi, out double dphi)
            {
                sys.Secular(gamma, out valid, out double f, out double df);
                if (!valid) { phi = dphi = 0; return; }
                if (f <= 0) { phi = double.NegativeInfinity; dphi = 0; return; }
                phi = 1 - 1 / f;           // increasing in γ, zero where F = 1
                dphi = df / (f * f);
            }
        }

        /// <summary>φ = κ'_i − 1/g_i(γ) of one direction below its γ_T,i.</summary>
        private struct PolePhi(LocalBlocks blocks, double lambda, double kp, double top) : IEvaluator
        {
            public readonly void Eval(double gamma, out bool valid, out double phi, out double dphi)
            {
                phi = dphi = 0;
                double g = 0, gp = 0;
                valid = gamma < top && blocks.Resolvent(lambda, gamma, out g, out gp);
                if (!valid) return;
                if (g < 0) { valid = false; return; }
                if (g == 0) { phi = double.NegativeInfinity; return; }
                phi = kp - 1 / g;
                dphi = gp / (g * g);
            }
        }

        private double TopOf(double lambda) => Blocks.K <= 2 ? Blocks.GammaT2(lambda) : Blocks.GammaT(lambda);

        /// <summary>γ_D,i: the local pole of direction i, where κ'_i g_i(γ) = 1 below γ_T,i (κ'_i &gt; 0).</summary>
        private double LocalPole(int i)
        {
            double l = _lambda[i];
            double top = TopOf(l);
            var eval = new PolePhi(Blocks, l, KappaPrime(i), top);
            return Transition(top, ref eval);
        }

        /// <summary>True when direction i's local pole may lie below <paramref name="best"/> (else it is ≥ best):
        /// exactly the complement of "valid and φ_i(best) &lt; 0" of <see cref="PolePhi"/>.</summary>
        private bool PoleMayBeBelow(int i, double best)
        {
            double l = _lambda[i];
            var eval = new PolePhi(Blocks, l, KappaPrime(i), TopOf(l));
            eval.Eval(best, out bool valid, out double phi, out _);
            return !(valid && phi < 0);
        }

        public GapResult Solve() => Solve(double.NaN, true);

        /// <summary>
        /// The solve, optionally started from <paramref name="hint"/> (a gap of a nearby method: the first Newton point
        /// after the no-root test), and without the local radius for m4 &lt; 2 when <paramref name="localRadius"/> is
        /// false (RhoLocal is then NaN). The search inside the tuner uses both; the root is the same (tested over thousands of hints: same
        /// divergence and secular-root flags, ≤ 1e-13 relative; about one in five ends a few ulps away).
        /// </summary>
        public GapResult Solve(double hint, bool localRadius)
        {
            // Lower end in gap space: γ_low = min(γ_T, min_i γ_D,i); the local poles γ_D,i exist only for κ' > 0.
            double gammaLow = GammaLow();
            var phi = new SecularPhi(this);
            double gamma = Transition(gammaLow, ref phi, hint < gammaLow ? hint : double.NaN);
            bool secularRoot = gamma < gammaLow;
            double rhoLocal = _k4 >= 0 ? 1 - gammaLow : localRadius ? LocalRadius() : double.NaN;
            double rho = 1 - gamma;
            return new GapResult(rho, gamma, gamma <= 0, rhoLocal, secularRoot);
        }

        private sealed class ScreenJob(SecularSystem sys) : IChunkJob
        {
            public double Best;
            public readonly List<int>?[] Candidates = new List<int>?[sys._chunks];
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Run(int c)
            {
                var lam = sys._lambda;
                int i0 = c * ChunkSize, i1 = Math.Min(lam.Length, i0 + ChunkSize);
                List<int>? list = null;
                if (sys.Blocks.K == 2)
                {
                    var k = sys.Blocks.Constants2;
                    double kk = sys._k4 * sys._invB;
                    switch (sys._bits)
                    {
                        case 512: ScreenK2<V512>(sys, k, kk, i0, i1, Best, ref list); break;
                        case 256: ScreenK2<V256>(sys, k, kk, i0, i1, Best, ref list); break;
                        default: ScreenK2<V128>(sys, k, kk, i0, i1, Best, ref list); break;
                    }
                }
                else
                {
                    for (int i = i0; i < i1; i++) if (sys.PoleMayBeBelow(i, Best)) (list ??= []).Add(i);
                }
                Candidates[c] = list;
            }
        }

        /// <summary>Vectorised screen: lanes that certainly have κ'g(best) &lt; 1 with a valid, positive g are skipped;
        /// any other lane gets the exact scalar test. (best &lt; γ_T,i for every i except the argmin of γ_T and its exact
        /// ties, which <see cref="GammaLow"/> examines explicitly, so the scalar test's "γ &lt; γ_T,i" holds here.)</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ScreenK2<V>(SecularSystem sys, in SecularKernels.K2 k, double k4InvB, int i0, int i1, double best, ref List<int>? list)
            where V : struct, ISimd<V>
        {
            var lam = sys._lambda;
            int w = V.Count, i = i0;
            ref double lr = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(lam);
            // a relative margin keeps the vector test strictly conservative: lanes near κ'g = 1 get the exact scalar test
            var vg = V.Broadcast(best); var vk = V.Broadcast(k4InvB); var one = V.Broadcast(1 - 1e-12);
            for (; i + w <= i1; i += w)
            {
                var l = V.Load(ref lr, i);
                SecularKernels.Resolvent2Public(k, l, vg, out var g, out var dg, out var det);
                // certainly fine: finite, g > 0, κ' g < 1 (the scalar test: φ = κ' − 1/g < 0 ⇔ κ'g < 1 for g > 0)
                var kg = V.Mul(V.Mul(vk, V.Mul(l, l)), g);
                bool allFine = V.AllFinite(g) && V.AllFinite(dg) && !V.AnyEqualZero(det) && !V.AnyLessOrEqualZero(g)
                               && !V.AnyLessOrEqualZero(V.Sub(one, kg));
                if (allFine) continue;
                for (int j = i; j < i + w; j++) if (sys.PoleMayBeBelow(j, best)) (list ??= []).Add(j);
            }
            for (; i < i1; i++) if (sys.PoleMayBeBelow(i, best)) (list ??= []).Add(i);
        }

        /// <summary>γ_low = 1 − z_low = min(min_i γ_T,i, min_i γ_D,i).</summary>
        public double GammaLow()
        {
            double low = GammaTop;
            if (!(_k4 > 0)) return low;
            // The argmin of γ_T is always examined; every other direction only when a screen at γ_T cannot rule out
            // that its pole lies below (φ_i(γ) < 0 and valid at γ = best ⇒ γ_D,i ≥ best). best only decreases, so a
            // direction ruled out once stays ruled out: the minimum is exactly that of all d poles.
            low = Math.Min(low, LocalPole(ArgGammaTop));
            if (_topTies is not null)
                foreach (int i in _topTies) low = Math.Min(low, LocalPole(i));
            var job = new ScreenJob(this) { Best = low };
            RunChunks(job);
            List<(double Key, int Index)>? cands = null;
            for (int c = 0; c < _chunks; c++)
                if (job.Candidates[c] is { } list)
                    foreach (int i in list)
                        if (i != ArgGammaTop) (cands ??= []).Add((PoleEstimate(i, low), i));
            if (cands is null) return low;
            // likely-smallest poles first (one Newton step from best), so that the re-check rules out most of the rest
            cands.Sort((x, y) => x.Key != y.Key ? x.Key.CompareTo(y.Key) : x.Index.CompareTo(y.Index));
            foreach (var (_, i) in cands)
                if (PoleMayBeBelow(i, low)) low = Math.Min(low, LocalPole(i));
            return low;
        }

        /// <summary>min(γ_T, min_i γ_D,i) by solving every local pole (for tests of the screened <see cref="GammaLow"/>).</summary>
        internal double GammaLowBruteForce()
        {
            double low = GammaTop;
            if (_k4 > 0) for (int i = 0; i < _lambda.Length; i++) low = Math.Min(low, LocalPole(i));
            return low;
        }

        /// <summary>max_i ρ(D_i) by dense eigenvalues of every local block (for tests).</summary>
        internal double LocalRadiusBruteForce() => LocalRadiusDense();

        /// <summary>A guess of direction i's pole for ordering: −∞ when it is already crossed at γ, else γ − φ/φ'.</summary>
        private double PoleEstimate(int i, double gamma)
        {
            double l = _lambda[i];
            var eval = new PolePhi(Blocks, l, KappaPrime(i), TopOf(l));
            eval.Eval(gamma, out bool valid, out double phi, out double dphi);
            if (!valid || !(dphi > 0)) return double.NegativeInfinity;
            double est = gamma - phi / dphi;
            return double.IsFinite(est) ? est : double.NegativeInfinity;
        }

        /// <summary>max_i ρ(D_i) on the symmetric blocks (used for m4 &lt; 2, where D_i is not a positive map): closed
        /// form for k ≤ 2 without allocation, and most directions ruled out by a Jury test (all roots of the local
        /// characteristic polynomial strictly inside the current maximum) instead of solving their cubic; dense
        /// eigenvalues for k ≥ 3.</summary>
        private double LocalRadius()
        {
            int m = Blocks.M;
            if (m > 3) return LocalRadiusDense();
            LocalCharacteristic(ArgGammaTop, out double a2, out double a1, out double a0);
            double start = m == 1 ? Math.Abs(a0) : CubicRadius(a2, a1, a0);
            var job = new RadiusJob(this) { Start = start };
            RunChunks(job);
            double best = start;
            for (int c = 0; c < _chunks; c++) best = Math.Max(best, job.Max[c]);
            return best;
        }

        private sealed class RadiusJob(SecularSystem sys) : IChunkJob
        {
            public double Start;
            public readonly double[] Max = new double[sys._chunks];
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Run(int c)
            {
                int i0 = c * ChunkSize, i1 = Math.Min(sys._lambda.Length, i0 + ChunkSize);
                double best = Start;
                bool scalar = sys.Blocks.M == 1;
                for (int i = i0; i < i1; i++)
                {
                    sys.LocalCharacteristic(i, out double a2, out double a1, out double a0);
                    if (scalar) { best = Math.Max(best, Math.Abs(a0)); continue; }
                    if (JuryInside(a2, a1, a0, best * (1 - 1e-12))) continue;
                    best = Math.Max(best, CubicRadius(a2, a1, a0));
                }
                Max[c] = best;
            }
        }

        /// <summary>True when every root of z³ + a2 z² + a1 z + a0 lies strictly inside |z| &lt; r (Jury's conditions
        /// for the monic cubic in w = z/r).</summary>
        internal static bool JuryInside(double a2, double a1, double a0, double r)
        {
            if (!(r > 0)) return false;
            double a = a2 / r, b = a1 / (r * r), c = a0 / (r * r * r);
            return Math.Abs(c) < 1 && 1 + a + b + c > 0 && 1 - a + b - c > 0 && Math.Abs(b - a * c) < 1 - c * c;
        }

        /// <summary>
        /// The local characteristic polynomial of D_i = I − G⁰_i + κ'_i bb ccᵀ (k ≤ 2, consistent basis), monic:
        /// z³ + a2 z² + a1 z + a0 for k = 2 (a2 = −tr, a1 = Σ principal minors, a0 = −det), and for k = 1 the single
        /// eigenvalue as −a0 (so that |a0| = ρ).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void LocalCharacteristic(int i, out double a2, out double a1, out double a0)
        {
            double l = _lambda[i], kp = KappaPrime(i);
            var bb = Blocks.BB; var cc = Blocks.CC;
            if (Blocks.M == 1)
            {
                double x = l * Blocks.B0 * 1.0;
                a2 = a1 = 0;
                a0 = -(1 - x * (2 - x) + kp * bb[0] * cc[0]);
                return;
            }
            Span<double> g = stackalloc double[9];
            if (Blocks.K == 2) FillG0Closed(Blocks.Constants2, l, g);
            else Blocks.FillG0(l, g);
            double d00 = 1 - g[0] + kp * bb[0] * cc[0], d01 = -g[1] + kp * bb[0] * cc[1], d02 = -g[2] + kp * bb[0] * cc[2];
            double d10 = -g[3] + kp * bb[1] * cc[0], d11 = 1 - g[4] + kp * bb[1] * cc[1], d12 = -g[5] + kp * bb[1] * cc[2];
            double d20 = -g[6] + kp * bb[2] * cc[0], d21 = -g[7] + kp * bb[2] * cc[1], d22 = 1 - g[8] + kp * bb[2] * cc[2];
            a2 = -(d00 + d11 + d22);
            a1 = d00 * d11 - d01 * d10 + d00 * d22 - d02 * d20 + d11 * d22 - d12 * d21;
            a0 = -(d00 * (d11 * d22 - d12 * d21) - d01 * (d10 * d22 - d12 * d20) + d02 * (d10 * d21 - d11 * d20));
        }

        /// <summary><see cref="LocalBlocks.FillG0"/> for k = 2 written out (the same operations, without the general loops).</summary>
        private static void FillG0Closed(in SecularKernels.K2 k, double lambda, Span<double> g)
        {
            double t00 = 1 - lambda * k.B0 * 1.0, t01 = k.A01 - lambda * k.B0 * k.C1;
            double t10 = 0 - lambda * k.B1 * 1.0, t11 = k.A11 - lambda * k.B1 * k.C1;
            double x0 = 0 + lambda * k.B0 * 1.0, x1 = k.Omd1 + lambda * k.B1 * k.C1;
            g[0] = x0 * (2 - x0); g[1] = -(t00 * t01 + t01 * t00); g[2] = -(t01 * t01);
            g[3] = -(t00 * t10); g[4] = x0 + x1 - x0 * x1 - t01 * t10; g[5] = -(t01 * t11);
            g[6] = -(t10 * t10); g[7] = -(t10 * t11 + t11 * t10); g[8] = x1 * (2 - x1);
        }

        /// <summary>The largest |z| over the roots of z³ + a2 z² + a1 z + a0 (real arithmetic: one real root by the
        /// trigonometric or Cardano form, polished by Newton, then the deflated quadratic).</summary>
        internal static double CubicRadius(double a2, double a1, double a0)
        {
            double q = (3 * a1 - a2 * a2) / 9, r = (9 * a2 * a1 - 27 * a0 - 2 * a2 * a2 * a2) / 54;
            double disc = q * q * q + r * r, shift = -a2 / 3;
            double x;
            if (disc < 0)
            {
                // three real roots
                double sq = Math.Sqrt(-q);
                double theta = Math.Acos(Math.Clamp(r / (sq * sq * sq), -1, 1));
                double x1 = 2 * sq * Math.Cos(theta / 3) + shift;
                double x2 = 2 * sq * Math.Cos((theta + 2 * Math.PI) / 3) + shift;
                double x3 = 2 * sq * Math.Cos((theta - 2 * Math.PI) / 3) + shift;
                return Math.Max(Math.Abs(Polish(x1, a2, a1, a0)), Math.Max(Math.Abs(Polish(x2, a2, a1, a0)), Math.Abs(Polish(x3, a2, a1, a0))));
            }
            double sd = Math.Sqrt(disc);
            x = Math.Cbrt(r + sd) + Math.Cbrt(r - sd) + shift;
            x = Polish(x, a2, a1, a0);
            // z³ + a2 z² + a1 z + a0 = (z − x)(z² + p z + s)
            double p = a2 + x, s = a1 + x * p;
            double qd = p * p - 4 * s;
            double other;
            if (qd >= 0)
            {
                double sq = Math.Sqrt(qd);
                double big = p >= 0 ? -0.5 * (p + sq) : -0.5 * (p - sq);
                double small = big != 0 ? s / big : 0;
                other = Math.Max(Math.Abs(big), Math.Abs(small));
            }
            else other = Math.Sqrt(Math.Max(s, 0));
            return Math.Max(Math.Abs(x), other);
        }

        private static double Polish(double x, double a2, double a1, double a0)
        {
            for (int it = 0; it < 3; it++)
            {
                double f = ((x + a2) * x + a1) * x + a0;
                double df = (3 * x + 2 * a2) * x + a1;
                if (df == 0 || !double.IsFinite(f / df)) break;
                double nx = x - f / df;
                if (Math.Abs(nx - x) <= 1e-16 * Math.Abs(x)) { x = nx; break; }
                x = nx;
            }
            return x;
        }

        /// <summary>max_i ρ(D_i) by dense eigenvalues (k ≥ 3).</summary>
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
