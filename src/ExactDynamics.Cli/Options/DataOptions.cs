using System.CommandLine;
using ExactDynamics.Cli.Output;
using ExactDynamics.Cli.Parsing;
using ExactDynamics.Data;
using ExactDynamics.IO;
using ExactDynamics.Numerics;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// The options that put a user's data matrix in place of --spectrum (docs/math.md#data-matrices): --data, the target
/// (--target-data or --target-column), --no-centre, --start and --moments; and the step from their text to a
/// <see cref="DataSet"/> and a <see cref="DataProblem"/>.
/// </summary>
internal sealed class DataOptions
{
    public DataOptions(bool withModel = true)
    {
        Data = OptionFactory.Text("--data", "X.npy|X.csv",
            "Use this data matrix (n rows × d features; a 2-D .npy from np.save, float64/float32, or a CSV with one sample per line) instead of --spectrum: " +
            "the columns are centred (unless --no-centre), H = XᵀX/n is diagonalised, and rows are drawn uniformly with replacement, as a training loop would.");
        TargetData = OptionFactory.Text("--target-data", "y.npy|y.csv",
            "The target y of --data (one value per row, a .npy vector or one number per line). The optimum w* is then the least-squares fit, the start is w0 = 0 " +
            "(or --start), and the real residuals r_i = y_i − x_iᵀw* are the label noise. Without a target the labels are a planted teacher plus --noise, and the start is random with second moments --init.");
        TargetColumn = OptionFactory.Integer("--target-column", "Take the target y from this column of --data (1-based; the column is removed from X) instead of --target-data.", 0);
        TargetColumn.HelpName = "J";
        NoCentre = new Option<bool>("--no-centre") { Description = "Do not subtract the column means of --data (use it when your training loop sees the raw, uncentred rows)." };
        Start = OptionFactory.Text("--start", "w0.npy|w0.csv", "With a target: the starting point w0 (one value per feature; default 0).");
        if (withModel)
            Moments = OptionFactory.Text("--moments", "gaussian|matrix|empirical",
                "Fourth-moment model with --data: 'empirical' (exact for the dataset sampled with replacement: full d×d second moment, the data's own fourth moments, " +
                "the full initial error, the real residuals; O(n d²) per step), 'matrix' (the data's E[z_i² z_j²], distinct-index cross moments and off-diagonal " +
                "second moments neglected; O(d²) per step) or 'gaussian' (one scalar kurtosis --kurtosis; O(d) per step). Default: empirical when its estimated time is under a minute, else matrix.");
    }

    public Option<string> Data { get; }
    public Option<string> TargetData { get; }
    public Option<long> TargetColumn { get; }
    public Option<bool> NoCentre { get; }
    public Option<string> Start { get; }
    public Option<string>? Moments { get; }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(TargetData);
        command.Options.Add(TargetColumn);
        command.Options.Add(NoCentre);
        command.Options.Add(Start);
        if (Moments is not null) command.Options.Add(Moments);
    }

    /// <summary>Whether --data was given.</summary>
    public bool Given(ParseResult parse) => parse.GetValue(Data) is not null;

    /// <summary>Reads and analyses the data (and target).</summary>
    public (DataSet Data, string Description) BuildData(ParseResult parse)
    {
        var path = parse.GetValue(Data) ?? throw new InvalidInputException("No data matrix was given.");
        var x = DataMatrix.Read(path, "Data file");
        double[]? y = null;
        long column = parse.GetValue(TargetColumn);
        var targetPath = parse.GetValue(TargetData);
        TargetGiven(parse);
        if (column != 0)
        {
            if (column < 1 || column > x.Columns)
                throw new InvalidInputException($"--target-column {column} is not a column of the data; it must be between 1 and {x.Columns}.");
            if (x.Columns < 2) throw new InvalidInputException("The data has one column; taking it as the target leaves no features.");
            int j = (int)column - 1;
            y = x.Column(j);
            var rest = new double[x.Rows * (x.Columns - 1)];
            for (int i = 0; i < x.Rows; i++)
                for (int a = 0, b = 0; a < x.Columns; a++)
                    if (a != j) rest[i * (x.Columns - 1) + b++] = x[i, a];
            x = new DataMatrix(x.Rows, x.Columns - 1, rest);
        }
        else if (targetPath is not null)
        {
            var t = DataMatrix.Read(targetPath, "Target file");
            if (t.Columns != 1 && t.Rows != 1)
                throw new InvalidInputException($"Target file '{targetPath}' is {t.Rows}×{t.Columns}; it must hold one value per row of the data.");
            y = t.Columns == 1 ? t.Column(0) : Enumerable.Range(0, t.Columns).Select(j => t[0, j]).ToArray();
        }
        bool centre = !parse.GetValue(NoCentre);
        var data = DataSet.Analyse(x, y, centre);
        var description = $"data {Path.GetFileName(path)}: n={data.Samples}, d={data.Features}" +
                          (data.NullDirections > 0 ? $" (rank {data.Dimension}: {data.NullDirections} empty directions dropped)" : "") +
                          (centre ? ", centred" : ", not centred") +
                          (data.HasTarget ? $", target: least-squares w*, residual σ²={ResultWriter.Readable(data.ResidualVariance)}" : ", planted teacher") +
                          $"; linear algebra: {data.Provider}";
        return (data, description);
    }

    /// <summary>The training problem on <paramref name="data"/> at batch B, with the start and noise of the shared options.</summary>
    public DataProblem BuildProblem(ParseResult parse, DataSet data, SharedOptions shared, double batch)
    {
        double noise = parse.GetValue(shared.Noise);
        RequireCompatible(parse, shared);
        if (data.HasTarget) return new DataProblem(data, batch, StartError(parse, data), null);
        StartError(parse, data);
        var variance = SpecParser.ParseInit(parse.GetValue(shared.Init) ?? "isotropic")(data.Dimension);
        return new DataProblem(data, batch, null, variance ?? InitialCondition.Isotropic(data.Dimension), noise);
    }

    /// <summary>Whether a target was given (--target-data or --target-column); both at once are refused.</summary>
    private bool TargetGiven(ParseResult parse)
    {
        bool column = parse.GetValue(TargetColumn) != 0, file = parse.GetValue(TargetData) is not null;
        if (column && file) throw new InvalidInputException("The target can come from --target-data or from --target-column, not both.");
        return column || file;
    }

    private const string StartNeedsTarget = "--start needs a target (--target-data or --target-column): without one there is no optimum to start from.";

    /// <summary>
    /// The refusals that need no data, so that every data command makes them before it reads and announces the data
    /// (one stderr sentence, exit 2): both target sources; an unknown --moments; --init or --noise with a target (its
    /// start is the fixed --start and its residuals are the noise); --start without one.
    /// </summary>
    public void RequireCompatible(ParseResult parse, SharedOptions shared)
    {
        bool target = TargetGiven(parse);
        if (Moments is not null && parse.GetValue(Moments) is string moments) MomentModels.Parse(moments);
        if (target)
        {
            if (parse.GetResult(shared.Init) is { Implicit: false })
                throw new InvalidInputException("--init sets a random start for a planted teacher; with a target the start is the fixed point --start (default 0).");
            if (parse.GetValue(shared.Noise) != 0)
                throw new InvalidInputException("--noise adds independent label noise to a planted teacher; with a target the residuals are the noise.");
        }
        else if (parse.GetValue(Start) is not null) throw new InvalidInputException(StartNeedsTarget);
    }

    /// <summary>With a target, the initial error e₀ = Vᵀ(w₀ − w*) of --start (default w₀ = 0); without one null, and
    /// --start is refused.</summary>
    public double[]? StartError(ParseResult parse, DataSet data)
    {
        var startPath = parse.GetValue(Start);
        if (!data.HasTarget)
        {
            if (startPath is not null) throw new InvalidInputException(StartNeedsTarget);
            return null;
        }
        var w0 = startPath is null ? null : VectorFile.Read(startPath);
        if (w0 is not null && w0.Length != data.Features)
            throw new InvalidInputException($"Start file '{startPath}' has {w0.Length} values but the data has {data.Features} features; they must match.");
        return data.InitialError(w0);
    }

    /// <summary>Seconds the empirical model is expected to take for <paramref name="steps"/> steps of a two-state method
    /// (the library's cost model, <see cref="EmpiricalMoments.EstimatedSeconds"/>: about n d² multiply-adds per step).</summary>
    public static double EstimatedSeconds(DataSet data, long steps) =>
        EmpiricalMoments.EstimatedSeconds(data.Samples, data.Dimension, 2, steps);

    /// <summary>Seconds <paramref name="steps"/> steps (or applications of the map) of <paramref name="model"/> are
    /// expected to take: the empirical and matrix models' own cost models; 0 for the gaussian model, whose spectral
    /// recursion checks its own time.</summary>
    public static double EstimatedSeconds(MomentModel model, DataSet data, long steps) => model switch
    {
        MomentModel.Empirical => EstimatedSeconds(data, steps),
        MomentModel.Matrix => MatrixMoments.EstimatedSeconds(data.Dimension, 2, steps),
        _ => 0,
    };

    /// <summary>Multiply-adds per second of the empirical model's kernels on one core of the development machine.</summary>
    public const double EmpiricalRate = EmpiricalMoments.MultiplyAddsPerSecond;

    /// <summary>When the default chose the matrix model because the empirical one is estimated above a minute: a clause
    /// saying so, with the estimate (empty otherwise).</summary>
    public static string DefaultNote(ParseResult parse, DataOptions options, DataSet data, long steps) =>
        options.Moments is not null && parse.GetValue(options.Moments) is null
            ? $" — the default, since the exact empirical model is estimated at {CostEstimate.Duration(EstimatedSeconds(data, steps))} (give --moments empirical to run it)"
            : "";

    /// <summary>m4 of the gaussian model on data: --kurtosis when given, else the data's scalar kurtosis (the mean of
    /// E z_j⁴ over the directions; docs/math.md#data-rates).</summary>
    public static double GaussianKurtosis(ParseResult parse, SharedOptions shared, DataSet data) =>
        parse.GetResult(shared.Kurtosis) is { Implicit: false } ? parse.GetValue(shared.Kurtosis) : data.Kurtosis.Average();

    /// <summary>
    /// The data side of a data command (risk, simulate, validate, gap, iterations, tune, critical-batch, sweep; docs/math.md#data-rates): the
    /// data, the problem at <paramref name="batch"/>, the fourth-moment model (by default chosen for
    /// <paramref name="applications"/> applications of the map) and its m4, with the data and the model (and, for the
    /// empirical model, the estimated time) on stderr. An empirical run estimated above five minutes is refused.
    /// </summary>
    public DataRun Prepare(CliContext ctx, ParseResult parse, SharedOptions shared, double batch, long applications, string what)
    {
        RequireCompatible(parse, shared); // before the data are read
        var (data, description) = BuildData(parse);
        var problem = BuildProblem(parse, data, shared, batch);
        var model = ChooseModel(parse, data, applications);
        double m4 = GaussianKurtosis(parse, shared, data);
        string text = Commands.RiskCommand.ModelText(model, m4);
        double seconds = EstimatedSeconds(model, data, applications);
        if (model == MomentModel.Empirical) // refused before anything is announced
            Numerics.CostEstimate.Require(seconds, $"{what} under the empirical model (about {applications} applications of its O(n d²) map)",
                "use --moments matrix (O(d²) per application) or a smaller dataset");
        else if (model == MomentModel.Matrix)
            Numerics.CostEstimate.Require(seconds, $"{what} under the matrix model (about {applications} applications of its O(d²) map)",
                "use fewer steps or --moments gaussian (O(d) per step)");
        ctx.Note($"exactdyn: {description}");
        if (model == MomentModel.Empirical) ctx.Note($"exactdyn: moments: {text}; estimated up to {ResultWriter.Readable(seconds, 2)} s");
        else ctx.Note($"exactdyn: moments: {text}{DefaultNote(parse, this, data, applications)}{(seconds > Numerics.CostEstimate.NoteSeconds ? $"; estimated up to {ResultWriter.Readable(seconds, 2)} s" : "")}");
        return new DataRun(data, problem, model, m4, description, text);
    }

    /// <summary>Refuses --spectrum together with --data, and neither of them.</summary>
    public void RequireOneSource(ParseResult parse, SharedOptions shared)
    {
        bool data = Given(parse), spectrum = parse.GetValue(shared.Spectrum) is not null;
        if (data && spectrum)
            throw new InvalidInputException("Give either --spectrum or --data, not both: the data's own spectrum is used with --data.");
        if (!data && !spectrum)
            throw new InvalidInputException("The problem needs a spectrum: give --spectrum SPEC, or --data X.npy for your own data matrix.");
    }

    /// <summary>The --moments choice, or the default: empirical when it is estimated under a minute, else matrix.</summary>
    public MomentModel ChooseModel(ParseResult parse, DataSet data, long steps)
    {
        var text = Moments is null ? null : parse.GetValue(Moments);
        if (text is not null) return MomentModels.Parse(text);
        return EstimatedSeconds(data, steps) <= 60 ? MomentModel.Empirical : MomentModel.Matrix;
    }
}

/// <summary>The data side of a rate command: the data, the problem, the fourth-moment model, its m4, and how outputs state them.</summary>
internal sealed record DataRun(DataSet Data, DataProblem Problem, MomentModel Model, double Kurtosis, string Description, string ModelText)
{
    /// <summary>The model's name as written in csv and json ("gaussian", "matrix", "empirical").</summary>
    public string ModelName => MomentModels.Name(Model);

    /// <summary>The model as the library's tuner sees it (docs/math.md#data-rates).</summary>
    public Tradeoffs.IRateModel Rates => DataRates.For(Problem, Model, Kurtosis);

    /// <summary>The gaussian view of the data (its eigenvalues, m4, the initial second moments and σ²): the spectral
    /// problem that the table headers describe.</summary>
    public Problem GaussianView => DataRisk.GaussianProblem(Problem, Kurtosis);
}
