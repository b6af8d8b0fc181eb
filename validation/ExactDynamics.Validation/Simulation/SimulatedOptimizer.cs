namespace ExactDynamics.Validation.Simulation;

/// <summary>
/// An optimizer the Monte Carlo simulator can run: a factory of per-run states (each worker thread gets its own,
/// reused across the runs it executes, so the state must be fully reset by <see cref="IOptimizerRun.Reset"/>).
/// </summary>
public interface ISimulatedOptimizer
{
    /// <summary>A short name for reports, e.g. <c>torch-literal:lr=0.1,momentum=0.9</c>.</summary>
    string Name { get; }

    /// <summary>A fresh state for a problem of dimension <paramref name="dimension"/>.</summary>
    IOptimizerRun CreateRun(int dimension);
}

/// <summary>One optimizer instance: its parameters and buffers, stepped with stochastic gradients.</summary>
public interface IOptimizerRun
{
    /// <summary>Start from the parameter vector w0 (buffers as the optimizer initialises them).</summary>
    void Reset(ReadOnlySpan<double> w0);

    /// <summary>One optimizer step; must call <see cref="GradientOracle.Gradient"/> exactly as the algorithm does.</summary>
    void Step(GradientOracle oracle);

    /// <summary>The reported iterate whose risk is recorded.</summary>
    ReadOnlySpan<double> Iterate { get; }
}
