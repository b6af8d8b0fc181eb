namespace ExactDynamics.Fitting;

/// <summary>One parameter of a fit: its value, and for a free parameter its standard error (delta method from the
/// transformed coordinate θ) and the 95% interval θ ± 1.96·se mapped back (docs/math.md#fitting).</summary>
/// <param name="Parameter">The parameter.</param>
/// <param name="Value">The fitted (or fixed) value.</param>
/// <param name="Fixed">Whether it was held fixed.</param>
/// <param name="StdErr">The standard error in the parameter's own units; null when fixed or not identified.</param>
/// <param name="Lower">Lower end of the 95% interval (null when fixed or not identified).</param>
/// <param name="Upper">Upper end of the 95% interval (null when fixed or not identified).</param>
/// <param name="ThetaStdErr">The standard error of θ (the coordinate the search uses); null when fixed or not identified.</param>
public sealed record FittedParameter(FitParameter Parameter, double Value, bool Fixed, double? StdErr, double? Lower, double? Upper, double? ThetaStdErr)
{
    /// <summary>Free but not determined by the curves (a flat direction of the least-squares objective).</summary>
    public bool NotIdentified => !Fixed && StdErr is null;
}

/// <summary>A measured curve with the fitted model's values and the residuals at its steps.</summary>
/// <param name="Curve">The measured curve.</param>
/// <param name="Model">The fitted model's value at each step (E L_t, plus the floor for the loss objective).</param>
/// <param name="Residuals">The standardised residual at each step (what the least squares sums).</param>
public sealed record FittedCurve(FitCurve Curve, double[] Model, double[] Residuals);

/// <summary>The result of <see cref="CurveFit.Fit"/> (docs/math.md#fitting).</summary>
public sealed record FitResult
{
    /// <summary>The model's description.</summary>
    public required string Model { get; init; }

    /// <summary>What was compared.</summary>
    public required FitObjective Objective { get; init; }

    /// <summary>True when the residuals were divided by the curves' own standard errors (the covariance is then not
    /// rescaled); false when the residual variance sets the scale.</summary>
    public required bool Weighted { get; init; }

    /// <summary>Every parameter, fixed or fitted, in the model's order.</summary>
    public required IReadOnlyList<FittedParameter> Parameters { get; init; }

    /// <summary>The curves with the fitted values and residuals.</summary>
    public required IReadOnlyList<FittedCurve> Curves { get; init; }

    /// <summary>χ² = Σ r² over all rows.</summary>
    public required double ChiSquare { get; init; }

    /// <summary>Number of measured points N.</summary>
    public required int Rows { get; init; }

    /// <summary>Number of free parameters p.</summary>
    public required int FreeParameters { get; init; }

    /// <summary>Levenberg–Marquardt iterations of the best start.</summary>
    public required int Iterations { get; init; }

    /// <summary>Model evaluations (each an exact risk trajectory per curve) in all.</summary>
    public required long Evaluations { get; init; }

    /// <summary>Why the best search stopped (MathNet's exit condition).</summary>
    public required string ExitReason { get; init; }

    /// <summary>The covariance of the free parameters' θ (in the order of the free parameters in <see cref="Parameters"/>;
    /// rows and columns of parameters that are not identified are NaN).</summary>
    public required double[,] ThetaCovariance { get; init; }

    /// <summary>χ²/N.</summary>
    public double ChiSquarePerRow => ChiSquare / Rows;

    /// <summary>χ²/(N − p), the residual variance that scales the covariance when the curves have no standard errors.</summary>
    public double ReducedChiSquare => Rows > FreeParameters ? ChiSquare / (Rows - FreeParameters) : double.NaN;

    /// <summary>The fitted values by name.</summary>
    public IReadOnlyDictionary<string, double> Values => Parameters.ToDictionary(p => p.Parameter.Name, p => p.Value);

    /// <summary>
    /// Pairs of free parameters whose estimates are correlated beyond <paramref name="threshold"/> in |r| (from
    /// <see cref="ThetaCovariance"/>): the curves determine a combination of the two rather than each, and the
    /// linearised standard errors understate how far the pair can move together (docs/math.md#fit-identifiability).
    /// </summary>
    public IReadOnlyList<(string First, string Second, double Correlation)> StrongCorrelations(double threshold = 0.98)
    {
        var free = Parameters.Where(p => !p.Fixed).ToList();
        var pairs = new List<(string, string, double)>();
        for (int i = 0; i < free.Count; i++)
            for (int j = i + 1; j < free.Count; j++)
            {
                double r = ThetaCovariance[i, j] / Math.Sqrt(ThetaCovariance[i, i] * ThetaCovariance[j, j]);
                if (double.IsFinite(r) && Math.Abs(r) > threshold) pairs.Add((free[i].Parameter.Name, free[j].Parameter.Name, r));
            }
        return pairs;
    }

    /// <summary>The parameter of this name.</summary>
    public FittedParameter this[string name] => Parameters.First(p => p.Parameter.Name == name);
}
