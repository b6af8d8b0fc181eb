using System.CommandLine;
using System.Globalization;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn inspect --data X.npy</c>: what a data matrix implies for the exact dynamics (docs/math.md#data-matrices):
/// the spectrum of H with a fitted power law, the kurtosis profile of the whitened directions, how dependent they are,
/// the residuals of a target, and the largest stable learning rate per batch size under each fourth-moment model.
/// </summary>
internal static class InspectCommand
{
    public const string Example = "exactdyn inspect --data X.npy --target-data y.npy --batches 1,8,64 --plot spectrum.png";

    public static Command Create(CliContext ctx)
    {
        var dataOptions = new DataOptions(withModel: false);
        dataOptions.Data.Required = true;
        var batches = OptionFactory.Text("--batches", "B1,B2,…", "Batch sizes at which to find the stability edge (whole numbers ≥ 1).", "1,4,16,64");
        var beta = OptionFactory.Real("--beta", "Momentum β of the method whose edge is found: 0 = SGD (default), otherwise heavy ball hb:lr=η,beta=β.", 0);
        var models = OptionFactory.Text("--models", "LIST", "Fourth-moment models for the stability edge, comma-separated (gaussian, matrix, empirical).", "gaussian,matrix,empirical");
        var kurtosis = OptionFactory.Real("--kurtosis", "m4 of the gaussian model's edge (3 = Gaussian).", 3);
        kurtosis.HelpName = "M4";
        var plot = OptionFactory.Plot("Also draw the spectrum (log–log) with its fitted power law into this file.");
        var format = OptionFactory.Format();
        var output = OptionFactory.Out();
        var command = new ExampleCommand("inspect",
            "What a data matrix implies for the exact dynamics: n, d, rank, centring and the linear-algebra provider; the eigenvalues of H = XᵀX/n with a " +
            "fitted power law (exponent, scale, range, R²); the kurtosis E z⁴ of each whitened direction; how far the directions are from independent " +
            "(the off-diagonal E[z_i² z_j²], 1 when independent); with a target, the residual variance and E[z_j² r²]/σ²; and the largest stable learning rate " +
            "per batch size under each fourth-moment model (the asymptotic rate ρ is the Perron root of the model's second-moment map: the secular " +
            "equation for gaussian, matrix-free restarted Arnoldi for matrix and empirical; the edge is bracketed and bisected to 1%). csv: long format quantity,index,value; json: one object.",
            Example);
        dataOptions.AddTo(command);
        command.Options.Add(batches);
        command.Options.Add(beta);
        command.Options.Add(models);
        command.Options.Add(kurtosis);
        command.Options.Add(plot);
        command.Options.Add(format);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var outPath = parse.GetValue(output);
            OutputTarget.Validate(outPath);
            var plotPath = parse.GetValue(plot);
            Plots.Validate(plotPath);
            var fmt = OptionFactory.ParseFormat(parse.GetValue(format));
            var bs = ParseBatches(parse.GetValue(batches) ?? "1");
            var ms = (parse.GetValue(models) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(MomentModels.Parse).Distinct().ToArray();
            double b = parse.GetValue(beta), m4 = parse.GetValue(kurtosis);
            if (!double.IsFinite(b) || b < 0 || b >= 1) throw new InvalidInputException($"--beta {ResultWriter.Text(b)} is not allowed; the momentum must lie in [0, 1).");
            var (data, description) = dataOptions.BuildData(parse);
            ctx.Note($"exactdyn: {description}");
            var fit = DataSummary.FitPowerLaw(data.Eigenvalues);
            var k = data.FourthMoments();
            var dependence = DataSummary.Summarise(k, data.Dimension);
            var noiseProfile = data.NoiseProfile();
            Func<double, LinearMethod> family = b == 0 ? Sgd.Create : lr => HeavyBall.Create(lr, b);
            string familyText = b == 0 ? "sgd" : $"hb:beta={ResultWriter.Text(b)}";
            double trace = data.Eigenvalues.Sum(), lmax = data.Eigenvalues[0];
            var edges = new List<(double Batch, MomentModel Model, double Lr)>();
            using (var progress = Progress.Start(ctx.Error, "inspect: stability edges", bs.Length * ms.Length))
            {
                foreach (var batch in bs)
                {
                    var problem = new DataProblem(data, batch, null, null);
                    double guess = 2 * (1 + b) / (lmax + trace / batch);
                    foreach (var model in ms)
                    {
                        edges.Add((batch, model, StabilityEdge.LargestStableLearningRate(problem, family, model, guess, m4)));
                        progress.Advance();
                    }
                }
            }
            var kurt = data.Kurtosis.Order().ToArray();
            string advice = Advice(data, dependence, kurt, edges);
            OutputTarget.Emit(outPath, ctx.Out, w =>
            {
                switch (fmt)
                {
                    case OutputFormat.Csv:
                        var rows = new List<string[]>();
                        void Row(string q, string i, double v) => rows.Add([q, i, ResultWriter.Text(v)]);
                        for (int j = 0; j < data.Dimension; j++) Row("eigenvalue", I(j + 1), data.Eigenvalues[j]);
                        for (int j = 0; j < data.Dimension; j++) Row("kurtosis", I(j + 1), data.Kurtosis[j]);
                        if (noiseProfile is not null) for (int j = 0; j < data.Dimension; j++) Row("noise_profile", I(j + 1), noiseProfile[j]);
                        Row("powerlaw_exponent", "", fit.Exponent); Row("powerlaw_scale", "", fit.Scale); Row("powerlaw_r2", "", fit.RSquared);
                        Row("dependence_min", "", dependence.Min); Row("dependence_median", "", dependence.Median); Row("dependence_max", "", dependence.Max);
                        Row("dependence_mean_abs_log", "", dependence.MeanAbsLog);
                        if (data.HasTarget) Row("residual_variance", "", data.ResidualVariance);
                        foreach (var e in edges) Row($"edge_{MomentModels.Name(e.Model)}", I(e.Batch), e.Lr);
                        ResultWriter.WriteCsv(w, ["quantity", "index", "value"], rows);
                        break;
                    case OutputFormat.Json:
                        ResultWriter.WriteJson(w, j =>
                        {
                            j.WriteStartObject();
                            j.WriteString("data", description);
                            j.WriteNumber("samples", data.Samples); j.WriteNumber("features", data.Features); j.WriteNumber("rank", data.Dimension);
                            j.WriteBoolean("centred", data.Centred); j.WriteString("provider", data.Provider);
                            Array(j, "eigenvalues", data.Eigenvalues);
                            j.WriteStartObject("powerlaw");
                            j.WriteNumber("exponent", fit.Exponent); j.WriteNumber("scale", fit.Scale); j.WriteNumber("first", fit.First); j.WriteNumber("last", fit.Last);
                            j.WriteNumber("r2", fit.RSquared);
                            j.WriteEndObject();
                            Array(j, "kurtosis", data.Kurtosis);
                            j.WriteStartObject("dependence");
                            j.WriteNumber("min", dependence.Min); j.WriteNumber("median", dependence.Median); j.WriteNumber("max", dependence.Max);
                            j.WriteNumber("mean_abs_log", dependence.MeanAbsLog);
                            j.WriteEndObject();
                            if (data.HasTarget) j.WriteNumber("residual_variance", data.ResidualVariance);
                            if (noiseProfile is not null) Array(j, "noise_profile", noiseProfile);
                            j.WriteString("method", familyText);
                            j.WriteStartArray("stability_edge");
                            foreach (var e in edges)
                            {
                                j.WriteStartObject();
                                j.WriteNumber("batch", e.Batch); j.WriteString("moments", MomentModels.Name(e.Model));
                                ResultWriter.WriteNumberOrNull(j, "lr", e.Lr);
                                j.WriteEndObject();
                            }
                            j.WriteEndArray();
                            j.WriteString("advice", advice);
                            j.WriteEndObject();
                        });
                        break;
                    default:
                        w.WriteLine($"Data: {description}");
                        w.WriteLine($"Spectrum: λ from {R(data.Eigenvalues[0])} down to {R(data.Eigenvalues[^1])} over {data.Dimension} directions; power law λ_i ≈ {R(fit.Scale)}·i^(−{R(fit.Exponent, 4)}) over i = {fit.First}..{fit.Last} (R² = {R(fit.RSquared, 4)})");
                        w.WriteLine($"Kurtosis E z⁴ per direction (3 = Gaussian): min {R(kurt[0], 4)}, median {R(kurt[kurt.Length / 2], 4)}, max {R(kurt[^1], 4)}");
                        w.WriteLine($"Dependence E[z_i² z_j²], i ≠ j (1 = independent): min {R(dependence.Min, 4)}, median {R(dependence.Median, 4)}, max {R(dependence.Max, 4)}; mean |ln| {R(dependence.MeanAbsLog, 3)}");
                        if (data.HasTarget)
                            w.WriteLine($"Target: residual σ² = {R(data.ResidualVariance)}" + (noiseProfile is null ? "" :
                                $"; E[z_j² r²]/σ² (1 = residual independent of x) from {R(noiseProfile.Min(), 4)} to {R(noiseProfile.Max(), 4)}"));
                        w.WriteLine($"Largest stable learning rate of {familyText} (ρ < 1; Perron root of the model's map, 1% bisection):");
                        var cols = new List<(string, bool)> { ("B", true) };
                        cols.AddRange(ms.Select(m => (MomentModels.Name(m), true)));
                        var table = new TextTable(cols.ToArray());
                        foreach (var batch in bs)
                            table.Add([I(batch), .. ms.Select(m => R(edges.First(e => e.Batch == batch && e.Model == m).Lr, 4))]);
                        table.Write(w);
                        w.WriteLine($"Model choice: {advice}");
                        break;
                }
            });
            if (plotPath is not null)
            {
                var x = Enumerable.Range(1, data.Dimension).Select(i => (double)i).ToArray();
                Plots.LogLog(plotPath, $"Spectrum of H — {description}", "index i", "eigenvalue λ_i",
                [
                    new PlotSeries("eigenvalues", x, data.Eigenvalues),
                    new PlotSeries($"fit {R(fit.Scale, 3)}·i^(−{R(fit.Exponent, 3)})", x, x.Select(i => fit.Scale * Math.Pow(i, -fit.Exponent)).ToArray()),
                ]);
            }
            return 0;
        });
        return command;
    }

    private static string I(double x) => x.ToString(CultureInfo.InvariantCulture);
    private static string R(double x, int digits = 6) => ResultWriter.Readable(x, digits);

    private static void Array(System.Text.Json.Utf8JsonWriter j, string name, IEnumerable<double> values)
    {
        j.WriteStartArray(name);
        foreach (var v in values) ResultWriter.WriteNumberOrNull(j, v);
        j.WriteEndArray();
    }

    private static double[] ParseBatches(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new InvalidInputException("--batches is empty; list batch sizes such as 1,8,64.");
        return parts.Select(p =>
        {
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) || !(b >= 1) || b != Math.Floor(b) || b > 1e9)
                throw new InvalidInputException($"--batches entry '{p}' is not a whole number ≥ 1.");
            return b;
        }).Distinct().Order().ToArray();
    }

    private static string Advice(DataSet data, Dependence dependence, double[] kurtosis, List<(double Batch, MomentModel Model, double Lr)> edges)
    {
        var parts = new List<string>();
        bool independent = dependence.MeanAbsLog < 0.1;
        bool gaussianLike = kurtosis[0] > 2.5 && kurtosis[^1] < 3.5;
        if (independent && gaussianLike) parts.Add("the directions look independent and Gaussian: the gaussian model is adequate");
        else if (independent) parts.Add("the directions look independent but not Gaussian: the matrix model captures their kurtosis");
        else parts.Add("the directions are dependent: only the empirical model is exact for this data");
        var worst = edges.Where(e => e.Model == MomentModel.Gaussian)
            .Select(g => (g.Batch, Ratio: g.Lr / edges.Where(e => e.Model == MomentModel.Empirical && e.Batch == g.Batch).Select(e => e.Lr).DefaultIfEmpty(g.Lr).First()))
            .OrderByDescending(x => x.Ratio).FirstOrDefault();
        if (worst.Ratio > 1.05)
            parts.Add($"the gaussian model overestimates the stable learning rate by {ResultWriter.Readable(worst.Ratio, 3)}× at B={I(worst.Batch)}");
        if (data.HasTarget) parts.Add("with a target, the residual terms are exact only in the empirical model");
        return string.Join("; ", parts) + ".";
    }
}
