using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// Options whose values are parsed with the invariant culture and whose parse errors are one sentence naming the
/// option, the bad text and what is allowed.
/// </summary>
internal static class OptionFactory
{
    /// <summary>A real-valued option; <paramref name="showDefault"/> false keeps "[default: …]" out of the help (say what the default means in the description).</summary>
    public static Option<double> Real(string name, string description, double? defaultValue = null, bool required = false, bool showDefault = true)
    {
        var option = new Option<double>(name)
        {
            Description = description,
            Required = required,
            HelpName = "X",
            CustomParser = r =>
            {
                if (r.Tokens.Count == 0) return defaultValue ?? 0;
                var text = r.Tokens[0].Value;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x)) return x;
                r.AddError($"{name} '{text}' is not a number; write a number such as 8, 0.5 or 1e-6.");
                return 0;
            },
        };
        if (defaultValue is double d && showDefault) option.DefaultValueFactory = _ => d;
        return option;
    }

    /// <summary>A whole-number option; <paramref name="showDefault"/> as for <see cref="Real"/>.</summary>
    public static Option<long> Integer(string name, string description, long? defaultValue = null, bool required = false, bool showDefault = true)
    {
        var option = new Option<long>(name)
        {
            Description = description,
            Required = required,
            HelpName = "N",
            CustomParser = r =>
            {
                if (r.Tokens.Count == 0) return defaultValue ?? 0;
                var text = r.Tokens[0].Value;
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x == Math.Floor(x)
                    && x >= long.MinValue && x <= long.MaxValue)
                    return (long)x; // 1e6
                r.AddError($"{name} '{text}' is not a whole number; write an integer such as 1000.");
                return 0;
            },
        };
        if (defaultValue is long d && showDefault) option.DefaultValueFactory = _ => d;
        return option;
    }

    public static Option<string> Text(string name, string helpName, string description, string? defaultValue = null, bool required = false)
    {
        var option = new Option<string>(name) { Description = description, Required = required, HelpName = helpName };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    /// <summary>--format table|csv|json (default table); read it with <see cref="ParseFormat"/>.</summary>
    public static Option<string> Format()
    {
        const string name = "--format";
        return new Option<string>(name)
        {
            Description = "Output: 'table' (aligned text for people), 'csv' or 'json' (for programs; numbers in round-trip precision).",
            HelpName = "table|csv|json",
            DefaultValueFactory = _ => "table",
            CustomParser = r =>
            {
                if (r.Tokens.Count == 0) return "table";
                var text = r.Tokens[0].Value;
                if (TryFormat(text, out _)) return text.ToLowerInvariant();
                r.AddError($"{name} '{text}' is not supported; use table, csv or json.");
                return "table";
            },
        };
    }

    /// <summary>The value of a <see cref="Format"/> option.</summary>
    public static OutputFormat ParseFormat(string? text) =>
        TryFormat(text ?? "table", out var f) ? f : throw new InvalidInputException($"--format '{text}' is not supported; use table, csv or json.");

    private static bool TryFormat(string text, out OutputFormat format)
    {
        switch (text.ToLowerInvariant())
        {
            case "table": format = OutputFormat.Table; return true;
            case "csv": format = OutputFormat.Csv; return true;
            case "json": format = OutputFormat.Json; return true;
            default: format = OutputFormat.Table; return false;
        }
    }

    /// <summary>--plot FILE.png|FILE.svg; check it with <see cref="Plots.Validate"/> before computing, draw with <see cref="Plots"/>.</summary>
    public static Option<string> Plot(string description) => new(Plots.OptionName)
    {
        Description = description + " The format follows the extension (.png or .svg); the file appears complete or not at all.",
        HelpName = "FILE.png|FILE.svg",
    };

    public static Option<string> Out() => new("--out")
    {
        Description = "Write the result to this file instead of stdout; the file appears complete or not at all.",
        HelpName = "FILE",
    };
}
