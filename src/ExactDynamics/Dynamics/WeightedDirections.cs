using ExactDynamics.Schedules;

namespace ExactDynamics.Dynamics;

/// <summary>
/// Eigendirections with multiplicities w_i: n directions with the same λ and the same initial moment evolve identically,
/// so they can be run as one block counted w_i = n times in the coupling μ_t = Σ_i w_i λ_i c_tᵀS_{t,i}c_t and in the risk
/// E L_t = ½ Σ_i w_i λ_i oᵀS_{t,i}o (docs/math.md#searching-on-a-compressed-spectrum). This is exact for repeated
/// eigenvalues; <see cref="Compress"/> uses it as an approximation (for searching only) by merging eigenvalues that lie
/// in the same bin of log λ.
/// </summary>
internal sealed class WeightedDirections
{
    private WeightedDirections(double[] lambda, double[] weight, double[] initial)
    {
        Lambda = lambda;
        Weight = weight;
        Initial = initial;
        WeightedLambda = new double[lambda.Length];
        for (int i = 0; i < lambda.Length; i++) WeightedLambda[i] = weight[i] * lambda[i];
    }

    /// <summary>λ_i of each block.</summary>
    public double[] Lambda { get; }

    /// <summary>w_i, the number of directions each block stands for.</summary>
    public double[] Weight { get; }

    /// <summary>w_i λ_i.</summary>
    public double[] WeightedLambda { get; }

    /// <summary>s_i, the initial second moment of one direction of the block.</summary>
    public double[] Initial { get; }

    /// <summary>The number of blocks.</summary>
    public int Count => Lambda.Length;

    /// <summary>Every direction of the problem, weight 1 (exact).</summary>
    public static WeightedDirections Of(Problem problem) =>
        new(problem.Spectrum.ToArray(), Enumerable.Repeat(1.0, problem.Spectrum.Dimension).ToArray(), problem.InitialArray);

    /// <summary>Directions given explicitly (for tests).</summary>
    public static WeightedDirections From(double[] lambda, double[] weight, double[] initial) =>
        new((double[])lambda.Clone(), (double[])weight.Clone(), (double[])initial.Clone());

    /// <summary>
    /// At most <paramref name="bins"/> blocks: the eigenvalues are merged by equal-width bins of log λ over
    /// [λ_min, λ_max]; a bin's block has the root-mean-square eigenvalue of its members, their number as weight, and
    /// the initial moment that keeps its share of the initial risk, s = Σ λ_i s_i / (w λ). With no more eigenvalues
    /// than bins, the directions are returned as they are (exact).
    /// </summary>
    public static WeightedDirections Compress(Problem problem, int bins)
    {
        var lam = problem.Spectrum.ToArray();
        var init = problem.InitialArray;
        if (lam.Length <= bins) return Of(problem);
        double lo = lam.Min(), hi = lam.Max();
        double width = Math.Log(hi / lo) / bins;
        if (!(width > 0)) return new([hi], [lam.Length], [init.Average()]);
        var sum2 = new double[bins];
        var count = new double[bins];
        var risk = new double[bins];
        for (int i = 0; i < lam.Length; i++)
        {
            int j = Math.Min(bins - 1, (int)(Math.Log(lam[i] / lo) / width));
            sum2[j] += lam[i] * lam[i];
            count[j]++;
            risk[j] += lam[i] * init[i];
        }
        var l = new List<double>();
        var w = new List<double>();
        var s = new List<double>();
        for (int j = bins - 1; j >= 0; j--)
        {
            if (count[j] == 0) continue;
            double node = Math.Sqrt(sum2[j] / count[j]);
            l.Add(node);
            w.Add(count[j]);
            s.Add(risk[j] / (count[j] * node));
        }
        return new(l.ToArray(), w.ToArray(), s.ToArray());
    }
}
