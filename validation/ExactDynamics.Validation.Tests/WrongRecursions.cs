using ExactDynamics.Methods;

namespace ExactDynamics.Validation.Tests;

/// <summary>Deliberate mistakes in the exact recursion, for the power tests.</summary>
public sealed record Defects
{
    /// <summary>Leave out (m4 − 2) λ_i² cᵀS_ic.</summary>
    public bool DropKurtosisTerm { get; init; }

    /// <summary>Leave out the rank-one coupling λ_i Σ_j λ_j cᵀS_jc (the tr(HM)H/B term).</summary>
    public bool DropTraceTerm { get; init; }

    /// <summary>Divide the noise bracket by B + 1 instead of B.</summary>
    public bool BatchPlusOne { get; init; }

    /// <summary>Use this m4 instead of the problem's (e.g. 3: assume Gaussian covariates).</summary>
    public double? Kurtosis { get; init; }

    /// <summary>Leave out σ² λ_i.</summary>
    public bool DropNoise { get; init; }

    /// <summary>Start from S_0 = s·vvᵀ with this v instead of the method's state shape u.</summary>
    public double[]? InitialShape { get; init; }

    public static Defects None { get; } = new();
}

/// <summary>
/// A copy of docs/math.md#second-moment-recursion written out over full k×k blocks, with switchable mistakes. Without defects it equals
/// the library's recursion (tested), so any rejection of a defective variant is due to the defect alone.
/// </summary>
public static class WrongRecursions
{
    public static double[] Risk(Problem problem, LinearMethod method, int steps, Defects defects)
    {
        int k = method.K, d = problem.Spectrum.Dimension;
        var lam = problem.Spectrum.ToArray();
        var b = method.B.ToArray(); var c = method.C.ToArray(); var o = method.O.ToArray();
        var u = defects.InitialShape ?? method.U.ToArray();
        double m4 = defects.Kurtosis ?? problem.Kurtosis;
        double batchDivisor = defects.BatchPlusOne ? problem.Batch + 1 : problem.Batch;
        var S = new double[d][,];
        for (int i = 0; i < d; i++)
        {
            S[i] = new double[k, k];
            for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) S[i][p, q] = problem.Initial[i] * u[p] * u[q];
        }
        double Quad(double[,] m, double[] v) { double s = 0; for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) s += v[p] * m[p, q] * v[q]; return s; }
        double RiskOf() { double s = 0; for (int i = 0; i < d; i++) s += lam[i] * Quad(S[i], o); return 0.5 * s; }
        var risk = new double[steps + 1];
        risk[0] = RiskOf();
        for (int t = 1; t <= steps; t++)
        {
            double mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * Quad(S[i], c);
            for (int i = 0; i < d; i++)
            {
                double l = lam[i];
                var T = new double[k, k];
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) T[p, q] = method.A(p, q) - l * b[p] * c[q];
                var next = new double[k, k];
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < k; q++)
                    {
                        double s = 0;
                        for (int r = 0; r < k; r++) for (int w = 0; w < k; w++) s += T[p, r] * S[i][r, w] * T[q, w];
                        next[p, q] = s;
                    }
                double bracket = (defects.DropTraceTerm ? 0 : l * mu)
                                 + (defects.DropKurtosisTerm ? 0 : (m4 - 2) * l * l * Quad(S[i], c))
                                 + (defects.DropNoise ? 0 : problem.Noise * l);
                for (int p = 0; p < k; p++) for (int q = 0; q < k; q++) next[p, q] += b[p] * b[q] * bracket / batchDivisor;
                S[i] = next;
            }
            risk[t] = RiskOf();
        }
        return risk;
    }
}
