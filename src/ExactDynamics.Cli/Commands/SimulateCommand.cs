using ExactDynamics.Dynamics;
using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Numerics;
using ExactDynamics.Validation.Sampling;
using ExactDynamics.Validation.Simulation;
using ExactDynamics.Validation.UserCurves;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn simulate</c>: Monte Carlo of the method on explicit samples (the validation library's simulator), mean
/// risk and its standard error per recorded step; csv <c>t,risk,stderr</c> (docs/cli.md#simulate).
/// </summary>
internal static partial class SimulateCommand
{
    public const string Example =
        "exactdyn simulate --spectrum powerlaw:a=1,d=50 --method torch:lr=0.05,momentum=0.9 --batch 8 --steps 200 --every 10 --runs 2000 --seed 1 --format csv";

    /// <summary>Most recorded steps one run may keep.</summary>
    public const long MaxRows = 1_000_000;

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("simulate", integerBatch: true);
        var steps = OptionFactory.Integer("--steps", "Number of steps T ≥ 0 to simulate.", 100);
        steps.HelpName = "T";
        var every = OptionFactory.Integer("--every", "Record every N-th step (t = 0, N, 2N, … and always the last step T), N ≥ 1.", 1);
        var runs = OptionFactory.Integer("--runs", "Number of independent runs R ≥ 2 averaged.", 1000);
        runs.HelpName = "R";
        var seed = OptionFactory.Integer("--seed", "Seed S ≥ 0; run r draws from its own stream (S, r), so results are identical for any thread count.", 1);
        seed.HelpName = "S";
        var covariates = OptionFactory.Text("--covariates", "LAW",
            "Law of the whitened covariates z: gaussian, rademacher, uniform, threepoint:m4=M, mixture:m4=M[,p=P] (Gaussian scale mixture, M > 3) " +
            "or student:nu=N. Default: from --kurtosis (3 gaussian, 1 rademacher, otherwise threepoint with that m4). Not with --data (the rows are the samples).");
        var threads = OptionFactory.Integer("--threads", "Threads to use (default, or 0: all cores); the numbers do not depend on it.");
        var command = new ExampleCommand("simulate",
            "Monte Carlo simulation of the method on explicit samples x = H^(1/2) z, y = <x, w*> + noise, from w0 − w* ~ N(0, diag(s)): " +
            "the method's (A, b, c, o, u) update is run step by step (the validation suite shows it is, path for path, the literal optimizer code) " +
            "and the risk ½ Σ λ_i (w_t − w*)_i² is averaged over the runs. csv columns: t,risk,stderr (mean and its standard error); " +
            "json: {\"t\", \"risk\", \"stderr\", \"runs\", \"seed\", \"covariates\"}; the table adds the exact curve and z-scores. " +
            "With --data the samples are the data's own rows, drawn uniformly with replacement (csv then has a leading moments column, json adds \"moments\" and \"data\"), " +
            "and the table's exact curve and z-scores are those of the --moments model. " +
            "A progress bar is shown on stderr for long runs when stderr is a terminal.",
            Example);
        shared.AddTo(command);
        command.Options.Add(steps);
        command.Options.Add(every);
        command.Options.Add(runs);
        command.Options.Add(seed);
        command.Options.Add(covariates);
        command.Options.Add(threads);
        var schedules = new ScheduleOptions("The simulator draws a whole number of samples per step: a real B_t is rounded to the nearest integer (the exact curve keeps the real B_t).");
        schedules.AddTo(command);
        var dataOptions = new DataOptions();
        dataOptions.AddTo(command);
        shared.Spectrum.Required = false; // --spectrum or --data
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            dataOptions.RequireOneSource(parse, shared);
            var budget = ReadBudget(parse, steps, every, runs, seed, threads);
            if (dataOptions.Given(parse))
            {
                if (parse.GetValue(covariates) is not null)
                    throw new InvalidInputException("--covariates sets the law of sampled covariates; with --data the samples are the data's own rows, drawn with replacement.");
                return RunOnData(ctx, parse, shared, dataOptions, schedules.Build(parse, shared.BuildMethod(parse)), budget, outPath);
            }
            var (problem, init) = shared.BuildProblem(parse);
            var method = shared.BuildMethod(parse);
            var (t, n, r, s, dop) = budget;
            var law = ResolveCovariates(parse.GetValue(covariates), problem.Kurtosis, parse.GetResult(shared.Kurtosis) is { Implicit: false });
            if (law.Kurtosis != problem.Kurtosis)
                problem = new Problem(problem.Spectrum, problem.Initial.ToArray(), problem.Batch, law.Kurtosis, problem.Noise);
            var scheduled = schedules.Build(parse, method);
            if (!scheduled.IsConstant && ScheduledSimulationNotes.RoundedBatch(scheduled, problem.Batch, t) is long firstRounded)
                ctx.Note($"exactdyn: the batch schedule gives a B_t that is not a whole number (first at step {firstRounded}); the simulation rounds it to the nearest whole number of samples, the exact curve uses it as it is.");
            var settings = new SimulationSettings
            {
                // with schedules the optimizer draws B_t single samples per step (docs/schedules.md#what-a-schedule-is)
                Spectrum = problem.Spectrum, Initial = problem.Initial.ToArray(), Batch = SimulatedMethod.OracleBatch(scheduled, problem.Batch), Covariates = law,
                Noise = problem.Noise, Steps = t, Every = n, Runs = (int)r, Seed = (ulong)s, MaxDegreeOfParallelism = dop,
            };
            CostEstimate.Require(CostEstimate.SimulationSeconds(method.K, problem.Spectrum.Dimension, settings.Batch * (scheduled.BaseIsConstant ? 1 : problem.Batch), t, r),
                $"simulating {r} runs of {method.Spec} to t = {t} at d = {problem.Spectrum.Dimension}",
                "use fewer runs or steps, or 'exactdyn risk' for the exact curve", ctx.Note);
            CostEstimate.RequireMemory(32.0 * (t / n + 2) * Math.Max(1, Environment.ProcessorCount), $"recording {t / n + 1} steps");
            var optimizer = SimulatedMethod.Create(scheduled, problem.Batch, problem.Spectrum.Dimension, t, dop);
            SimulationResult result;
            using (var progress = Progress.Start(ctx.Error, "simulate", r))
                result = MonteCarloSimulator.Run(settings, optimizer, finished => progress.Advance(finished));
            var exact = scheduled.IsConstant ? CurveValidator.ExactAt(problem, method, result.Steps) : ScheduledCurveValidator.ExactAt(problem, scheduled, result.Steps);
            (result, exact) = StopAtOverflow(ctx, result, exact, scheduled.IsConstant ? method : null, problem, t);
            OutputTarget.Emit(outPath, ctx.Out, w => ValidationWriter.WriteSimulation(w, shared.GetFormat(parse), result, exact, law.Spec, new RunInfo(problem, method, init)));
            return 0;
        });
        return command;
    }

    /// <summary>The Monte Carlo budget: T, the recording interval N, the runs R, the seed S and the threads (null: all cores).</summary>
    private sealed record Budget(long Steps, long Every, long Runs, long Seed, int? Threads);

    /// <summary>--steps, --every, --runs, --seed and --threads, each refused in one sentence when out of range.</summary>
    private static Budget ReadBudget(ParseResult parse, Option<long> steps, Option<long> every, Option<long> runs, Option<long> seed, Option<long> threads)
    {
        long t = parse.GetValue(steps), n = parse.GetValue(every), r = parse.GetValue(runs), s = parse.GetValue(seed);
        if (t < 0) throw new InvalidInputException($"--steps {t} is not allowed; the number of steps must be at least 0.");
        if (n < 1) throw new InvalidInputException($"--every {n} is not allowed; it must be at least 1.");
        if (t / n > MaxRows)
            throw new InvalidInputException(
                $"--steps {t} with --every {n} would record {t / n + 1} steps, more than the {MaxRows} allowed; raise --every to at least {(t + MaxRows - 1) / MaxRows}.");
        if (r < 2 || r > int.MaxValue) throw new InvalidInputException($"--runs {r} is not allowed; give a whole number of runs from 2 to {int.MaxValue}.");
        if (s < 0) throw new InvalidInputException($"--seed {s} is not allowed; the seed must be a whole number of at least 0.");
        int? dop = null;
        if (parse.GetResult(threads) is { Implicit: false })
        {
            long th = parse.GetValue(threads);
            if (th < 0 || th > 4096) throw new InvalidInputException($"--threads {th} is not allowed; give a number of threads from 1 to 4096, or 0 for all cores.");
            dop = th == 0 ? null : (int)th; // 0: all cores, as in tune, sweep and critical-batch
        }
        return new Budget(t, n, r, s, dop);
    }

    /// <summary>--covariates, or the default law for --kurtosis; both given must agree on m4.</summary>
    /// <summary>
    /// A diverging run stops as <c>risk</c> does: the rows end at the last step where the simulated mean, its standard
    /// error and the exact risk are all finite, and a sentence on stderr says where it diverged (with ρ for constant
    /// settings) — no ∞ or empty fields, and no z = 0 that would read as agreement.
    /// </summary>
    private static (SimulationResult, double[]) StopAtOverflow(CliContext ctx, SimulationResult r, double[] exact, Methods.LinearMethod? method, Problem? problem, long steps)
    {
        int n = 0;
        while (n < r.Steps.Length && double.IsFinite(r.Mean[n]) && double.IsFinite(r.StdErr[n]) && double.IsFinite(exact[n])) n++;
        if (n == r.Steps.Length) return (r, exact);
        if (n == 0)
            throw new InvalidInputException("The simulated risk is not finite at t = 0; the initial risk is beyond the range of double.");
        string rho = method is null || problem is null ? "" : $" (ρ = {ResultWriter.Readable(Spectral.ContractionGap.Compute(problem, method).Rho, 6)})";
        ctx.Note($"exactdyn: the method diverges{rho}: the risk overflows after step {r.Steps[n - 1]}; the output stops there, at the last finite value, instead of at step {steps}.");
        return (r with { Steps = r.Steps[..n], Mean = r.Mean[..n], StdErr = r.StdErr[..n], StdDev = r.StdDev[..n] }, exact[..n]);
    }

    private static CovariateDistribution ResolveCovariates(string? spec, double kurtosis, bool kurtosisGiven)
    {
        if (string.IsNullOrWhiteSpace(spec)) return CovariateDistribution.ForKurtosis(kurtosis);
        var law = CovariateDistribution.Parse(spec);
        if (kurtosisGiven && Math.Abs(law.Kurtosis - kurtosis) > 1e-12 * Math.Max(1, kurtosis))
            throw new InvalidInputException(
                $"--covariates {spec} has m4 = {ResultWriter.Text(law.Kurtosis)} but --kurtosis is {ResultWriter.Text(kurtosis)}; give one of them, or make them agree.");
        return law;
    }
}
