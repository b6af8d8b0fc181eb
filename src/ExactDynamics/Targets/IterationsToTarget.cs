using ExactDynamics.Methods;

namespace ExactDynamics.Targets;

/// <summary>Result of MATH.md §5.</summary>
/// <param name="Target">ε.</param>
/// <param name="Exact">First t with E L_t ≤ ε from the exact recursion; null if not reached within the step limit.</param>
/// <param name="ClosedForm">⌈ln(C/ε)/ln(1/ρ)⌉ (0 if C ≤ ε); null when the method diverges.</param>
/// <param name="Crude">ln(L_0/ε)/gap, the cruder estimate the papers quote (+∞ when diverging).</param>
/// <param name="Rho">ρ.</param>
/// <param name="Gap">1 − ρ.</param>
/// <param name="Prefactor">C in E L_t ≈ C ρ^t.</param>
/// <param name="InitialRisk">L_0 = E L_0.</param>
/// <param name="MaxSteps">The step limit used for the exact search.</param>
public sealed record IterationsResult(double Target, long? Exact, long? ClosedForm, double Crude, double Rho, double Gap,
    double Prefactor, double InitialRisk, long MaxSteps);

/// <summary>MATH.md §5: iterations to reach E L_t ≤ ε, exactly and in closed form.</summary>
public static class IterationsToTarget
{
    public const long DefaultMaxSteps = 10_000_000;

    public static IterationsResult Compute(Problem problem, LinearMethod method, double target, long maxSteps = DefaultMaxSteps)
        => throw new NotImplementedException();
}
