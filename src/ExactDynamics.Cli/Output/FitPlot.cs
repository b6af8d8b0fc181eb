using ExactDynamics.Fitting;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// <c>fit --plot</c>: two panels, one above the other — each measured curve (points) with the fitted model (line), log
/// scale, with a ±2·stderr band when the curve has standard errors; and the standardised residuals against t, one
/// series per curve.
/// </summary>
internal static class FitPlot
{
    /// <summary>Default size (points) of the two-panel figure.</summary>
    public const int Width = 760, Height = 760;

    public static void Save(string path, FitResult fit, FigureSize size)
    {
        var series = new List<PlotSeries>();
        var residuals = new List<PlotSeries>();
        foreach (var c in fit.Curves)
        {
            var t = c.Curve.Steps.Select(s => (double)s).ToArray();
            string name = $"{c.Curve.Label} ({c.Curve.Method.Spec}, B={ResultWriter.Readable(c.Curve.Batch)})";
            series.Add(new PlotSeries($"{name} fit", t, c.Model));
            var measured = new PlotSeries($"{name} measured", t, c.Curve.Values) { Measured = true };
            if (c.Curve.StdErr is { } se) measured = measured with { Band = se.Select(e => 2 * e).ToArray(), BandLabel = $"{c.Curve.Label} ± 2·stderr" };
            series.Add(measured);
            residuals.Add(new PlotSeries(c.Curve.Label, t, c.Residuals) { ShowMarkers = true });
        }
        string what = fit.Objective == FitObjective.Loss ? "loss (log scale)" : "risk (log scale)";
        var top = new PlotSpec($"Fit of {fit.Model}\nχ²/row {ResultWriter.Readable(fit.ChiSquarePerRow, 3)}", "step t", what, LogX: false, LogY: true)
        {
            IntegerX = true,
            Series = series,
        };
        string unit = fit.Objective == FitObjective.Loss
            ? fit.Weighted ? "(fit − measured)/stderr" : "(fit − measured)/measured"
            : fit.Weighted ? "(ln fit − ln measured)/(stderr/measured)" : "ln fit − ln measured";
        var bottom = new PlotSpec($"Residuals: {unit}", "step t", "residual", LogX: false, LogY: false)
        {
            IntegerX = true,
            Series = residuals,
            Guides = [new PlotGuide(0, Vertical: false, "")],
        };
        Plots.SavePanels(path, [top, bottom], columns: 1, size);
    }
}
