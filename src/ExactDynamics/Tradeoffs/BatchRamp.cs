using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Tradeoffs;

/// <summary>One strategy of a <see cref="BatchRamp"/> comparison.</summary>
/// <param name="Name">constant, ramp or constant-max.</param>
/// <param name="BatchSchedule">The batch schedule (spec, as a multiple of the base batch).</param>
/// <param name="FirstBatch">B_0.</param>
/// <param name="LastBatch">The batch of the last step taken (B_0 when no step was taken).</param>
/// <param name="Steps">Serial steps taken within the gradient budget.</param>
/// <param name="GradientCost">Σ_t B_t over those steps (samples; ≤ the budget).</param>
/// <param name="FinalRisk">E L at the last of those steps (exact).</param>
/// <param name="StepsToMatch">First step at which the risk reaches the constant batch's final risk (null if it does
/// not within the budget).</param>
/// <param name="CostToMatch">Σ B_t up to <paramref name="StepsToMatch"/>.</param>
public sealed record RampRow(string Name, string BatchSchedule, double FirstBatch, double LastBatch, long Steps, double GradientCost, double FinalRisk, long? StepsToMatch, double? CostToMatch);

/// <summary>The result of <see cref="BatchRamp.Compare"/>.</summary>
/// <param name="Budget">The gradient budget G (samples).</param>
/// <param name="DoubleEvery">N: the ramp doubles the batch every N steps.</param>
/// <param name="MaxMultiplier">M: the ramp's cap, as a multiple of the base batch (+∞ = uncapped).</param>
/// <param name="Constant">Constant batch B for ⌊G/B⌋ steps.</param>
/// <param name="Ramp">B·min(M, 2^⌊t/N⌋) for as many steps as the budget pays for.</param>
/// <param name="ConstantMax">Constant batch M·B (the ramp's largest batch) for ⌊G/(MB)⌋ steps; null when the ramp is uncapped.</param>
public sealed record RampComparison(double Budget, long DoubleEvery, double MaxMultiplier, RampRow Constant, RampRow Ramp, RampRow? ConstantMax)
{
    /// <summary>1 − T_ramp/T_constant: the fraction of serial steps the ramp saves at equal gradient budget.</summary>
    /// <summary>Null when either run diverges (its risk overflowed before the budget was spent).</summary>
    public double? SerialSavingAtEqualBudget => Diverges ? null : 1 - (double)Ramp.Steps / Constant.Steps;

    /// <summary>L_ramp / L_constant at equal budget (below 1: the ramp also ends lower); null when either run diverges.</summary>
    public double? RiskRatioAtEqualBudget => Diverges ? null : Ramp.FinalRisk / Constant.FinalRisk;

    /// <summary>1 − T_match/T_constant: the serial saving to reach the constant batch's final risk (null if the ramp does not reach it within the budget).</summary>
    public double? SerialSavingAtEqualRisk => Ramp.StepsToMatch is long m ? 1 - (double)m / Constant.Steps : null;

    /// <summary>True when the constant batch or the ramp diverges (risk overflow).</summary>
    public bool Diverges => !double.IsFinite(Constant.FinalRisk) || !double.IsFinite(Ramp.FinalRisk);
}

/// <summary>
/// Batch-size ramps against a constant batch at equal total gradient cost (docs/schedules.md#batch-ramps): the constant batch B
/// runs ⌊G/B⌋ steps; the doubling ramp B_t = B·min(M, 2^⌊t/N⌋) runs as many steps as Σ B_t ≤ G allows, with the same
/// learning rate and momentum. Everything is exact (the scheduled recursion); nothing is tuned.
/// </summary>
public static class BatchRamp
{
    /// <summary>Most steps one strategy may take (keeps a mistyped budget from running for hours).</summary>
    public const long MaxSteps = 50_000_000;

    /// <summary>Runs the constant batch, the doubling ramp and (with a cap) the constant largest batch on the same budget (docs/math.md#batch-ramps).</summary>
    /// <param name="problem">The problem; its batch is the constant batch B and the ramp's first batch.</param>
    /// <param name="method">The method (learning rate and momentum are the same for every strategy).</param>
    /// <param name="budget">The gradient budget G in samples (Σ_t B_t), at least one batch.</param>
    /// <param name="doubleEvery">N ≥ 1: the ramp doubles the batch every N steps.</param>
    /// <param name="maxMultiplier">M ≥ 1: the ramp's cap as a multiple of B (+∞ = uncapped, and no constant-max row).</param>
    /// <returns>The three strategies and the savings.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="problem"/> or <paramref name="method"/> is null.</exception>
    /// <exception cref="InvalidInputException">The budget, interval or cap is out of range, or a strategy would take more than <see cref="MaxSteps"/> steps.</exception>
    public static RampComparison Compare(Problem problem, LinearMethod method, double budget, long doubleEvery, double maxMultiplier = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(method);
        double b = problem.Batch;
        if (!double.IsFinite(budget) || budget < b)
            throw new InvalidInputException($"Budget {F(budget)} is not allowed; the gradient budget (samples) must be finite and at least one batch ({F(b)}).");
        if (doubleEvery < 1) throw new InvalidInputException($"Doubling interval {doubleEvery} is not allowed; the ramp must double the batch every N ≥ 1 steps.");
        if (double.IsNaN(maxMultiplier) || maxMultiplier < 1)
            throw new InvalidInputException($"Maximum batch multiplier {F(maxMultiplier)} is not allowed; the ramp's cap must be at least 1 (a multiple of the base batch size).");
        if (budget / b > MaxSteps)
            throw new InvalidInputException($"Budget {F(budget)} at batch {F(b)} would take {F(Math.Floor(budget / b))} steps, more than the {MaxSteps} allowed; lower the budget or raise the batch.");
        var template = MethodTemplate.FromMethod(method);

        var constantSm = new ScheduledMethod(template);
        var constant = Run("constant", "constant", problem, constantSm, budget, null);
        var rampSchedule = Schedule.Step(doubleEvery, 2, maxMultiplier);
        double? match = double.IsFinite(constant.FinalRisk) ? constant.FinalRisk : null;
        var ramp = Run("ramp", rampSchedule.Spec, problem, new ScheduledMethod(template, null, null, rampSchedule), budget, match);
        RampRow? constantMax = null;
        if (double.IsFinite(maxMultiplier) && maxMultiplier * b <= budget)
        {
            var maxSchedule = Schedule.FromValues([maxMultiplier], absolute: false, source: null);
            constantMax = Run("constant-max", $"constant ×{F(maxMultiplier)}", problem, new ScheduledMethod(template, null, null, maxSchedule), budget, match);
        }
        return new RampComparison(budget, doubleEvery, maxMultiplier, constant, ramp, constantMax);
    }

    private static RampRow Run(string name, string spec, Problem problem, ScheduledMethod sm, double budget, double? match)
    {
        var state = new SecondMoments(problem, sm);
        double cost = 0;
        long steps = 0;
        long? matchSteps = match is double m0 && state.Risk <= m0 ? 0 : null;
        double? matchCost = matchSteps is null ? null : 0;
        // a relative slack so that Σ B_t = G exactly is not lost to rounding of the sum
        double limit = budget * (1 + 1e-12);
        double first = state.NextBatch, last = first;
        while (steps < MaxSteps)
        {
            double bt = state.NextBatch;
            if (cost + bt > limit) break;
            state.Step();
            cost += bt;
            last = bt;
            steps++;
            if (!double.IsFinite(state.Risk)) break;
            if (matchSteps is null && match is double m && state.Risk <= m) { matchSteps = steps; matchCost = cost; }
        }
        double risk = double.IsFinite(state.Risk) ? state.Risk : double.PositiveInfinity;
        return new RampRow(name, spec, first, last, steps, cost, risk, matchSteps, matchCost);
    }

    private static string F(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
