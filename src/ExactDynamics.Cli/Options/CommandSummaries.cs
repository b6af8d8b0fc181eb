using System.Text.RegularExpressions;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// The one line each command gets in <c>exactdyn --help</c> (its own <c>--help</c> keeps the full description), and the
/// clean-up of the parser's generic help text for commands that pass extra tokens on (<c>run</c>).
/// </summary>
internal static partial class CommandSummaries
{
    private static readonly Dictionary<string, string> Lines = new(StringComparer.Ordinal)
    {
        ["risk"] = "The exact expected risk E L_t at each step (no sampling); --plot draws it.",
        ["gap"] = "The asymptotic rate ρ and the contraction gap 1 − ρ (E L_t ∝ ρ^t).",
        ["iterations"] = "Iterations until E L_t reaches a target ε, exact and closed form.",
        ["demo"] = "A one-screen tour: tuned SGD against tuned heavy ball on λ_i = 1/i, d = 200.",
        ["simulate"] = "Monte Carlo simulation of the method on explicit samples (mean risk and its standard error).",
        ["validate"] = "Is a simulated mean-risk curve consistent with the exact one? (z-scores, Bonferroni; exit 0/1).",
        ["ramp"] = "A doubling batch-size ramp against a constant batch at equal gradient cost.",
        ["schedules"] = "Learning-rate schedules at a fixed step budget, each with its base rate tuned.",
        ["optimize-schedule"] = "The learning-rate schedule that minimises the exact final risk at a step budget (L-BFGS, exact gradient).",
        ["inspect"] = "What a data matrix implies: spectrum, kurtosis, dependence and the stable learning rate per batch size.",
        ["tune"] = "The hyperparameters of a family that maximise the gap (or minimise iterations) at a batch size.",
        ["sweep"] = "Tune families over a batch grid: tuned gap, iterations, compute efficiency, method.",
        ["critical-batch"] = "The critical batch size of tuned families, with the tuned method there.",
        ["fit"] = "Fits a power-law or data model to measured curves (with standard errors), then answers with it.",
        ["run"] = "Runs an experiment kept in a JSON file (a command and its options).",
    };

    /// <summary>The one-line summary of <paramref name="command"/>, or null to use the first sentence of its description.</summary>
    public static string? Of(string command) => Lines.GetValueOrDefault(command);

    [GeneratedRegex(@" \[\[--\] <additional arguments>\.\.\.\]\]")]
    private static partial Regex AdditionalUsage();

    [GeneratedRegex(@"\nAdditional Arguments:\n[^\n]*\n(\n|$)")]
    private static partial Regex AdditionalSection();

    /// <summary>The help text without the parser's "additional arguments" wording (run's overrides are described in its own text).</summary>
    public static string CleanHelp(string help)
    {
        var text = help.Replace("\r\n", "\n");
        text = AdditionalUsage().Replace(text, " [--OPTION VALUE …]");
        text = AdditionalSection().Replace(text, "\n");
        return text.Replace("\n", Environment.NewLine);
    }
}
