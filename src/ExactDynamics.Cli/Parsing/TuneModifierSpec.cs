using System.Globalization;
using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Parsing;

/// <summary>
/// The <c>--modifiers</c> text of <c>tune</c>, <c>sweep</c> and <c>critical-batch</c> (docs/cli.md#tune-modifiers):
/// comma-separated <c>ema=τ|tune</c>, <c>wd=λ|tune</c>, <c>decay=coupled|decoupled</c> and <c>average=tail:F|tune</c>,
/// read into the library's <see cref="TuneModifiers"/>.
/// </summary>
internal static class TuneModifierSpec
{
    /// <summary>Parses e.g. <c>ema=tune</c>, <c>ema=0.99,wd=tune,decay=decoupled</c>; null or empty is no modifier.</summary>
    /// <exception cref="InvalidInputException">An unknown key, a repeated key or a value that is neither a number nor <c>tune</c>.</exception>
    public static TuneModifiers Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return TuneModifiers.None;
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = raw.IndexOf('=');
            var key = eq > 0 ? raw[..eq].Trim().ToLowerInvariant() : raw.ToLowerInvariant();
            if (key is not ("ema" or "wd" or "decay" or "average") || eq < 0)
                throw new InvalidInputException($"The modifier '{raw}' in '{text}' is not known; write ema=τ or ema=tune, wd=λ or wd=tune, decay=coupled or decay=decoupled, average=tail:F or average=tail:tune.");
            if (!found.TryAdd(key, raw[(eq + 1)..].Trim()))
                throw new InvalidInputException($"The modifiers '{text}' give '{key}' twice; give each modifier once.");
        }
        (double Value, bool Tuned) Value(string key, string what)
        {
            if (!found.TryGetValue(key, out var v)) return (0, false);
            if (v.Equals("tune", StringComparison.OrdinalIgnoreCase)) return (0, true);
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                throw new InvalidInputException($"The {what} '{v}' in '{text}' is neither a number nor 'tune'; write e.g. {key}=0.99 or {key}=tune.");
            return (x, false);
        }
        var (ema, tuneEma) = Value("ema", "EMA decay");
        var (wd, tuneWd) = Value("wd", "weight decay");
        var kind = WeightDecayKind.Coupled;
        if (found.TryGetValue("decay", out var d))
        {
            kind = ModifierSpec.DecayKind(d, text);
            if (!found.ContainsKey("wd"))
                throw new InvalidInputException($"The modifiers '{text}' name a weight-decay convention but no weight decay; add wd=λ or wd=tune.");
        }
        double tail = 0;
        bool tuneTail = false;
        if (found.TryGetValue("average", out var avg))
        {
            if (!avg.StartsWith("tail:", StringComparison.OrdinalIgnoreCase))
                throw new InvalidInputException($"The average '{avg}' in '{text}' cannot be tuned with a family; write average=tail:F with F in (0, 1], or average=tail:tune.");
            var f = avg["tail:".Length..].Trim();
            if (f.Equals("tune", StringComparison.OrdinalIgnoreCase)) tuneTail = true;
            else if (!double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out tail))
                throw new InvalidInputException($"The tail fraction '{f}' in '{text}' is neither a number nor 'tune'; write e.g. average=tail:0.5 or average=tail:tune.");
            else MethodModifiers.RequireTailFraction(tail);
        }
        var mods = new TuneModifiers(ema, tuneEma, wd, tuneWd, kind, tail, tuneTail);
        mods.Validate();
        return mods;
    }
}
