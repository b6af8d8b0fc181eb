using System.Globalization;
using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Tests.Tradeoffs;

/// <summary>A minimal reader of the family spec strings (the CLI has the real parser).</summary>
internal static class SpecStrings
{
    public static LinearMethod Parse(string spec)
    {
        int colon = spec.IndexOf(':');
        var family = MethodFamilies.Parse(spec[..colon]);
        var values = spec[(colon + 1)..].Split(',')
            .Select(kv => kv.Split('='))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture));
        return family.Create(values);
    }
}
