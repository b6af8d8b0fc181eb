namespace ExactDynamics.Methods;

/// <summary>
/// The method families the library knows by name (docs/math.md#methods): one registry for the schedules, which vary a
/// family's learning rate and momentum, and the tuner, which searches the tunable ones (sgd, hb, nesterov, asgd).
/// </summary>
public enum MethodFamily
{
    /// <summary>Minibatch SGD: learning rate η, no momentum.</summary>
    Sgd,

    /// <summary>Heavy ball: learning rate η and momentum β.</summary>
    HeavyBall,

    /// <summary>Nesterov: learning rate η and momentum β.</summary>
    Nesterov,

    /// <summary>ASGD (AccSGD parameterisation): the short step δ is the learning rate (the long step scales with it);
    /// parameters κ̃, ξ and the small constant c; no momentum.</summary>
    Asgd,

    /// <summary>PyTorch's momentum rule: learning rate η and momentum μ.</summary>
    Torch,

    /// <summary>A user's (A, b, c, o, u): it has no named learning rate or momentum, so only a batch schedule applies.</summary>
    Custom,

    /// <summary>Schedule-free SGD (docs/math.md#schedule-free-sgd): its averaging weight changes at every step, so it
    /// is always run through the schedule machinery; β is its "momentum".</summary>
    ScheduleFree,
}

/// <summary>The names of the <see cref="MethodFamily"/> values.</summary>
public static class MethodFamilyNames
{
    /// <summary>The family's name, also its method-spec prefix: <c>sgd</c>, <c>hb</c>, <c>nesterov</c>, <c>asgd</c>,
    /// <c>torch</c>, <c>custom</c>, <c>sfsgd</c>.</summary>
    /// <param name="family">The family.</param>
    /// <returns>The name.</returns>
    public static string Name(this MethodFamily family) => family switch
    {
        MethodFamily.Sgd => "sgd",
        MethodFamily.HeavyBall => "hb",
        MethodFamily.Nesterov => "nesterov",
        MethodFamily.Asgd => "asgd",
        MethodFamily.Torch => "torch",
        MethodFamily.ScheduleFree => "sfsgd",
        _ => "custom",
    };
}
