using System.Text.Json.Nodes;
using ExactDynamics.Cli.Output;
using ExactDynamics.Data;
using ExactDynamics.Methods;
using ExactDynamics.Tradeoffs;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// What tune and critical-batch say about a tuned method's stability on the data (docs/math.md#the-stability-edge-on-data):
/// the learning-rate edges along its shape under the gaussian and the empirical model (<see cref="StabilityEdge.OfTuned"/>;
/// the empirical ones only when they are estimated under a minute), as json fields and table lines, with a note on
/// stderr when the gaussian edge lies beyond the data's or the method diverges on the data.
/// </summary>
internal static class DataEdges
{
    /// <summary>Applications of the empirical map the empirical edge and ρ take, roughly (a 1% bisection of Krylov solves).</summary>
    private const long EdgeApplications = 20 * 400;

    public static (Dictionary<string, JsonNode?> Json, List<string> Lines) Check(DataRun run, MethodFamily family,
        IReadOnlyDictionary<string, double> parameters, LinearMethod method, CliContext ctx, TuneModifiers? modifiers = null)
    {
        bool affordable = DataOptions.EstimatedSeconds(run.Data, EdgeApplications) <= 60;
        var s = StabilityEdge.OfTuned(run.Problem, family, parameters, run.Model, run.Kurtosis, affordable, modifiers);
        var json = new Dictionary<string, JsonNode?>
        {
            ["edge_lr"] = new JsonObject
            {
                ["gaussian"] = s.GaussianEdge,
                ["empirical"] = s.EmpiricalEdge is double e ? e : null,
            },
        };
        var lines = new List<string>();
        string shape = $"learning-rate edge along {method.Spec} (other hyperparameters fixed, 1%)";
        if (s.EmpiricalEdge is double emp)
        {
            lines.Add($"{shape}: gaussian {ResultWriter.Readable(s.GaussianEdge, 4)}, empirical (this data) {ResultWriter.Readable(emp, 4)}");
            if (s.GaussianOverEmpirical is double ratio && ratio > 1.05)
            {
                string msg = $"the gaussian model's edge is {ResultWriter.Readable(ratio, 3)}× beyond the data's: learning rates between them diverge on this data";
                lines.Add(msg);
                ctx.Note($"exactdyn: note: {msg}.");
            }
        }
        else
        {
            lines.Add($"{shape}: gaussian {ResultWriter.Readable(s.GaussianEdge, 4)} (the empirical edge was skipped: estimated over a minute)");
            ctx.Note("exactdyn: note: the data's own (empirical) stability edge was not computed (estimated over a minute); with heavy-tailed or dependent rows the tuned learning rate may lie beyond it.");
        }
        if (s.EmpiricalRho is double rho)
        {
            json["empirical_rho"] = rho;
            json["stable_on_data"] = rho < 1;
            if (rho >= 1)
            {
                string msg = $"WARNING: the tuned method diverges on this data (empirical ρ = {ResultWriter.Readable(rho, 6)}); tune with --moments empirical";
                lines.Add(msg);
                ctx.Note($"exactdyn: {msg}.");
            }
            else lines.Add($"empirical ρ of the tuned method: {ResultWriter.Readable(rho, 10)} (converges on this data)");
        }
        return (json, lines);
    }
}
