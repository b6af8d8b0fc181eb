using ExactDynamics.Schedules;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;

namespace ExactDynamics.Cli.Output;

/// <summary>Output of the scheduled variants of risk, gap and iterations (docs/schedules.md).</summary>
internal static class ScheduleResultWriter
{
    /// <summary>One line per schedule under a table, e.g. "lr schedule: cosine:steps=1000 (value for the update t → t+1, × lr)".</summary>
    public static void WriteScheduleLines(TextWriter w, ScheduledMethod s)
    {
        void Line(string what, Schedule? x, string baseName)
        {
            if (x is null) return;
            w.WriteLine($"{what} schedule: {x.Spec}  ({(x.IsAbsolute ? "absolute values" : "× " + baseName)} for the update t → t+1)");
        }
        Line("learning-rate", s.LrSchedule, "lr");
        Line("momentum", s.MomentumSchedule, s.Template.MomentumName);
        Line("batch", s.BatchSchedule, "--batch");
    }

    /// <summary>The schedules in one line, e.g. "lr schedule warmup:100+cosine:steps=1900, batch schedule step:every=500,factor=2".</summary>
    public static string ScheduleSummary(ScheduledMethod s)
    {
        var parts = new List<string>();
        if (s.LrSchedule is not null) parts.Add("lr schedule " + s.LrSchedule.Spec);
        if (s.MomentumSchedule is not null) parts.Add("momentum schedule " + s.MomentumSchedule.Spec);
        if (s.BatchSchedule is not null) parts.Add("batch schedule " + s.BatchSchedule.Spec);
        return string.Join(", ", parts);
    }

    /// <summary>The sentence that says what the asymptotic numbers describe.</summary>
    public static string TailSentence(ScheduleTail tail) =>
        tail.Method is null
            ? $"no constant tail: {tail.Reason}"
            : $"the constant tail {tail.Method.Spec}, batch {ResultWriter.Readable(tail.Batch)}" +
              (tail.From is long f ? $", which the schedules hold exactly from step {ResultWriter.Int(f)} on" : ", which the schedules only approach as t → ∞");

    private static void WriteTailJson(System.Text.Json.Utf8JsonWriter j, ScheduleTail tail)
    {
        j.WriteStartObject("tail");
        if (tail.Method is null) j.WriteNull("method"); else j.WriteString("method", tail.Method.Spec);
        ResultWriter.WriteNumberOrNull(j, "batch", tail.Batch);
        ResultWriter.WriteIntOrNull(j, "from", tail.From);
        if (tail.Reason is null) j.WriteNull("reason"); else j.WriteString("reason", tail.Reason);
        j.WriteEndObject();
    }

    private static void WriteSchedulesJson(System.Text.Json.Utf8JsonWriter j, ScheduledMethod s)
    {
        j.WriteStartObject("schedules");
        void One(string name, Schedule? x)
        {
            if (x is null) j.WriteNull(name); else j.WriteString(name, x.Spec);
        }
        One("lr", s.LrSchedule);
        One("momentum", s.MomentumSchedule);
        One("batch", s.BatchSchedule);
        j.WriteEndObject();
    }

    // ---------------------------------------------------------------- gap

    /// <summary>The gap of the constant tail (the fields of <c>gap</c>, plus <c>describes</c>, <c>tail</c> and <c>schedules</c>).</summary>
    public static void WriteTailGap(TextWriter w, OutputFormat format, GapResult g, RunInfo info, ScheduledMethod s, ScheduleTail tail)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["rho", "gap", "diverges", "rho_local", "secular_root", "describes", "tail_method", "tail_batch", "tail_from"],
                [[
                    ResultWriter.Num(g.Rho), ResultWriter.Num(g.Gap), ResultWriter.Bool(g.Diverges), ResultWriter.Num(g.RhoLocal),
                    ResultWriter.Bool(g.SecularRoot), "constant tail", tail.Method!.Spec, ResultWriter.Num(tail.Batch), ResultWriter.Int(tail.From),
                ]]);
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    ResultWriter.WriteNumberOrNull(j, "rho", g.Rho);
                    ResultWriter.WriteNumberOrNull(j, "gap", g.Gap);
                    j.WriteBoolean("diverges", g.Diverges);
                    ResultWriter.WriteNumberOrNull(j, "rho_local", g.RhoLocal);
                    j.WriteBoolean("secular_root", g.SecularRoot);
                    j.WriteString("describes", "constant tail");
                    WriteTailJson(j, tail);
                    WriteSchedulesJson(j, s);
                    j.WriteEndObject();
                });
                break;
            default:
                ResultWriter.WriteGap(w, format, g, info with { Problem = info.Problem.WithBatch(tail.Batch), Method = tail.Method! });
                w.WriteLine();
                w.WriteLine($"With schedules the gap describes {TailSentence(tail)}; use risk or iterations to follow the schedules step by step.");
                WriteScheduleLines(w, s);
                break;
        }
    }

    // ---------------------------------------------------------------- iterations

    private static readonly string[] IterationFields =
        ["target", "exact", "closed_form", "rho", "gap", "prefactor", "crude", "initial_risk", "max_steps", "describes", "tail_method", "tail_batch", "tail_from"];

    public static void WriteIterations(TextWriter w, OutputFormat format, IterationsResult r, RunInfo info, ScheduledMethod s)
    {
        var tail = r.Tail!;
        var g = tail.Method is null ? null : new { r.Rho, r.Gap };
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, IterationFields,
                [[
                    ResultWriter.Num(r.Target), ResultWriter.Int(r.Exact), ResultWriter.Num(r.ClosedForm), ResultWriter.Num(g?.Rho),
                    ResultWriter.Num(g?.Gap), ResultWriter.Num(double.IsFinite(r.Prefactor) ? r.Prefactor : null), ResultWriter.Num(double.IsFinite(r.Crude) ? r.Crude : null), ResultWriter.Num(r.InitialRisk),
                    ResultWriter.Int(r.MaxSteps), "closed_form, rho, gap, prefactor and crude describe the constant tail",
                    tail.Method?.Spec ?? "", ResultWriter.Num(tail.Batch), ResultWriter.Int(tail.From),
                ]]);
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    ResultWriter.WriteNumberOrNull(j, "target", r.Target);
                    ResultWriter.WriteIntOrNull(j, "exact", r.Exact);
                    ResultWriter.WriteNumberOrNull(j, "closed_form", r.ClosedForm);
                    ResultWriter.WriteNumberOrNull(j, "rho", g?.Rho);
                    ResultWriter.WriteNumberOrNull(j, "gap", g?.Gap);
                    ResultWriter.WriteNumberOrNull(j, "prefactor", double.IsFinite(r.Prefactor) ? r.Prefactor : null);
                    ResultWriter.WriteNumberOrNull(j, "crude", double.IsFinite(r.Crude) ? r.Crude : null);
                    ResultWriter.WriteNumberOrNull(j, "initial_risk", r.InitialRisk);
                    j.WriteNumber("max_steps", r.MaxSteps);
                    j.WriteString("describes", "exact follows the schedules; closed_form, rho, gap, prefactor and crude describe the constant tail run from the start");
                    WriteTailJson(j, tail);
                    WriteSchedulesJson(j, s);
                    j.WriteEndObject();
                });
                break;
            default:
                ResultWriter.WriteHeader(w, $"Iterations until E L_t ≤ {ResultWriter.Readable(r.Target)} under schedules", info);
                WriteScheduleLines(w, s);
                w.WriteLine();
                var table = new TextTable(("quantity", false), ("value", false));
                table.Add("exact", r.Exact is long e
                    ? $"{ResultWriter.Int(e)} steps  (first t with E L_t ≤ target, exact recursion following the schedules)"
                    : $"not reached within {ResultWriter.Int(r.MaxSteps)} steps");
                table.Add("initial risk", ResultWriter.Readable(r.InitialRisk, 10));
                if (tail.Method is null || g is null)
                {
                    table.Add("tail", $"none — {tail.Reason}; no closed form");
                }
                else
                {
                    table.Add("tail", $"{tail.Method.Spec}, batch {ResultWriter.Readable(tail.Batch)}" +
                                      (tail.From is long f ? $" (held from step {ResultWriter.Int(f)})" : " (approached as t → ∞)"));
                    table.Add("tail closed form", r.ClosedForm is double c
                        ? $"{ResultWriter.Count(c)} steps  (⌈ln(C/ε)/ln(1/ρ)⌉ for the tail settings run from the start)"
                        : "none (the tail diverges)");
                    table.Add("tail rho", g.Rho >= 1 ? $"{ResultWriter.Readable(g.Rho, 15)}  (diverges)" : ResultWriter.Readable(g.Rho, 15));
                    table.Add("tail gap", ResultWriter.Readable(g.Gap, 10));
                    if (double.IsFinite(r.Prefactor)) table.Add("tail prefactor", $"{ResultWriter.Readable(r.Prefactor, 10)}  (C in E L_t ≈ C ρ^t)");
                }
                table.Write(w, header: false);
                break;
        }
    }
}
