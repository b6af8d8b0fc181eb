using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics;

/// <summary>
/// The internal rescaling that keeps every kernel on O(1) numbers (docs/math.md#scale-invariance). The second-moment
/// recursion depends on the eigenvalues and the step vector only through the products λ_i·b, and it is linear in
/// (s, σ²/λ-units): with λ' = 2^(−e) λ, b' = 2^e b, s' = 2^(−f) s and σ'² = 2^(−e−f) σ² every block S_t is 2^(−f) times
/// the original one, so ρ, γ and the local radii are unchanged and E L'_t = 2^(−e−f) E L_t. The exponents are chosen so
/// that λ'_max ∈ [1, 2) and max(s'_max, σ'²) ∈ [1, 2): powers of two make the change exact (bit for bit, unless a value
/// leaves the range of double), and a problem already in that range is left as it is.
/// <para>
/// Refused with a sentence: a spectrum whose ratio λ_i/λ_max is below the smallest normal double (1 − ρ could not be
/// resolved), and a method whose step λ_max·b is below the smallest normal double (it does not move) or above 2^500
/// (ρ would leave the range of double).
/// </para>
/// </summary>
/// <param name="LambdaExponent">e: λ' = 2^(−e) λ, b' = 2^e b.</param>
/// <param name="MomentExponent">f: s' = 2^(−f) s, σ'² = 2^(−e−f) σ².</param>
internal readonly record struct ProblemScale(int LambdaExponent, int MomentExponent)
{
    /// <summary>Smallest normal double 2^(−1022).</summary>
    private const double SmallestNormal = 2.2250738585072014E-308;

    /// <summary>Largest step λ_max·|b_j| accepted (2^500).</summary>
    private static readonly double LargestStep = Math.ScaleB(1.0, 500);

    /// <summary>E L_t = 2^RiskExponent · E L'_t.</summary>
    public int RiskExponent => LambdaExponent + MomentExponent;

    /// <summary>True when the problem is already normalised (nothing is copied).</summary>
    public bool IsIdentity => LambdaExponent == 0 && MomentExponent == 0;

    /// <summary>The exponents for <paramref name="problem"/>: e = ⌊log₂ λ_max⌋, f = ⌊log₂ max(s_max, σ²/2^e)⌋ (0 when
    /// both are 0).</summary>
    public static ProblemScale Of(Problem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        int e = Math.ILogB(problem.Spectrum.Max);
        double smax = 0;
        foreach (var v in problem.Initial) if (v > smax) smax = v;
        int f = int.MinValue;
        if (smax > 0) f = Math.ILogB(smax);
        if (problem.Noise > 0) f = Math.Max(f, Math.ILogB(problem.Noise) - e);
        return new ProblemScale(e, f == int.MinValue ? 0 : f);
    }

    /// <summary>The normalised problem (the same object when <see cref="IsIdentity"/>).</summary>
    public Problem Apply(Problem problem)
    {
        var lam = problem.Spectrum.Values;
        for (int i = 0; i < lam.Length; i++)
            if (Math.ScaleB(lam[i], -LambdaExponent) < SmallestNormal)
                throw new InvalidInputException(
                    $"Eigenvalue number {i + 1} is {Spectrum.Fmt(lam[i])}, less than 2.2e-308 times λ_max = {Spectrum.Fmt(problem.Spectrum.Max)}: " +
                    "the condition number is beyond the range of double, so 1 − ρ cannot be resolved; raise or drop such eigenvalues.");
        if (IsIdentity) return problem;
        var scaled = new double[lam.Length];
        for (int i = 0; i < scaled.Length; i++) scaled[i] = Math.ScaleB(lam[i], -LambdaExponent);
        var init = problem.Initial;
        var s = new double[init.Length];
        for (int i = 0; i < s.Length; i++) s[i] = Math.ScaleB(init[i], -MomentExponent);
        return new Problem(Spectrum.FromValues(scaled, problem.Spectrum.Description), s, problem.Batch, problem.Kurtosis,
            Math.ScaleB(problem.Noise, -RiskExponent));
    }

    /// <summary>The method with b' = 2^e b (the same object when e = 0), after checking that λ_max·b is usable.</summary>
    public LinearMethod Apply(LinearMethod method, double lambdaMax)
    {
        var b = method.B;
        for (int j = 0; j < b.Length; j++)
        {
            double step = Math.Abs(Math.ScaleB(b[j], LambdaExponent));
            if (step == 0) continue;
            if (step < SmallestNormal)
                throw new InvalidInputException(
                    $"The step of {method.Spec} times λ_max = {Spectrum.Fmt(lambdaMax)} is below 2.2e-308: the method does not move in double precision; use a larger learning rate.");
            if (!(step <= LargestStep))
                throw new InvalidInputException(
                    $"The step of {method.Spec} times λ_max = {Spectrum.Fmt(lambdaMax)} is above 1e150: the method diverges so fast that ρ is beyond the range of double; use a smaller learning rate.");
        }
        if (LambdaExponent == 0) return method;
        var scaled = new double[b.Length];
        for (int j = 0; j < scaled.Length; j++) scaled[j] = Math.ScaleB(b[j], LambdaExponent);
        return new LinearMethod(method.MatrixA, scaled, method.C.ToArray(), method.O.ToArray(), method.U.ToArray(), () => method.Spec);
    }

    /// <summary>Both at once: (problem', method').</summary>
    public static (Problem Problem, LinearMethod Method, ProblemScale Scale) Normalise(Problem problem, LinearMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        var scale = Of(problem);
        return (scale.Apply(problem), scale.Apply(method, problem.Spectrum.Max), scale);
    }

    /// <summary>A risk of the normalised problem in the user's units: 2^(e+f) r.</summary>
    public double RiskToUser(double risk) => Math.ScaleB(risk, RiskExponent);

    /// <summary>A risk in the user's units as one of the normalised problem: 2^(−e−f) r.</summary>
    public double RiskToInternal(double risk) => Math.ScaleB(risk, -RiskExponent);

    /// <summary>A step size (learning rate) of the normalised problem in the user's units: 2^(−e) η.</summary>
    public double StepToUser(double step) => Math.ScaleB(step, -LambdaExponent);

    /// <summary>Every value of a normalised risk curve in the user's units, in place.</summary>
    public double[] RiskToUser(double[] risk)
    {
        if (RiskExponent != 0) for (int t = 0; t < risk.Length; t++) risk[t] = Math.ScaleB(risk[t], RiskExponent);
        return risk;
    }
}
