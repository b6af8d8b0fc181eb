using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Numerics;
using ExactDynamics.Spectra;
using ExactDynamics.Targets;

namespace ExactDynamics.Data;

/// <summary>
/// The exact expected risk E L_t of training on a dataset under one of the three fourth-moment models
/// (docs/math.md#three-fourth-moment-models): <see cref="MomentModel.Gaussian"/> runs the library's spectral recursion
/// on the data's eigenvalues and per-direction second moments E e₀ⱼ² (noise σ² = the residual variance);
/// <see cref="MomentModel.Matrix"/> runs <see cref="MatrixMoments"/>; <see cref="MomentModel.Empirical"/> runs
/// <see cref="EmpiricalMoments"/>.
/// </summary>
public static class DataRisk
{
    /// <summary>E L_t for t = 0..steps; once the risk of a divergent run overflows, the rest is +∞ (never NaN).</summary>
    /// <param name="problem">The data, batch and initial error.</param>
    /// <param name="method">The method.</param>
    /// <param name="steps">T ≥ 0.</param>
    /// <param name="model">The fourth-moment model.</param>
    /// <param name="kurtosis">m4 of the Gaussian model (ignored by the others).</param>
    /// <param name="options">Execution settings (threads, SIMD width); results do not depend on them.</param>
    public static double[] Trajectory(DataProblem problem, LinearMethod method, int steps, MomentModel model,
        double kurtosis = 3, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        MethodModifiers.RefuseTail(method, "the exact risk on a data matrix");
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        switch (model)
        {
            case MomentModel.Gaussian:
                return RiskRecursion.Trajectory(GaussianProblem(problem, kurtosis), method, steps, options);
            case MomentModel.Matrix:
            {
                var state = new MatrixMoments(problem, method);
                return Run(steps, state.Risk, () => { state.Step(); return state.Risk; });
            }
            default:
            {
                var state = new EmpiricalMoments(problem, method, options);
                return Run(steps, state.Risk, () => { state.Step(); return state.Risk; });
            }
        }
    }

    /// <summary>
    /// Iterations until E L_t ≤ ε under a fourth-moment model (docs/math.md#data-rates): the gaussian model is the
    /// spectral <see cref="IterationsToTarget.Compute(Problem, LinearMethod, double, long)"/> (closed form included);
    /// the matrix and empirical models step their exact recursion to the first hit, with ρ from <see cref="DataRate"/>
    /// (<see cref="IterationsToTarget.Compute(double, Func{double}, double, double, long)"/>).
    /// </summary>
    public static IterationsResult Iterations(DataProblem problem, LinearMethod method, MomentModel model, double target,
        long maxSteps = IterationsToTarget.DefaultMaxSteps, double kurtosis = 3, ExecutionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        if (model == MomentModel.Gaussian)
            return IterationsToTarget.Compute(GaussianProblem(problem, kurtosis), method, target, maxSteps);
        double rho = DataRate.Compute(problem, method, model, kurtosis, options: options).Rho;
        if (model == MomentModel.Matrix)
        {
            var state = new MatrixMoments(problem, method);
            return IterationsToTarget.Compute(state.Risk, () => { state.Step(); return state.Risk; }, rho, target, maxSteps);
        }
        var empirical = new EmpiricalMoments(problem, method, options);
        return IterationsToTarget.Compute(empirical.Risk, () => { empirical.Step(); return empirical.Risk; }, rho, target, maxSteps);
    }

    private static double[] Run(int steps, double first, Func<double> step)
    {
        var r = new double[steps + 1];
        r[0] = first;
        for (int t = 1; t <= steps; t++)
        {
            double v = step();
            if (!double.IsFinite(v)) { Array.Fill(r, double.PositiveInfinity, t, steps + 1 - t); break; }
            r[t] = v;
        }
        return r;
    }

    /// <summary>The Gaussian-model <see cref="Problem"/> of a data problem: the data's eigenvalues, s_j = E e₀ⱼ²,
    /// kurtosis m4, and σ² = the residual variance (or the independent noise).</summary>
    public static Problem GaussianProblem(DataProblem problem, double kurtosis = 3)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var data = problem.Data;
        var spectrum = Spectrum.FromValues(data.Eigenvalues, $"data ({data.Samples}×{data.Features})");
        double noise = data.HasTarget && problem.WithResiduals ? data.ResidualVariance : problem.Noise;
        return new Problem(spectrum, problem.SecondMoments(), problem.Batch, kurtosis, noise);
    }
}
