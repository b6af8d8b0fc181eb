namespace ExactDynamics.Validation.Statistics;

/// <summary>
/// Per-step running mean and sum of squared deviations (Welford), mergeable with Chan et al.'s pairwise update.
/// Used in a fixed order (runs in run order inside a block, blocks in block order), so the floating-point result does
/// not depend on how many threads ran the blocks. Also tracks the fourth-moment-free diagnostics the report prints.
/// A non-finite sample (a diverging run) makes the step's mean +∞ and its standard error +∞.
/// </summary>
public sealed class StepMoments
{
    private readonly double[] _mean, _m2;
    private readonly bool[] _nonFinite;

    public StepMoments(int steps)
    {
        _mean = new double[steps];
        _m2 = new double[steps];
        _nonFinite = new bool[steps];
    }

    public long Count { get; private set; }
    public int Steps => _mean.Length;

    /// <summary>Add one run's values (one per recorded step).</summary>
    public void Add(ReadOnlySpan<double> x)
    {
        Count++;
        double inv = 1.0 / Count;
        for (int s = 0; s < _mean.Length; s++)
        {
            double v = x[s];
            if (!double.IsFinite(v)) { _nonFinite[s] = true; continue; }
            double delta = v - _mean[s];
            _mean[s] += delta * inv;
            _m2[s] += delta * (v - _mean[s]);
        }
    }

    /// <summary>Merge another block that comes after this one in run order.</summary>
    public void Merge(StepMoments other)
    {
        if (other.Count == 0) return;
        if (Count == 0)
        {
            Array.Copy(other._mean, _mean, _mean.Length);
            Array.Copy(other._m2, _m2, _m2.Length);
            Array.Copy(other._nonFinite, _nonFinite, _nonFinite.Length);
            Count = other.Count;
            return;
        }
        double na = Count, nb = other.Count, n = na + nb;
        for (int s = 0; s < _mean.Length; s++)
        {
            double delta = other._mean[s] - _mean[s];
            _mean[s] += delta * (nb / n);
            _m2[s] += other._m2[s] + delta * delta * (na * nb / n);
            _nonFinite[s] |= other._nonFinite[s];
        }
        Count += other.Count;
    }

    /// <summary>Sample mean at each step.</summary>
    public double[] Mean()
    {
        var m = (double[])_mean.Clone();
        for (int s = 0; s < m.Length; s++) if (_nonFinite[s]) m[s] = double.PositiveInfinity;
        return m;
    }

    /// <summary>Sample standard deviation (n − 1 denominator) at each step.</summary>
    public double[] StandardDeviation()
    {
        var sd = new double[_mean.Length];
        for (int s = 0; s < sd.Length; s++)
            sd[s] = _nonFinite[s] ? double.PositiveInfinity : Count > 1 ? Math.Sqrt(_m2[s] / (Count - 1)) : double.NaN;
        return sd;
    }

    /// <summary>Standard error of the mean, sd/√n, at each step.</summary>
    public double[] StandardError()
    {
        var sd = StandardDeviation();
        double root = Math.Sqrt(Count);
        for (int s = 0; s < sd.Length; s++) sd[s] /= root;
        return sd;
    }
}
