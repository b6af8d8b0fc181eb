using ExactDynamics.Dynamics;
using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Numerics;
using ExactDynamics.Spectral;

namespace ExactDynamics.Cli.Commands;

/// <summary><c>exactdyn gap</c>: ρ and the contraction gap 1 − ρ (docs/math.md#contraction-gap).</summary>
internal static class GapCommand
{
    public const string Example = "exactdyn gap --spectrum powerlaw:a=1,d=200 --method hb:lr=0.5,beta=0.6 --batch 8";

    public static Command Create(CliContext ctx)
    {
        var shared = new SharedOptions("gap", integerBatch: false);
        var command = new ExampleCommand("gap",
            "The asymptotic rate: ρ and the contraction gap 1 − ρ of the exact risk (E L_t ∝ ρ^t). " +
            "The gap is solved for directly in gap space (full relative precision); rho_local = max_i ρ(D_i) is the rate without the rank-one coupling. A diverging method (ρ ≥ 1) is not an error: it reports diverges = true and a negative gap. " +
            "json: {\"rho\", \"gap\", \"diverges\", \"rho_local\", \"secular_root\"}; csv: the same fields as one row. " +
            "With --data: the Perron root of the chosen fourth-moment model's second-moment map on the data (gaussian: the secular equation; matrix and empirical: restarted Arnoldi on the map, matrix-free, the gap to relative 1e-10); " +
            "json {\"moments\", \"data\", \"method\", \"batch\", \"rho\", \"gap\", \"diverges\", \"applications\", \"residual\", \"tolerance\"}, csv moments,method,batch,rho,gap,diverges,applications,residual.",
            Example);
        shared.AddTo(command);
        var schedules = new ScheduleOptions("With a schedule, gap describes the constant tail (the settings reached as t → ∞) and refuses when there is none.");
        schedules.AddTo(command);
        var dataOptions = new DataOptions();
        dataOptions.AddTo(command);
        shared.Spectrum.Required = false; // --spectrum or --data
        shared.AddOutputTo(command);

        command.SetAction(parse =>
        {
            var outPath = shared.GetOut(parse);
            dataOptions.RequireOneSource(parse, shared);
            if (dataOptions.Given(parse))
            {
                // the Perron root of the chosen model's map on the data (docs/math.md#data-rates)
                var dataMethod = shared.BuildMethod(parse);
                if (!schedules.Build(parse, dataMethod).IsConstant)
                    throw new InvalidInputException("--data describes constant settings; schedules are not available with it yet.");
                var run = dataOptions.Prepare(ctx, parse, shared, parse.GetValue(shared.Batch), 200, "the rate");
                var rate = DataRate.Compute(run.Problem, dataMethod, run.Model, run.Kurtosis);
                var fmt = shared.GetFormat(parse);
                DataOutput.Emit(outPath, ctx.Out, fmt, run, w => DataOutput.WriteRate(w, fmt, rate, dataMethod.Spec, run.Problem.Batch));
                return 0;
            }
            var (problem, init) = shared.BuildProblem(parse);
            var method = shared.BuildMethod(parse);
            // schedules, the EMA warm-up and schedule-free SGD change the method from step to step: gap describes the tail
            {
                var scheduled = schedules.Build(parse, method);
                if (!scheduled.IsConstant)
                {
                    var tail = scheduled.Tail(problem.Batch);
                    if (tail.Method is null)
                        throw new InvalidInputException(
                            $"gap describes constant settings, and this method changes from step to step with no constant tail: {tail.Reason}; use risk or iterations to follow it step by step.");
                    var tailGap = ContractionGap.Compute(problem.WithBatch(tail.Batch), tail.Method);
                    OutputTarget.Emit(outPath, ctx.Out, w => ScheduleResultWriter.WriteTailGap(w, shared.GetFormat(parse), tailGap, new RunInfo(problem, method, init), scheduled, tail));
                    return 0;
                }
            }
            CostEstimate.RequireGap(method.K, problem.Spectrum.Dimension, method.Spec, ctx.Note);
            var gap = ContractionGap.Compute(problem, method);
            OutputTarget.Emit(outPath, ctx.Out, w => ResultWriter.WriteGap(w, shared.GetFormat(parse), gap, new RunInfo(problem, method, init)));
            return 0;
        });
        return command;
    }
}
