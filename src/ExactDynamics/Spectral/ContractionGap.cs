using ExactDynamics.Methods;

namespace ExactDynamics.Spectral;

/// <summary>MATH.md §4: ρ and the gap 1 − ρ via the secular equation, solved in gap space.</summary>
public static class ContractionGap
{
    public static GapResult Compute(Problem problem, LinearMethod method) => throw new NotImplementedException();
}
