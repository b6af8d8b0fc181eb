using System.Text.Json;

namespace ExactDynamics.IO;

/// <summary>
/// Finds a key given twice in one JSON object (at any depth). JSON parsers keep the last value of a repeated key
/// silently, so a method or experiment file with <c>"b"</c> twice would run with a value its author may not have meant;
/// the readers refuse such a file and name the key.
/// </summary>
public static class JsonDuplicateKeys
{
    /// <summary>The first repeated key in document order, with where it is (e.g. <c>"b"</c> or <c>"A" → "x"</c>); null when there is none.</summary>
    public static (string Key, string Where)? Find(JsonElement element) => Find(element, "");

    /// <summary>Throws when <paramref name="element"/> repeats a key; <paramref name="source"/> names the file (e.g. "Method file 'm.json'").</summary>
    /// <exception cref="InvalidInputException">A key appears twice in one object.</exception>
    public static void Refuse(JsonElement element, string source)
    {
        if (Find(element) is var (key, where))
            throw new InvalidInputException(
                $"{source} gives the key \"{key}\" twice{where}; give each key once (otherwise only the last value would count).");
    }

    private static (string Key, string Where)? Find(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                        return (property.Name, path.Length == 0 ? "" : $" inside {path}");
                }
                foreach (var property in element.EnumerateObject())
                {
                    var inner = Find(property.Value, path.Length == 0 ? $"\"{property.Name}\"" : $"{path} → \"{property.Name}\"");
                    if (inner is not null) return inner;
                }
                return null;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var inner = Find(item, $"{(path.Length == 0 ? "the list" : path)}[{i}]");
                    if (inner is not null) return inner;
                    i++;
                }
                return null;
            default:
                return null;
        }
    }
}
