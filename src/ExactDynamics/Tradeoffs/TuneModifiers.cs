using System.Globalization;
using ExactDynamics.Methods;

namespace ExactDynamics.Tradeoffs;

/// <summary>
/// The modifiers a tuned family carries (docs/math.md#tuning-modifiers): an EMA of the weights with decay τ, weight
/// decay λ (coupled or decoupled) and a tail average of fraction F (docs/math.md#tuned-tail-fraction), each either FIXED
/// at a given value or TUNED together with the family's hyperparameters. Fixed τ = 0, λ = 0 and F = 0 (the default) are
/// no modifier: the tuning is then the unmodified one, bit for bit. The tuned method is
/// <c>MethodModifiers(λ, decay, τ, TailFraction: F).Apply(family method, lr)</c> (docs/math.md#weight-averaging,
/// docs/math.md#weight-decay, docs/math.md#tail-averaging).
/// </summary>
/// <param name="Ema">The fixed EMA decay τ ∈ [0, 1) (ignored when <paramref name="TuneEma"/>).</param>
/// <param name="TuneEma">Tune τ.</param>
/// <param name="WeightDecay">The fixed weight decay λ ≥ 0 (ignored when <paramref name="TuneWeightDecay"/>).</param>
/// <param name="TuneWeightDecay">Tune λ.</param>
/// <param name="Decay">The weight-decay convention.</param>
/// <param name="Tail">The fixed tail fraction F ∈ (0, 1] of <c>average=tail:F</c>, 0 for none (ignored when
/// <paramref name="TuneTail"/>).</param>
/// <param name="TuneTail">Tune F (the final-risk objective only).</param>
public sealed record TuneModifiers(double Ema = 0, bool TuneEma = false, double WeightDecay = 0, bool TuneWeightDecay = false,
    WeightDecayKind Decay = WeightDecayKind.Coupled, double Tail = 0, bool TuneTail = false)
{
    /// <summary>No modifier.</summary>
    public static TuneModifiers None { get; } = new();

    /// <summary>True when the family is tuned unmodified (τ = 0, λ = 0 and no tail average, fixed).</summary>
    public bool IsNone => !TuneEma && !TuneWeightDecay && Ema == 0 && WeightDecay == 0 && !HasTail;

    /// <summary>True when a tail average is present (fixed F or tuned).</summary>
    public bool HasTail => TuneTail || Tail != 0;

    /// <summary>True when weight decay is present (fixed λ &gt; 0 or tuned): the risk then tends to a limit.</summary>
    public bool HasDecay => TuneWeightDecay || WeightDecay > 0;

    /// <summary>True when an EMA is present (fixed τ &gt; 0 or tuned).</summary>
    public bool HasEma => TuneEma || Ema > 0;

    /// <summary>The number of tuned modifier coordinates (0, 1 or 2).</summary>
    public int TunedCount => (TuneEma ? 1 : 0) + (TuneWeightDecay ? 1 : 0) + (TuneTail ? 1 : 0);

    /// <summary>Refuses values out of range with one sentence naming the quantity.</summary>
    /// <exception cref="InvalidInputException">τ outside [0, 1), λ negative or not finite, F outside (0, 1], or an EMA
    /// together with a tail average.</exception>
    public void Validate()
    {
        Methods.Ema.RequireDecay(Ema);
        if (!double.IsFinite(WeightDecay) || WeightDecay < 0)
            throw new InvalidInputException($"The weight decay λ = {WeightDecay.ToString("R", CultureInfo.InvariantCulture)} is not allowed; it must be a finite number ≥ 0.");
        if (Tail != 0 && !TuneTail) MethodModifiers.RequireTailFraction(Tail);
        if (HasTail && HasEma)
            throw new InvalidInputException("The modifiers ask for both an EMA and a tail average of the weights; give one of them.");
    }

    /// <summary>The family method <paramref name="method"/> with EMA τ and weight decay λ applied (decay first, then the
    /// average); the learning rate of decoupled decay is the method's own (<see cref="MethodParameters.Lr"/>).</summary>
    public LinearMethod Apply(LinearMethod method, double tau, double lambda)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (tau == 0 && lambda == 0) return method;
        return new MethodModifiers(lambda, Decay, tau).Apply(method, method.Parameters?.Lr ?? double.NaN);
    }

    /// <summary>As <see cref="Apply(LinearMethod, double, double)"/>, then the tail average of fraction
    /// <paramref name="tail"/> (0: none; docs/math.md#tail-averaging).</summary>
    public LinearMethod Apply(LinearMethod method, double tau, double lambda, double tail)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (tail == 0) return Apply(method, tau, lambda);
        return new MethodModifiers(lambda, Decay, tau, TailFraction: tail).Apply(method, method.Parameters?.Lr ?? double.NaN);
    }

    /// <summary>The modifier text, e.g. <c>ema=tune,wd=0.001,decay=decoupled</c> or <c>average=tail:tune</c> (empty for none).</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (HasEma) parts.Add("ema=" + (TuneEma ? "tune" : Ema.ToString("R", CultureInfo.InvariantCulture)));
        if (HasTail) parts.Add("average=tail:" + (TuneTail ? "tune" : Tail.ToString("R", CultureInfo.InvariantCulture)));
        if (HasDecay)
        {
            parts.Add("wd=" + (TuneWeightDecay ? "tune" : WeightDecay.ToString("R", CultureInfo.InvariantCulture)));
            if (Decay == WeightDecayKind.Decoupled) parts.Add("decay=decoupled");
        }
        return string.Join(',', parts);
    }
}
