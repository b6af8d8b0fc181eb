using ExactDynamics.Validation.UserCurves;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// <c>validate --plot</c>: two panels, one above the other — the simulated mean with its ±2·stderr band next to the exact
/// E L_t (log scale), and the z-scores z_t = (simulated − exact)/stderr with the Bonferroni bound ±threshold.
/// </summary>
internal static class ValidationPlot
{
    /// <summary>Default size (points) of the two-panel figure.</summary>
    public const int Width = 700, Height = 700;

    /// <summary>Draws <paramref name="v"/> for the curve in <paramref name="file"/> (steps <paramref name="curve"/>) into <paramref name="path"/>.</summary>
    public static void Save(string path, CurveValidation v, SimulatedCurve curve, string file, string method, string problem, FigureSize? size = null)
    {
        var t = curve.Steps.Select(s => (double)s).ToArray();
        var name = Path.GetFileName(file);
        string band = v.Source == StdErrSource.File ? "± 2·stderr (file)" : $"± 2·stderr (proxy, R = {v.Runs})";
        var curves = new PlotSpec($"{method}: simulated against exact\n{problem}", "step t", "risk (log scale)", LogX: false, LogY: true)
        {
            IntegerX = true,
            Series =
            [
                new PlotSeries("exact E L_t", t, v.ExactRisk),
                new PlotSeries($"{name} (simulated)", t, curve.Risk) { Measured = true, Band = v.StdErr.Select(e => 2 * e).ToArray(), BandLabel = band },
            ],
        };
        var c = v.Comparison;
        var zs = new PlotSpec($"z = (simulated − exact)/stderr — {(c.Consistent ? "consistent" : "inconsistent")}", "step t", "z", LogX: false, LogY: false)
        {
            IntegerX = true,
            Series = [new PlotSeries("z_t", c.Steps.Select(s => (double)s).ToArray(), c.Z) { ShowMarkers = true }],
            Guides =
            [
                new PlotGuide(c.Threshold, Vertical: false, $"± {ResultWriter.Readable(c.Threshold, 4)} (Bonferroni, α = {ResultWriter.Readable(c.Alpha)})"),
                new PlotGuide(-c.Threshold, Vertical: false, ""),
                new PlotGuide(0, Vertical: false, ""),
            ],
            LegendAt = ScottPlot.Alignment.LowerRight,
        };
        Plots.SavePanels(path, [curves, zs], columns: 1, size ?? new FigureSize(Width, Height));
    }
}
