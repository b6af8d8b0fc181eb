using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ExactDynamics.Cli.Options;

namespace ExactDynamics.Cli.Commands;

/// <summary>
/// <c>exactdyn run experiment.json</c>: a whole experiment in one JSON file — the command name and the same options as
/// on the command line — re-dispatched to the same command code, so that a table or a figure can be regenerated from a
/// file kept next to a paper. Options given after the file replace the file's.
/// </summary>
internal static class RunCommand
{
    public const string Example = "exactdyn run docs/examples/risk-hb-vs-sgd.json";

    /// <summary>Fields that describe the experiment and are not options.</summary>
    private static readonly string[] Ignored = ["command", "description", "comment", "$schema"];

    /// <summary>Options whose value is a path (resolved against the experiment file's folder when relative).</summary>
    private static readonly string[] PathOptions = ["plot", "out", "against", "overlay"];

    /// <summary>Spec prefixes followed by a path (<c>file:PATH</c>, <c>custom:PATH.json</c>).</summary>
    private static readonly string[] PathSpecPrefixes = ["file:", "custom:"];

    public static Command Create(CliContext ctx, Command root)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The experiment: a JSON object with \"command\" (risk, gap, iterations, …) and that command's options without " +
                          "the leading dashes, e.g. {\"command\": \"risk\", \"spectrum\": \"powerlaw:a=1,d=200\", \"method\": [\"sgd:lr=0.5\", \"hb:lr=0.25,beta=0.85\"], " +
                          "\"batch\": 8, \"steps\": 1000, \"plot\": \"fig.png\"}. A list gives a repeatable option several times; true gives a flag; " +
                          "relative paths (plot, out, overlay, file:…, custom:…) are relative to the experiment file's folder. \"description\" and \"comment\" are ignored.",
        };
        var command = new ExampleCommand("run",
            "Runs an experiment kept in a JSON file (a command and its options). " +
            "Use it to regenerate a table or a figure from a file kept next to a paper. " +
            "Options given after the file override the file's, e.g. 'exactdyn run exp.json --format csv'.",
            Example);
        command.Arguments.Add(file);
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var args = ToArguments(path, root, parse.UnmatchedTokens);
            Output.OutputCollisions.CheckExperiment(args, path);
            if (ctx.Dispatch is null) throw new InvalidOperationException("run needs a dispatcher.");
            return ctx.Dispatch(args);
        });
        return command;
    }

    /// <summary>The command line the experiment in <paramref name="path"/> stands for, with <paramref name="overrides"/> appended.</summary>
    internal static string[] ToArguments(string path, Command root, IReadOnlyList<string> overrides)
    {
        using var doc = ReadObject(path);
        var json = doc.RootElement;
        ExactDynamics.IO.JsonDuplicateKeys.Refuse(json, $"Experiment file '{path}'");
        if (!json.TryGetProperty("command", out var commandElement) || commandElement.ValueKind != JsonValueKind.String)
            throw new InvalidInputException(
                $"Experiment file '{path}' has no \"command\" string; write e.g. {{\"command\": \"risk\", \"spectrum\": \"powerlaw:a=1,d=200\", …}}.");
        var name = commandElement.GetString()!;
        var runnable = root.Subcommands.Where(c => c.Name != "run").ToArray();
        var command = runnable.FirstOrDefault(c => c.Name == name)
            ?? throw new InvalidInputException(
                $"Experiment file '{path}': \"command\": \"{name}\" is not a command" +
                (Suggestions.Closest(name, runnable.Select(c => c.Name)) is string best ? $"; did you mean \"{best}\"?" : $"; use one of {string.Join(", ", runnable.Select(c => c.Name))}."));

        var options = command.Options.Concat(root.Options.Where(o => o.Recursive))
            .SelectMany(o => new[] { o.Name }.Concat(o.Aliases).Select(n => (Name: n, Option: o)))
            .Where(p => p.Name.StartsWith("--", StringComparison.Ordinal))
            .GroupBy(p => p.Name[2..], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Option, StringComparer.Ordinal);
        var overridden = new HashSet<string>(
            overrides.Where(t => t.StartsWith("--", StringComparison.Ordinal)).Select(t => t.Split('=', 2)[0][2..]), StringComparer.Ordinal);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;

        var args = new List<string> { name };
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            var key = property.Name.TrimStart('-');
            if (!given.TryAdd(key, property.Name))
                throw new InvalidInputException(
                    $"Experiment file '{path}' gives the option {key} twice (\"{given[key]}\" and \"{property.Name}\"); give each option once.");
            if (Ignored.Contains(property.Name, StringComparer.Ordinal)) continue;
            if (!options.TryGetValue(key, out var option))
            {
                var known = options.Keys.Where(k => k is not "help").Order(StringComparer.Ordinal);
                throw new InvalidInputException(
                    $"Experiment file '{path}': \"{property.Name}\" is not an option of {name}" +
                    (Suggestions.Closest(key, options.Keys) is string close ? $"; did you mean \"{close}\"?" : $"; it takes {string.Join(", ", known)}."));
            }
            if (overridden.Contains(key)) continue;
            var values = Values(property.Value, path, property.Name, key, folder);
            if (values is null) continue; // false or null: leave the option out
            var flag = "--" + key;
            if (values.Count == 0)
            {
                args.Add(flag);
            }
            else if (values.Count == 1 || option.Arity.MaximumNumberOfValues > 1)
            {
                foreach (var v in values)
                {
                    args.Add(flag);
                    args.Add(v);
                }
            }
            else
            {
                // A list for an option that takes one value (e.g. "batches": [1, 2, 4]): the comma-separated form.
                args.Add(flag);
                args.Add(string.Join(",", values));
            }
        }
        args.AddRange(overrides);
        return [.. args];
    }

    /// <summary>The option values a JSON value stands for: null to leave the option out, empty for a flag.</summary>
    private static List<string>? Values(JsonElement value, string path, string field, string key, string folder)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
            case JsonValueKind.False:
                return null;
            case JsonValueKind.True:
                return [];
            case JsonValueKind.Array:
                var list = new List<string>();
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
                        throw new InvalidInputException(
                            $"Experiment file '{path}': \"{field}\" lists a JSON {item.ValueKind.ToString().ToLowerInvariant()}; list strings or numbers.");
                    list.Add(Scalar(item, key, folder));
                }
                if (list.Count == 0)
                    throw new InvalidInputException($"Experiment file '{path}': \"{field}\" is an empty list; give at least one value or leave the field out.");
                return list;
            case JsonValueKind.String:
            case JsonValueKind.Number:
                return [Scalar(value, key, folder)];
            default:
                throw new InvalidInputException(
                    $"Experiment file '{path}': \"{field}\" is a JSON object; give a string, a number, true/false or a list.");
        }
    }

    private static string Scalar(JsonElement value, string key, string folder)
    {
        if (value.ValueKind == JsonValueKind.Number) return value.GetRawText();
        var text = value.GetString() ?? "";
        if (PathOptions.Contains(key, StringComparer.Ordinal)) return Resolve(text, folder);
        foreach (var prefix in PathSpecPrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && text.Length > prefix.Length)
                return text[..prefix.Length] + Resolve(text[prefix.Length..].Trim(), folder);
        }
        return text;
    }

    private static string Resolve(string path, string folder) =>
        path.Length == 0 || Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));

    private static JsonDocument ReadObject(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidInputException("The experiment file path is empty; give the path of a JSON file such as experiment.json.");
        if (Directory.Exists(path))
            throw new InvalidInputException($"Experiment file '{path}' is a directory; give the path of a JSON file.");
        if (!File.Exists(path))
            throw new InvalidInputException($"Experiment file '{path}' does not exist; give the path of a JSON file such as experiment.json.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(IO.BoundedFile.ReadAllBytes(path, "Experiment file"),
                new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is long line ? $" at line {(line + 1).ToString(CultureInfo.InvariantCulture)}" : "";
            throw new InvalidInputException($"Experiment file '{path}' is not valid JSON{where}; it must be one object such as {{\"command\": \"gap\", …}}.", e);
        }
        catch (IOException e)
        {
            throw new InvalidInputException($"Experiment file '{path}' could not be read ({e.Message.TrimEnd('.')}).", e);
        }
        var kind = doc.RootElement.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new InvalidInputException($"Experiment file '{path}' holds a JSON {kind.ToString().ToLowerInvariant()}, not an object; write {{\"command\": \"gap\", …}}.");
        }
        return doc;
    }
}
