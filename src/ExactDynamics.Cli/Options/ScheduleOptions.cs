using System.CommandLine;
using ExactDynamics.Cli.Parsing;
using ExactDynamics.Methods;
using ExactDynamics.Schedules;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// <c>--lr-schedule</c>, <c>--momentum-schedule</c>, <c>--batch-schedule</c> (docs/schedules.md): each schedule gives the
/// value for the update t → t + 1 as a multiple of the method's base value (or, from a <c>value</c> file, absolutely).
/// </summary>
internal sealed class ScheduleOptions
{
    public const string Forms = "constant, step:every=N,factor=F[,max=M] (F^⌊t/N⌋ capped at M), cosine:steps=T[,floor=F], linear-warmup:steps=W, " +
                                "warmup:W+cosine:steps=T (decay clock starts after the warmup), wsd:warmup=W,stable=S,decay=D[,floor=F], " +
                                "inverse-sqrt[:tau=τ] (1/√(1+t/τ)), file:PATH.csv (header multiplier or value, row t for update t, last row repeated)";

    public ScheduleOptions(string? note = null)
    {
        note = note is null ? "" : " " + note;
        Lr = OptionFactory.Text("--lr-schedule", "SCHEDULE",
            "Learning-rate schedule, multiplying the method's lr (δ for asgd) at each update t → t+1: " + Forms + "." + note);
        Momentum = OptionFactory.Text("--momentum-schedule", "SCHEDULE",
            "Momentum schedule for hb/nesterov (beta) and torch (momentum), multiplying the base value (a 'value' file sets it): " + Forms + "." + note);
        Batch = OptionFactory.Text("--batch-schedule", "SCHEDULE",
            "Batch-size schedule, multiplying --batch (e.g. step:every=100,factor=2 doubles B every 100 steps; the exact recursion takes a real B_t ≥ 1): " + Forms + "." + note);
    }

    public Option<string> Lr { get; }
    public Option<string> Momentum { get; }
    public Option<string> Batch { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Lr);
        command.Options.Add(Momentum);
        command.Options.Add(Batch);
    }

    /// <summary>True when any schedule option was given.</summary>
    public bool Any(ParseResult parse) =>
        parse.GetValue(Lr) is not null || parse.GetValue(Momentum) is not null || parse.GetValue(Batch) is not null;

    /// <summary>The method with the given schedules (a constant <see cref="ScheduledMethod"/> when none is given).</summary>
    public ScheduledMethod Build(ParseResult parse, LinearMethod method)
    {
        Schedule? Read(Option<string> o) => parse.GetValue(o) is string s ? ScheduleSpec.Parse(s, o.Name) : null;
        return new ScheduledMethod(MethodTemplate.FromMethod(method), Read(Lr), Read(Momentum), Read(Batch));
    }
}
