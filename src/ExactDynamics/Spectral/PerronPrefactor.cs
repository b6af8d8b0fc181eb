using ExactDynamics.Methods;

namespace ExactDynamics.Spectral;

/// <summary>MATH.md §4: the prefactor C in E L_t ≈ C ρ^t.</summary>
public static class PerronPrefactor
{
    public static double Compute(Problem problem, LinearMethod method, GapResult gap) => throw new NotImplementedException();
}
