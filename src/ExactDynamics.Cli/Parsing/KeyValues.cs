using System.Globalization;

namespace ExactDynamics.Cli.Parsing;

/// <summary>
/// The one <c>family:key=value,key=value</c> grammar of every spec the command line takes (spectra, methods, initial
/// conditions, schedules): the key=value part, checked against the keys a family takes, with one sentence for every
/// mistake (docs/cli.md#specs).
/// </summary>
internal sealed class KeyValues
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
        if (!SpecParser.TryNumber(text, out var x))
            throw new InvalidInputException(
                $"{_option} '{_spec}': {key}='{text}' is not a number; write a number such as 0.5 or 1e-3 ({_form}).");
        return x;
    }

    public int Integer(string key)
    {
        double x = Number(key);
        if (double.IsFinite(x) && x == Math.Floor(x) && (x < int.MinValue || x > int.MaxValue))
            throw new InvalidInputException(
                $"{_option} '{_spec}': {key}={_values[key]} is too large; it can be at most {int.MaxValue.ToString(CultureInfo.InvariantCulture)} ({_form}).");
        if (!double.IsFinite(x) || x != Math.Floor(x))
            throw new InvalidInputException(
                $"{_option} '{_spec}': {key}={_values[key]} is not a whole number; write an integer such as 200 ({_form}).");
        return (int)x;
    }

    /// <summary>True when the spec gives <paramref name="key"/>.</summary>
    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>A whole number of steps (also written as 1e4), up to 9·10¹⁸.</summary>
    public long Whole(string key)
    {
        var text = _values[key];
        if (!TryWhole(text, out long n))
            throw new InvalidInputException(
                $"{_option} '{_spec}': {key}={text} is not a whole number; write an integer number of steps such as 1000 ({_form}).");
        return n;
    }

    /// <summary>A whole number written as an integer or as a float with no fractional part (1e4).</summary>
    public static bool TryWhole(string text, out long n)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return true;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x) && x == Math.Floor(x)
            && Math.Abs(x) < 9e18)
        {
            n = (long)x;
            return true;
        }
        return false;
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
