using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ExactDynamics.Numerics;

/// <summary>
/// A SIMD vector of doubles across eigendirections, abstracted so that one generic kernel is specialised by the JIT
/// for the widest width the machine accelerates (512, 256 or 128 bits; <see cref="System.Numerics.Vector{T}"/> stays
/// 256 bits wide on AVX-512 hardware by default, so the widths are chosen explicitly here).
/// All reductions are in a fixed lane order, so results do not depend on timing or thread count.
/// </summary>
internal interface ISimd<TSelf> where TSelf : struct, ISimd<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Zero { get; }
    static abstract TSelf Broadcast(double x);
    static abstract TSelf Load(ref double src, int offset);
    static abstract void Store(TSelf v, ref double dst, int offset);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Sub(TSelf a, TSelf b);
    static abstract TSelf Mul(TSelf a, TSelf b);
    /// <summary>a·b + c (fused where the hardware has it).</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);
    /// <summary>Lanes with |v| &lt; threshold set to 0 (used to keep decaying sequences out of the subnormal range).</summary>
    static abstract TSelf FlushBelow(TSelf v, TSelf threshold);
    /// <summary>Sum of the lanes, in lane order 0, 1, 2, …</summary>
    static abstract double Sum(TSelf v);
    static abstract bool AllFinite(TSelf v);
    static abstract TSelf Div(TSelf a, TSelf b);
    static abstract bool AnyEqualZero(TSelf v);
    static abstract bool AnyLessThanZero(TSelf v);
    static abstract bool AnyLessOrEqualZero(TSelf v);
    static abstract TSelf Sqrt(TSelf v);
    static abstract TSelf Min(TSelf a, TSelf b);
    /// <summary>mask ? a : b, with mask = (v ≥ 0) lane-wise.</summary>
    static abstract TSelf SelectNonNegative(TSelf v, TSelf a, TSelf b);
    /// <summary>mask ? a : b, with mask = (v ≠ 0) lane-wise.</summary>
    static abstract TSelf SelectNonZero(TSelf v, TSelf a, TSelf b);
}

internal struct V512 : ISimd<V512>
{
    public Vector512<double> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V512(Vector512<double> v) => V = v;
    public static int Count => Vector512<double>.Count;
    public static V512 Zero => new(Vector512<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Broadcast(double x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Load(ref double src, int offset) => new(Vector512.LoadUnsafe(ref src, (nuint)offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V512 v, ref double dst, int offset) => v.V.StoreUnsafe(ref dst, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Add(V512 a, V512 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Sub(V512 a, V512 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Mul(V512 a, V512 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Fma(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 FlushBelow(V512 v, V512 t) => new(Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(v.V), t.V), Vector512<double>.Zero, v.V));
    public static double Sum(V512 v)
    {
        double s = 0;
        for (int i = 0; i < Vector512<double>.Count; i++) s += v.V.GetElement(i);
        return s;
    }
    public static bool AllFinite(V512 v) => Vector512.LessThanAll(Vector512.Abs(v.V), Vector512.Create(double.PositiveInfinity));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Div(V512 a, V512 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyEqualZero(V512 v) => Vector512.EqualsAny(v.V, Vector512<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyLessThanZero(V512 v) => Vector512.LessThanAny(v.V, Vector512<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyLessOrEqualZero(V512 v) => Vector512.LessThanOrEqualAny(v.V, Vector512<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Sqrt(V512 v) => new(Vector512.Sqrt(v.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V512 Min(V512 a, V512 b) => new(Vector512.Min(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 SelectNonNegative(V512 v, V512 a, V512 b) => new(Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(v.V, Vector512<double>.Zero), a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 SelectNonZero(V512 v, V512 a, V512 b) => new(Vector512.ConditionalSelect(Vector512.Equals(v.V, Vector512<double>.Zero), b.V, a.V));
}

internal struct V256 : ISimd<V256>
{
    public Vector256<double> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V256(Vector256<double> v) => V = v;
    public static int Count => Vector256<double>.Count;
    public static V256 Zero => new(Vector256<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Broadcast(double x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Load(ref double src, int offset) => new(Vector256.LoadUnsafe(ref src, (nuint)offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V256 v, ref double dst, int offset) => v.V.StoreUnsafe(ref dst, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Add(V256 a, V256 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Sub(V256 a, V256 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Mul(V256 a, V256 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Fma(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 FlushBelow(V256 v, V256 t) => new(Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(v.V), t.V), Vector256<double>.Zero, v.V));
    public static double Sum(V256 v)
    {
        double s = 0;
        for (int i = 0; i < Vector256<double>.Count; i++) s += v.V.GetElement(i);
        return s;
    }
    public static bool AllFinite(V256 v) => Vector256.LessThanAll(Vector256.Abs(v.V), Vector256.Create(double.PositiveInfinity));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Div(V256 a, V256 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyEqualZero(V256 v) => Vector256.EqualsAny(v.V, Vector256<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyLessThanZero(V256 v) => Vector256.LessThanAny(v.V, Vector256<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyLessOrEqualZero(V256 v) => Vector256.LessThanOrEqualAny(v.V, Vector256<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Sqrt(V256 v) => new(Vector256.Sqrt(v.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V256 Min(V256 a, V256 b) => new(Vector256.Min(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 SelectNonNegative(V256 v, V256 a, V256 b) => new(Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(v.V, Vector256<double>.Zero), a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 SelectNonZero(V256 v, V256 a, V256 b) => new(Vector256.ConditionalSelect(Vector256.Equals(v.V, Vector256<double>.Zero), b.V, a.V));
}

internal struct V128 : ISimd<V128>
{
    public Vector128<double> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public V128(Vector128<double> v) => V = v;
    public static int Count => Vector128<double>.Count;
    public static V128 Zero => new(Vector128<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Broadcast(double x) => new(Vector128.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Load(ref double src, int offset) => new(Vector128.LoadUnsafe(ref src, (nuint)offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(V128 v, ref double dst, int offset) => v.V.StoreUnsafe(ref dst, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Add(V128 a, V128 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Sub(V128 a, V128 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Mul(V128 a, V128 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Fma(V128 a, V128 b, V128 c) => new(Vector128.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 FlushBelow(V128 v, V128 t) => new(Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(v.V), t.V), Vector128<double>.Zero, v.V));
    public static double Sum(V128 v) => v.V.GetElement(0) + v.V.GetElement(1);
    public static bool AllFinite(V128 v) => Vector128.LessThanAll(Vector128.Abs(v.V), Vector128.Create(double.PositiveInfinity));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Div(V128 a, V128 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyEqualZero(V128 v) => Vector128.EqualsAny(v.V, Vector128<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyLessThanZero(V128 v) => Vector128.LessThanAny(v.V, Vector128<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool AnyLessOrEqualZero(V128 v) => Vector128.LessThanOrEqualAny(v.V, Vector128<double>.Zero);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Sqrt(V128 v) => new(Vector128.Sqrt(v.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static V128 Min(V128 a, V128 b) => new(Vector128.Min(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 SelectNonNegative(V128 v, V128 a, V128 b) => new(Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(v.V, Vector128<double>.Zero), a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 SelectNonZero(V128 v, V128 a, V128 b) => new(Vector128.ConditionalSelect(Vector128.Equals(v.V, Vector128<double>.Zero), b.V, a.V));
}

/// <summary>Which vector width the kernels use on this machine.</summary>
internal static class SimdWidth
{
    /// <summary>512 when Vector512 is accelerated, else 256, else 128 bits. Overridable for tests through
    /// <see cref="ExecutionOptions.VectorBits"/>.</summary>
    public static int Best => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;

    public static int Resolve(int requested)
    {
        if (requested <= 0) return Best;
        if (requested >= 512 && Vector512.IsHardwareAccelerated) return 512;
        if (requested >= 256 && Vector256.IsHardwareAccelerated) return 256;
        return 128;
    }
}
