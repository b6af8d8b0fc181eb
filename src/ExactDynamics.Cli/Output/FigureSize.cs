using System.Globalization;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// The size of a <c>--plot</c> figure: its layout size in points (<c>--size WxH</c>; null keeps the figure's own
/// default) and a resolution factor (<c>--scale S</c>): a PNG has (W·S)×(H·S) pixels with text and lines scaled alike,
/// so <c>--scale 2</c> is a 2× (about 192 dpi at the default point size) image of the same figure. An SVG is drawn at W×H.
/// </summary>
internal sealed record FigureSize(int? Width = null, int? Height = null, double Scale = 1)
{
    /// <summary>Each figure's own default size at scale 1.</summary>
    public static readonly FigureSize Default = new();

    /// <summary>Smallest and largest accepted side (points) and scale.</summary>
    public const int MinSide = 100, MaxSide = 10000;

    /// <inheritdoc cref="MinSide"/>
    public const double MinScale = 0.25, MaxScale = 8;

    /// <summary>The layout size: the one asked for, else <paramref name="width"/>×<paramref name="height"/>.</summary>
    public (int Width, int Height) Resolve(int width, int height) => (Width ?? width, Height ?? height);

    /// <summary>Parses <c>--size WxH</c> (e.g. <c>700x450</c>; null: the figure's default) and <c>--scale S</c>.</summary>
    public static FigureSize Parse(string? size, double scale)
    {
        if (!double.IsFinite(scale) || scale < MinScale || scale > MaxScale)
            throw new InvalidInputException(
                $"--scale {scale.ToString("R", CultureInfo.InvariantCulture)} is not allowed; give a resolution factor between {MinScale} and {MaxScale.ToString(CultureInfo.InvariantCulture)}, e.g. 2 for a 2× PNG.");
        if (size is null) return new FigureSize(null, null, scale);
        var parts = size.Trim().ToLowerInvariant().Split('x', '×');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h))
            throw new InvalidInputException($"--size '{size}' is not of the form WIDTHxHEIGHT; write e.g. 700x450 (points).");
        if (w < MinSide || h < MinSide || w > MaxSide || h > MaxSide)
            throw new InvalidInputException($"--size '{size}' is not allowed; each side must lie between {MinSide} and {MaxSide} points, e.g. 700x450.");
        return new FigureSize(w, h, scale);
    }
}
