using System.Globalization;
using ExactDynamics.Methods;

namespace ExactDynamics.Tradeoffs;

/// <summary>The tunable families of docs/math.md#tuning (sgd, hb, nesterov, asgd): the hyperparameters the tuner
/// searches and their constructors.</summary>
public static class MethodFamilies
{
    /// <summary>The tunable families, in the order sgd, hb, nesterov, asgd.</summary>
    public static IReadOnlyList<MethodFamily> All { get; } = [MethodFamily.Sgd, MethodFamily.HeavyBall, MethodFamily.Nesterov, MethodFamily.Asgd];

    /// <summary>The hyperparameters the tuner searches, in spec order.</summary>
    public static IReadOnlyList<string> ParameterNames(this MethodFamily family) => family switch
    {
        MethodFamily.Sgd => ["lr"],
        MethodFamily.HeavyBall or MethodFamily.Nesterov => ["lr", "beta"],
        MethodFamily.Asgd => ["lr", "kappa", "xi"],
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    /// <summary>Parses <c>sgd</c>, <c>hb</c> (or <c>heavyball</c>, <c>heavy-ball</c>), <c>nesterov</c>, <c>asgd</c>, case-insensitively.</summary>
    public static MethodFamily Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "sgd" => MethodFamily.Sgd,
            "hb" or "heavyball" or "heavy-ball" or "heavy_ball" => MethodFamily.HeavyBall,
            "nesterov" or "nag" => MethodFamily.Nesterov,
            "asgd" or "accsgd" => MethodFamily.Asgd,
            _ => throw new InvalidInputException($"Method family '{name}' is not known; use one of sgd, hb, nesterov, asgd."),
        };
    }

    /// <summary>Parses a comma-separated list such as <c>sgd,hb,asgd</c> (duplicates removed, order kept).</summary>
    public static IReadOnlyList<MethodFamily> ParseList(string names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var list = new List<MethodFamily>();
        foreach (var part in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = Parse(part);
            if (!list.Contains(f)) list.Add(f);
        }
        if (list.Count == 0) throw new InvalidInputException($"The family list '{names}' is empty; give at least one of sgd, hb, nesterov, asgd.");
        return list;
    }

    /// <summary>The method of <paramref name="family"/> with the given hyperparameters (names as in <see cref="ParameterNames"/>).</summary>
    public static LinearMethod Create(this MethodFamily family, IReadOnlyDictionary<string, double> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double Get(string key) => parameters.TryGetValue(key, out var v)
            ? v
            : throw new InvalidInputException($"{family.Name()}: parameter '{key}' is missing; {family.Name()} needs {string.Join(", ", family.ParameterNames())}.");
        return family switch
        {
            MethodFamily.Sgd => Sgd.Create(Get("lr")),
            MethodFamily.HeavyBall => HeavyBall.Create(Get("lr"), Get("beta")),
            MethodFamily.Nesterov => Nesterov.Create(Get("lr"), Get("beta")),
            MethodFamily.Asgd => Asgd.Create(Get("lr"), Get("kappa"), Get("xi"),
                parameters.TryGetValue("small", out var c) ? c : AsgdSmall),
            _ => throw new ArgumentOutOfRangeException(nameof(family)),
        };
    }

    /// <summary>AccSGD's small constant c used by the tuner (the optimizer's default).</summary>
    public const double AsgdSmall = 0.7;

    internal static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
