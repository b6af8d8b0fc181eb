using System.Globalization;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.Statistics;

namespace ExactDynamics.Validation.CrossCheck;

/// <summary>The method families of the cross-check grid.</summary>
public enum MethodFamily
{
    /// <summary>SGD, literal port.</summary>
    Sgd,
    /// <summary>Heavy ball, literal port.</summary>
    HeavyBall,
    /// <summary>Nesterov, literal port.</summary>
    Nesterov,
    /// <summary>AccSGD optimizer, literal port (exact side: the ASGD tuple of docs/math.md#methods).</summary>
    Asgd,
    /// <summary>torch.optim.SGD with momentum, literal port (exact side: the u = (1, 0) tuple).</summary>
    Torch,
    /// <summary>torch.optim.SGD with nesterov=True, literal port.</summary>
    TorchNesterov,
    /// <summary>A k = 3 custom tuple (heavy ball reporting an exponential moving average of its iterates), run by the
    /// generic (A, b, c, o, u) simulator; exercises o ≠ c and the general-k code path.</summary>
    CustomEma,
}

/// <summary>
/// One cell of the cross-check grid: a method run literally by the simulator, the (A, b, c, o, u) tuple the exact
/// solver uses for it, and the problem. Hyperparameters are derived from the problem (see <see cref="Create"/>).
/// </summary>
public sealed record CrossCheckCase
{
    public required string Name { get; init; }
    public required MethodFamily Family { get; init; }
    public required LinearMethod ExactMethod { get; init; }
    public required ISimulatedOptimizer Simulated { get; init; }
    public required SimulationSettings Settings { get; init; }
    public required string SpectrumLabel { get; init; }
    public double Alpha { get; init; } = CurveComparer.DefaultAlpha;

    public Problem Problem => Settings.ToProblem();

    /// <summary>
    /// Build a case. With m4 the kurtosis and η0 = 1/(λ_max + (tr H + max(m4 − 2, 0) λ_max)/B) (about half the
    /// largest stable SGD step): SGD lr = η0; heavy ball β = 0.5, lr = η0; Nesterov β = 0.5, lr = η0;
    /// torch momentum 0.7, lr = 0.5 η0; torch Nesterov momentum 0.5, lr = 0.5 η0; AccSGD lr = 0.5 η0, kappa = 10,
    /// xi = 2, small = 0.7; custom EMA: β = 0.5, lr = η0, EMA weight 0.8. The learning rate is then multiplied by
    /// 0.7 until the exact contraction factor ρ is below 1 − 1e-4 (a stable method), so every case converges.
    /// </summary>
    public static CrossCheckCase Create(MethodFamily family, Spectrum spectrum, string spectrumLabel, CovariateDistribution covariates,
        double noise, int batch, long steps, long every, int runs, ulong seed)
    {
        double m4 = covariates.Kurtosis;
        double eta0 = 0.5 / (spectrum.Max + (spectrum.Trace + Math.Max(m4 - 2, 0) * spectrum.Max) / batch);
        var baseSettings = new SimulationSettings
        {
            Spectrum = spectrum, Batch = batch, Covariates = covariates, Noise = noise,
            Steps = steps, Every = every, Runs = runs, Seed = seed,
        };
        var problem = baseSettings.ToProblem();
        double scale = 1;
        (LinearMethod exact, ISimulatedOptimizer sim) Build(double s) => family switch
        {
            MethodFamily.Sgd => (Sgd.Create(s * eta0), new SgdLiteral(s * eta0)),
            MethodFamily.HeavyBall => (HeavyBall.Create(s * eta0, 0.5), new HeavyBallLiteral(s * eta0, 0.5)),
            MethodFamily.Nesterov => (Nesterov.Create(s * eta0, 0.5), new NesterovLiteral(s * eta0, 0.5)),
            MethodFamily.Torch => (TorchMomentum.Create(0.5 * s * eta0, 0.7), new TorchSgdLiteral(0.5 * s * eta0, 0.7)),
            MethodFamily.TorchNesterov => (TorchMomentum.Create(0.5 * s * eta0, 0.5, nesterov: true), new TorchSgdLiteral(0.5 * s * eta0, 0.5, nesterov: true)),
            MethodFamily.Asgd => (Asgd.Create(0.5 * s * eta0, 10, 2, 0.7), new AccSgdLiteral(0.5 * s * eta0, 10, 2, 0.7)),
            MethodFamily.CustomEma => EmaHeavyBall(s * eta0, 0.5, 0.8),
            _ => throw new ArgumentOutOfRangeException(nameof(family)),
        };
        var (method, simulated) = Build(scale);
        for (int tries = 0; tries < 60; tries++)
        {
            var gap = ContractionGap.Compute(problem, method);
            if (!gap.Diverges && gap.Rho < 1 - 1e-4) break;
            scale *= 0.7;
            (method, simulated) = Build(scale);
        }
        string name = string.Create(CultureInfo.InvariantCulture,
            $"{FamilyLabel(family)} | {covariates.Spec} | sigma2={noise:G4} | B={batch} | {spectrumLabel}");
        return new CrossCheckCase
        {
            Name = name, Family = family, ExactMethod = method, Simulated = simulated,
            Settings = baseSettings, SpectrumLabel = spectrumLabel,
        };
    }

    /// <summary>Short label of a family.</summary>
    public static string FamilyLabel(MethodFamily f) => f switch
    {
        MethodFamily.Sgd => "sgd",
        MethodFamily.HeavyBall => "hb",
        MethodFamily.Nesterov => "nesterov",
        MethodFamily.Asgd => "asgd (AccSGD port)",
        MethodFamily.Torch => "torch momentum",
        MethodFamily.TorchNesterov => "torch nesterov",
        MethodFamily.CustomEma => "custom k=3 (hb+EMA)",
        _ => f.ToString(),
    };

    /// <summary>
    /// Heavy ball that reports an exponential moving average of its iterates, state (w, w_prev, w̄):
    /// w' = (1+β)w − βw_prev − ηg(w), w̄' = γw̄ + (1−γ)w'. A = [[1+β, −β, 0],[1, 0, 0],[(1−γ)(1+β), −(1−γ)β, γ]],
    /// b = [η, 0, (1−γ)η], c = [1, 0, 0], o = [0, 0, 1], u = 1. Simulated by the generic tuple simulator.
    /// </summary>
    public static (LinearMethod, ISimulatedOptimizer) EmaHeavyBall(double lr, double beta, double gamma)
    {
        var a = new double[,]
        {
            { 1 + beta, -beta, 0 },
            { 1, 0, 0 },
            { (1 - gamma) * (1 + beta), -(1 - gamma) * beta, gamma },
        };
        var m = new LinearMethod(a, [lr, 0, (1 - gamma) * lr], [1, 0, 0], [0, 0, 1], null,
            string.Create(CultureInfo.InvariantCulture, $"custom:hb-ema(lr={lr:R},beta={beta:R},gamma={gamma:R})"));
        return (m, new LinearMethodOptimizer(m));
    }

    /// <summary>The exact curve at the recorded steps.</summary>
    public RiskTrajectory Exact() => RiskRecursion.Run(Problem, ExactMethod, Settings.Steps, Settings.Every);
}
