using System.Globalization;
using System.Text;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace ExactDynamics.Cli.Output;

/// <summary>One line of a plot: a legend label and its points (points whose value cannot be drawn on a log axis are skipped).</summary>
internal sealed record PlotSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>Draw a marker at every point (for sweeps on a few batch sizes); curves with many points are plain lines.</summary>
    public bool ShowMarkers { get; init; }

    /// <summary>Measured data (e.g. a user's training curve): markers only, no line, drawn in grey tones after the computed lines.</summary>
    public bool Measured { get; init; }
}

/// <summary>A labelled point drawn on top of the lines (e.g. a critical batch size), with a dashed vertical guide.</summary>
internal sealed record PlotMarker(double X, double Y, string Label);

/// <summary>What to draw: title, axis labels, which axes are logarithmic, the lines and the marked points.</summary>
internal sealed record PlotSpec(string Title, string XLabel, string YLabel, bool LogX, bool LogY)
{
    /// <summary>The x values are whole numbers (steps): no ticks between them.</summary>
    public bool IntegerX { get; init; }

    /// <summary>Where the legend goes; null: upper right, or upper left when the lines mostly rise.</summary>
    public Alignment? LegendAt { get; init; }

    public IReadOnlyList<PlotSeries> Series { get; init; } = [];

    public IReadOnlyList<PlotMarker> Markers { get; init; } = [];

    /// <summary>Dashed reference lines across the whole plot (e.g. the fraction f of CE(1)), in data units.</summary>
    public IReadOnlyList<PlotGuide> Guides { get; init; } = [];
}

/// <summary>A dashed reference line: horizontal at y = <paramref name="Value"/>, or vertical at x = Value; its label goes in the legend.</summary>
internal sealed record PlotGuide(double Value, bool Vertical, string Label);

/// <summary>
/// Headless figures for <c>--plot FILE.png|FILE.svg</c> (ScottPlot): line plots with optional logarithmic axes, a title
/// that says what was computed, axis labels and a legend. Log axes are drawn by plotting log10 of the values with
/// decade ticks labelled 10ⁿ. Files are written atomically, like <c>--out</c>.
/// </summary>
internal static class Plots
{
    public const string OptionName = "--plot";
    public const int Width = 900;
    public const int Height = 560;

    /// <summary>The image formats a <c>--plot</c> path may end with.</summary>
    public static readonly string[] Extensions = [".png", ".svg"];

    // A palette that stays distinguishable in print and for the common colour-vision deficiencies (Okabe–Ito).
    private static readonly Color[] Palette =
    [
        Color.FromHex("#0072B2"), Color.FromHex("#D55E00"), Color.FromHex("#009E73"), Color.FromHex("#CC79A7"),
        Color.FromHex("#E69F00"), Color.FromHex("#56B4E9"), Color.FromHex("#000000"), Color.FromHex("#F0E442"),
    ];

    /// <summary>Checks up front (before any computation) that <paramref name="path"/> is a .png or .svg file that can be created.</summary>
    public static void Validate(string? path)
    {
        if (path is null) return;
        OutputTarget.Validate(path, OptionName);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (!Extensions.Contains(ext))
            throw new InvalidInputException(
                $"{OptionName} '{path}' has {(ext.Length == 0 ? "no extension" : $"the extension '{ext}'")}; name a .png or .svg file, e.g. risk.png.");
    }

    /// <summary>E L_t against t, the risk on a log axis, one line per curve.</summary>
    public static void RiskCurves(string path, string title, IReadOnlyList<PlotSeries> curves) =>
        Save(path, new PlotSpec(title, "step t", "expected risk E L_t (log scale)", LogX: false, LogY: true) { Series = curves, IntegerX = true });

    /// <summary>A log–log line plot (sweeps over batch size, frontiers), optionally with marked points.</summary>
    public static void LogLog(string path, string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series,
        IReadOnlyList<PlotMarker>? markers = null) =>
        Save(path, new PlotSpec(title, xLabel, yLabel, LogX: true, LogY: true) { Series = series, Markers = markers ?? [] });

    /// <summary>Draws <paramref name="spec"/> and writes it to <paramref name="path"/> (.png or .svg, chosen by the extension).</summary>
    public static void Save(string path, PlotSpec spec)
    {
        Validate(path);
        using var plot = Build(spec);
        bool svg = Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase);
        byte[] bytes = svg
            ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(plot.GetSvgXml(Width, Height))
            : plot.GetImageBytes(Width, Height, ImageFormat.Png);
        OutputTarget.WriteAtomically(path, OptionName, s => s.Write(bytes));
    }

    /// <summary>
    /// Several plots in one file, side by side (<paramref name="columns"/> per row), each panel
    /// <see cref="Width"/>·<paramref name="scale"/> wide — e.g. tuned gap and compute efficiency against batch size.
    /// </summary>
    public static void SavePanels(string path, IReadOnlyList<PlotSpec> panels, int columns = 2, double scale = 0.8)
    {
        Validate(path);
        if (panels.Count == 0) throw new ArgumentException("At least one panel is needed.", nameof(panels));
        int cols = Math.Clamp(columns, 1, panels.Count), rows = (panels.Count + cols - 1) / cols;
        int w = (int)(Width * scale), h = (int)(Height * scale);
        var plots = panels.Select(Build).ToArray();
        try
        {
            void Draw(SkiaSharp.SKCanvas canvas)
            {
                canvas.Clear(SkiaSharp.SKColors.White);
                for (int k = 0; k < plots.Length; k++)
                {
                    int r = k / cols, c = k % cols;
                    // Each panel clears its background: keep it inside its own rectangle.
                    canvas.Save();
                    canvas.ClipRect(new SkiaSharp.SKRect(c * w, r * h, (c + 1) * w, (r + 1) * h));
                    plots[k].Render(canvas, new PixelRect(c * w, (c + 1) * w, (r + 1) * h, r * h));
                    canvas.Restore();
                }
            }
            byte[] bytes;
            if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
            {
                using var ms = new MemoryStream();
                using (var canvas = SkiaSharp.SKSvgCanvas.Create(new SkiaSharp.SKRect(0, 0, cols * w, rows * h), ms)) Draw(canvas);
                bytes = ms.ToArray();
            }
            else
            {
                using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(cols * w, rows * h));
                Draw(surface.Canvas);
                using var image = surface.Snapshot();
                using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
                bytes = data.ToArray();
            }
            OutputTarget.WriteAtomically(path, OptionName, s => s.Write(bytes));
        }
        finally
        {
            foreach (var p in plots) p.Dispose();
        }
    }

    /// <summary>The ScottPlot figure for <paramref name="spec"/> (exposed for commands that want to add to it before saving).</summary>
    public static Plot Build(PlotSpec spec)
    {
        var plot = new Plot();
        plot.Font.Set(FontName());
        plot.Title(spec.Title, 15);
        plot.XLabel(spec.XLabel, 14);
        plot.YLabel(spec.YLabel, 14);

        var xs = new List<double>();
        var ys = new List<double>();
        int colour = 0;
        foreach (var series in spec.Series)
        {
            var (x, y) = Transform(series.X, series.Y, spec.LogX, spec.LogY);
            if (x.Length == 0) continue;
            xs.AddRange(x);
            ys.AddRange(y);
            if (series.Measured)
            {
                var points = plot.Add.ScatterPoints(x, y, Palette[colour++ % Palette.Length]);
                points.MarkerSize = x.Length > 300 ? 3 : 5;
                points.MarkerShape = MarkerShape.OpenCircle;
                points.LegendText = series.Label;
                continue;
            }
            var line = plot.Add.ScatterLine(x, y, Palette[colour++ % Palette.Length]);
            line.LineWidth = 2;
            line.LegendText = series.Label;
            if (series.ShowMarkers || x.Length == 1)
            {
                line.MarkerSize = 6;
                line.MarkerShape = MarkerShape.FilledCircle;
            }
        }
        foreach (var m in spec.Markers)
        {
            var (x, y) = Transform([m.X], [m.Y], spec.LogX, spec.LogY);
            if (x.Length == 0) continue;
            xs.Add(x[0]);
            ys.Add(y[0]);
            var guide = plot.Add.VerticalLine(x[0], 1, Color.FromHex("#555555"), LinePattern.Dashed);
            guide.ExcludeFromLegend = true;
            var marker = plot.Add.Marker(x[0], y[0], MarkerShape.OpenCircle, 12, Color.FromHex("#222222"));
            marker.LegendText = m.Label;
        }

        foreach (var g in spec.Guides)
        {
            bool log = g.Vertical ? spec.LogX : spec.LogY;
            if (!double.IsFinite(g.Value) || (log && !(g.Value > 0))) continue;
            double v = log ? Math.Log10(g.Value) : g.Value;
            var color = Color.FromHex("#777777");
            ScottPlot.Plottables.AxisLine line = g.Vertical
                ? plot.Add.VerticalLine(v, 1.5f, color, LinePattern.Dotted)
                : plot.Add.HorizontalLine(v, 1.5f, color, LinePattern.Dotted);
            line.LegendText = g.Label;
            (g.Vertical ? xs : ys).Add(v);
        }

        if (xs.Count > 0)
        {
            var (xLo, xHi) = Padded(xs.Min(), xs.Max(), spec.LogX);
            var (yLo, yHi) = Padded(ys.Min(), ys.Max(), spec.LogY);
            plot.Axes.SetLimits(xLo, xHi, yLo, yHi);
            if (spec.LogX) plot.Axes.Bottom.TickGenerator = LogTicks(xLo, xHi);
            if (spec.LogY) plot.Axes.Left.TickGenerator = LogTicks(yLo, yHi);
            if (!spec.LogX && spec.IntegerX) plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true };
        }
        else
        {
            plot.Add.Annotation("nothing to draw: no finite positive values");
        }
        plot.Grid.MajorLineColor = Color.FromHex("#D9D9D9");
        plot.Grid.MinorLineColor = Color.FromHex("#F0F0F0");
        plot.Grid.MinorLineWidth = 1;
        if (!spec.LogX) plot.Grid.XAxisStyle.MinorLineStyle.Width = 0; // minor lines only between decades
        if (!spec.LogY) plot.Grid.YAxisStyle.MinorLineStyle.Width = 0;
        if (spec.Series.Count + spec.Markers.Count > 0)
        {
            plot.ShowLegend(spec.LegendAt ?? (MostlyRising(spec) ? Alignment.UpperLeft : Alignment.UpperRight));
            plot.Legend.FontSize = 12;
        }
        return plot;
    }

    /// <summary>Whether most lines end higher than they start (then the legend goes to the upper left, out of their way).</summary>
    private static bool MostlyRising(PlotSpec spec)
    {
        int rising = 0, falling = 0;
        foreach (var series in spec.Series)
        {
            var (_, y) = Transform(series.X, series.Y, spec.LogX, spec.LogY);
            if (y.Length < 2) continue;
            if (y[^1] > y[0]) rising++;
            else falling++;
        }
        return rising > falling;
    }

    /// <summary>A short description of a problem for titles: spectrum and batch size, and kurtosis and noise when not the defaults.</summary>
    public static string Describe(Problem problem)
    {
        var text = $"{problem.Spectrum.Description}, batch B = {ResultWriter.Readable(problem.Batch)}";
        if (problem.Kurtosis != 3) text += $", kurtosis {ResultWriter.Readable(problem.Kurtosis)}";
        if (problem.Noise != 0) text += $", noise σ² = {ResultWriter.Readable(problem.Noise)}";
        return text;
    }

    /// <summary>Drops points that cannot be drawn (not finite, or not positive on a log axis) and takes log10 where asked.</summary>
    internal static (double[] X, double[] Y) Transform(IReadOnlyList<double> x, IReadOnlyList<double> y, bool logX, bool logY)
    {
        if (x.Count != y.Count) throw new ArgumentException("A series needs as many x values as y values.");
        var rx = new List<double>(x.Count);
        var ry = new List<double>(y.Count);
        for (int i = 0; i < x.Count; i++)
        {
            double a = x[i], b = y[i];
            if (!double.IsFinite(a) || !double.IsFinite(b)) continue;
            if (logX && !(a > 0)) continue;
            if (logY && !(b > 0)) continue;
            rx.Add(logX ? Math.Log10(a) : a);
            ry.Add(logY ? Math.Log10(b) : b);
        }
        return (rx.ToArray(), ry.ToArray());
    }

    private static (double Lo, double Hi) Padded(double lo, double hi, bool log)
    {
        if (hi - lo < 1e-12)
        {
            double half = log ? 0.5 : Math.Max(Math.Abs(lo) * 0.1, 0.5);
            return (lo - half, hi + half);
        }
        double pad = (hi - lo) * (log ? 0.05 : 0.03);
        return (lo - pad, hi + pad);
    }

    /// <summary>Ticks for an axis that shows log10 of the values (see <see cref="LogTickPositions"/>).</summary>
    internal static NumericManual LogTicks(double lo, double hi)
    {
        var ticks = new NumericManual();
        foreach (var (position, label) in LogTickPositions(lo, hi))
        {
            if (label is null) ticks.AddMinor(position);
            else ticks.AddMajor(position, label);
        }
        return ticks;
    }

    /// <summary>
    /// Tick positions (in log10 units) and labels (null for a minor tick) between <paramref name="lo"/> and <paramref name="hi"/>:
    /// decades labelled 10ⁿ (every 2nd, 5th, 10th, … when there are many), minor ticks at 2..9 within a decade.
    /// </summary>
    internal static List<(double Position, string? Label)> LogTickPositions(double lo, double hi)
    {
        var ticks = new List<(double, string?)>();
        double span = hi - lo;
        if (span < 1.2)
        {
            // Less than about a decade: label a few round values inside the range.
            foreach (var v in RoundValuesIn(Math.Pow(10, lo), Math.Pow(10, hi))) ticks.Add((Math.Log10(v), Label(v)));
            return ticks;
        }
        int first = (int)Math.Ceiling(lo), last = (int)Math.Floor(hi);
        // Label every decade, or every 2nd, 5th, 10th, 20th, … when there are many, on multiples of that step.
        int step = 1;
        for (int k = 0; (last - first) / step > 9; k++) step = (k % 3) switch { 0 => 2, 1 => 5, _ => 10 } * (int)Math.Pow(10, k / 3);
        bool decadeMinors = (last - first) <= 60;
        for (int n = (int)Math.Floor(lo); n <= last; n++)
        {
            if (n >= first && n % step == 0) ticks.Add((n, Decade(n)));
            else if (n >= first && decadeMinors) ticks.Add((n, null));
            if (step == 1 && span <= 12)
            {
                for (int m = 2; m <= 9; m++)
                {
                    double v = n + Math.Log10(m);
                    if (v > lo && v < hi) ticks.Add((v, null));
                }
            }
        }
        return ticks;
    }

    private static IEnumerable<double> RoundValuesIn(double lo, double hi)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(hi - lo)));
        foreach (var mult in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            double step = magnitude * mult / 2;
            var values = new List<double>();
            for (double v = Math.Ceiling(lo / step) * step; v <= hi; v += step) if (v > 0) values.Add(v);
            if (values.Count <= 6) return values;
        }
        return [lo, hi];
    }

    private static string Label(double v) => ResultWriter.Readable(v, 3);

    /// <summary>10ⁿ with superscript digits (1 and 10 for n = 0, 1).</summary>
    internal static string Decade(int n) => n switch
    {
        0 => "1",
        1 => "10",
        _ => "10" + Superscript(n.ToString(CultureInfo.InvariantCulture)),
    };

    private static string Superscript(string digits)
    {
        var sb = new StringBuilder(digits.Length);
        foreach (var c in digits)
        {
            sb.Append(c switch
            {
                '-' => '⁻',
                '0' => '⁰',
                '1' => '¹',
                '2' => '²',
                '3' => '³',
                '4' => '⁴',
                '5' => '⁵',
                '6' => '⁶',
                '7' => '⁷',
                '8' => '⁸',
                '9' => '⁹',
                _ => c,
            });
        }
        return sb.ToString();
    }

    /// <summary>A font that has the Greek letters and superscripts the labels use, when one is installed.</summary>
    private static string FontName()
    {
        var installed = SkiaSharp.SKFontManager.Default.GetFontFamilies();
        foreach (var name in new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica" })
        {
            if (installed.Contains(name, StringComparer.OrdinalIgnoreCase)) return name;
        }
        return Fonts.Default;
    }
}
