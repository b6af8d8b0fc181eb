using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Dynamics;

/// <summary>E L_T with its gradient with respect to each update's learning rate, momentum and batch size.</summary>
/// <param name="Risk">E L_T (+∞ when the run overflows; the gradients are then meaningless).</param>
/// <param name="Lr">∂E L_T/∂lr_t for t = 0 … T − 1 (null for a custom method).</param>
/// <param name="Momentum">∂E L_T/∂β_t (null when the family has no momentum).</param>
/// <param name="Batch">∂E L_T/∂B_t.</param>
/// <param name="Raw">The gradient with respect to every entry of A_t, b_t, c_t.</param>
public sealed record ScheduleGradientResult(double Risk, double[]? Lr, double[]? Momentum, double[] Batch, StepGradients Raw);

/// <summary>
/// The gradient of the exact final risk E L_T with respect to a schedule (docs/math.md#the-adjoint-of-the-second-moment-recursion):
/// <see cref="StepGradients"/> gives ∂E L_T/∂(A_t, b_t, c_t, B_t) in one backward pass, and the chain rule through the
/// family's (A, b, c)(lr, β) gives ∂/∂lr_t = ⟨∂/∂A_t, ∂A/∂lr⟩ + ⟨∂/∂b_t, ∂b/∂lr⟩ + ⟨∂/∂c_t, ∂c/∂lr⟩ and likewise for β.
/// Every family is affine in its learning rate, so ∂(A, b, c)/∂lr = M(1, β) − M(0, β) exactly; the momentum derivatives
/// are the families' own: heavy ball ∂A/∂β = [[1, −1], [0, 0]]; Nesterov also ∂c/∂β = [1, −1]; PyTorch's rule
/// ∂A/∂μ = [[0, −η], [0, 1]] (nesterov=true: [[0, −2ημ], [0, 1]] and ∂b/∂μ = [η, 0]).
/// </summary>
public static class ScheduleGradient
{
    /// <summary>The gradient of E L_T for a method with schedules, at the values its schedules give for t = 0 … T − 1.</summary>
    public static ScheduleGradientResult Compute(Problem problem, ScheduledMethod scheduled, int steps, long storedDoublesBudget = StepGradients.StoredDoublesBudget)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(scheduled);
        if (steps < 0) throw new InvalidInputException($"Steps {steps} is not allowed; the number of steps must be at least 0.");
        var template = scheduled.Template;
        var lr = template.HasLearningRate ? Enumerable.Range(0, steps).Select(t => scheduled.LrAt(t)).ToArray() : null;
        var mom = template.HasMomentum ? Enumerable.Range(0, steps).Select(t => scheduled.MomentumAt(t)).ToArray() : null;
        var batch = Enumerable.Range(0, steps).Select(t => scheduled.BatchAt(t, problem.Batch)).ToArray();
        return Compute(problem, template, lr, mom, batch, storedDoublesBudget);
    }

    /// <summary>
    /// The gradient of E L_T for the family of <paramref name="template"/> run with learning rates <paramref name="lr"/>,
    /// momenta <paramref name="momentum"/> and batch sizes <paramref name="batch"/> (one per update; T is their length).
    /// A null learning rate or momentum keeps the template's base value; a null batch keeps the problem's.
    /// </summary>
    public static ScheduleGradientResult Compute(Problem problem, MethodTemplate template, IReadOnlyList<double>? lr,
        IReadOnlyList<double>? momentum, IReadOnlyList<double>? batch, long storedDoublesBudget = StepGradients.StoredDoublesBudget) =>
        Compute(problem, template, lr, momentum, batch, storedDoublesBudget, null);

    /// <summary>As the public overload, on <paramref name="directions"/> (a compressed spectrum) instead of the problem's own when given.</summary>
    internal static ScheduleGradientResult Compute(Problem problem, MethodTemplate template, IReadOnlyList<double>? lr,
        IReadOnlyList<double>? momentum, IReadOnlyList<double>? batch, long storedDoublesBudget, WeightedDirections? directions)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(template);
        int steps = lr?.Count ?? momentum?.Count ?? batch?.Count
                    ?? throw new InvalidInputException("A schedule gradient needs at least one of the learning rates, momenta or batch sizes, one per step.");
        if (lr is not null && lr.Count != steps || momentum is not null && momentum.Count != steps || batch is not null && batch.Count != steps)
            throw new InvalidInputException("The learning rates, momenta and batch sizes of a schedule gradient must have one value per step each.");
        if (steps < 1) throw new InvalidInputException("A schedule gradient needs at least one step.");
        if (lr is not null && !template.HasLearningRate)
            throw new InvalidInputException($"A custom method ({template.Base.Spec}) has no named learning rate, so it has no learning-rate gradient.");
        if (momentum is not null && !template.HasMomentum)
            throw new InvalidInputException($"{template.FamilyName} has no momentum parameter, so it has no momentum gradient.");
        double Lr(int t) => lr is null ? template.Lr : lr[Math.Min(t, steps - 1)];
        double Mom(int t) => momentum is null ? template.Momentum : momentum[Math.Min(t, steps - 1)];
        double Batch(int t) => batch is null ? problem.Batch : batch[Math.Min(t, steps - 1)];
        var methods = new LinearMethod[steps + 1];
        for (int t = 0; t <= steps; t++)
        {
            if (t > 0 && Lr(t) == Lr(t - 1) && Mom(t) == Mom(t - 1)) { methods[t] = methods[t - 1]; continue; }
            try { methods[t] = template.Family == MethodFamily.Custom ? template.Base : template.At(Lr(t), Mom(t)); }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"At step {t} the schedule gives {template.FamilyName} lr={LinearMethod.F(Lr(t))}" +
                                                (template.HasMomentum ? $", {template.MomentumName}={LinearMethod.F(Mom(t))}" : "") +
                                                $", which is not allowed ({e.Message.TrimEnd('.')}).", e);
            }
        }
        var raw = directions is null
            ? StepGradients.Compute(problem, t => (methods[t], Batch(t)), steps, storedDoublesBudget)
            : StepGradients.Compute(directions, problem.Kurtosis, problem.Noise, t => (methods[t], Batch(t)), steps, storedDoublesBudget, gradient: true);
        var dBatch = new double[steps];
        for (int t = 0; t < steps; t++) dBatch[t] = raw.DBatch(t);
        double[]? dLr = null, dMom = null;
        if (template.HasLearningRate)
        {
            dLr = new double[steps];
            LinearMethod m1 = template.At(1, Mom(0)), m0 = template.At(0, Mom(0));
            for (int t = 0; t < steps; t++)
            {
                // the derivative direction depends on the momentum only: rebuilt when it changes
                if (t > 0 && !Mom(t).Equals(Mom(t - 1))) (m1, m0) = (template.At(1, Mom(t)), template.At(0, Mom(t)));
                var (u1, u0) = (m1, m0);
                dLr[t] = Contract(raw, t, (p, q) => u1.A(p, q) - u0.A(p, q), p => u1.B[p] - u0.B[p], p => u1.C[p] - u0.C[p]);
            }
        }
        if (template.HasMomentum)
        {
            dMom = new double[steps];
            for (int t = 0; t < steps; t++)
            {
                double eta = Lr(t), mu = Mom(t);
                dMom[t] = template.Family switch
                {
                    MethodFamily.HeavyBall => Contract(raw, t, (p, q) => p == 0 ? (q == 0 ? 1 : -1) : 0, _ => 0, _ => 0),
                    MethodFamily.Nesterov => Contract(raw, t, (p, q) => p == 0 ? (q == 0 ? 1 : -1) : 0, _ => 0, p => p == 0 ? 1 : -1),
                    _ when template.TorchNesterov => Contract(raw, t, (p, q) => (p, q) switch { (0, 1) => -2 * eta * mu, (1, 1) => 1, _ => 0 },
                        p => p == 0 ? eta : 0, _ => 0),
                    _ => Contract(raw, t, (p, q) => (p, q) switch { (0, 1) => -eta, (1, 1) => 1, _ => 0 }, _ => 0, _ => 0),
                };
            }
        }
        return new ScheduleGradientResult(raw.Risk, dLr, dMom, dBatch, raw);
    }

    private static double Contract(StepGradients g, int t, Func<int, int, double> dA, Func<int, double> db, Func<int, double> dc)
    {
        double s = 0;
        for (int p = 0; p < g.K; p++)
        {
            s += g.Db(t, p) * db(p) + g.Dc(t, p) * dc(p);
            for (int q = 0; q < g.K; q++) s += g.DA(t, p, q) * dA(p, q);
        }
        return s;
    }
}
