using ExactDynamics.Methods;
using ExactDynamics.Numerics;

namespace ExactDynamics.Spectral;

/// <summary>
/// docs/math.md#prefactor: the prefactor C in E L_t ≈ C ρ^t. With the right and left Perron vectors
/// r_i = λ_i(ρI − D_i)⁻¹bb and ℓ_i = λ_i(ρI − D_iᵀ)⁻¹cc (evaluated in gap space, (ρI − D_i) = (I − D_i) − γI,
/// by Sherman–Morrison from the T_i⊗T_i resolvent):
/// C = (Σ_i ℓ_iᵀ s_{0,i}) · (½ Σ_i λ_i oᵀR_i o) / (Σ_i ℓ_iᵀ r_i).
/// When ρ is not a secular root (ρ = z_low) the dominant mode is local to one direction i*; C then uses the local
/// eigenvectors of that direction's own block D_i* + (λ_i*²/B) bb ccᵀ (the cross-coupling is dropped: an asymptotic
/// approximation, reported next to the exact count, never instead of it).
/// </summary>
public static class PerronPrefactor
{
    /// <summary>The prefactor C of <paramref name="method"/> on <paramref name="problem"/>, at the rate already solved for.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="method">The method.</param>
    /// <param name="gap">Its <see cref="ContractionGap.Compute(Problem, LinearMethod)"/> result.</param>
    /// <returns>C in E L_t ≈ C ρ^t; meaningful for a convergent method (NaN when no dominant local mode is found).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static double Compute(Problem problem, LinearMethod method, GapResult gap)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(gap);
        Numerics.CostEstimate.RequireGap(method.K, problem.Spectrum.Dimension, method.Spec);
        (problem, method, var scale) = ProblemScale.Normalise(problem, method); // C scales as the risk
        return scale.RiskToUser(ComputeNormalised(problem, method, gap));
    }

    private static double ComputeNormalised(Problem problem, LinearMethod method, GapResult gap)
    {
        var sys = new ContractionGap.SecularSystem(problem, method);
        var blocks = sys.Blocks;
        int m = blocks.M, d = problem.Spectrum.Dimension;
        var init = problem.Initial;
        double gamma = gap.Gap;
        if (gap.SecularRoot)
        {
            Span<double> x = m <= LocalBlocks.StackDoubles ? stackalloc double[m] : new double[m];
            Span<double> y = m <= LocalBlocks.StackDoubles ? stackalloc double[m] : new double[m];
            double num1 = 0, num2 = 0, den = 0;
            for (int i = 0; i < d; i++)
            {
                double l = sys.Lambda(i);
                if (!blocks.SolveShifted(l, gamma, x, false) || !blocks.SolveShifted(l, gamma, y, true)) continue;
                double g = LocalBlocks.Dot(blocks.CC, x);
                double sm = 1 - sys.KappaPrime(i) * g;
                double scale = l / sm; // r_i = scale·x, ℓ_i = scale·y
                num1 += scale * LocalBlocks.Dot(y, blocks.E0) * init[i];
                num2 += l * scale * LocalBlocks.Dot(blocks.OO, x);
                den += scale * scale * LocalBlocks.Dot(y, x);
            }
            return num1 * 0.5 * num2 / den;
        }
        return LocalPrefactor(problem, sys, gap);
    }

    private static double LocalPrefactor(Problem problem, ContractionGap.SecularSystem sys, GapResult gap)
    {
        int m = sys.Blocks.M, d = problem.Spectrum.Dimension;
        double z = gap.Rho;
        var scratch = new double[m * m];
        // the direction whose own block has the eigenvalue closest to ρ
        int best = -1; double bestDist = double.PositiveInfinity;
        MathNet.Numerics.LinearAlgebra.Factorization.Evd<double>? bestEvd = null;
        int bestIndex = 0;
        for (int i = 0; i < d; i++)
        {
            var local = sys.LocalD(i, scratch, sys.Lambda(i) * sys.Lambda(i) * sys.InvBatch);
            var evd = local.Evd();
            for (int j = 0; j < m; j++)
            {
                var ev = evd.EigenValues[j];
                double dist = Math.Abs(ev.Real - z) + Math.Abs(ev.Imaginary);
                if (dist < bestDist) { bestDist = dist; best = i; bestEvd = evd; bestIndex = j; }
            }
        }
        if (best < 0 || bestEvd is null) return double.NaN;
        var right = bestEvd.EigenVectors.Column(bestIndex);
        var localT = sys.LocalD(best, scratch, sys.Lambda(best) * sys.Lambda(best) * sys.InvBatch).Transpose();
        var evdT = localT.Evd();
        int li = 0; double ld = double.PositiveInfinity;
        for (int j = 0; j < m; j++)
        {
            double dist = Math.Abs(evdT.EigenValues[j].Real - z) + Math.Abs(evdT.EigenValues[j].Imaginary);
            if (dist < ld) { ld = dist; li = j; }
        }
        var left = evdT.EigenVectors.Column(li);
        var blocks = sys.Blocks;
        double l = sys.Lambda(best);
        double num1 = left[0] * problem.Initial[best];
        double num2 = 0.5 * l * right.ToArray().Zip(blocks.OO, (a, b) => a * b).Sum();
        double den = left.DotProduct(right);
        return num1 * num2 / den;
    }
}
