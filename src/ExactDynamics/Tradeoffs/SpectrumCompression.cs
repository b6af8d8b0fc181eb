namespace ExactDynamics.Tradeoffs;

/// <summary>
/// A compressed stand-in for a large spectrum, used only to <em>search</em> (never to report): consecutive eigenvalues
/// (in sorted order) are merged into one node with a multiplicity while the group's relative width stays below
/// ε times its relative distance to the nearer end of the spectrum. Both ends, where the local poles of the secular
/// equation sit, are therefore kept eigenvalue by eigenvalue, and the bulk, where each eigenvalue's term is a smooth
/// (rational) function of λ, is sampled at a relative resolution ε. The node of a group is the root-mean-square
/// eigenvalue (so Σ λ² is kept exactly) and its weight the group's size. For power laws at d = 10⁴ and ε = 0.02 this
/// is roughly 5–10 times fewer nodes; the tuner polishes its answer on the exact spectrum afterwards.
/// </summary>
internal static class SpectrumCompression
{
    public static (double[] Nodes, double[] Weights) Compress(ReadOnlySpan<double> values, double eps)
    {
        var v = values.ToArray();
        Array.Sort(v);
        double min = v[0], max = v[^1];
        var nodes = new List<double>();
        var weights = new List<double>();
        int i = 0;
        while (i < v.Length)
        {
            int j = i;
            double sum2 = v[i] * v[i];
            while (j + 1 < v.Length)
            {
                double lo = v[i], hi = v[j + 1];
                double dist = Math.Min((lo - min) / min, (max - hi) / max);
                if ((hi - lo) / lo > eps * dist) break;
                j++;
                sum2 += hi * hi;
            }
            int n = j - i + 1;
            nodes.Add(n == 1 ? v[i] : Math.Sqrt(sum2 / n));
            weights.Add(n);
            i = j + 1;
        }
        return (nodes.ToArray(), weights.ToArray());
    }
}
