using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Data;

/// <summary>
/// The empirical fourth-moment model (docs/math.md#the-empirical-model): the exact first and second moments of a
/// k-state method trained on a finite dataset with rows drawn uniformly with replacement. In the eigenbasis of H
/// (H = Λ diagonal), with state blocks S^{pq} = E[X^p X^qᵀ] (d×d), means m^p = E X^p, Q = Σ c_r c_s S^{rs}, ȳ = Σ c_r m^r:
/// <code>
/// N      = (1/(nB)) Σ_i [x_iᵀQx_i + r_i² − 2 r_i x_iᵀȳ] x_i x_iᵀ + (1 − 1/B) Λ Q Λ + (σ²/B) Λ
/// S'^{pq} = (A S Aᵀ)^{pq} − b_q G^p Λ − b_p Λ G^qᵀ + b_p b_q N,   G^p = Σ_r A_pr Σ_s S^{rs} c_s
/// m'^p   = Σ_r A_pr m^r − b_p Λ ȳ,       E L_t = ½ tr(Λ Σ o_p o_q S^{pq})
/// </code>
/// (r_i: the residuals of a real target; σ²: independent label noise of a planted teacher). About n d² multiply-adds
/// per step in two register- and cache-blocked SIMD products (<see cref="DataKernels"/>: the quadratic forms from the
/// upper triangle of Q, the weighted Gram matrix from its upper triangle; with AVX-512 an 8 × 24 register tile over
/// the data packed once into panels), parallel with results independent of the thread count; O(k³ d²) for the rest. Two-state methods run in the consistent basis of docs/gap-solver.md (a change
/// of the k state coordinates, under which the formulas are the same), as the spectral recursion does.
/// </summary>
public sealed partial class EmpiricalMoments
{
    private readonly int _n, _rows, _d, _dp, _k, _bits, _threads;
    private readonly double[] _x;       // rows × dp, rotated data, zero padded
    private readonly double[] _y;       // w ∘ x
    private readonly double[]? _resid;  // n
    private readonly double[] _lambda;  // d
    private readonly double[][] _s;     // k² blocks dp × dp, S[p*k+q]
    private readonly double[][] _u;     // k² scratch blocks U^{ps}
    private readonly double[][] _g;     // k scratch blocks G^p
    private readonly double[][] _m;     // k means, d
    private readonly double[] _q, _qu, _f, _w, _ybar, _xy;
    private readonly DataKernelSet _kernels;
    private readonly int[][] _gramParts;
    private readonly DataKernels.Packed? _packed;      // the data packed for the tiled kernels
    private readonly double[] _upper = [], _gramTiles = [];
    private readonly int _upperOffset;
    private readonly (int P0, int P1)[] _gramRanges = [];
    private readonly (double[] Buffer, int Offset)[] _gramScratch = [];
    private double[,] _a;               // this update's coefficients (in the working basis), set per step under schedules
    private double[] _b, _c, _o;
    private double _invB, _scale;
    private readonly double _sigma2;

    /// <summary>n d² from which the data pass runs on several threads: below it (d = 64, n = 1797: 7.4·10⁶) a pass
    /// takes well under a millisecond and a second thread measured no faster.</summary>
    internal const double ParallelWork = 1e7;

    /// <summary>Rows per parallel work item (fixed, so that results do not depend on the thread count).</summary>
    private const int RowChunk = 64;

    /// <summary>Rows per work item of the fast quadratic forms (a block of rows reuses each panel of Q from cache).</summary>
    private const int FormChunk = 128;

    /// <summary>Starts the recursion at t = 0 for <paramref name="problem"/> and <paramref name="method"/>.</summary>
    public EmpiricalMoments(DataProblem problem, LinearMethod method, ExecutionOptions? options = null)
        : this(problem, method, options, referenceKernels: false) { }

    /// <summary>As the public constructor; <paramref name="referenceKernels"/> runs the plain kernels (the whole Q
    /// per row, every row per block of F) that the fast ones are tested against.</summary>
    internal EmpiricalMoments(DataProblem problem, LinearMethod method, ExecutionOptions? options, bool referenceKernels)
        : this(problem, method, options, referenceKernels ? DataKernelSet.Reference : DataKernelSet.Fastest) { }

    /// <summary>As the public constructor, on the given kernels (<see cref="DataKernelSet.Tiled"/> falls back to the
    /// blocked ones without AVX-512).</summary>
    internal EmpiricalMoments(DataProblem problem, LinearMethod method, ExecutionOptions? options, DataKernelSet kernels)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        options ??= ExecutionOptions.Default;
        var data = problem.Data;
        _bits = SimdWidth.Resolve(options.VectorBits);
        int lanes = _bits / 64;
        _n = data.Samples;
        _d = data.Dimension;
        _dp = (_d + 4 * lanes - 1) / (4 * lanes) * (4 * lanes);
        _rows = (_n + 3) / 4 * 4;
        _k = method.K;
        var coords = data.Coordinates;
        _kernels = kernels == DataKernelSet.Tiled && !DataKernels.TiledAvailable(_bits) ? DataKernelSet.Blocked : kernels;
        if (_kernels == DataKernelSet.Tiled)
        {
            _x = _y = [];
            _packed = new DataKernels.Packed(coords, _n, _d);
            _upper = DataKernels.Aligned(DataKernels.UpperLength(_d), out _upperOffset);
            _gramTiles = DataKernels.Aligned(DataKernels.GramLength(_d), out _);
        }
        else
        {
            _x = new double[_rows * _dp];
            for (int i = 0; i < _n; i++) Array.Copy(coords, i * _d, _x, i * _dp, _d);
            _y = new double[_rows * _dp];
        }
        _resid = problem.WithResiduals ? data.Residuals : null;
        _lambda = (double[])data.Eigenvalues.Clone();
        double[] u;
        if (_k == 2 && Spectral.AffineGap.ConstantCoordinates(method).Length == 0)
        {
            // (a method with a constant coordinate — weight decay carrying w* — stays in its own coordinates, where the
            // error blocks are an invariant subspace of the map: DataRate restricts the map to them)
            // the consistent basis of docs/gap-solver.md (X̃ = P⁻¹X, ũ = e₁): the slow mode's update has no cancellation
            var basis = new Spectral.ConsistentBasis(method);
            _basis = basis;
            _a = basis.Atilde;
            _b = basis.Btilde; _c = basis.Ctilde; _o = basis.Otilde;
            u = [1, 0];
        }
        else
        {
            _a = method.MatrixA;
            _b = method.B.ToArray(); _c = method.C.ToArray(); _o = method.O.ToArray();
            u = method.U.ToArray();
        }
        _invB = 1.0 / problem.Batch;
        _sigma2 = problem.Noise;
        _scale = 1.0 / (_n * problem.Batch);
        int size = _dp * _dp;
        _s = new double[_k * _k][];
        _u = new double[_k * _k][];
        _g = new double[_k][];
        _m = new double[_k][];
        var m0 = problem.InitialMean; var v0 = problem.InitialVariance;
        for (int p = 0; p < _k; p++)
        {
            _g[p] = new double[size];
            _m[p] = new double[_d];
            for (int j = 0; j < _d; j++) _m[p][j] = u[p] * m0[j];
            for (int q = 0; q < _k; q++)
            {
                var s = new double[size];
                double uu = u[p] * u[q];
                if (uu != 0)
                    for (int a = 0; a < _d; a++)
                    {
                        for (int b = 0; b < _d; b++) s[a * _dp + b] = uu * m0[a] * m0[b];
                        s[a * _dp + a] += uu * v0[a];
                    }
                _s[p * _k + q] = s;
                _u[p * _k + q] = new double[size];
            }
        }
        _q = new double[size];
        _qu = new double[size];
        _f = new double[size];
        _w = new double[Math.Max(_rows, DataKernels.TileRowCount(_n))];
        _ybar = new double[_d];
        _xy = new double[_rows];
        double work = (double)_n * _d * _d;
        _threads = work >= ParallelWork ? options.Threads : 1;
        _gramParts = DataKernels.BalancedBlocks(_d, _dp, 4 * lanes, 4 * _threads);
        if (_kernels == DataKernelSet.Tiled)
        {
            _gramRanges = DataKernels.GramPanelRanges(_d, 2 * _threads);
            _gramScratch = _gramRanges.Select(_ => DataKernels.Aligned(DataKernels.TileDepth * DataKernels.TileColumns, out int o) is var a ? (a, o) : default).ToArray();
        }
        Risk = ReadRisk();
    }

    /// <summary>
    /// The multiply-adds of one step's data pass as the fast kernels run it for SIMD vectors of <paramref name="lanes"/>
    /// doubles (docs/math.md#the-empirical-model, cost): with c = 4·lanes, d_p = d rounded up to c and n_p = n rounded
    /// up to 4, the quadratic forms cost n_p (Σ_{j = 0, c, …} min(d, j + c)·c + d_p) and the Gram matrix
    /// n_p Σ_{b &lt; ⌈d/4⌉} 4 (d_p − ⌊4b/c⌋ c) — about n d² in all.
    /// </summary>
    public static double StepMultiplyAdds(int n, int d, int lanes)
    {
        int c = 4 * lanes, dp = (d + c - 1) / c * c;
        double rows = (n + 3) / 4 * 4, forms = dp, gram = 0;
        for (int j = 0; j < dp; j += c) forms += Math.Min(d, j + c) * (double)c;
        for (int b = 0; b < (d + 3) / 4; b++) gram += 4.0 * (dp - 4 * b / c * c);
        return rows * (forms + gram);
    }

    /// <summary>
    /// The multiply-adds of one step's data pass on the tiled AVX-512 kernels (docs/math.md#the-empirical-model, cost):
    /// with n₈ = n rounded up to 8, P = ⌈d/24⌉ panels and D_p = min(d, 24p + 24), the quadratic forms cost
    /// n₈ Σ_p 24 (D_p + ⌈D_p/128⌉) (tile products, and folding each tile into q) and the Gram matrix
    /// n₈ Σ_p (192 (3p + 3) + 24) (the tiles of the upper triangle, and w ∘ the panel) — about n d² in all.
    /// </summary>
    public static double TiledStepMultiplyAdds(int n, int d)
    {
        double rows = DataKernels.TileRowCount(n), perRow = 0;
        for (int p = 0; p < DataKernels.Panels(d); p++)
        {
            int depth = DataKernels.PanelDepth(p, d);
            perRow += 24.0 * (depth + (depth + DataKernels.TileDepth - 1) / DataKernels.TileDepth);
            perRow += 192.0 * (3 * p + 3) + 24;
        }
        return rows * perRow;
    }

    /// <summary>Multiply-adds per second of the blocked kernels (<see cref="StepMultiplyAdds"/>) on one core of the
    /// development machine (Intel Xeon, AVX-512; measured at d = 784, n = 10⁴: 1.1–1.5·10¹⁰).</summary>
    public const double MultiplyAddsPerSecond = 1.3e10;

    /// <summary>Multiply-adds per second of the tiled kernels (<see cref="TiledStepMultiplyAdds"/>) on one core of the
    /// development machine (Intel Xeon at 2.8 GHz, two FMA-512 ports: a peak of 4.3·10¹⁰; the register tile alone runs
    /// at 4.2·10¹⁰, the passes with their memory traffic at d = 784, n = 10⁴ at about 2.5·10¹⁰).</summary>
    public const double TiledMultiplyAddsPerSecond = 2.5e10;

    /// <summary>Parallel efficiency of the data pass on more than one thread (two threads share the memory bandwidth).</summary>
    public const double ParallelEfficiency = 0.9;

    /// <summary>
    /// Seconds <paramref name="steps"/> steps are expected to take: the data pass's multiply-adds
    /// (<see cref="TiledStepMultiplyAdds"/> at <see cref="TiledMultiplyAddsPerSecond"/> where the tiled kernels run,
    /// <see cref="StepMultiplyAdds"/> at <see cref="MultiplyAddsPerSecond"/> otherwise) on each of the threads that a
    /// problem this size uses (at <see cref="ParallelEfficiency"/>), plus the O(k³ d²) block algebra (about 3 k³ d² ns).
    /// </summary>
    /// <param name="n">Rows.</param>
    /// <param name="d">Dimension (rank of H).</param>
    /// <param name="k">States of the method.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="options">Threads and SIMD width (default: all cores, the widest vectors).</param>
    public static double EstimatedSeconds(int n, int d, int k, double steps, ExecutionOptions? options = null)
    {
        options ??= ExecutionOptions.Default;
        int bits = SimdWidth.Resolve(options.VectorBits);
        double work = (double)n * d * d;
        int threads = work >= ParallelWork ? options.Threads : 1;
        double speedup = threads > 1 ? ParallelEfficiency * threads : 1;
        double pass = DataKernels.TiledAvailable(bits)
            ? TiledStepMultiplyAdds(n, d) / (TiledMultiplyAddsPerSecond * speedup)
            : StepMultiplyAdds(n, d, bits / 64) / (MultiplyAddsPerSecond * speedup);
        return steps * (pass + 3.0 * k * k * k * d * (double)d * 1e-9);
    }

    /// <summary>Number of steps taken.</summary>
    public long Time { get; private set; }

    /// <summary>E L_t = ½ E[e_tᵀ H e_t] (the excess risk; the loss adds ½σ² of the residuals).</summary>
    public double Risk { get; private set; }

    /// <summary>Dimension d of the dynamics (the rank of H).</summary>
    public int Dimension => _d;

    private double ReadRisk()
    {
        double risk = 0;
        for (int p = 0; p < _k; p++)
            for (int q = 0; q < _k; q++)
            {
                double oo = _o[p] * _o[q];
                if (oo == 0) continue;
                var s = _s[p * _k + q];
                double t = 0;
                for (int a = 0; a < _d; a++) t += _lambda[a] * s[a * _dp + a];
                risk += oo * t;
            }
        return 0.5 * risk;
    }

    /// <summary>Length of the state vector: the k² blocks S^{pq} (each stored dp × dp with zero padding), for the
    /// matrix-free Perron root (docs/math.md#data-rates).</summary>
    internal int StateLength => _k * _k * _dp * _dp;

    /// <summary>The k states' identity start S^{pq} = δ_pq I (a positive definite element of the cone) as a state vector.</summary>
    internal double[] IdentityState()
    {
        var v = new double[StateLength];
        int size = _dp * _dp;
        for (int p = 0; p < _k; p++)
            for (int a = 0; a < _d; a++) v[(p * _k + p) * size + a * _dp + a] = 1;
        return v;
    }

    /// <summary>One application of the second-moment map: <paramref name="y"/> = the blocks after one step from the
    /// blocks <paramref name="x"/> (a symmetric kd × kd state: S^{qp} = S^{pq}ᵀ). The means are not changed; with a
    /// homogeneous problem (no residuals, no noise) they do not enter the blocks.</summary>
    internal void Apply(double[] x, double[] y)
    {
        int size = _dp * _dp;
        for (int b = 0; b < _k * _k; b++) Array.Copy(x, b * size, _s[b], 0, size);
        Step();
        for (int b = 0; b < _k * _k; b++) Array.Copy(_s[b], 0, y, b * size, size);
    }

    /// <summary>Advances one step (with step t's settings when the method has schedules).</summary>
    public void Step()
    {
        if (_scheduled is not null) UseSettingsOfThisStep();
        int k = _k, d = _d, dp = _dp;
        // Q = Σ c_r c_s S^{rs}, ȳ = Σ c_r m^r
        Array.Clear(_q);
        for (int r = 0; r < k; r++)
            for (int s = 0; s < k; s++)
            {
                double cc = _c[r] * _c[s];
                if (cc == 0) continue;
                var src = _s[r * k + s];
                for (int a = 0; a < d; a++)
                {
                    int o = a * dp;
                    for (int b = 0; b < d; b++) _q[o + b] += cc * src[o + b];
                }
            }
        Array.Clear(_ybar);
        for (int r = 0; r < k; r++)
            if (_c[r] != 0) for (int a = 0; a < d; a++) _ybar[a] += _c[r] * _m[r][a];

        // the data pass: w_i = x_iᵀQx_i (+ r_i² − 2 r_i x_iᵀȳ), then F = (1/(nB)) Σ w_i x_i x_iᵀ
        FormsPass();
        if (_resid is not null)
        {
            if (_packed is not null) DataKernels.TiledRowDots(_packed, _ybar, _xy);
            for (int i = 0; i < _n; i++)
            {
                double xy = 0;
                if (_packed is not null) xy = _xy[i];
                else
                {
                    int o = i * dp;
                    for (int a = 0; a < d; a++) xy += _x[o + a] * _ybar[a];
                }
                _w[i] += _resid[i] * (_resid[i] - 2 * xy);
            }
        }
        if (_packed is null)
            for (int i = 0; i < _n; i++)
            {
                double wi = _w[i];
                int o = i * dp;
                for (int a = 0; a < d; a++) _y[o + a] = wi * _x[o + a];
            }
        GramPass();
        // N = F + (1 − 1/B) Λ Q Λ + (σ²/B) Λ, in _f
        double keep = 1 - _invB;
        for (int a = 0; a < d; a++)
        {
            int o = a * dp;
            double la = _lambda[a] * keep;
            for (int b = 0; b < d; b++) _f[o + b] += la * _lambda[b] * _q[o + b];
            _f[o + a] += _sigma2 * _invB * _lambda[a];
        }

        // U^{ps} = Σ_r A_pr S^{rs};  G^p = Σ_s U^{ps} c_s
        for (int p = 0; p < k; p++)
        {
            var g = _g[p];
            Array.Clear(g);
            for (int s = 0; s < k; s++)
            {
                var u = _u[p * k + s];
                Array.Clear(u);
                for (int r = 0; r < k; r++)
                {
                    double apr = _a[p, r];
                    if (apr == 0) continue;
                    var src = _s[r * k + s];
                    for (int a = 0; a < d; a++)
                    {
                        int o = a * dp;
                        for (int b = 0; b < d; b++) u[o + b] += apr * src[o + b];
                    }
                }
                if (_c[s] == 0) continue;
                for (int a = 0; a < d; a++)
                {
                    int o = a * dp;
                    for (int b = 0; b < d; b++) g[o + b] += _c[s] * u[o + b];
                }
            }
        }
        // S'^{pq} = Σ_s A_qs U^{ps} − b_q G^p Λ − b_p Λ G^qᵀ + b_p b_q N  (p ≤ q; S^{qp} = S^{pq}ᵀ)
        for (int p = 0; p < k; p++)
            for (int q = p; q < k; q++)
            {
                var dst = _s[p * k + q];
                Array.Clear(dst);
                for (int s = 0; s < k; s++)
                {
                    double aqs = _a[q, s];
                    if (aqs == 0) continue;
                    var u = _u[p * k + s];
                    for (int a = 0; a < d; a++)
                    {
                        int o = a * dp;
                        for (int b = 0; b < d; b++) dst[o + b] += aqs * u[o + b];
                    }
                }
                double bp = _b[p], bq = _b[q];
                DataKernels.AddNoiseTerms(dst, _f, _g[p], _g[q], _lambda, d, dp, bp, bq);
                if (p == q)
                {
                    // a diagonal block is symmetric; rounding must not leave an antisymmetric part, which the formula
                    // above (written for S^{pp} = S^{pp}ᵀ) would not contract
                    DataKernels.Symmetrize(dst, d, dp);
                    continue;
                }
                DataKernels.TransposeInto(dst, _s[q * k + p], d, dp);
            }
        // m'^p = Σ_r A_pr m^r − b_p Λ ȳ
        Span<double> next = stackalloc double[k];
        for (int a = 0; a < d; a++)
        {
            double ly = _lambda[a] * _ybar[a];
            for (int p = 0; p < k; p++)
            {
                double v = -_b[p] * ly;
                for (int r = 0; r < k; r++) v += _a[p, r] * _m[r][a];
                next[p] = v;
            }
            for (int p = 0; p < k; p++) _m[p][a] = next[p];
        }
        Time++;
        Risk = ReadRisk();
    }

    /// <summary>The quadratic forms w_i = x_iᵀQx_i of the current Q (one O(n d²/2) pass; timed on its own by the
    /// benchmarks).</summary>
    internal void FormsPass()
    {
        if (_packed is not null)
        {
            DataKernels.PackUpper(_q, _d, _dp, _upper, _upperOffset);
            int groups = _packed.Rows / DataKernels.TileRows;
            ForChunks(groups, (g0, g1) => DataKernels.TiledForms(_packed, _upper, _upperOffset, 8 * g0, 8 * g1, _w, new double[DataKernels.TileRows * DataKernels.TileColumns]),
                DataKernels.TileRowBlock / DataKernels.TileRows);
        }
        else if (_kernels == DataKernelSet.Reference) ForChunks(_rows / 4, (c0, c1) => QuadraticForms(4 * c0, 4 * c1));
        else
        {
            DataKernels.UpperForm(_q, _d, _dp, _qu);
            ForChunks(_rows / 4, (c0, c1) => QuadraticFormsUpper(4 * c0, 4 * c1), FormChunk / 4);
        }
    }

    /// <summary>F = (1/(nB)) Σ_i w_i x_i x_iᵀ from y = w ∘ x (one O(n d²/2) pass; timed on its own by the benchmarks).</summary>
    internal void GramPass()
    {
        if (_packed is not null)
        {
            ForChunks(_gramRanges.Length, (r0, r1) =>
            {
                for (int r = r0; r < r1; r++) DataKernels.TiledGram(_packed, _w, _gramRanges[r].P0, _gramRanges[r].P1, _gramTiles, _gramScratch[r].Buffer, _gramScratch[r].Offset);
            }, 1);
            DataKernels.UnpackGram(_gramTiles, _d, _dp, _scale, _f);
            return;
        }
        int blocks = (_d + 3) / 4;
        if (_kernels == DataKernelSet.Reference) ForChunks(blocks, (b0, b1) => WeightedGram(4 * b0, 4 * b1), 1);
        else ForChunks(_gramParts.Length, (p0, p1) => { for (int part = p0; part < p1; part++) WeightedGramBlocked(_gramParts[part]); }, 1);
        DataKernels.MirrorUpper(_f, _d, _dp);
    }

    private void QuadraticForms(int i0, int i1)
    {
        switch (_bits)
        {
            case 512: DataKernels.QuadraticForms<V512>(_x, _q, _dp, _d, i0, i1, _w); break;
            case 256: DataKernels.QuadraticForms<V256>(_x, _q, _dp, _d, i0, i1, _w); break;
            default: DataKernels.QuadraticForms<V128>(_x, _q, _dp, _d, i0, i1, _w); break;
        }
    }

    private void QuadraticFormsUpper(int i0, int i1)
    {
        switch (_bits)
        {
            case 512: DataKernels.QuadraticFormsUpper<V512>(_x, _qu, _dp, _d, i0, i1, _w); break;
            case 256: DataKernels.QuadraticFormsUpper<V256>(_x, _qu, _dp, _d, i0, i1, _w); break;
            default: DataKernels.QuadraticFormsUpper<V128>(_x, _qu, _dp, _d, i0, i1, _w); break;
        }
    }

    private void WeightedGramBlocked(int[] blocks)
    {
        switch (_bits)
        {
            case 512: DataKernels.WeightedGramBlocked<V512>(_y, _x, _rows, _dp, blocks, _scale, _f); break;
            case 256: DataKernels.WeightedGramBlocked<V256>(_y, _x, _rows, _dp, blocks, _scale, _f); break;
            default: DataKernels.WeightedGramBlocked<V128>(_y, _x, _rows, _dp, blocks, _scale, _f); break;
        }
    }

    private void WeightedGram(int a0, int a1)
    {
        switch (_bits)
        {
            case 512: DataKernels.WeightedGram<V512>(_y, _x, _rows, _dp, a0, a1, _scale, _f); break;
            case 256: DataKernels.WeightedGram<V256>(_y, _x, _rows, _dp, a0, a1, _scale, _f); break;
            default: DataKernels.WeightedGram<V128>(_y, _x, _rows, _dp, a0, a1, _scale, _f); break;
        }
    }

    /// <summary>Runs body(c0, c1) over [0, count) in fixed chunks of <paramref name="per"/> units (in parallel when large).</summary>
    private void ForChunks(int count, Action<int, int> body, int per = RowChunk / 4)
    {
        int chunks = (count + per - 1) / per;
        if (_threads <= 1 || chunks <= 1)
        {
            body(0, count);
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _threads },
            c => body(c * per, Math.Min(count, (c + 1) * per)));
    }
}

/// <summary>The kernels of the data pass of <see cref="EmpiricalMoments"/> (docs/math.md#the-empirical-model, cost).</summary>
internal enum DataKernelSet
{
    /// <summary>The plain kernels: the whole Q per group of rows, every data row per block of F (the reference).</summary>
    Reference,
    /// <summary>Register- and cache-blocked SIMD kernels at any width (upper triangle of Q, row-blocked F).</summary>
    Blocked,
    /// <summary>The 8 × 24 Vector512 register tile over packed panels (AVX-512 only; otherwise <see cref="Blocked"/>).</summary>
    Tiled,
    /// <summary>The fastest available: <see cref="Tiled"/>.</summary>
    Fastest = Tiled,
}
