using System.CommandLine;
using System.CommandLine.Parsing;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// Refuses a command line whose output (<c>--out</c>, <c>--plot</c>) is one of its inputs — a spectrum, <c>--init</c> or
/// schedule file (<c>file:PATH</c>), a custom method (<c>custom:PATH</c>), an <c>--against</c> or <c>--overlay</c> CSV,
/// an experiment file — or whose two outputs are the same file. Files are compared by identity (device and inode when
/// the platform gives them, so links and other spellings of a path are caught), else by their resolved full paths.
/// </summary>
internal static class OutputCollisions
{
    private static readonly string[] OutputOptions = ["--out", Plots.OptionName];
    private static readonly string[] PathOptions = ["--against", "--overlay"];
    private static readonly string[] PathPrefixes = ["file:", "custom:"];

    /// <summary>Checks the options of the parsed command.</summary>
    /// <exception cref="InvalidInputException">An output names an input, or both outputs name the same file.</exception>
    public static void Check(ParseResult parse)
    {
        var outputs = new List<(string Option, string Path)>();
        var inputs = new List<(string Given, string Path)>();
        foreach (var result in parse.CommandResult.Children.OfType<OptionResult>())
        {
            var name = result.Option.Name;
            foreach (var token in result.Tokens)
            {
                var value = token.Value;
                if (OutputOptions.Contains(name, StringComparer.Ordinal))
                {
                    if (!(name == "--out" && OutputTarget.IsStdout(value))) outputs.Add((name, value));
                }
                else
                {
                    inputs.AddRange(InputPaths(name, value).Select(p => ($"{name} {value}", p)));
                }
            }
        }
        Check(outputs, inputs);
    }

    /// <summary>Checks that no output in <paramref name="arguments"/> (a command line) is the experiment file <paramref name="experiment"/>.</summary>
    public static void CheckExperiment(IReadOnlyList<string> arguments, string experiment)
    {
        var outputs = new List<(string Option, string Path)>();
        for (int i = 0; i < arguments.Count; i++)
        {
            foreach (var option in OutputOptions)
            {
                var a = arguments[i];
                if (a == option && i + 1 < arguments.Count) outputs.Add((option, arguments[i + 1]));
                else if (a.Length > option.Length + 1 && a.StartsWith(option, StringComparison.Ordinal) && a[option.Length] is '=' or ':')
                    outputs.Add((option, a[(option.Length + 1)..]));
            }
        }
        outputs.RemoveAll(o => o.Option == "--out" && OutputTarget.IsStdout(o.Path));
        Check(outputs, [("the experiment file", experiment)]);
    }

    /// <summary>The paths an option value reads: the whole value for path options, the text after each <c>file:</c> or <c>custom:</c> otherwise.</summary>
    internal static IEnumerable<string> InputPaths(string option, string value)
    {
        if (PathOptions.Contains(option, StringComparer.Ordinal))
        {
            yield return value;
            yield break;
        }
        foreach (var prefix in PathPrefixes)
        {
            int at = value.IndexOf(prefix, StringComparison.OrdinalIgnoreCase);
            while (at >= 0)
            {
                var rest = value[(at + prefix.Length)..].Trim();
                if (rest.Length > 0) yield return rest;
                at = value.IndexOf(prefix, at + prefix.Length, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    private static void Check(List<(string Option, string Path)> outputs, IReadOnlyList<(string Given, string Path)> inputs)
    {
        foreach (var (given, input) in inputs)
        {
            if (Directory.Exists(input))
                throw new InvalidInputException($"{given}: '{input}' is a directory; give the path of a file.");
        }
        foreach (var (option, path) in outputs)
        {
            foreach (var (given, input) in inputs)
            {
                if (SameFile(path, input))
                    throw new InvalidInputException(
                        $"{option} '{path}' is also an input ({given}); writing it would destroy that input — choose another output path.");
            }
        }
        for (int i = 0; i < outputs.Count; i++)
        {
            for (int j = i + 1; j < outputs.Count; j++)
            {
                if (SameFile(outputs[i].Path, outputs[j].Path))
                    throw new InvalidInputException(
                        $"{outputs[i].Option} '{outputs[i].Path}' and {outputs[j].Option} '{outputs[j].Path}' are the same file; one would overwrite the other — give them different paths.");
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="a"/> and <paramref name="b"/> name the same file: the same device and inode when both exist,
    /// otherwise the same name in the same folder (folders compared the same way, links followed).
    /// </summary>
    internal static bool SameFile(string a, string b)
    {
        if (string.IsNullOrWhiteSpace(a) || string.IsNullOrWhiteSpace(b)) return false;
        string fa, fb;
        try
        {
            fa = OutputFile.Target(Path.GetFullPath(a));
            fb = OutputFile.Target(Path.GetFullPath(b));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false; // not a path: the option's own check reports it
        }
        if (FileStatus.TryGet(fa) is FileStatus sa && FileStatus.TryGet(fb) is FileStatus sb)
            return sa.Device == sb.Device && sa.Inode == sb.Inode;
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        if (string.Equals(fa, fb, comparison)) return true;
        if (!string.Equals(Path.GetFileName(fa), Path.GetFileName(fb), comparison)) return false;
        string? da = Path.GetDirectoryName(fa), db = Path.GetDirectoryName(fb);
        if (da is null || db is null) return false;
        return FileStatus.TryGet(da) is FileStatus pa && FileStatus.TryGet(db) is FileStatus pb
            ? pa.Device == pb.Device && pa.Inode == pb.Inode
            : string.Equals(da, db, comparison);
    }
}
