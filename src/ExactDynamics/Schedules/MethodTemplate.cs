using System.Globalization;
using ExactDynamics.Methods;

namespace ExactDynamics.Schedules;

/// <summary>
/// A method family with its base hyperparameters, which yields the <see cref="LinearMethod"/> for any learning rate and
/// momentum (docs/math.md#methods). The learning rate is η for SGD, heavy ball, Nesterov and PyTorch's rule and the short step δ
/// for ASGD (whose long step κ̃δ/c scales with it); the momentum is β (heavy ball, Nesterov) or μ (PyTorch). SGD and
/// ASGD have no momentum; a custom method has neither.
/// <para>For a positive learning rate the method is built by the family's own <c>Create</c>, so a schedule that keeps the
/// base values yields exactly the same matrices as the constant method. A learning rate of 0 (the end of a cosine or WSD
/// decay) is allowed here: the update then only carries the momentum.</para>
/// </summary>
public sealed class MethodTemplate
{
    private MethodTemplate(MethodFamily family, LinearMethod baseMethod, double lr, double momentum, double kappa = double.NaN,
        double xi = double.NaN, double small = 0.7, bool torchNesterov = false)
    {
        Family = family;
        Base = baseMethod;
        Lr = lr;
        Momentum = momentum;
        Kappa = kappa;
        Xi = xi;
        Small = small;
        TorchNesterov = torchNesterov;
    }

    /// <summary>The family, which says which hyperparameters a schedule can vary.</summary>
    public MethodFamily Family { get; }

    /// <summary>The method at the base values.</summary>
    public LinearMethod Base { get; }

    /// <summary>Base learning rate (η, or δ for ASGD); NaN for a custom method.</summary>
    public double Lr { get; }

    /// <summary>Base momentum (β or μ); NaN when the family has none.</summary>
    public double Momentum { get; }

    /// <summary>ASGD's long-step parameter κ̃ (NaN for the other families).</summary>
    public double Kappa { get; }

    /// <summary>ASGD's statistical-advantage parameter ξ (NaN for the other families).</summary>
    public double Xi { get; }

    /// <summary>ASGD's small constant c (0.7 unless given).</summary>
    public double Small { get; }

    /// <summary>For the PyTorch rule: <c>nesterov=True</c>.</summary>
    public bool TorchNesterov { get; }

    /// <summary>True when the family has a named learning rate (every family but a custom method).</summary>
    public bool HasLearningRate => Family != MethodFamily.Custom;

    /// <summary>True when the family has a momentum (heavy ball, Nesterov, PyTorch's rule, schedule-free).</summary>
    public bool HasMomentum => Family is MethodFamily.HeavyBall or MethodFamily.Nesterov or MethodFamily.Torch or MethodFamily.ScheduleFree;

    /// <summary>The family's name for its momentum parameter (beta or momentum).</summary>
    public string MomentumName => Family == MethodFamily.Torch ? "momentum" : "beta";

    /// <summary>The family's spec prefix (sgd, hb, nesterov, asgd, torch, custom).</summary>
    public string FamilyName => Family.Name();

    /// <summary>SGD with base learning rate <paramref name="lr"/>.</summary>
    /// <param name="lr">η &gt; 0.</param>
    /// <returns>The template; its <see cref="Base"/> is <see cref="Methods.Sgd.Create(double)"/>.</returns>
    /// <exception cref="InvalidInputException">η is not positive and finite.</exception>
    public static MethodTemplate Sgd(double lr) => new(MethodFamily.Sgd, Methods.Sgd.Create(lr), lr, double.NaN);

    /// <summary>Heavy ball with base learning rate <paramref name="lr"/> and momentum <paramref name="beta"/>.</summary>
    /// <param name="lr">η &gt; 0.</param>
    /// <param name="beta">β ∈ [0, 1).</param>
    /// <returns>The template; its <see cref="Base"/> is <see cref="Methods.HeavyBall.Create(double, double)"/>.</returns>
    /// <exception cref="InvalidInputException">η or β is out of range.</exception>
    public static MethodTemplate HeavyBall(double lr, double beta) => new(MethodFamily.HeavyBall, Methods.HeavyBall.Create(lr, beta), lr, beta);

    /// <summary>Nesterov with base learning rate <paramref name="lr"/> and momentum <paramref name="beta"/>.</summary>
    /// <param name="lr">η &gt; 0.</param>
    /// <param name="beta">β ∈ [0, 1).</param>
    /// <returns>The template; its <see cref="Base"/> is <see cref="Methods.Nesterov.Create(double, double)"/>.</returns>
    /// <exception cref="InvalidInputException">η or β is out of range.</exception>
    public static MethodTemplate Nesterov(double lr, double beta) => new(MethodFamily.Nesterov, Methods.Nesterov.Create(lr, beta), lr, beta);

    /// <summary>ASGD with base short step <paramref name="lr"/> (docs/math.md#asgd).</summary>
    /// <param name="lr">δ &gt; 0, the scheduled learning rate.</param>
    /// <param name="kappa">κ̃ &gt; 0.</param>
    /// <param name="xi">ξ &gt; 0.</param>
    /// <param name="small">c &gt; 0 (default 0.7).</param>
    /// <returns>The template; its <see cref="Base"/> is <see cref="Methods.Asgd.Create(double, double, double, double)"/>.</returns>
    /// <exception cref="InvalidInputException">A parameter is out of range.</exception>
    public static MethodTemplate Asgd(double lr, double kappa, double xi, double small = 0.7) =>
        new(MethodFamily.Asgd, Methods.Asgd.Create(lr, kappa, xi, small), lr, double.NaN, kappa, xi, small);

    /// <summary>PyTorch's momentum rule with base learning rate <paramref name="lr"/> and momentum <paramref name="momentum"/>.</summary>
    /// <param name="lr">η &gt; 0.</param>
    /// <param name="momentum">μ ∈ [0, 1).</param>
    /// <param name="nesterov">PyTorch's <c>nesterov=True</c>.</param>
    /// <returns>The template; its <see cref="Base"/> is <see cref="TorchMomentum.Create(double, double, bool, double)"/>.</returns>
    /// <exception cref="InvalidInputException">η or μ is out of range.</exception>
    public static MethodTemplate Torch(double lr, double momentum, bool nesterov = false) =>
        new(MethodFamily.Torch, TorchMomentum.Create(lr, momentum, nesterov), lr, momentum, torchNesterov: nesterov);

    /// <summary>Schedule-free SGD with step size γ and interpolation β (<see cref="Methods.ScheduleFree"/>); the base
    /// method is its first update.</summary>
    public static MethodTemplate ScheduleFree(double lr, double beta) => ScheduleFree(lr, beta, 0);

    /// <summary>Schedule-free SGD around a base optimizer with momentum <paramref name="momentum"/> on z (the reference
    /// code's <c>ScheduleFreeWrapper</c> of PyTorch SGD; docs/math.md#schedule-free-sgd); μ = 0 is the plain method.</summary>
    public static MethodTemplate ScheduleFree(double lr, double beta, double momentum) =>
        new(MethodFamily.ScheduleFree, Methods.ScheduleFree.Create(lr, beta, momentum), lr, beta) { BaseMomentum = momentum };

    /// <summary>Schedule-free SGD's base momentum μ on z (0 for the other families and the plain method).</summary>
    public double BaseMomentum { get; private init; }

    /// <summary>A method without named hyperparameters; only a batch schedule applies to it.</summary>
    public static MethodTemplate Custom(LinearMethod method) =>
        new(MethodFamily.Custom, method ?? throw new ArgumentNullException(nameof(method)), double.NaN, double.NaN);

    /// <summary>
    /// The template of a method built by one of the families' <c>Create</c>, from the hyperparameters it carries
    /// (<see cref="LinearMethod.Parameters"/>) and checked entry by entry; any other method is
    /// <see cref="MethodFamily.Custom"/>.
    /// </summary>
    public static MethodTemplate FromMethod(LinearMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        MethodTemplate? t = method.Parameters is { } p ? FromParameters(p) : null;
        if (t is not null && SameMatrices(t.Base, method)) return t;
        // a custom method keeps its matrices (weight decay and EMA are in them); only a tail average rides along
        return MethodModifiers.TailOf(method) is double f
            ? new MethodTemplate(MethodFamily.Custom, method, double.NaN, double.NaN) { Modifiers = new MethodModifiers(TailFraction: f) }
            : Custom(method);
    }

    private static MethodTemplate? FromParameters(MethodParameters p)
    {
        var t = p.Family switch
        {
            MethodFamily.Sgd => Sgd(p.Lr),
            MethodFamily.HeavyBall => HeavyBall(p.Lr, p.Momentum),
            MethodFamily.Nesterov => Nesterov(p.Lr, p.Momentum),
            MethodFamily.Asgd => Asgd(p.Lr, p.Kappa, p.Xi, p.Small),
            MethodFamily.ScheduleFree => ScheduleFree(p.Lr, p.Momentum, p.BaseMomentum),
            MethodFamily.Torch => Torch(p.Lr, p.Momentum, p.TorchNesterov),
            _ => null,
        };
        return t is not null && p.Modifiers is { IsNone: false } m ? t.With(m) : t;
    }

    /// <summary>Weight decay and EMA (docs/math.md#weight-averaging) applied after the family's method at every step;
    /// <see cref="MethodModifiers.None"/> for a plain method.</summary>
    public MethodModifiers Modifiers { get; private init; } = MethodModifiers.None;

    /// <summary>This template with <paramref name="modifiers"/> applied on top of the family's method at every step.</summary>
    public MethodTemplate With(MethodModifiers modifiers)
    {
        ArgumentNullException.ThrowIfNull(modifiers);
        if (!Modifiers.IsNone) throw new InvalidOperationException("The template already has modifiers.");
        if (modifiers.IsNone) return this;
        return new MethodTemplate(Family, modifiers.Apply(Base, Lr), Lr, Momentum, Kappa, Xi, Small, TorchNesterov) { Modifiers = modifiers, BaseMomentum = BaseMomentum };
    }

    /// <summary>The method for the update t → t + 1 at learning rate <paramref name="lr"/> and momentum
    /// <paramref name="momentum"/>: <see cref="At"/> with the step's modifiers (the EMA warm-up decay τ_t).</summary>
    public LinearMethod AtStep(double lr, double momentum, long t) =>
        Modifiers.IsTimeVarying ? Modifiers.ApplyAt(Unmodified(lr, momentum), lr, t) : At(lr, momentum);

    /// <summary>Schedule-free SGD's update with averaging weight <paramref name="c"/>, with the modifiers of step t.</summary>
    public LinearMethod ScheduleFreeAt(double lr, double beta, double c, long t)
    {
        if (Family != MethodFamily.ScheduleFree) throw new InvalidOperationException("Not a schedule-free template.");
        var m = Methods.ScheduleFree.Step(lr, beta, c, BaseMomentum);
        return Modifiers.IsNone ? m : Modifiers.ApplyAt(m, lr, t);
    }

    /// <summary>The method with learning rate <paramref name="lr"/> ≥ 0 and momentum <paramref name="momentum"/> ∈ [0, 1) (ignored when the family has none).</summary>
    public LinearMethod At(double lr, double momentum) =>
        Modifiers.IsNone ? Unmodified(lr, momentum) : Modifiers.Apply(Unmodified(lr, momentum), lr);

    private LinearMethod Unmodified(double lr, double momentum)
    {
        if (Family == MethodFamily.Custom) return Base;
        if (!double.IsFinite(lr) || lr < 0)
            throw new InvalidInputException($"{FamilyName}: a learning rate of {F(lr)} is not allowed; it must be a finite number ≥ 0.");
        if (HasMomentum && Family != MethodFamily.ScheduleFree && (!double.IsFinite(momentum) || momentum < 0 || momentum >= 1))
            throw new InvalidInputException($"{FamilyName}: {MomentumName}={F(momentum)} is not allowed; it must lie in [0, 1).");
        if (Family == MethodFamily.ScheduleFree) return Methods.ScheduleFree.Step(lr, momentum, 1, BaseMomentum);
        if (lr > 0)
        {
            return Family switch
            {
                MethodFamily.Sgd => Methods.Sgd.Create(lr),
                MethodFamily.HeavyBall => Methods.HeavyBall.Create(lr, momentum),
                MethodFamily.Nesterov => Methods.Nesterov.Create(lr, momentum),
                MethodFamily.Asgd => Methods.Asgd.Create(lr, Kappa, Xi, Small),
                _ => TorchMomentum.Create(lr, momentum, TorchNesterov),
            };
        }
        // lr = 0: the same A (it does not depend on the learning rate, except PyTorch's −lr·μ entry), b = 0 on the
        // parameter rows; the velocity row of PyTorch's rule still accumulates the gradient.
        string spec = Family switch
        {
            MethodFamily.Sgd or MethodFamily.Asgd => $"{FamilyName}:lr=0" + (Family == MethodFamily.Asgd ? $",kappa={F(Kappa)},xi={F(Xi)}" : ""),
            MethodFamily.Torch => $"torch:lr=0,momentum={F(momentum)}" + (TorchNesterov ? ",nesterov=true" : ""),
            _ => $"{FamilyName}:lr=0,beta={F(momentum)}",
        };
        if (Family == MethodFamily.Torch)
            return new LinearMethod(new double[,] { { 1, 0 }, { 0, momentum } }, [0, -1], [1, 0], [1, 0], [1, 0], spec);
        var shape = Family switch
        {
            MethodFamily.Sgd => Methods.Sgd.Create(1),
            MethodFamily.HeavyBall => Methods.HeavyBall.Create(1, momentum),
            MethodFamily.Nesterov => Methods.Nesterov.Create(1, momentum),
            _ => Methods.Asgd.Create(1, Kappa, Xi, Small),
        };
        return new LinearMethod(shape.MatrixA, new double[shape.K], shape.C.ToArray(), shape.O.ToArray(), shape.U.ToArray(), spec);
    }

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static bool SameMatrices(LinearMethod x, LinearMethod y)
    {
        if (x.K != y.K) return false;
        for (int i = 0; i < x.K; i++)
        {
            if (x.B[i] != y.B[i] || x.C[i] != y.C[i] || x.O[i] != y.O[i] || x.U[i] != y.U[i]) return false;
            for (int j = 0; j < x.K; j++) if (x.A(i, j) != y.A(i, j)) return false;
        }
        return true;
    }
}
