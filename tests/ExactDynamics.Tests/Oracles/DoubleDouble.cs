using System.Globalization;

namespace ExactDynamics.Tests.Oracles;

/// <summary>
/// Double-double arithmetic (an unevaluated sum Hi + Lo with |Lo| ≤ ½ ulp(Hi)), about 106 bits of
/// significand. Written for the tests from the classical error-free transformations (Knuth's TwoSum,
/// Dekker/FMA TwoProd); independent of the library. Precision ~1e-32 relative per operation, which is
/// what the gap-space oracles need: for a gap γ ≈ 1e-12 a quantity like 1 − (1 − ηλ)² keeps ~20 digits.
/// </summary>
public readonly struct DD : IComparable<DD>
{
    public readonly double Hi;
    public readonly double Lo;

    public DD(double hi, double lo = 0) { Hi = hi; Lo = lo; }

    public static readonly DD Zero = new(0);
    public static readonly DD One = new(1);

    public static implicit operator DD(double x) => new(x);
    public double ToDouble() => Hi + Lo;

    // s + e = a + b exactly (Knuth).
    private static DD TwoSum(double a, double b)
    {
        double s = a + b;
        double bb = s - a;
        double e = (a - (s - bb)) + (b - bb);
        return new DD(s, e);
    }

    // requires |a| ≥ |b|
    private static DD QuickTwoSum(double a, double b)
    {
        double s = a + b;
        double e = b - (s - a);
        return new DD(s, e);
    }

    // p + e = a·b exactly (FMA).
    private static DD TwoProd(double a, double b)
    {
        double p = a * b;
        double e = Math.FusedMultiplyAdd(a, b, -p);
        return new DD(p, e);
    }

    public static DD operator +(DD a, DD b)
    {
        // accurate (IEEE-style) addition
        var s = TwoSum(a.Hi, b.Hi);
        var t = TwoSum(a.Lo, b.Lo);
        double lo = s.Lo + t.Hi;
        var u = QuickTwoSum(s.Hi, lo);
        lo = t.Lo + u.Lo;
        return QuickTwoSum(u.Hi, lo);
    }

    public static DD operator -(DD a) => new(-a.Hi, -a.Lo);
    public static DD operator -(DD a, DD b) => a + (-b);

    public static DD operator *(DD a, DD b)
    {
        var p = TwoProd(a.Hi, b.Hi);
        double lo = p.Lo + (a.Hi * b.Lo + a.Lo * b.Hi);
        return QuickTwoSum(p.Hi, lo);
    }

    public static DD operator /(DD a, DD b)
    {
        // long division: q1 = a/b, r = a − q1·b, q2 = r/b, r −= q2·b, q3 = r/b
        double q1 = a.Hi / b.Hi;
        var r = a - b * q1;
        double q2 = r.Hi / b.Hi;
        r -= b * q2;
        double q3 = r.Hi / b.Hi;
        var q = QuickTwoSum(q1, q2);
        return q + q3;
    }

    public static DD Sqrt(DD a)
    {
        if (a.Hi <= 0) return Zero;
        double x = Math.Sqrt(a.Hi);
        // one Newton step in DD: x + (a − x²)/(2x)
        DD xx = x;
        return xx + (a - xx * xx) / (2.0 * xx);
    }

    public static DD Abs(DD a) => a.Hi < 0 || (a.Hi == 0 && a.Lo < 0) ? -a : a;

    public static bool operator <(DD a, DD b) => a.Hi < b.Hi || (a.Hi == b.Hi && a.Lo < b.Lo);
    public static bool operator >(DD a, DD b) => b < a;
    public static bool operator <=(DD a, DD b) => !(b < a);
    public static bool operator >=(DD a, DD b) => !(a < b);

    public int CompareTo(DD other) => this < other ? -1 : other < this ? 1 : 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Hi:R} + {Lo:R}");
}
