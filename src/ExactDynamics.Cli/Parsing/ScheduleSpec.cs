using ExactDynamics.Schedules;

namespace ExactDynamics.Cli.Parsing;

/// <summary>
/// Reads schedule specs (the strings of <c>--lr-schedule</c>, <c>--momentum-schedule</c>, <c>--batch-schedule</c>):
/// <c>constant</c>, <c>step:every=N,factor=F</c>, <c>cosine:steps=T[,floor=F]</c>, <c>linear-warmup:steps=W</c> (also
/// <c>warmup:W</c>), <c>warmup:W+DECAY</c>, <c>wsd:warmup=W,stable=S,decay=D[,floor=F]</c>, <c>inverse-sqrt[:tau=τ]</c>,
/// <c>file:PATH.csv</c>. Every error is an <see cref="InvalidInputException"/> with one sentence naming the option,
/// the bad text and what is allowed.
/// </summary>
internal static class ScheduleSpec
{
    /// <summary>The forms, for messages and help.</summary>
    public const string Forms =
        "constant, step:every=N,factor=F[,max=M], cosine:steps=T[,floor=F], linear-warmup:steps=W, warmup:W+cosine:steps=T (a warmup then a decay), " +
        "wsd:warmup=W,stable=S,decay=D[,floor=F], inverse-sqrt[:tau=τ] or file:PATH.csv";

    /// <param name="spec">The spec text.</param>
    /// <param name="option">The option name for messages, e.g. <c>--lr-schedule</c>.</param>
    /// <returns>The schedule (docs/math.md#schedule-specs).</returns>
    /// <exception cref="InvalidInputException">The text is not one of <see cref="Forms"/>, or a parameter is out of range.</exception>
    public static Schedule Parse(string spec, string option = "schedule")
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new InvalidInputException($"{option} is empty; use {Forms}.");
        spec = spec.Trim();
        var (family, rest) = Split(spec);
        if (family is "warmup" or "linear-warmup" && rest is not null)
        {
            int plus = CompositionPlus(rest);
            if (plus >= 0)
            {
                var first = spec[..(spec.Length - rest.Length + plus)];
                var second = rest[(plus + 1)..];
                long w = WarmupSteps(family, rest[..plus], first, option);
                if (second.Trim().Length == 0)
                    throw new InvalidInputException($"{option} '{spec}' has nothing after the '+'; write a warmup then a decay, e.g. warmup:100+cosine:steps=1000.");
                var decay = Parse(second.Trim(), option);
                return Schedule.WarmupThen(w, decay);
            }
        }
        return ParseSingle(spec, spec, option);
    }

    private static Schedule ParseSingle(string part, string spec, string option)
    {
        var (family, rest) = Split(part);
        switch (family)
        {
            case "constant":
                NoParameters(rest, spec, option, "constant");
                return Schedule.Constant;
            case "step":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "step:every=N,factor=F[,max=M]", ["every", "factor"], ["max"]);
                return Schedule.Step(p.Whole("every"), p.Number("factor"), p.Number("max", double.PositiveInfinity));
            }
            case "cosine":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "cosine:steps=T[,floor=F]", ["steps"], ["floor"]);
                return Schedule.Cosine(p.Whole("steps"), p.Number("floor", 0));
            }
            case "warmup":
            case "linear-warmup":
                return Schedule.LinearWarmup(WarmupSteps(family, rest, spec, option));
            case "wsd":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "wsd:warmup=W,stable=S,decay=D[,floor=F]", ["warmup", "stable", "decay"], ["floor"]);
                return Schedule.Wsd(p.Whole("warmup"), p.Whole("stable"), p.Whole("decay"), p.Number("floor", 0));
            }
            case "inverse-sqrt":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "inverse-sqrt[:tau=τ]", [], ["tau"]);
                return Schedule.InverseSqrt(p.Number("tau", 1));
            }
            case "file":
            {
                var path = rest?.Trim();
                if (string.IsNullOrEmpty(path))
                    throw new InvalidInputException($"{option} '{spec}' names no file; write file:PATH.csv.");
                return ScheduleFile.Read(path);
            }
            default:
                throw new InvalidInputException(family.Length == 0
                    ? $"{option} '{spec}' names no schedule; use {Forms}."
                    : $"{option} '{spec}': unknown schedule '{family}'; use {Forms}.");
        }
    }

    /// <summary>The index in <paramref name="rest"/> of a '+' that starts a second schedule (a letter follows it), or −1.</summary>
    private static int CompositionPlus(string rest)
    {
        for (int i = 0; i < rest.Length; i++)
        {
            if (rest[i] != '+') continue;
            int j = i + 1;
            while (j < rest.Length && rest[j] == ' ') j++;
            if (j == rest.Length || char.IsLetter(rest[j])) return i;
        }
        return -1;
    }

    /// <summary><c>warmup:W</c>, <c>warmup:steps=W</c>, <c>linear-warmup:W</c> or <c>linear-warmup:steps=W</c>.</summary>
    private static long WarmupSteps(string family, string? rest, string spec, string option)
    {
        var text = rest?.Trim() ?? "";
        if (text.StartsWith("steps", StringComparison.OrdinalIgnoreCase) && text.Contains('='))
            text = text[(text.IndexOf('=') + 1)..].Trim();
        if (text.Length == 0)
            throw new InvalidInputException($"{option} '{spec}': {family} needs its length; write {family}:steps=W (or {family}:W), e.g. warmup:100.");
        if (!KeyValues.TryWhole(text, out long w))
            throw new InvalidInputException($"{option} '{spec}': the warmup length '{text}' is not a whole number; write {family}:steps=W, e.g. warmup:100.");
        return w;
    }

    private static (string Family, string? Params) Split(string spec)
    {
        int colon = spec.IndexOf(':');
        return colon < 0 ? (spec.Trim().ToLowerInvariant(), null) : (spec[..colon].Trim().ToLowerInvariant(), spec[(colon + 1)..]);
    }

    private static void NoParameters(string? rest, string spec, string option, string family)
    {
        if (rest is not null && rest.Trim().Length > 0)
            throw new InvalidInputException($"{option} '{spec}': {family} takes no parameters; write just {family}.");
    }
}
