namespace ExactDynamics.Methods;

/// <summary>
/// The named hyperparameters a method was built from (docs/math.md#methods), carried by the
/// <see cref="LinearMethod"/> that the family's <c>Create</c> returns, so that schedules and tuning can rebuild the
/// family at other values without reading the method's spec string back.
/// </summary>
/// <param name="Family">The family.</param>
/// <param name="Lr">The learning rate (η, or the short step δ for ASGD, γ for schedule-free SGD).</param>
/// <param name="Momentum">β (heavy ball, Nesterov, schedule-free SGD) or μ (PyTorch); NaN when the family has none.</param>
/// <param name="Kappa">ASGD's κ̃ (NaN otherwise).</param>
/// <param name="Xi">ASGD's ξ (NaN otherwise).</param>
/// <param name="Small">ASGD's small constant c.</param>
/// <param name="TorchNesterov">PyTorch's <c>nesterov=True</c>.</param>
/// <param name="Modifiers">Weight decay and averaging applied on top (null: none).</param>
/// <param name="BaseMomentum">Schedule-free SGD's base momentum μ on z (0: none; docs/math.md#schedule-free-sgd).</param>
public sealed record MethodParameters(MethodFamily Family, double Lr, double Momentum = double.NaN, double Kappa = double.NaN,
    double Xi = double.NaN, double Small = 0.7, bool TorchNesterov = false, MethodModifiers? Modifiers = null, double BaseMomentum = 0);
