using System.Globalization;
using ExactDynamics.IO;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Cli.Parsing;

/// <summary>
/// Turns the spec strings of docs/cli.md#specs into library values: <c>powerlaw:a=1,d=200</c> → <see cref="Spectrum"/>,
/// <c>hb:lr=0.3,beta=0.6</c> → <see cref="LinearMethod"/>, <c>power:p=1</c> → initial second moments.
/// Every mistake becomes one <see cref="InvalidInputException"/> sentence that names the bad text and what is allowed.
/// </summary>
internal static class SpecParser
{
    public const string SpectrumFamilies = "powerlaw:a=A,d=D[,scale=S], values:L1,L2,... or file:PATH";
    public const string MethodFamilies =
        "sgd:lr=η, hb:lr=η,beta=β, nesterov:lr=η,beta=β, asgd:lr=δ,kappa=κ,xi=ξ[,small=c], torch:lr=η,momentum=μ[,nesterov=true], sfsgd:lr=γ,beta=β[,momentum=μ] or custom:PATH.json";
    public const string InitFamilies = "isotropic, power:p=P or file:PATH";

    /// <summary><c>powerlaw:a=A,d=D[,scale=S]</c>, <c>values:1,0.5,0.25</c> or <c>file:PATH</c>.</summary>
    /// <summary>A list of steps such as <c>10,1000,1e9</c>: whole numbers ≥ 0, returned sorted and distinct.</summary>
    public static long[] ParseSteps(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new InvalidInputException($"{option} needs at least one step, e.g. {option} 10,1000.");
        var steps = new SortedSet<long>();
        foreach (var p in parts)
        {
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < 0 || v != Math.Floor(v) || v > 9e18)
                throw new InvalidInputException($"{option} value '{p}' is not allowed; steps must be whole numbers ≥ 0 (e.g. 1000 or 1e9).");
            steps.Add((long)v);
        }
        return steps.ToArray();
    }

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
            {
                var path = RequirePath(rest, spec, option, "file:PATH");
                var (spectrum, dropped, tol) = SpectrumFile.ReadDroppingNull(path);
                if (dropped > 0)
                    Notes.Value?.Invoke(
                        $"exactdyn: note: {dropped} of the {spectrum.Dimension + dropped} eigenvalues in '{path}' are zero up to round-off (|λ| ≤ d·ε·λ_max = {tol.ToString("G3", CultureInfo.InvariantCulture)}) and were dropped: " +
                        $"those directions do not change the risk; d = {spectrum.Dimension} from here on.");
                return spectrum;
            }
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
        var (baseSpec, modifiers) = ModifierSpec.Split(spec.Trim());
        var method = ParseBaseMethod(baseSpec);
        if (modifiers.IsNone) return method;
        var template = Schedules.MethodTemplate.FromMethod(method);
        if (modifiers.IsTimeVarying && template.Family == Methods.MethodFamily.Custom)
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
                var p = KeyValues.Parse(rest, spec, option, family, "sfsgd:lr=γ,beta=β[,momentum=μ]", required: ["lr", "beta"], optional: ["momentum"]);
                return ScheduleFree.Create(p.Number("lr"), p.Number("beta"), p.Number("momentum", 0));
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
            : File.Exists(spec.Trim()) && allowed.Contains("file:", StringComparison.Ordinal)
                ? $"{option} '{spec}': there is such a file, but a file is given as file:PATH; write {option} file:{spec.Trim()}."
                : $"{option} '{spec}': unknown {what} family '{family}'; use {allowed}.");

    /// <summary>Where informational notes of the parse go (e.g. eigenvalues dropped); set per run by the CLI, null: nowhere.</summary>
    internal static readonly AsyncLocal<Action<string>?> Notes = new();
}
