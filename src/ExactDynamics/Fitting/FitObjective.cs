namespace ExactDynamics.Fitting;

/// <summary>What a fit compares (docs/math.md#fitting).</summary>
public enum FitObjective
{
    /// <summary>The measured values are the mean excess risk E L_t; residuals ln(model) − ln(measured), divided by
    /// stderr/measured when the curves have standard errors.</summary>
    LogRisk,
    /// <summary>The measured values are a loss E L_t + f with a floor f (a parameter); residuals
    /// (model + f − measured)/measured, or /stderr when the curves have standard errors.</summary>
    Loss,
}

/// <summary>Names of <see cref="FitObjective"/> values as written on the command line and in outputs.</summary>
public static class FitObjectives
{
    /// <summary>"log-risk" or "loss".</summary>
    public static string Name(FitObjective objective) => objective == FitObjective.Loss ? "loss" : "log-risk";

    /// <summary>Parses "log-risk" or "loss".</summary>
    /// <exception cref="InvalidInputException">Another name.</exception>
    public static FitObjective Parse(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "log-risk" or "logrisk" or "log" => FitObjective.LogRisk,
        "loss" => FitObjective.Loss,
        _ => throw new InvalidInputException($"Fit objective '{text}' is not known; use log-risk (the measured mean risk, compared in logs) or loss (a loss with a fitted floor)."),
    };
}

/// <summary>Settings of <see cref="CurveFit.Fit"/>.</summary>
public sealed record FitOptions
{
    /// <summary>What is compared (default: the log of the risk).</summary>
    public FitObjective Objective { get; init; } = FitObjective.LogRisk;

    /// <summary>Parameters held at a value (by name).</summary>
    public IReadOnlyDictionary<string, double> Fixed { get; init; } = new Dictionary<string, double>();

    /// <summary>Starting values of free parameters (by name); a guessed parameter is not scanned.</summary>
    public IReadOnlyDictionary<string, double> Guess { get; init; } = new Dictionary<string, double>();

    /// <summary>Levenberg–Marquardt iterations per start (default 200).</summary>
    public int MaxIterations { get; init; } = 200;

    /// <summary>How many of the best scan points start a Levenberg–Marquardt search (default 3).</summary>
    public int Starts { get; init; } = 3;
}
