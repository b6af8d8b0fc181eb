using System.Globalization;

namespace ExactDynamics.Methods;

/// <summary>
/// The modifiers a method spec may end with (docs/math.md#weight-averaging, docs/math.md#weight-decay):
/// <c>wd=λ[,decay=coupled|decoupled]</c> (weight decay, applied first) and <c>ema=τ[,ema-warmup=true]</c> (an EMA of the
/// weights, applied last, so it averages the decayed iterate). With no modifier the base method is used unchanged.
/// </summary>
/// <param name="WeightDecay">λ ≥ 0 (0: none).</param>
/// <param name="Decay">Coupled (L2, through the buffer) or decoupled (AdamW-style).</param>
/// <param name="EmaDecay">τ ∈ [0, 1) (0: no averaging).</param>
/// <param name="EmaWarmup">Use timm's warm-up τ_t = min(τ, (1 + t)/(10 + t)); then the method changes from step to
/// step until τ_t reaches τ.</param>
/// <param name="UniformFrom">Polyak–Ruppert: report the uniform average of the iterates w_S, …, w_t (S = this value;
/// before step S the iterate itself). It is the EMA with τ_t = (t + 1 − S)/(t + 2 − S) for t + 1 > S, 0 before, so the
/// method changes at every step; null for none.</param>
/// <param name="TailFraction">Tail averaging (docs/math.md#tail-averaging): report at every horizon T the mean of the
/// last n_T = max(1, ⌈F·T⌉) iterates w_{T−n_T+1}, …, w_T (F ∈ (0, 1]). The window moves with T, so this is no state of
/// the method: the method's matrices are the base method's and the risk recursion evaluates the average
/// (<c>Dynamics.TailAverage</c>); null for none.</param>
public sealed record MethodModifiers(double WeightDecay = 0, WeightDecayKind Decay = WeightDecayKind.Coupled, double EmaDecay = 0, bool EmaWarmup = false,
    long? UniformFrom = null, double? TailFraction = null)
{
    /// <summary>No modifier.</summary>
    public static MethodModifiers None { get; } = new();

    /// <summary>The keys a spec may carry as modifiers.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["wd", "decay", "ema", "ema-warmup", "average"];

    /// <summary>True when the method is used unchanged.</summary>
    public bool IsNone => WeightDecay == 0 && EmaDecay == 0 && UniformFrom is null && TailFraction is null;

    /// <summary>True when the method changes from step to step (the EMA warm-up).</summary>
    public bool IsTimeVarying => EmaDecay > 0 && EmaWarmup || UniformFrom is not null;

    /// <summary>The step from which the modified method is constant (0 unless there is an EMA warm-up;
    /// <see cref="long.MaxValue"/>, never, for a uniform average).</summary>
    public long ConstantFrom => UniformFrom is not null ? long.MaxValue : IsTimeVarying ? Ema.WarmupEnd(EmaDecay) : 0;

    /// <summary>The modified method with the EMA at its final decay τ (for a uniform average, its first update);
    /// <paramref name="lr"/> is the base method's learning rate (used only by decoupled decay).</summary>
    public LinearMethod Apply(LinearMethod method, double lr) => ApplyAt(method, lr, UniformFrom is not null ? 0 : long.MaxValue);

    /// <summary>The modified method for the update t → t + 1 (the EMA decay τ_t of the warm-up, if any).</summary>
    public LinearMethod ApplyAt(LinearMethod method, double lr, long t)
    {
        ArgumentNullException.ThrowIfNull(method);
        var m = method;
        if (WeightDecay > 0)
        {
            if (Decay == WeightDecayKind.Decoupled && double.IsNaN(lr))
                throw new InvalidInputException($"Decoupled weight decay shrinks the weights by lr·λ, but the method {method.Spec} has no named learning rate; use coupled decay or write the decay into the method's matrices.");
            m = Decay == WeightDecayKind.Coupled ? Methods.WeightDecay.Coupled(m, WeightDecay) : Methods.WeightDecay.Decoupled(m, lr, WeightDecay);
        }
        if (UniformFrom is long from)
        {
            double tau = t + 1 <= from ? 0 : (double)(t + 1 - from) / (t + 2 - from);
            var inner = m;
            m = Ema.Augment(inner, tau, () => inner.Spec + UniformSuffix);
        }
        if (EmaDecay > 0)
        {
            if (!EmaWarmup || t >= ConstantFrom) m = Ema.Apply(m, EmaDecay);
            else
            {
                double tau = Ema.WarmupDecay(EmaDecay, t);
                var inner = m;
                m = Ema.Augment(inner, tau, () => $"{inner.Spec},ema={LinearMethod.F(tau)}");
            }
            if (EmaWarmup) m = Relabel(m, $"{m.Spec[..m.Spec.LastIndexOf(",ema=", StringComparison.Ordinal)]}{EmaSuffix}");
        }
        if (TailFraction is double f)
        {
            RequireTailFraction(f);
            // the matrices stay the base method's; a distinct, relabelled method carries the tail average in its parameters
            m = Relabel(m, m.Spec + TailSuffix);
            if (method.Parameters is null)
                return m.Named(new MethodParameters(MethodFamily.Custom, double.NaN, Modifiers: new MethodModifiers(TailFraction: f)));
        }
        if (!ReferenceEquals(m, method) && method.Parameters is { Modifiers: null } p) m.Named(p with { Modifiers = this });
        return m;
    }

    /// <summary>The spec suffix, e.g. <c>,wd=0.01,decay=decoupled,ema=0.99</c> (empty for none).</summary>
    public string Suffix =>
        (WeightDecay > 0 ? $",wd={LinearMethod.F(WeightDecay)}" + (Decay == WeightDecayKind.Decoupled ? ",decay=decoupled" : "") : "") +
        (EmaDecay > 0 ? EmaSuffix : "") + (UniformFrom is not null ? UniformSuffix : "") + (TailFraction is not null ? TailSuffix : "");

    private string TailSuffix => TailFraction is double f ? $",average=tail:{LinearMethod.F(f)}" : "";

    /// <summary>The tail fraction carried by <paramref name="method"/> (a method built with <c>average=tail:F</c>), or null.</summary>
    public static double? TailOf(LinearMethod method) => method?.Parameters?.Modifiers?.TailFraction;

    /// <summary>Refuses a tail-averaged method where only a single linear recursion is defined (its window moves with
    /// the horizon, docs/math.md#tail-averaging), naming <paramref name="what"/>.</summary>
    /// <exception cref="InvalidInputException">The method carries a tail average.</exception>
    public static void RefuseTail(LinearMethod method, string what)
    {
        if (TailOf(method) is double f)
            throw new InvalidInputException($"The tail average of {method.Spec} (the mean of the last fraction {LinearMethod.F(f)} of the run, at every horizon) moves its window with the horizon and is not one linear recursion, so {what} does not apply to it; only its exact risk curve and the first step below a target are computed.");
    }

    /// <summary>Refuses a tail fraction outside (0, 1] with one sentence.</summary>
    /// <exception cref="InvalidInputException">F is not a finite number in (0, 1].</exception>
    public static void RequireTailFraction(double fraction)
    {
        if (!double.IsFinite(fraction) || fraction <= 0 || fraction > 1)
            throw new InvalidInputException($"The tail fraction F = {LinearMethod.F(fraction)} is not allowed; the averaged fraction of the run must lie in (0, 1].");
    }

    private string UniformSuffix => UniformFrom is long f && f > 0 ? $",average=uniform:from={f}" : ",average=uniform";

    private string EmaSuffix => $",ema={LinearMethod.F(EmaDecay)}" + (EmaWarmup ? ",ema-warmup=true" : "");

    private static LinearMethod Relabel(LinearMethod m, string spec) =>
        new(m.MatrixA, m.B.ToArray(), m.C.ToArray(), m.O.ToArray(), m.U.ToArray(), spec);
}
