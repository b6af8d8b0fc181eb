using System.Globalization;
using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// The measured curves of <c>risk --overlay</c>: read, shifted by <c>--overlay-offset</c> (a value, or <c>floor</c> =
/// σ²/2, the part of a training loss ½(y − xᵀw)² that the excess risk E L_t leaves out — docs/math.md#training-loss),
/// with notes on stderr when a column is named <c>loss</c> and when a curve runs beyond <c>--steps</c>.
/// </summary>
internal static class Overlays
{
    /// <summary>The curves to draw, offset applied; notes go to <paramref name="ctx"/>.</summary>
    public static PlotSeries[] Read(IReadOnlyList<string> paths, string? offsetText, Problem problem, long steps, CliContext ctx)
    {
        if (offsetText is not null && paths.Count == 0)
            throw new InvalidInputException("--overlay-offset shifts the curves of --overlay; give --overlay FILE.csv too.");
        double offset = ParseOffset(offsetText, problem.Noise);
        var result = new PlotSeries[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            var (series, column) = MeasuredCurve.ReadFile(paths[i]);
            var name = Path.GetFileName(paths[i]);
            if (column == "loss" && offsetText is null)
                ctx.Note($"exactdyn: note: '{name}' has a loss column; a training loss ½(y − xᵀw)² averages to E L_t + σ²/2 (σ² = --noise), " +
                         "while the exact curve is the excess risk E L_t: add --overlay-offset floor to subtract σ²/2, or --overlay-offset VALUE.");
            double last = series.X.Count > 0 ? series.X.Max() : 0;
            if (last > steps)
                ctx.Note($"exactdyn: note: '{name}' runs to t = {Text(last)}, beyond --steps {steps}: the exact curve stops at t = {steps} (give --steps {Text(Math.Ceiling(last))} to cover it).");
            if (offset != 0)
            {
                series = series with
                {
                    Y = series.Y.Select(y => y - offset).ToArray(),
                    Label = $"{series.Label.Replace(" (measured)", "", StringComparison.Ordinal)} − {Text(offset)} (measured)",
                };
                if (series.Y.Any(y => !(y > 0)))
                    ctx.Note($"exactdyn: note: after subtracting {Text(offset)}, some values of '{name}' are ≤ 0 and are not drawn on the log axis.");
            }
            result[i] = series;
        }
        return result;
    }

    /// <summary>The value --overlay-offset subtracts: a number, or <c>floor</c> = σ²/2.</summary>
    internal static double ParseOffset(string? text, double noise)
    {
        if (text is null) return 0;
        if (text.Trim().Equals("floor", StringComparison.OrdinalIgnoreCase)) return noise / 2;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)) return v;
        throw new InvalidInputException($"--overlay-offset '{text}' is not a number or 'floor'; write e.g. --overlay-offset floor (subtracts σ²/2) or --overlay-offset 0.05.");
    }

    private static string Text(double x) => ResultWriter.Readable(x);
}
