using System.CommandLine;
using ExactDynamics.Cli.Output;
using ExactDynamics.Cli.Parsing;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// The options every problem-solving command shares (docs/cli.md#shared-options), and the step from their text to a
/// <see cref="Problem"/> and a <see cref="LinearMethod"/>.
/// </summary>
internal sealed class SharedOptions
{
    private readonly bool _integerBatch;
    private readonly string _commandName;

    public SharedOptions(string commandName, bool integerBatch)
    {
        _commandName = commandName;
        _integerBatch = integerBatch;
        Spectrum = OptionFactory.Text("--spectrum", "SPEC",
            "Eigenvalues of H: powerlaw:a=A,d=D[,scale=S] (λ_i = S·i^(−A), i = 1..D), values:1,0.5,0.25 (listed), " +
            "or file:PATH (CSV/text, one eigenvalue per line, optional header line — e.g. from np.savetxt; or a .npy vector from np.save, float64/float32).", required: true);
        Method = OptionFactory.Text("--method", "SPEC",
            "Method: sgd:lr=η; hb:lr=η,beta=β (heavy ball); nesterov:lr=η,beta=β; asgd:lr=δ,kappa=κ,xi=ξ[,small=0.7] (AccSGD); " +
            "torch:lr=η,momentum=μ[,nesterov=true] (PyTorch/optax rule; dampening other than 0 is rejected); sfsgd:lr=γ,beta=β[,momentum=μ] (schedule-free SGD, risk at the average x; momentum=μ wraps PyTorch SGD with momentum μ, as ScheduleFreeWrapper); custom:PATH.json ({\"A\": [[..]], \"b\": [..], \"c\": [..], \"o\": [..], \"u\": [..] optional}). " +
            "Any method may end with ,wd=λ[,decay=coupled|decoupled] (weight decay: coupled = PyTorch weight_decay through the buffer, decoupled = AdamW-style w ← w − lr·λ·w; run from w0 = 0, --init then gives E[w*ᵢ²]) and ,ema=τ[,ema-warmup=true] (risk read at the EMA w̄ ← τw̄ + (1−τ)w; warm-up τ_t = min(τ, (1+t)/(10+t)) as in timm) or ,average=uniform[:from=S] or ,average=tail:F (the mean of the last ⌈F·t⌉ iterates at every step t).",
            required: true);
        Batch = OptionFactory.Real("--batch",
            integerBatch
                ? "Minibatch size B, an integer ≥ 1."
                : "Minibatch size B, a real number ≥ 1 (the gap formula holds for real B).",
            required: true);
        Batch.HelpName = "B";
        Kurtosis = OptionFactory.Real("--kurtosis", "E z⁴ of the whitened covariates, ≥ 1 (3 = Gaussian, 1 = Rademacher).", 3);
        Kurtosis.HelpName = "M4";
        Noise = OptionFactory.Real("--noise", "Label-noise variance σ² ≥ 0.", 0);
        Noise.HelpName = "SIGMA2";
        Init = OptionFactory.Text("--init", "SPEC",
            "Initial second moments s_i = E[(w0 − w*)_i²]: isotropic (s_i = 1), power:p=P (s_i = i^(−P)), or file:PATH (one value per line, or a .npy vector).",
            "isotropic");
        Format = OptionFactory.Format();
        Out = OptionFactory.Out();
    }

    public Option<string> Spectrum { get; }
    public Option<string> Method { get; }
    public Option<double> Batch { get; }
    public Option<double> Kurtosis { get; }
    public Option<double> Noise { get; }
    public Option<string> Init { get; }
    public Option<string> Format { get; }
    public Option<string> Out { get; }

    /// <summary>Adds the options (in help order) to <paramref name="command"/>; <paramref name="withMethod"/> false leaves out --method.</summary>
    public void AddTo(Command command, bool withMethod = true)
    {
        command.Options.Add(Spectrum);
        if (withMethod) command.Options.Add(Method);
        command.Options.Add(Batch);
        command.Options.Add(Kurtosis);
        command.Options.Add(Noise);
        command.Options.Add(Init);
    }

    /// <summary>Adds --format and --out (kept last in help).</summary>
    public void AddOutputTo(Command command)
    {
        command.Options.Add(Format);
        command.Options.Add(Out);
    }

    /// <summary>The problem described by the options; throws <see cref="InvalidInputException"/> for bad values.</summary>
    public (Problem Problem, string Init) BuildProblem(ParseResult parse)
    {
        double batch = parse.GetValue(Batch);
        if (_integerBatch && double.IsFinite(batch) && batch >= 1 && batch != Math.Floor(batch))
            throw new InvalidInputException(
                $"--batch {ResultWriter.Text(batch)} is not allowed for {_commandName}; the exact recursion needs a whole number of samples B ≥ 1 (gap, tune and critical-batch accept a real B).");
        var spectrum = SpecParser.ParseSpectrum(parse.GetValue(Spectrum)!);
        var initSpec = parse.GetValue(Init) ?? "isotropic";
        var initial = SpecParser.ParseInit(initSpec)(spectrum.Dimension);
        var problem = new Problem(spectrum, initial, batch, parse.GetValue(Kurtosis), parse.GetValue(Noise));
        return (problem, initSpec);
    }

    public LinearMethod BuildMethod(ParseResult parse) => SpecParser.ParseMethod(parse.GetValue(Method)!);

    public OutputFormat GetFormat(ParseResult parse) => OptionFactory.ParseFormat(parse.GetValue(Format));

    /// <summary>The --out path (checked that its folder exists), or null for stdout.</summary>
    public string? GetOut(ParseResult parse)
    {
        var path = parse.GetValue(Out);
        OutputTarget.Validate(path);
        return path;
    }
}
