namespace ExactDynamics.Validation.Tests;

/// <summary>
/// A test of the full validation grid (minutes of Monte Carlo). Skipped unless the environment variable
/// EXACTDYN_FULL=1 is set; mark it also with [Trait("Category", "Full")] so that
/// <c>EXACTDYN_FULL=1 dotnet test validation/ExactDynamics.Validation.Tests --filter Category=Full</c> runs only these.
/// </summary>
public sealed class FullFactAttribute : FactAttribute
{
    public const string Variable = "EXACTDYN_FULL";

    public FullFactAttribute()
    {
        if (!Enabled) Skip = $"Full validation grid: set {Variable}=1 and run with --filter Category=Full (see validation/README.md).";
    }

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";
}
