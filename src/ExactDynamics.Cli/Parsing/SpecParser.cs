using System.Globalization;
using ExactDynamics.IO;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Cli.Parsing;

/// <summary>
/// Turns the spec strings of CLI.md into library values: <c>powerlaw:a=1,d=200</c> → <see cref="Spectrum"/>,
/// <c>hb:lr=0.3,beta=0.6</c> → <see cref="LinearMethod"/>, <c>power:p=1</c> → initial second moments.
/// Every mistake becomes one <see cref="InvalidInputException"/> sentence that names the bad text and what is allowed.
/// </summary>
internal static class SpecParser
{
    public const string SpectrumFamilies = "powerlaw:a=A,d=D[,scale=S], values:L1,L2,... or file:PATH";
    public const string MethodFamilies =
        "sgd:lr=η, hb:lr=η,beta=β, nesterov:lr=η,beta=β, asgd:lr=δ,kappa=κ,xi=ξ[,small=c], torch:lr=η,momentum=μ[,nesterov=true], sfsgd:lr=γ,beta=β or custom:PATH.json";
    public const string InitFamilies = "isotropic, power:p=P or file:PATH";

    /// <summary><c>powerlaw:a=A,d=D[,scale=S]</c>, <c>values:1,0.5,0.25</c> or <c>file:PATH</c>.</summary>
    public static Spectrum ParseSpectrum(string spec)
    {
        const string option = "--spectrum";
        var (family, rest) = Split(spec, option, SpectrumFamilies);
        switch (family)
        {
            case "powerlaw":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "powerlaw:a=A,d=D[,scale=S]", required: ["a", "d"], optional: ["scale"]);
                return Spectrum.PowerLaw(p.Number("a"), p.Integer("d"), p.Number("scale", 1.0));
            }
            case "values":
            {
                if (rest is null || rest.Trim().Length == 0)
                    throw new InvalidInputException($"{option} '{spec}' lists no eigenvalues; write them after the colon, e.g. values:1,0.5,0.25.");
                var items = rest.Split(',');
                var values = new double[items.Length];
                for (int i = 0; i < items.Length; i++)
                {
                    var item = items[i].Trim();
                    if (!TryNumber(item, out values[i]))
                        throw new InvalidInputException($"{option} '{spec}': eigenvalue number {i + 1} '{item}' is not a number; list numbers separated by commas, e.g. values:1,0.5,0.25.");
                }
                return Spectrum.FromValues(values, spec);
            }
            case "file":
                return SpectrumFile.Read(RequirePath(rest, spec, option, "file:PATH"));
            default:
                throw UnknownFamily(family, spec, option, "spectrum", SpectrumFamilies);
        }
    }

    /// <summary>The modifiers any method spec may end with (docs/cli.md).</summary>
    public const string MethodModifierForms = ",wd=λ[,decay=coupled|decoupled] and ,ema=τ[,ema-warmup=true]";

    /// <summary>One of <see cref="MethodFamilies"/>, optionally followed by <see cref="MethodModifierForms"/>
    /// (<see cref="MethodModifiers"/>: weight decay, then an EMA of the weights).</summary>
    public static LinearMethod ParseMethod(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) return ParseBaseMethod(spec);
        var (baseSpec, modifiers) = MethodModifiers.Split(spec.Trim());
        var method = ParseBaseMethod(baseSpec);
        if (modifiers.IsNone) return method;
        var template = Schedules.MethodTemplate.FromMethod(method);
        if (modifiers.IsTimeVarying && template.Family == Schedules.MethodFamily.Custom)
            throw new InvalidInputException($"--method '{spec}': the EMA warm-up and the uniform average change the method at every step, which needs a named family (sgd, hb, nesterov, asgd, torch or sfsgd); for a custom method use a constant ema=τ.");
        return modifiers.Apply(method, template.Lr);
    }

    private static LinearMethod ParseBaseMethod(string spec)
    {
        const string option = "--method";
        var (family, rest) = Split(spec, option, MethodFamilies);
        switch (family)
        {
            case "sgd":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "sgd:lr=η", required: ["lr"], optional: []);
                return Sgd.Create(p.Number("lr"));
            }
            case "hb":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "hb:lr=η,beta=β", required: ["lr", "beta"], optional: []);
                return HeavyBall.Create(p.Number("lr"), p.Number("beta"));
            }
            case "nesterov":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "nesterov:lr=η,beta=β", required: ["lr", "beta"], optional: []);
                return Nesterov.Create(p.Number("lr"), p.Number("beta"));
            }
            case "asgd":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "asgd:lr=δ,kappa=κ,xi=ξ[,small=c]", required: ["lr", "kappa", "xi"], optional: ["small"]);
                return Asgd.Create(p.Number("lr"), p.Number("kappa"), p.Number("xi"), p.Number("small", 0.7));
            }
            case "torch":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "torch:lr=η,momentum=μ[,nesterov=true][,dampening=0]",
                    required: ["lr", "momentum"], optional: ["nesterov", "dampening"]);
                return TorchMomentum.Create(p.Number("lr"), p.Number("momentum"), p.Boolean("nesterov", false), p.Number("dampening", 0));
            }
            case "sfsgd":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "sfsgd:lr=γ,beta=β", required: ["lr", "beta"], optional: []);
                return ScheduleFree.Create(p.Number("lr"), p.Number("beta"));
            }
            case "custom":
                return MethodFile.Read(RequirePath(rest, spec, option, "custom:PATH.json"));
            default:
                throw UnknownFamily(family, spec, option, "method", MethodFamilies);
        }
    }

    /// <summary>
    /// <c>isotropic</c>, <c>power:p=P</c> or <c>file:PATH</c>; the result gives s_i for a dimension d
    /// (null means isotropic, s_i = 1).
    /// </summary>
    public static Func<int, double[]?> ParseInit(string spec)
    {
        const string option = "--init";
        var (family, rest) = Split(spec, option, InitFamilies);
        switch (family)
        {
            case "isotropic":
                if (rest is not null && rest.Trim().Length > 0)
                    throw new InvalidInputException($"{option} '{spec}': isotropic takes no parameters; write just isotropic.");
                return _ => null;
            case "power":
            {
                var p = KeyValues.Parse(rest, spec, option, family, "power:p=P", required: ["p"], optional: []);
                double exponent = p.Number("p");
                return d => InitialCondition.Power(d, exponent);
            }
            case "file":
            {
                var values = VectorFile.Read(RequirePath(rest, spec, option, "file:PATH"));
                return _ => values;
            }
            default:
                throw UnknownFamily(family, spec, option, "initial condition", InitFamilies);
        }
    }

    internal static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static (string Family, string? Parameters) Split(string spec, string option, string allowed)
    {
        if (string.IsNullOrWhiteSpace(spec))
            throw new InvalidInputException($"{option} is empty; use {allowed}.");
        spec = spec.Trim();
        int colon = spec.IndexOf(':');
        return colon < 0
            ? (spec.ToLowerInvariant(), null)
            : (spec[..colon].Trim().ToLowerInvariant(), spec[(colon + 1)..]);
    }

    private static string RequirePath(string? rest, string spec, string option, string form)
    {
        var path = rest?.Trim();
        if (string.IsNullOrEmpty(path))
            throw new InvalidInputException($"{option} '{spec}' names no file; write {form}.");
        return path;
    }

    private static InvalidInputException UnknownFamily(string family, string spec, string option, string what, string allowed) =>
        new(family.Length == 0
            ? $"{option} '{spec}' names no {what} family; use {allowed}."
            : $"{option} '{spec}': unknown {what} family '{family}'; use {allowed}.");

    /// <summary>The <c>key=value,key=value</c> part of a spec, checked against the keys a family takes.</summary>
    private sealed class KeyValues
    {
        private readonly Dictionary<string, string> _values;
        private readonly string _spec, _option, _form;

        private KeyValues(Dictionary<string, string> values, string spec, string option, string form)
        {
            _values = values;
            _spec = spec;
            _option = option;
            _form = form;
        }

        public static KeyValues Parse(string? text, string spec, string option, string family, string form,
            string[] required, string[] optional)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var allowedKeys = string.Join(", ", required.Concat(optional));
            if (text is not null && text.Trim().Length > 0)
            {
                foreach (var raw in text.Split(','))
                {
                    var item = raw.Trim();
                    int eq = item.IndexOf('=');
                    if (eq <= 0)
                        throw new InvalidInputException(
                            $"{option} '{spec}': '{item}' is not of the form key=value; write {form}.");
                    var key = item[..eq].Trim().ToLowerInvariant();
                    var value = item[(eq + 1)..].Trim();
                    if (!required.Contains(key) && !optional.Contains(key))
                        throw new InvalidInputException(
                            $"{option} '{spec}': unknown parameter '{key}' for {family}; it takes {allowedKeys} ({form}).");
                    if (!values.TryAdd(key, value))
                        throw new InvalidInputException($"{option} '{spec}' gives '{key}' twice; give each parameter once ({form}).");
                }
            }
            var missing = required.Where(k => !values.ContainsKey(k)).ToArray();
            if (missing.Length > 0)
                throw new InvalidInputException(
                    $"{option} '{spec}' is missing {(missing.Length == 1 ? "parameter" : "parameters")} {string.Join(" and ", missing)}; write {form}.");
            return new KeyValues(values, spec, option, form);
        }

        public double Number(string key, double? fallback = null)
        {
            if (!_values.TryGetValue(key, out var text))
                return fallback ?? throw new InvalidOperationException($"Parameter {key} is required.");
            if (!TryNumber(text, out var x))
                throw new InvalidInputException(
                    $"{_option} '{_spec}': {key}='{text}' is not a number; write a number such as 0.5 or 1e-3 ({_form}).");
            return x;
        }

        public int Integer(string key)
        {
            double x = Number(key);
            if (!double.IsFinite(x) || x != Math.Floor(x) || x < int.MinValue || x > int.MaxValue)
                throw new InvalidInputException(
                    $"{_option} '{_spec}': {key}={_values[key]} is not a whole number; write an integer such as 200 ({_form}).");
            return (int)x;
        }

        public bool Boolean(string key, bool fallback)
        {
            if (!_values.TryGetValue(key, out var text)) return fallback;
            return text.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                _ => throw new InvalidInputException($"{_option} '{_spec}': {key}='{text}' is not true or false; write {key}=true or {key}=false."),
            };
        }
    }
}
