using System.CommandLine;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;
using ExactDynamics.Spectral;
using ExactDynamics.Targets;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn demo</c>: a built-in problem (λ_i = 1/i, d = 200, Gaussian, isotropic start, batch 8 by default) on which
/// SGD and heavy ball, each with the best gap on a small grid of round hyperparameters, are compared side by side.
/// </summary>
internal static class DemoCommand
{
    public const string Example = "exactdyn demo --batch 64";

    /// <summary>Learning rates tried, in units of 1/λ_max.</summary>
    internal static readonly double[] LearningRates = [0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.4, 1.6, 1.8, 1.9, 2.0, 2.5, 3.0];

    /// <summary>Momenta tried for heavy ball.</summary>
    internal static readonly double[] Momenta = [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95];

    /// <summary>Steps at which the risk is shown.</summary>
    internal static readonly int[] ShownSteps = [0, 10, 30, 100, 300, 1000];

    /// <summary>The target is this fraction of the initial risk.</summary>
    public const double RelativeTarget = 1e-6;

    public static Command Create(CliContext ctx)
    {
        var batch = OptionFactory.Integer("--batch", "Minibatch size B ≥ 1 of the demo problem.", 8);
        batch.HelpName = "B";
        var format = OptionFactory.Format();
        var output = OptionFactory.Out();
        var command = new ExampleCommand("demo",
            "A one-screen tour: tuned SGD against tuned heavy ball on λ_i = 1/i, d = 200. " +
            "The problem is built in: Gaussian data, isotropic start, batch 8 (change it with --batch). " +
            "SGD and heavy ball each get the learning rate (and momentum) with the best contraction gap on a small grid of round values; " +
            "the demo prints their gaps, the iterations to reach 1e-6 of the initial risk (exact and closed form), and their exact risk curves side by side.",
            Example);
        command.Options.Add(batch);
        command.Options.Add(format);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var outPath = parse.GetValue(output);
            OutputTarget.Validate(outPath);
            long b = parse.GetValue(batch);
            if (b < 1) throw new InvalidInputException($"--batch {b} is not allowed; the batch must be a whole number of at least 1.");
            var demo = Run(b);
            OutputTarget.Emit(outPath, ctx.Out, w => Write(w, OptionFactory.ParseFormat(parse.GetValue(format)), demo));
            return 0;
        });
        return command;
    }

    internal sealed record DemoMethod(LinearMethod Method, GapResult Gap, IterationsResult Iterations, double[] Risk);

    internal sealed record DemoResult(Problem Problem, double Target, double InitialRisk, int[] Steps, DemoMethod[] Methods);

    internal static DemoResult Run(long batch)
    {
        var spectrum = Spectrum.PowerLaw(1, 200);
        var problem = new Problem(spectrum, null, batch, 3, 0);
        double scale = 1 / spectrum.Max;

        var sgd = Tuner.BestOf(problem, LearningRates.Select(lr => Sgd.Create(lr * scale)));
        var hb = Tuner.BestOf(problem, LearningRates.SelectMany(lr => Momenta.Select(beta => HeavyBall.Create(lr * scale, beta))));

        double l0 = RiskRecursion.Run(problem, sgd.Method, 0).Risk[0];
        double target = RelativeTarget * l0;
        var methods = new[] { sgd, hb }.Select(m =>
        {
            var iterations = IterationsToTarget.Compute(problem, m.Method, target);
            var curve = RiskRecursion.Trajectory(problem, m.Method, ShownSteps[^1]);
            return new DemoMethod(m.Method, m.Gap, iterations, ShownSteps.Select(t => curve[t]).ToArray());
        }).ToArray();
        return new DemoResult(problem, target, l0, ShownSteps, methods);
    }

    private static void Write(TextWriter w, OutputFormat format, DemoResult demo)
    {
        var p = demo.Problem;
        switch (format)
        {
            case OutputFormat.Csv:
                ResultWriter.WriteCsv(w, ["method", "rho", "gap", "diverges", "exact", "closed_form", "prefactor"],
                    demo.Methods.Select(m => new[]
                    {
                        m.Method.Spec, ResultWriter.Num(m.Gap.Rho), ResultWriter.Num(m.Gap.Gap), ResultWriter.Bool(m.Gap.Diverges),
                        ResultWriter.Int(m.Iterations.Exact), ResultWriter.Num(m.Iterations.ClosedForm), ResultWriter.Num(m.Iterations.Prefactor),
                    }));
                break;
            case OutputFormat.Json:
                ResultWriter.WriteJson(w, j =>
                {
                    j.WriteStartObject();
                    j.WriteString("spectrum", p.Spectrum.Description);
                    j.WriteNumber("batch", p.Batch);
                    j.WriteNumber("kurtosis", p.Kurtosis);
                    j.WriteNumber("noise", p.Noise);
                    ResultWriter.WriteNumberOrNull(j, "initial_risk", demo.InitialRisk);
                    ResultWriter.WriteNumberOrNull(j, "target", demo.Target);
                    j.WriteStartArray("methods");
                    foreach (var m in demo.Methods)
                    {
                        j.WriteStartObject();
                        j.WriteString("method", m.Method.Spec);
                        ResultWriter.WriteNumberOrNull(j, "rho", m.Gap.Rho);
                        ResultWriter.WriteNumberOrNull(j, "gap", m.Gap.Gap);
                        j.WriteBoolean("diverges", m.Gap.Diverges);
                        ResultWriter.WriteIntOrNull(j, "exact", m.Iterations.Exact);
                        ResultWriter.WriteNumberOrNull(j, "closed_form", m.Iterations.ClosedForm);
                        ResultWriter.WriteNumberOrNull(j, "prefactor", m.Iterations.Prefactor);
                        j.WriteStartArray("risk");
                        foreach (var x in m.Risk) ResultWriter.WriteNumberOrNull(j, x);
                        j.WriteEndArray();
                        j.WriteEndObject();
                    }
                    j.WriteEndArray();
                    j.WriteStartArray("t");
                    foreach (var t in demo.Steps) j.WriteNumberValue(t);
                    j.WriteEndArray();
                    j.WriteEndObject();
                });
                break;
            default:
                WriteTable(w, demo);
                break;
        }
    }

    private static void WriteTable(TextWriter w, DemoResult demo)
    {
        var p = demo.Problem;
        var s = p.Spectrum;
        string R(double x, int digits = 4) => ResultWriter.Readable(x, digits);
        w.WriteLine("exactdyn demo — exact expected risk of minibatch SGD and heavy ball on linear regression (no sampling)");
        w.WriteLine($"problem: λ_i = 1/i, d = {s.Dimension} (κ = {R(s.ConditionNumber)}, tr H = {R(s.Trace)}), batch B = {R(p.Batch)}, " +
                    $"Gaussian data, no label noise, isotropic start (L_0 = {R(demo.InitialRisk)})");
        w.WriteLine("each method has the best contraction gap on a small grid of round hyperparameters");
        w.WriteLine();
        var summary = new TextTable(("method", false), ("gap = 1 − ρ", true), ("gap / B", true),
            ($"steps to {R(RelativeTarget)}·L_0: exact", true), ("closed form", true));
        foreach (var m in demo.Methods)
        {
            summary.Add(m.Method.Spec,
                m.Gap.Diverges ? $"diverges (ρ = {R(m.Gap.Rho, 6)})" : R(m.Gap.Gap),
                R(m.Gap.Gap / p.Batch, 3),
                m.Iterations.Exact is long e ? ResultWriter.Int(e) : "not reached",
                m.Iterations.ClosedForm is double c ? ResultWriter.Count(c) : "-");
        }
        summary.Write(w);
        var (first, second) = (demo.Methods[0].Gap, demo.Methods[^1].Gap);
        if (!first.Diverges && !second.Diverges)
            w.WriteLine($"heavy ball's gap is {R(second.Gap / first.Gap, 3)}× SGD's at B = {R(p.Batch)}; momentum pays off as B grows{(p.Batch < 64 ? " (try --batch 64)" : "")}.");
        w.WriteLine();
        w.WriteLine("exact risk E L_t:");
        var columns = new List<(string, bool)> { ("t", true) };
        columns.AddRange(demo.Methods.Select(m => (m.Method.Spec, true)));
        var curves = new TextTable(columns.ToArray());
        for (int i = 0; i < demo.Steps.Length; i++)
        {
            var row = new List<string> { ResultWriter.Int(demo.Steps[i]) };
            row.AddRange(demo.Methods.Select(m => R(m.Risk[i])));
            curves.Add(row.ToArray());
        }
        curves.Write(w);
        w.WriteLine();
        var hb = demo.Methods[^1].Method.Spec;
        w.WriteLine($"next: exactdyn risk --spectrum {s.Description} --batch {R(p.Batch)} --method {hb} --steps 1000 --every 100");
    }
}
