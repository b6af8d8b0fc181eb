using System.Diagnostics;
using System.Globalization;
using System.Text;
using ExactDynamics.Validation.CrossCheck;
using Xunit.Abstractions;

namespace ExactDynamics.Validation.Tests;

/// <summary>
/// For each case the exact curve lies within the Monte Carlo band at every recorded step
/// (Bonferroni max-|z| test, fixed seeds). The quick subset runs in every <c>dotnet test</c>; the full grid is
/// [FullFact] (EXACTDYN_FULL=1, --filter Category=Full) and writes validation/REPORT.md.
/// </summary>
public class CrossCheckTests(ITestOutputHelper output)
{
    /// <summary>Runs per case in the quick subset.</summary>
    public const int QuickRuns = 2000;

    /// <summary>Runs per case in the full grid.</summary>
    public const int FullRuns = 6000;

    private static readonly Lazy<IReadOnlyList<CrossCheckCase>> QuickGrid = new(() => CrossCheckGrid.Full(QuickRuns));

    /// <summary>
    /// The quick subset: every B = 1 case (all families × covariates × noise × spectra), the B = 7 cases with label
    /// noise for Gaussian and heavy-tailed covariates, and three B = 64 cases with fewer runs.
    /// </summary>
    public static TheoryData<int, string> QuickCases()
    {
        var data = new TheoryData<int, string>();
        var grid = QuickGrid.Value;
        for (int i = 0; i < grid.Count; i++)
        {
            var c = grid[i];
            var s = c.Settings;
            bool pick = s.Batch == 1
                        || s.Batch == 7 && s.Noise > 0 && s.Covariates.Kurtosis != 1
                        || s.Batch == 64 && s.Noise > 0 && c.Family is MethodFamily.Sgd or MethodFamily.TorchNesterov or MethodFamily.CustomEma
                           && s.Covariates.Kurtosis == (c.Family == MethodFamily.Sgd ? 6 : c.Family == MethodFamily.TorchNesterov ? 1 : 3)
                           && c.SpectrumLabel.StartsWith(c.Family == MethodFamily.TorchNesterov ? "fast" : "slow", StringComparison.Ordinal);
            if (pick) data.Add(i, c.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(QuickCases))]
    public void Quick_exact_curve_lies_within_the_Monte_Carlo_band(int index, string name)
    {
        var c = QuickGrid.Value[index];
        if (c.Settings.Batch == 64) c = c with { Settings = c.Settings with { Runs = 1000 } };
        var o = CrossCheckRunner.Run(c);
        output.WriteLine($"{name}: worst z = {o.Comparison.WorstZ:F2} at t = {o.Comparison.WorstStep}, threshold {o.Comparison.Threshold:F2}, rms z {o.Comparison.RmsZ:F2}, sd/mean {o.MaxRelativeSd:F2}, {o.Seconds:F2} s");
        o.Comparison.StepsCompared.ShouldBe(41);
        o.Comparison.Consistent.ShouldBeTrue($"{name}: {o.Comparison.Verdict} (worst z {o.Comparison.WorstZ:F2}, threshold {o.Comparison.Threshold:F2})");
    }

    [Fact]
    public void Grid_has_every_combination_and_every_case_converges()
    {
        var grid = QuickGrid.Value;
        grid.Count.ShouldBe(7 * 3 * 2 * 3 * 2);
        grid.Select(c => c.Name).Distinct().Count().ShouldBe(grid.Count);
        foreach (var c in grid)
        {
            var gap = ExactDynamics.Spectral.ContractionGap.Compute(c.Problem, c.ExactMethod);
            gap.Diverges.ShouldBeFalse(c.Name);
            c.Exact().Overflowed.ShouldBeFalse(c.Name);
        }
    }

    [FullFact]
    [Trait("Category", "Full")]
    public void Full_grid_all_cases_consistent_and_report_written()
    {
        var grid = CrossCheckGrid.Full(FullRuns);
        var outcomes = new List<CrossCheckOutcome>();
        var sw = Stopwatch.StartNew();
        foreach (var c in grid)
        {
            var o = CrossCheckRunner.Run(c);
            outcomes.Add(o);
            output.WriteLine($"{c.Name}: worst z {o.Comparison.WorstZ:F2} at t = {o.Comparison.WorstStep}, {o.Seconds:F1} s");
        }
        var power = PowerCase.All.Select(PowerRunner.Run).ToList();
        double seconds = sw.Elapsed.TotalSeconds;
        var md = CrossCheckReport.Markdown(outcomes, seconds,
            "EXACTDYN_FULL=1 dotnet test -c Release validation/ExactDynamics.Validation.Tests --filter Category=Full",
            [PowerSection(power)]);
        var path = ReportPath();
        File.WriteAllText(path, md);
        output.WriteLine($"wrote {path}");
        var failed = outcomes.Where(o => !o.Comparison.Consistent).Select(o => $"{o.Case.Name}: {o.Comparison.Verdict} (z {o.Comparison.WorstZ:F2})").ToList();
        failed.ShouldBeEmpty();
        foreach (var p in power)
        {
            p.Correct.Consistent.ShouldBeTrue(p.Case.Name);
            p.Wrong.All(w => !w.Comparison.Consistent).ShouldBeTrue(p.Case.Name);
        }
    }

    internal static string PowerSection(IEnumerable<PowerOutcome> power)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("## Power: the same data rejects wrong formulas\n\n");
        sb.Append("Each experiment simulates a literal optimizer once, then compares the same Monte Carlo curve with the exact recursion and with copies of it that contain one deliberate mistake (`WrongRecursions` in the test project). A check that cannot fail is not a check.\n\n");
        sb.Append("| experiment | runs | formula | worst z (at t) | threshold | verdict |\n|---|---|---|---|---|---|\n");
        foreach (var p in power)
        {
            sb.Append(string.Create(ci, $"| {p.Case.Name} | {p.Case.Settings.Runs} | exact (docs/math.md#second-moment-recursion) | {p.Correct.WorstZ:F2} ({p.Correct.WorstStep}) | {p.Correct.Threshold:F2} | {(p.Correct.Consistent ? "consistent" : "**" + p.Correct.Verdict + "**")} |\n"));
            foreach (var (label, cmp) in p.Wrong)
                sb.Append(string.Create(ci, $"| | | {label} | {cmp.WorstZ:F2} ({cmp.WorstStep}) | {cmp.Threshold:F2} | {(cmp.Consistent ? "**not rejected**" : "rejected: " + cmp.Verdict)} |\n"));
        }
        return sb.ToString();
    }

    /// <summary>validation/REPORT.md of the repository (found from the test assembly upwards), or EXACTDYN_REPORT.</summary>
    internal static string ReportPath()
    {
        var overridePath = Environment.GetEnvironmentVariable("EXACTDYN_REPORT");
        if (!string.IsNullOrEmpty(overridePath)) return overridePath;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ExactDynamics.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("Cannot find the repository root (ExactDynamics.sln) above the test assembly; set EXACTDYN_REPORT.");
        return Path.Combine(dir.FullName, "validation", "REPORT.md");
    }
}
