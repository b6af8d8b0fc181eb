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

    /// <summary>Optional half-width of a shaded band around the points (e.g. 2·stderr of a measured mean), one per point.</summary>
    public IReadOnlyList<double>? Band { get; init; }

    /// <summary>Label of the band in the legend (e.g. "± 2·stderr").</summary>
    public string? BandLabel { get; init; }
}

/// <summary>
/// A labelled point drawn on top of the lines (e.g. a critical batch size), with a dashed vertical guide. With
/// <see cref="Series"/> set, the point and guide take that series' colour and marker, and the label is written next to
/// the guide at the top of the plot (so it needs no legend entry).
/// </summary>
internal sealed record PlotMarker(double X, double Y, string Label)
{
    /// <summary>Index into <see cref="PlotSpec.Series"/> whose colour the mark takes; null: a black open circle with a legend entry.</summary>
    public int? Series { get; init; }
}

/// <summary>What to draw: title, axis labels, which axes are logarithmic, the lines and the marked points.</summary>
internal sealed record PlotSpec(string Title, string XLabel, string YLabel, bool LogX, bool LogY)
{
    /// <summary>The x values are whole numbers (steps): no ticks between them.</summary>
    public bool IntegerX { get; init; }

    /// <summary>Where the legend goes; null: upper right, or upper left when the lines mostly rise.</summary>
    public Alignment? LegendAt { get; init; }

    /// <summary>Put the legend outside the data area, on the right (always so with more than five series); <see cref="LegendAt"/> is then ignored.</summary>
    public bool LegendOutside { get; init; }

    /// <summary>No legend (e.g. a panel whose neighbour already explains the colours).</summary>
    public bool NoLegend { get; init; }

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

    /// <summary>Default size (points) of a single-plot figure.</summary>
    public const int Width = 900;

    /// <inheritdoc cref="Width"/>
    public const int Height = 560;

    /// <summary>Default size (points) of one panel of a several-panel figure.</summary>
    public const int PanelWidth = 520, PanelHeight = 400;

    /// <summary>The image formats a <c>--plot</c> path may end with.</summary>
    public static readonly string[] Extensions = [".png", ".svg"];

    // Markers that tell the series apart in black-and-white print too (one per series, in order).
    private static readonly MarkerShape[] Shapes =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp, MarkerShape.OpenDiamond,
    ];

    /// <summary>The colour of the series at <paramref name="index"/> (Okabe–Ito palette, in order).</summary>
    internal static Color ColourOf(int index) => Palette[index % Palette.Length];

    /// <summary>The marker of the series at <paramref name="index"/>.</summary>
    internal static MarkerShape ShapeOf(int index) => Shapes[(index + index / Palette.Length) % Shapes.Length]; // colour and marker never both repeat before 64 series

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
    public static void RiskCurves(string path, string title, IReadOnlyList<PlotSeries> curves, FigureSize? size = null) =>
        Save(path, new PlotSpec(title, "step t", "expected risk E L_t (log scale)", LogX: false, LogY: true) { Series = curves, IntegerX = true }, size);

    /// <summary>A log–log line plot (sweeps over batch size, frontiers), optionally with marked points.</summary>
    public static void LogLog(string path, string title, string xLabel, string yLabel, IReadOnlyList<PlotSeries> series,
        IReadOnlyList<PlotMarker>? markers = null, FigureSize? size = null) =>
        Save(path, new PlotSpec(title, xLabel, yLabel, LogX: true, LogY: true) { Series = series, Markers = markers ?? [] }, size);

    /// <summary>Draws <paramref name="spec"/> and writes it to <paramref name="path"/> (.png or .svg, chosen by the extension).</summary>
    public static void Save(string path, PlotSpec spec, FigureSize? size = null)
    {
        Validate(path);
        size ??= FigureSize.Default;
        var (w, h) = size.Resolve(Width, Height);
        using var plot = Build(spec);
        byte[] bytes = IsSvg(path) ? Svg(plot, w, h) : Png(plot, w, h, size.Scale);
        OutputTarget.WriteAtomically(path, OptionName, s => s.Write(bytes));
    }

    /// <summary>
    /// Several plots in one file, <paramref name="columns"/> per row, each panel <see cref="PanelWidth"/>×<see cref="PanelHeight"/>
    /// points unless <paramref name="size"/> gives the whole figure's size — e.g. tuned gap and compute efficiency against
    /// batch size. Each panel is drawn on its own (so an SVG has each text once) and placed in the grid.
    /// </summary>
    public static void SavePanels(string path, IReadOnlyList<PlotSpec> panels, int columns = 2, FigureSize? size = null)
    {
        Validate(path);
        if (panels.Count == 0) throw new ArgumentException("At least one panel is needed.", nameof(panels));
        size ??= FigureSize.Default;
        int cols = Math.Clamp(columns, 1, panels.Count), rows = (panels.Count + cols - 1) / cols;
        var (totalW, totalH) = size.Resolve(cols * PanelWidth, rows * PanelHeight);
        int w = totalW / cols, h = totalH / rows;
        var plots = panels.Select(Build).ToArray();
        try
        {
            byte[] bytes;
            if (IsSvg(path))
            {
                // one SVG per panel, nested at its place in an outer SVG
                System.Xml.Linq.XNamespace ns = "http://www.w3.org/2000/svg";
                var root = new System.Xml.Linq.XElement(ns + "svg",
                    new System.Xml.Linq.XAttribute("width", cols * w), new System.Xml.Linq.XAttribute("height", rows * h),
                    new System.Xml.Linq.XAttribute("viewBox", $"0 0 {cols * w} {rows * h}"));
                for (int k = 0; k < plots.Length; k++)
                {
                    var panel = System.Xml.Linq.XElement.Parse(Encoding.UTF8.GetString(Svg(plots[k], w, h)));
                    panel.SetAttributeValue("x", k % cols * w);
                    panel.SetAttributeValue("y", k / cols * h);
                    root.Add(panel);
                }
                bytes = Encoding.UTF8.GetBytes(root.ToString(System.Xml.Linq.SaveOptions.DisableFormatting));
            }
            else
            {
                double s = size.Scale;
                int pw = (int)Math.Round(w * s), ph = (int)Math.Round(h * s);
                using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(cols * pw, rows * ph));
                surface.Canvas.Clear(SkiaSharp.SKColors.White);
                for (int k = 0; k < plots.Length; k++)
                {
                    using var bitmap = SkiaSharp.SKBitmap.Decode(Png(plots[k], w, h, s));
                    surface.Canvas.DrawBitmap(bitmap, k % cols * pw, k / cols * ph);
                }
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

    private static bool IsSvg(string path) => Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase);

    private static byte[] Svg(Plot plot, int width, int height) =>
        new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(plot.GetSvgXml(width, height));

    /// <summary>A PNG of <paramref name="width"/>×<paramref name="height"/> points at <paramref name="scale"/> pixels per point.</summary>
    private static byte[] Png(Plot plot, int width, int height, double scale)
    {
        plot.ScaleFactor = scale;
        return plot.GetImageBytes((int)Math.Round(width * scale), (int)Math.Round(height * scale), ImageFormat.Png);
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
        int measured = 0;
        for (int index = 0; index < spec.Series.Count; index++)
        {
            var series = spec.Series[index];
            var (x, y) = Transform(series.X, series.Y, spec.LogX, spec.LogY);
            if (x.Length == 0) continue;
            xs.AddRange(x);
            ys.AddRange(y);
            if (series.Measured)
            {
                // measured data in grey tones, markers only, after the computed lines
                var grey = Color.FromHex(measured++ % 2 == 0 ? "#333333" : "#888888");
                if (series.Band is { } band) AddBand(plot, series, band, grey, spec, ys);
                var points = plot.Add.ScatterPoints(x, y, grey);
                points.MarkerSize = x.Length > 300 ? 3 : 5;
                points.MarkerShape = measured == 1 ? MarkerShape.OpenCircle : MarkerShape.OpenSquare;
                points.LegendText = series.Label;
                continue;
            }
            var colour = ColourOf(index);
            if (series.Band is { } b) AddBand(plot, series, b, colour, spec, ys);
            var line = plot.Add.ScatterLine(x, y, colour);
            line.LineWidth = 2;
            line.LegendText = series.Label;
            if (series.ShowMarkers || x.Length == 1)
            {
                line.MarkerSize = 7;
                line.MarkerShape = ShapeOf(index);
            }
        }
        var labelled = new List<(double X, string Label, Color Colour)>();
        foreach (var m in spec.Markers)
        {
            var (x, y) = Transform([m.X], [m.Y], spec.LogX, spec.LogY);
            if (x.Length == 0) continue;
            xs.Add(x[0]);
            ys.Add(y[0]);
            if (m.Series is int si)
            {
                var colour = ColourOf(si);
                var guide = plot.Add.VerticalLine(x[0], 1.5f, colour, LinePattern.Dashed);
                guide.ExcludeFromLegend = true;
                var point = plot.Add.Marker(x[0], y[0], ShapeOf(si), 13, colour);
                point.LegendText = "";
                labelled.Add((x[0], m.Label, colour));
                continue;
            }
            var plain = plot.Add.VerticalLine(x[0], 1, Color.FromHex("#555555"), LinePattern.Dashed);
            plain.ExcludeFromLegend = true;
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
            // labels of coloured guides go in rows above the data (headroom added), never over a line
            var rows = GuideLabelRows(labelled.Select(l => (l.X, l.Label)).ToArray(), xLo, xHi);
            double dataTop = yHi, rowHeight = 0.1 * (yHi - yLo);
            if (rows.Length > 0) yHi += rowHeight * (rows.Max() + 1);
            plot.Axes.SetLimits(xLo, xHi, yLo, yHi);
            if (spec.LogX) plot.Axes.Bottom.TickGenerator = LogTicks(xLo, xHi);
            if (spec.LogY) plot.Axes.Left.TickGenerator = LogTicks(yLo, yHi);
            if (!spec.LogX && spec.IntegerX)
                plot.Axes.Bottom.TickGenerator = new NumericAutomatic { IntegerTicksOnly = true, LabelFormatter = WholeNumber };
            else if (!spec.LogX) plot.Axes.Bottom.TickGenerator = new NumericAutomatic { LabelFormatter = PlainNumber };
            if (!spec.LogY) plot.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = PlainNumber };
            for (int k = 0; k < labelled.Count; k++)
            {
                var (x, label, colour) = labelled[k];
                bool left = rows.Length > 0 && x + LabelWidth(label, xLo, xHi) > xHi; // would run past the right edge: write it leftwards
                var text = plot.Add.Text(label, x, dataTop + rowHeight * (rows[k] + 0.55));
                text.LabelFontColor = colour;
                text.LabelFontSize = 12;
                text.LabelBold = true;
                text.LabelAlignment = left ? Alignment.MiddleRight : Alignment.MiddleLeft;
                text.LabelOffsetX = left ? -3 : 3;
            }
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
        if (spec.Series.Count + spec.Markers.Count + spec.Guides.Count > 0 && !spec.NoLegend)
        {
            if (spec.LegendOutside || spec.Series.Count > 5) plot.ShowLegend(Edge.Right); // many lines: a legend inside would cover some
            else plot.ShowLegend(spec.LegendAt ?? (MostlyRising(spec) ? Alignment.UpperLeft : Alignment.UpperRight));
            plot.Legend.FontSize = 12;
        }
        else plot.HideLegend();
        return plot;
    }

    /// <summary>A shaded band y ± half-width around a series (on a log axis: the band's ends in log10; a non-positive lower end is clipped).</summary>
    private static void AddBand(Plot plot, PlotSeries series, IReadOnlyList<double> halfWidth, Color colour, PlotSpec spec, List<double> ys)
    {
        var bx = new List<double>();
        var lo = new List<double>();
        var hi = new List<double>();
        for (int i = 0; i < series.X.Count && i < halfWidth.Count; i++)
        {
            double x = series.X[i], y = series.Y[i], e = halfWidth[i];
            if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(e) || (spec.LogX && !(x > 0))) continue;
            double top = y + e, bottom = y - e;
            if (spec.LogY)
            {
                if (!(top > 0)) continue;
                bottom = bottom > 0 ? bottom : y > 0 ? y / 100 : top / 100; // clip a band reaching 0 to two decades below
                top = Math.Log10(top);
                bottom = Math.Log10(bottom);
            }
            bx.Add(spec.LogX ? Math.Log10(x) : x);
            lo.Add(bottom);
            hi.Add(top);
        }
        if (bx.Count == 0) return;
        var fill = plot.Add.FillY(bx.ToArray(), lo.ToArray(), hi.ToArray());
        fill.FillColor = colour.WithAlpha(0.18);
        fill.LineWidth = 0;
        fill.LegendText = series.BandLabel ?? "";
        ys.AddRange(lo);
        ys.AddRange(hi);
    }

    /// <summary>Tick labels of a step axis: whole numbers without thousands separators (1000, not 1,000).</summary>
    internal static string WholeNumber(double v) => Math.Round(v).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>Tick labels of a linear axis: invariant, no thousands separators.</summary>
    internal static string PlainNumber(double v) => Math.Abs(v) < 1e-12 ? "0" : v.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>
    /// The row (0 = lowest, just above the data) of each guide label, chosen greedily from left to right so that no two
    /// labels in a row overlap; a label starts at its guide and runs rightwards (leftwards at the right edge).
    /// </summary>
    internal static int[] GuideLabelRows(IReadOnlyList<(double X, string Label)> labels, double xLo, double xHi)
    {
        var rows = new int[labels.Count];
        var rowEnds = new List<double>();
        foreach (var k in Enumerable.Range(0, labels.Count).OrderBy(k => labels[k].X))
        {
            double w = LabelWidth(labels[k].Label, xLo, xHi);
            double start = labels[k].X + w > xHi ? labels[k].X - w : labels[k].X, end = start + w;
            int row = rowEnds.FindIndex(e => e < start);
            if (row < 0) { rowEnds.Add(end); row = rowEnds.Count - 1; }
            else rowEnds[row] = end;
            rows[k] = row;
        }
        return rows;
    }

    /// <summary>Approximate width of a 12-point bold label in data units (a panel's data area is about 420 points wide).</summary>
    private static double LabelWidth(string label, double xLo, double xHi) => (label.Length * 8.0 + 10) / 420 * (xHi - xLo);

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

    /// <summary>A short description of a problem for titles: spectrum, batch size, kurtosis and noise (always stated, defaults too).</summary>
    public static string Describe(Problem problem) =>
        $"{problem.Spectrum.Description}, batch B = {ResultWriter.Readable(problem.Batch)}, {Assumptions(problem)}";

    /// <summary>The same without the batch size (for figures over many batch sizes).</summary>
    public static string DescribeNoBatch(Problem problem) => $"{problem.Spectrum.Description}, {Assumptions(problem)}";

    /// <summary>"kurtosis m4 = 3, noise σ² = 0": the data model a figure assumed.</summary>
    public static string Assumptions(Problem problem) =>
        $"kurtosis {ResultWriter.Readable(problem.Kurtosis)}, noise σ² = {ResultWriter.Readable(problem.Noise)}";

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

    /// <summary>A round value inside a decade as m×10ⁿ (e.g. 2×10⁻³), or 10ⁿ when m = 1 — the same style as the decade labels.</summary>
    internal static string Label(double v)
    {
        int n = (int)Math.Floor(Math.Log10(v) + 1e-9);
        double m = Math.Round(v / Math.Pow(10, n), 2);
        if (m >= 10) { m /= 10; n++; }
        return Math.Abs(m - 1) < 1e-9 ? Decade(n) : $"{m.ToString("0.##", CultureInfo.InvariantCulture)}×{Decade(n)}";
    }

    /// <summary>10ⁿ with superscript digits, for every n (10⁰, 10¹, 10⁻²), so that all log axes read alike.</summary>
    internal static string Decade(int n) => "10" + Superscript(n.ToString(CultureInfo.InvariantCulture));

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
