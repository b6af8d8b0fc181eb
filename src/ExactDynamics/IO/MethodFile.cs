using System.Text.Json;
using ExactDynamics.Methods;

namespace ExactDynamics.IO;

/// <summary>
/// Reads a linear k-state method (docs/math.md#custom-methods) from a JSON file:
/// <c>{"A": [[…], …], "b": […], "c": […], "o": […], "u": […]}</c> — A is k×k (an array of k rows), b, c, o and the
/// optional state shape u (default all ones) have k entries each. An optional <c>"name"</c> string labels the method.
/// Comments and trailing commas are tolerated.
/// </summary>
public static class MethodFile
{
    private static readonly string[] Allowed = ["A", "b", "c", "o", "u", "name"];

    private const string Shape = "it needs \"A\" (k rows of k numbers), \"b\", \"c\", \"o\" (k numbers each) and optionally \"u\" (k numbers)";

    /// <summary>The method in the file; its <see cref="LinearMethod.Spec"/> is <c>custom:PATH</c>.</summary>
    /// <exception cref="InvalidInputException">The file is missing, unreadable or not valid JSON, a field is missing, unknown or of the
    /// wrong shape, or the method is not consistent (the message names the file and the problem).</exception>
    public static LinearMethod Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidInputException("Method file path is empty; give the path of a JSON file such as {\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1]}.");
        if (Directory.Exists(path))
            throw new InvalidInputException($"Method file '{path}' is a directory; give the path of a JSON file.");
        if (!File.Exists(path))
            throw new InvalidInputException($"Method file '{path}' does not exist; give the path of a JSON file such as {{\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1]}}.");
        byte[] bytes;
        try
        {
            bytes = BoundedFile.ReadAllBytes(path, "Method file");
        }
        catch (IOException e)
        {
            throw new InvalidInputException($"Method file '{path}' could not be read ({e.Message.TrimEnd('.')}).", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidInputException($"Method file '{path}' could not be read because access was denied.", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses the JSON text of a method; <paramref name="source"/> names it in messages.</summary>
    public static LinearMethod Parse(ReadOnlySpan<byte> utf8Json, string source)
    {
        var options = new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json.ToArray(), options);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is long line ? $" at line {line + 1}" + (e.BytePositionInLine is long col ? $", position {col + 1}" : "") : "";
            throw new InvalidInputException($"Method file '{source}' is not valid JSON{where}; {Shape}.", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidInputException($"Method file '{source}' holds a JSON {Kind(root)}, not an object; {Shape}.");
            JsonDuplicateKeys.Refuse(root, $"Method file '{source}'");
            foreach (var property in root.EnumerateObject())
            {
                if (!Allowed.Contains(property.Name, StringComparer.Ordinal))
                    throw new InvalidInputException($"Method file '{source}' has an unknown field \"{property.Name}\"; the allowed fields are A, b, c, o, u and name.");
            }

            var a = ReadMatrix(root, source);
            int k = a.GetLength(0);
            var b = ReadVector(root, "b", source, k)!;
            var c = ReadVector(root, "c", source, k)!;
            var o = ReadVector(root, "o", source, k)!;
            var u = ReadVector(root, "u", source, k, optional: true);
            string spec = $"custom:{source}";
            if (root.TryGetProperty("name", out var name))
            {
                if (name.ValueKind != JsonValueKind.String)
                    throw new InvalidInputException($"Method file '{source}': \"name\" is a JSON {Kind(name)}; it must be a string.");
                var n = name.GetString();
                if (!string.IsNullOrWhiteSpace(n)) spec = $"custom:{source} ({n})";
            }
            try
            {
                return new LinearMethod(a, b, c, o, u, spec);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"Method file '{source}': {e.Message}", e);
            }
        }
    }

    private static double[,] ReadMatrix(JsonElement root, string source)
    {
        if (!root.TryGetProperty("A", out var a))
            throw new InvalidInputException($"Method file '{source}' has no \"A\" field; {Shape}.");
        if (a.ValueKind != JsonValueKind.Array || a.GetArrayLength() == 0)
            throw new InvalidInputException($"Method file '{source}': \"A\" must be a non-empty array of rows, e.g. [[1, 0], [1, 0]], not a JSON {Kind(a)}.");
        int k = a.GetArrayLength();
        var m = new double[k, k];
        int i = 0;
        foreach (var row in a.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
                throw new InvalidInputException($"Method file '{source}': row {i + 1} of \"A\" is a JSON {Kind(row)}; \"A\" must be an array of {k} rows of {k} numbers.");
            if (row.GetArrayLength() != k)
                throw new InvalidInputException($"Method file '{source}': row {i + 1} of \"A\" has {row.GetArrayLength()} entries but \"A\" has {k} rows; it must be square ({k}×{k}).");
            int j = 0;
            foreach (var x in row.EnumerateArray())
            {
                m[i, j] = Number(x, $"A[{i}][{j}]", source);
                j++;
            }
            i++;
        }
        return m;
    }

    private static double[]? ReadVector(JsonElement root, string name, string source, int k, bool optional = false)
    {
        if (!root.TryGetProperty(name, out var v))
        {
            if (optional) return null;
            throw new InvalidInputException($"Method file '{source}' has no \"{name}\" field; {Shape}.");
        }
        if (v.ValueKind != JsonValueKind.Array)
            throw new InvalidInputException($"Method file '{source}': \"{name}\" is a JSON {Kind(v)}; it must be an array of {k} numbers.");
        if (v.GetArrayLength() != k)
            throw new InvalidInputException($"Method file '{source}': \"{name}\" has {v.GetArrayLength()} entries but \"A\" is {k}×{k}; it must have {k}.");
        var r = new double[k];
        int i = 0;
        foreach (var x in v.EnumerateArray())
        {
            r[i] = Number(x, $"{name}[{i}]", source);
            i++;
        }
        return r;
    }

    private static double Number(JsonElement x, string what, string source)
    {
        if (x.ValueKind != JsonValueKind.Number)
            throw new InvalidInputException($"Method file '{source}': {what} is a JSON {Kind(x)}; it must be a number.");
        if (!x.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new InvalidInputException($"Method file '{source}': {what} = {x.GetRawText()} is not a finite double; it must be a finite number.");
        return d;
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };
}
