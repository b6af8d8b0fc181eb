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
        // ascending order without a copy when the values are sorted either way (power laws, most files); else a sorted copy
        bool ascending = true, descending = true;
        for (int k = 1; k < values.Length && (ascending || descending); k++)
        {
            if (values[k] < values[k - 1]) ascending = false;
            if (values[k] > values[k - 1]) descending = false;
        }
        if (ascending) return Compress(values, false, eps);
        if (descending) return Compress(values, true, eps);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return Compress(sorted, false, eps);
    }

    /// <summary>The grouping on sorted values, read ascending (<paramref name="reversed"/>: the span is descending).</summary>
    private static (double[] Nodes, double[] Weights) Compress(ReadOnlySpan<double> sorted, bool reversed, double eps)
    {
        int n = sorted.Length;
        var nodes = new List<double>();
        var weights = new List<double>();
        if (n == 0) return ([], []);
        double V(int k, ReadOnlySpan<double> s) => reversed ? s[n - 1 - k] : s[k];
        double min = V(0, sorted), max = V(n - 1, sorted);
        int i = 0;
        while (i < n)
        {
            int j = i;
            double vi = V(i, sorted);
            double sum2 = vi * vi;
            while (j + 1 < n)
            {
                double lo = vi, hi = V(j + 1, sorted);
                double dist = Math.Min((lo - min) / min, (max - hi) / max);
                if ((hi - lo) / lo > eps * dist) break;
                j++;
                sum2 += hi * hi;
            }
            int count = j - i + 1;
            nodes.Add(count == 1 ? vi : Math.Sqrt(sum2 / count));
            weights.Add(count);
            i = j + 1;
        }
        return (nodes.ToArray(), weights.ToArray());
    }
}
