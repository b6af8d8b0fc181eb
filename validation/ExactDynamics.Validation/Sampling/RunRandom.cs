namespace ExactDynamics.Validation.Sampling;

/// <summary>
/// xoshiro256** (Blackman and Vigna) with one independent stream per Monte Carlo run: the 256-bit state of
/// run r is filled by SplitMix64 from a key that mixes the user's seed and r. Nothing is shared between runs, so
/// a run's numbers depend only on (seed, r) — never on the thread that runs it or on the order runs are scheduled.
/// </summary>
public sealed class RunRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator for the stream of run <paramref name="run"/> under <paramref name="seed"/>.</summary>
    public RunRandom(ulong seed, ulong run) => Reseed(seed, run);

    /// <summary>Restart as the stream of run <paramref name="run"/> under <paramref name="seed"/> (no allocation).</summary>
    public void Reseed(ulong seed, ulong run)
    {
        // Key: two rounds of the SplitMix64 finaliser so that nearby (seed, run) pairs give unrelated keys.
        ulong key = Mix(Mix(seed ^ 0x6A09E667F3BCC909UL) + 0x9E3779B97F4A7C15UL * (run + 1));
        ulong sm = key;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1; // the all-zero state is the one forbidden state
    }

    /// <summary>SplitMix64's output function (Steele, Lea and Flood).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong RotL(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotL(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotL(_s3, 45);
        return result;
    }

    /// <summary>Uniform on {0, …, n − 1} (Lemire's multiply-shift of 64 random bits; the bias, below n/2⁶⁴, is far
    /// below anything a simulation can resolve).</summary>
    public int NextIndex(int n) => (int)(((UInt128)NextUInt64() * (ulong)n) >> 64);

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform on (0, 1) (never 0, for logarithms).</summary>
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>A fair random sign ±1.</summary>
    public double NextSign() => (NextUInt64() >> 63) == 0 ? 1.0 : -1.0;

    /// <summary>
    /// Standard normal N(0, 1) by the ziggurat method in Doornik's ZIGNOR form (128 blocks; the block index and the
    /// uniform come from disjoint bits of one 64-bit draw, which avoids the correlation of the original 32-bit
    /// ziggurat), with Marsaglia's exact tail beyond R = 3.4426….
    /// </summary>
    public double NextGaussian()
    {
        while (true)
        {
            ulong bits = NextUInt64();
            int i = (int)(bits & 0x7F);
            double u = 2 * ((bits >> 11) * (1.0 / (1UL << 53))) - 1;
            if (Math.Abs(u) < ZigR[i]) return u * ZigX[i];
            if (i == 0) return NormalTail(ZigTailStart, u < 0);
            double x = u * ZigX[i];
            double f0 = Math.Exp(-0.5 * (ZigX[i] * ZigX[i] - x * x));
            double f1 = Math.Exp(-0.5 * (ZigX[i + 1] * ZigX[i + 1] - x * x));
            if (f1 + NextDouble() * (f0 - f1) < 1.0) return x;
        }
    }

    private double NormalTail(double start, bool negative)
    {
        double x, y;
        do
        {
            x = Math.Log(NextOpenDouble()) / start;
            y = Math.Log(NextOpenDouble());
        } while (-2 * y < x * x);
        return negative ? x - start : start - x;
    }

    private const int ZigBlocks = 128;
    private const double ZigTailStart = 3.442619855899;
    private const double ZigArea = 9.91256303526217e-3;
    private static readonly double[] ZigX = new double[ZigBlocks + 1];
    private static readonly double[] ZigR = new double[ZigBlocks];

    private static readonly bool ZigReady = InitZiggurat();

    private static bool InitZiggurat()
    {
        double f = Math.Exp(-0.5 * ZigTailStart * ZigTailStart);
        ZigX[0] = ZigArea / f;
        ZigX[1] = ZigTailStart;
        ZigX[ZigBlocks] = 0;
        for (int i = 2; i < ZigBlocks; i++)
        {
            ZigX[i] = Math.Sqrt(-2 * Math.Log(ZigArea / ZigX[i - 1] + f));
            f = Math.Exp(-0.5 * ZigX[i] * ZigX[i]);
        }
        for (int i = 0; i < ZigBlocks; i++) ZigR[i] = ZigX[i + 1] / ZigX[i];
        return true;
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000); shape &gt; 0.</summary>
    public double NextGamma(double shape)
    {
        if (shape < 1)
        {
            // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
            return NextGamma(shape + 1) * Math.Pow(NextOpenDouble(), 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = NextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = NextOpenDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }
}
