using System.Globalization;
using ExactDynamics.Methods;

namespace ExactDynamics.Schedules;

/// <summary>The settings of one update t → t + 1: the method (A, b, c, o, u) and the batch size.</summary>
/// <param name="Method">The linear method for this update.</param>
/// <param name="Batch">B_t (real, ≥ 1; the exact recursion takes it as it is, the Monte Carlo simulator rounds it).</param>
/// <param name="Lr">The learning rate (NaN for a custom method).</param>
/// <param name="Momentum">The momentum (NaN when the family has none).</param>
public sealed record StepSettings(LinearMethod Method, double Batch, double Lr, double Momentum);

/// <summary>The constant tail of a schedule (t → ∞), or why there is none.</summary>
/// <param name="Method">The method the schedules settle to; null when there is no valid one.</param>
/// <param name="Batch">The batch size they settle to (NaN when there is no valid tail).</param>
/// <param name="From">The first step from which every setting is constant; null if some schedule never stops changing.</param>
/// <param name="Reason">Why there is no tail (one sentence), or null.</param>
public sealed record ScheduleTail(LinearMethod? Method, double Batch, long? From, string? Reason);

/// <summary>
/// A method with schedules for its learning rate, momentum and batch size (each optional; null = constant). The value
/// for the update t → t + 1 is: learning rate = base·lr(t) (or lr(t) itself for a <c>value</c> file), momentum =
/// base·momentum(t) (or the value), batch = B·batch(t) (or the value), where the base values come from the
/// <see cref="MethodTemplate"/> and the problem's batch size.
/// </summary>
public sealed class ScheduledMethod
{
    /// <summary>A method with optional schedules (a schedule that keeps the base value at every step is dropped).</summary>
    /// <param name="template">The family and its base values.</param>
    /// <param name="lr">Learning-rate schedule, or null.</param>
    /// <param name="momentum">Momentum schedule, or null.</param>
    /// <param name="batch">Batch-size schedule, or null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="template"/> is null.</exception>
    /// <exception cref="InvalidInputException">The family has no learning rate or momentum for a given schedule (a custom method, or a momentum schedule for SGD or ASGD).</exception>
    public ScheduledMethod(MethodTemplate template, Schedule? lr = null, Schedule? momentum = null, Schedule? batch = null)
    {
        Template = template ?? throw new ArgumentNullException(nameof(template));
        // a schedule that keeps the base value at every step is no schedule: the run is then the constant method's, bit for bit
        LrSchedule = KeepsBase(lr, template.Lr) ? null : lr;
        MomentumSchedule = KeepsBase(momentum, template.Momentum) ? null : momentum;
        BatchSchedule = batch is null || batch.IsIdentity || batch.ConstantFrom == 0 && !batch.IsAbsolute && batch.Value(0) == 1 ? null : batch;
        if (template.Family == MethodFamily.Custom && (LrSchedule is not null || MomentumSchedule is not null))
            throw new InvalidInputException(
                $"A custom method ({template.Base.Spec}) has no named learning rate or momentum, so it cannot take a{(LrSchedule is not null ? " learning-rate" : " momentum")} schedule; only a batch-size schedule applies to it.");
        if (MomentumSchedule is not null && !template.HasMomentum)
            throw new InvalidInputException(
                $"{template.FamilyName} has no momentum parameter, so it cannot take a momentum schedule; use hb, nesterov or torch for a momentum schedule.");
    }

    /// <summary>A method without schedules.</summary>
    public static ScheduledMethod Constant(LinearMethod method) => new(MethodTemplate.FromMethod(method));

    /// <summary>The family and its base values.</summary>
    public MethodTemplate Template { get; }

    /// <summary>The learning-rate schedule; null when the learning rate stays at its base value.</summary>
    public Schedule? LrSchedule { get; }

    /// <summary>The momentum schedule; null when the momentum stays at its base value.</summary>
    public Schedule? MomentumSchedule { get; }

    /// <summary>The batch-size schedule; null when the batch stays at the problem's batch.</summary>
    public Schedule? BatchSchedule { get; }

    /// <summary>True when no setting changes from step to step (no schedule, or only constant ones).</summary>
    public bool IsConstant => BaseIsConstant && Template.Modifiers.TailFraction is null;

    /// <summary>True when the update t → t + 1 is the same at every step, a tail average aside (its window moves with
    /// the horizon, but the recursion of the iterates it averages is constant; docs/math.md#tail-averaging).</summary>
    public bool BaseIsConstant => LrSchedule is null && MomentumSchedule is null && BatchSchedule is null && !Template.Modifiers.IsTimeVarying
                                  && Template.Family != MethodFamily.ScheduleFree;

    /// <summary>The tail fraction F of a tail average (docs/math.md#tail-averaging), or null.</summary>
    public double? TailFraction => Template.Modifiers.TailFraction;

    /// <summary>The method spec followed by the schedules, e.g. <c>hb:lr=0.5,beta=0.9 lr-schedule=cosine:steps=1000</c>.</summary>
    public string Description
    {
        get
        {
            var parts = new List<string> { Template.Base.Spec };
            if (LrSchedule is not null) parts.Add("lr-schedule=" + LrSchedule.Spec);
            if (MomentumSchedule is not null) parts.Add("momentum-schedule=" + MomentumSchedule.Spec);
            if (BatchSchedule is not null) parts.Add("batch-schedule=" + BatchSchedule.Spec);
            return string.Join(' ', parts);
        }
    }

    /// <summary>The learning rate for update t (NaN for a custom method).</summary>
    public double LrAt(long t) => LrSchedule is null ? Template.Lr : Apply(LrSchedule, Template.Lr, t);

    /// <summary>The momentum for update t (NaN when the family has none).</summary>
    public double MomentumAt(long t) => MomentumSchedule is null ? Template.Momentum : Apply(MomentumSchedule, Template.Momentum, t);

    /// <summary>The batch size for update t, from the base batch <paramref name="baseBatch"/>.</summary>
    public double BatchAt(long t, double baseBatch)
    {
        if (BatchSchedule is null) return baseBatch;
        double b = Apply(BatchSchedule, baseBatch, t);
        if (!double.IsFinite(b) || b < 1)
            throw new InvalidInputException(
                $"The batch schedule {BatchSchedule.Spec} gives B = {F(b)} at step {t}; the batch must be a finite number ≥ 1 (raise the base batch size or change the schedule).");
        return b;
    }

    /// <summary>The settings of update t → t + 1 with base batch <paramref name="baseBatch"/>.</summary>
    /// <param name="t">The step.</param>
    /// <param name="baseBatch">B, the problem's batch size.</param>
    /// <param name="previous">The settings of an earlier step, whose method is reused when the learning rate and momentum
    /// are the same (saves building a method per step for piecewise-constant schedules).</param>
    public StepSettings At(long t, double baseBatch, StepSettings? previous = null)
    {
        if (t < 0) throw new ArgumentOutOfRangeException(nameof(t));
        double b = BatchAt(t, baseBatch);
        // the EMA warm-up changes the method at every step until t reaches its end (then the base method holds)
        bool warming = Template.Modifiers.IsTimeVarying && t < Template.Modifiers.ConstantFrom;
        if (Template.Family == MethodFamily.ScheduleFree) return ScheduleFreeAt(t, b);
        if (LrSchedule is null && MomentumSchedule is null && !warming) return new StepSettings(Template.Base, b, Template.Lr, Template.Momentum);
        double lr = LrAt(t), mom = MomentumAt(t);
        if (!Template.Modifiers.IsTimeVarying && previous is not null && previous.Lr.Equals(lr) && previous.Momentum.Equals(mom))
            return previous.Batch.Equals(b) ? previous : previous with { Batch = b };
        LinearMethod method;
        try { method = Template.AtStep(lr, mom, t); }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"At step {t} the schedules give {Template.FamilyName} lr={F(lr)}" +
                                            (Template.HasMomentum ? $", {Template.MomentumName}={F(mom)}" : "") +
                                            $", which is not allowed ({e.Message.TrimEnd('.')}).", e);
        }
        return new StepSettings(method, b, lr, mom);
    }

    private readonly List<double> _sfWeightSums = [];
    private double _sfLrMax;

    /// <summary>Schedule-free SGD's update t → t + 1: averaging weight c_{t+1} = w_t / Σ_{s≤t} w_s with
    /// w_s = (max_{r≤s} γ_r)² (1/(t + 1) for a constant γ; 1 while every weight is still 0).</summary>
    private StepSettings ScheduleFreeAt(long t, double batch)
    {
        double lr = LrAt(t), beta = MomentumAt(t), c;
        if (LrSchedule is null) c = 1.0 / (t + 1);
        else
        {
            double weight, sum;
            lock (_sfWeightSums)
            {
                while (_sfWeightSums.Count <= t)
                {
                    _sfLrMax = Math.Max(_sfLrMax, LrAt(_sfWeightSums.Count));
                    double prev = _sfWeightSums.Count == 0 ? 0 : _sfWeightSums[^1];
                    _sfWeightSums.Add(prev + _sfLrMax * _sfLrMax);
                }
                sum = _sfWeightSums[(int)t];
                weight = sum - (t == 0 ? 0 : _sfWeightSums[(int)t - 1]);
            }
            c = sum > 0 ? weight / sum : 1;
        }
        try { return new StepSettings(Template.ScheduleFreeAt(lr, beta, c, t), batch, lr, beta); }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"At step {t} the schedules give sfsgd lr={F(lr)}, beta={F(beta)}, which is not allowed ({e.Message.TrimEnd('.')}).", e);
        }
    }

    /// <summary>
    /// The constant tail: the settings the schedules reach as t → ∞ (each schedule's <see cref="Schedule.Limit"/>), with
    /// the step from which they hold exactly. No tail when a learning rate decays to 0 (no contraction rate), a batch
    /// grows without bound, or the limits are not a valid method.
    /// </summary>
    public ScheduleTail Tail(double baseBatch)
    {
        if (IsConstant) return new ScheduleTail(Template.Base, baseBatch, 0, null);
        if (Template.Family == MethodFamily.ScheduleFree)
            return new ScheduleTail(null, double.NaN, null, "schedule-free SGD averages with a weight c_t that decays to 0, so it has no constant tail and no contraction rate");
        if (Template.Modifiers.TailFraction is not null)
            return new ScheduleTail(null, double.NaN, null, "a tail average's window moves with the horizon, so it is not one linear recursion and has no constant tail or contraction rate");
        if (Template.Modifiers.UniformFrom is not null)
            return new ScheduleTail(null, double.NaN, null, "a uniform average weighs the new iterate by 1/n → 0, so it has no constant tail and no contraction rate");
        long? from = Template.Modifiers.ConstantFrom;
        foreach (var s in new[] { LrSchedule, MomentumSchedule, BatchSchedule })
        {
            if (s is null) continue;
            from = s.ConstantFrom is long f && from is long g ? Math.Max(f, g) : null;
        }
        double lr = LrSchedule is null ? Template.Lr : Limit(LrSchedule, Template.Lr);
        double mom = MomentumSchedule is null ? Template.Momentum : Limit(MomentumSchedule, Template.Momentum);
        double batch = BatchSchedule is null ? baseBatch : Limit(BatchSchedule, baseBatch);
        if (LrSchedule is not null && !(lr > 0))
            return new ScheduleTail(null, double.NaN, from,
                $"the learning-rate schedule {LrSchedule.Spec} decays to 0, so its tail has no contraction rate (give the decay a floor, e.g. floor=0.1, to describe its tail)");
        if (!double.IsFinite(batch))
            return new ScheduleTail(null, double.NaN, from, $"the batch schedule {BatchSchedule!.Spec} grows without bound, so it has no constant tail");
        if (batch < 1)
            return new ScheduleTail(null, double.NaN, from, $"the batch schedule {BatchSchedule!.Spec} ends at B = {F(batch)}, below 1");
        try
        {
            var method = LrSchedule is null && MomentumSchedule is null ? Template.Base : Template.At(lr, mom);
            return new ScheduleTail(method, batch, from, null);
        }
        catch (InvalidInputException e)
        {
            return new ScheduleTail(null, double.NaN, from, $"the schedules settle to settings that are not a valid method ({e.Message.TrimEnd('.')})");
        }
    }

    private static bool KeepsBase(Schedule? s, double baseValue) =>
        s is null || s.IsIdentity || s.ConstantFrom == 0 && (s.IsAbsolute ? s.Value(0) == baseValue : s.Value(0) == 1);

    private static double Apply(Schedule s, double baseValue, long t) => s.IsAbsolute ? s.Value(t) : baseValue * s.Value(t);

    private static double Limit(Schedule s, double baseValue)
    {
        double l = s.Limit;
        if (s.IsAbsolute) return l;
        return l == 0 ? 0 : baseValue * l;
    }

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
