using System.Text;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// Where a command's result goes: stdout, or the <c>--out</c> file. A file is written to a temporary file in the same
/// folder and moved into place only when everything has been written, so it appears complete or not at all.
/// </summary>
internal static class OutputTarget
{
    /// <summary>Checks up front (before any long computation) that <paramref name="outPath"/> can be created.</summary>
    public static void Validate(string? outPath) => Validate(outPath, "--out");

    /// <summary>Checks up front that <paramref name="path"/>, given with <paramref name="option"/> (e.g. <c>--plot</c>), can be created.</summary>
    public static void Validate(string? path, string option)
    {
        var outPath = path;
        if (outPath is null) return;
        if (string.IsNullOrWhiteSpace(outPath))
            throw new InvalidInputException($"{option} is empty; give the path of the file to write.");
        string full;
        try
        {
            full = Path.GetFullPath(outPath);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InvalidInputException($"{option} '{outPath}' is not a valid file path.", e);
        }
        if (Directory.Exists(full))
            throw new InvalidInputException($"{option} '{outPath}' is a directory; give the path of a file to write.");
        var dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir))
            throw new InvalidInputException($"{option} '{outPath}': the folder '{dir}' does not exist; create it first or choose another path.");
    }

    /// <summary>Runs <paramref name="write"/> against stdout, or against a temporary file that then replaces <paramref name="outPath"/>.</summary>
    public static void Emit(string? outPath, TextWriter stdout, Action<TextWriter> write)
    {
        if (outPath is null)
        {
            write(stdout);
            stdout.Flush();
            return;
        }
        WriteAtomically(outPath, "--out", stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
            write(writer);
            writer.Flush();
        });
    }

    /// <summary>
    /// Writes <paramref name="write"/>'s bytes to a temporary file next to <paramref name="path"/> and moves it into place,
    /// so the file appears complete or not at all; <paramref name="option"/> (e.g. <c>--plot</c>) names it in messages.
    /// </summary>
    public static void WriteAtomically(string path, string option, Action<Stream> write)
    {
        Validate(path, option);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
                throw new InvalidInputException($"{option} '{path}' could not be written ({e.Message.TrimEnd('.')}).", e);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException)
        {
            // Nothing more can be done; the original error is what the user needs to see.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
