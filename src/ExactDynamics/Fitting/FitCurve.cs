using ExactDynamics.Methods;

namespace ExactDynamics.Fitting;

/// <summary>
/// One measured curve to fit (docs/math.md#fitting): the value at the recorded steps (the mean excess risk, or a
/// training loss for <see cref="FitObjective.Loss"/>), optionally its standard error, and the method and batch size
/// it was measured with.
/// </summary>
public sealed record FitCurve
{
    /// <param name="label">A name for outputs (e.g. the file name).</param>
    /// <param name="steps">The recorded steps t, strictly increasing, ≥ 0.</param>
    /// <param name="values">The measured value at each step (finite).</param>
    /// <param name="stdErr">The standard error of each value (positive), or null.</param>
    /// <param name="method">The method the curve was measured with.</param>
    /// <param name="batch">The batch size B ≥ 1.</param>
    /// <exception cref="InvalidInputException">The curve is empty, the lengths differ, or a value is out of range.</exception>
    public FitCurve(string label, long[] steps, double[] values, double[]? stdErr, LinearMethod method, double batch)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(method);
        if (steps.Length == 0) throw new InvalidInputException($"The curve {label} is empty; a fit needs at least one measured step.");
        if (values.Length != steps.Length || stdErr is not null && stdErr.Length != steps.Length)
            throw new InvalidInputException($"The curve {label} has {steps.Length} steps but {values.Length} values{(stdErr is null ? "" : $" and {stdErr.Length} standard errors")}; they must match.");
        for (int i = 0; i < steps.Length; i++)
        {
            if (steps[i] < 0 || i > 0 && steps[i] <= steps[i - 1])
                throw new InvalidInputException($"The curve {label} has step {steps[i]} after {(i > 0 ? steps[i - 1] : 0)}; steps must be whole numbers ≥ 0 in increasing order.");
            if (!double.IsFinite(values[i]))
                throw new InvalidInputException($"The curve {label} has a value at t = {steps[i]} that is not a finite number.");
            if (stdErr is not null && !(stdErr[i] > 0 && double.IsFinite(stdErr[i])))
                throw new InvalidInputException($"The curve {label} has the standard error {stdErr[i]} at t = {steps[i]}; a standard error used as a weight must be positive and finite.");
        }
        if (!double.IsFinite(batch) || batch < 1)
            throw new InvalidInputException($"Batch size {batch} of the curve {label} is not allowed; it must be a finite number of at least 1.");
        Label = label;
        Steps = (long[])steps.Clone();
        Values = (double[])values.Clone();
        StdErr = stdErr is null ? null : (double[])stdErr.Clone();
        Method = method;
        Batch = batch;
    }

    /// <summary>A name for outputs.</summary>
    public string Label { get; }

    /// <summary>The recorded steps.</summary>
    public long[] Steps { get; }

    /// <summary>The measured values.</summary>
    public double[] Values { get; }

    /// <summary>The standard errors of the values, or null.</summary>
    public double[]? StdErr { get; }

    /// <summary>The method.</summary>
    public LinearMethod Method { get; }

    /// <summary>The batch size.</summary>
    public double Batch { get; }

    /// <summary>The last recorded step.</summary>
    public long LastStep => Steps[^1];
}
