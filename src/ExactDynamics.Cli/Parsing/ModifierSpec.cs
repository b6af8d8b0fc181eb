using System.Globalization;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Parsing;

/// <summary>The modifiers a method spec may end with (<c>wd=λ[,decay=…]</c>, <c>ema=τ[,ema-warmup=true]</c>,
/// <c>average=uniform[:from=S]</c>, <c>average=tail:F</c>; docs/cli.md#method-modifiers), read into the library's <see cref="MethodModifiers"/>.</summary>
internal static class ModifierSpec
{
    /// <summary>
    /// Splits a method spec into the base spec and its modifiers: every <c>key=value</c> item after the family's colon
    /// whose key is one of <see cref="MethodModifiers.Keys"/> is taken out (for <c>custom:PATH</c>, the items after the path).
    /// Mistakes throw <see cref="InvalidInputException"/> naming the quantity.
    /// </summary>
    public static (string BaseSpec, MethodModifiers Modifiers) Split(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int colon = spec.IndexOf(':');
        if (colon < 0) return (spec, MethodModifiers.None);
        var items = spec[(colon + 1)..].Split(',');
        var kept = new List<string>();
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in items)
        {
            int eq = raw.IndexOf('=');
            var key = eq > 0 ? raw[..eq].Trim().ToLowerInvariant() : "";
            if (MethodModifiers.Keys.Contains(key))
            {
                if (!found.TryAdd(key, raw[(eq + 1)..].Trim()))
                    throw new InvalidInputException($"The method '{spec}' gives '{key}' twice; give each modifier once.");
            }
            else kept.Add(raw);
        }
        if (found.Count == 0) return (spec, MethodModifiers.None);
        double Number(string key, string what)
        {
            if (!found.TryGetValue(key, out var text)) return 0;
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                throw new InvalidInputException($"The {what} '{text}' in '{spec}' is not a number; write a number such as 0.99 or 1e-3.");
            return x;
        }
        double wd = Number("wd", "weight decay");
        double ema = Number("ema", "EMA decay");
        var kind = WeightDecayKind.Coupled;
        if (found.TryGetValue("decay", out var d))
        {
            kind = DecayKind(d, spec);
            if (!found.ContainsKey("wd"))
                throw new InvalidInputException($"The method '{spec}' names a weight-decay convention but no weight decay; add wd=λ.");
        }
        bool warmup = false;
        if (found.TryGetValue("ema-warmup", out var w))
        {
            warmup = w.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                _ => throw new InvalidInputException($"The EMA warm-up flag '{w}' in '{spec}' is not true or false; write ema-warmup=true or ema-warmup=false."),
            };
            if (!found.ContainsKey("ema"))
                throw new InvalidInputException($"The method '{spec}' asks for an EMA warm-up but has no EMA decay; add ema=τ.");
        }
        if (!double.IsFinite(wd) || wd < 0)
            throw new InvalidInputException($"The weight decay λ = {Fmt(wd)} is not allowed; it must be a finite number ≥ 0.");
        Ema.RequireDecay(ema);
        long? uniform = null;
        double? tail = null;
        if (found.TryGetValue("average", out var avg))
        {
            var a = avg.ToLowerInvariant();
            if (a == "uniform") uniform = 0;
            else if (a.StartsWith("uniform:from=", StringComparison.Ordinal)
                     && long.TryParse(a["uniform:from=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                uniform = from;
            else if (a.StartsWith("tail:", StringComparison.Ordinal))
            {
                var text = a["tail:".Length..];
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f))
                    throw new InvalidInputException($"The tail fraction '{text}' in '{spec}' is not a number; write average=tail:F with F in (0, 1], e.g. average=tail:0.5.");
                MethodModifiers.RequireTailFraction(f);
                tail = f;
            }
            else
                throw new InvalidInputException($"The average '{avg}' in '{spec}' is not known; write average=uniform, average=uniform:from=S with a whole step S ≥ 0, or average=tail:F with F in (0, 1].");
            if (ema > 0)
                throw new InvalidInputException($"The method '{spec}' asks for both an EMA and a {(tail is null ? "uniform" : "tail")} average; give one of them.");
        }
        var baseSpec = spec[..(colon + 1)] + string.Join(',', kept);
        return (baseSpec, new MethodModifiers(wd, kind, ema, warmup, uniform, tail));
    }

    /// <summary>Reads <c>coupled</c> (also <c>l2</c>) or <c>decoupled</c> (also <c>adamw</c>); <paramref name="context"/> is
    /// the text it came from, for the message.</summary>
    internal static WeightDecayKind DecayKind(string text, string context) => text.ToLowerInvariant() switch
    {
        "coupled" or "l2" => WeightDecayKind.Coupled,
        "decoupled" or "adamw" => WeightDecayKind.Decoupled,
        _ => throw new InvalidInputException($"The weight-decay convention '{text}' in '{context}' is not known; write decay=coupled or decay=decoupled."),
    };

    private static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
