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
        if (outPath is null || (option == "--out" && IsStdout(outPath))) return;
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
        OutputFile.Check(outPath, full, option);
    }

    /// <summary>Whether an <c>--out</c> value means stdout (<c>-</c>, the usual convention).</summary>
    public static bool IsStdout(string? outPath) => outPath == "-";

    /// <summary>Runs <paramref name="write"/> against stdout, or against a temporary file that then replaces <paramref name="outPath"/>.</summary>
    public static void Emit(string? outPath, TextWriter stdout, Action<TextWriter> write)
    {
        if (outPath is null || IsStdout(outPath))
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
    /// Writes <paramref name="write"/>'s bytes to a temporary file next to the file <paramref name="path"/> names and moves
    /// it into place, so the file appears complete or not at all; <paramref name="option"/> (e.g. <c>--plot</c>) names it
    /// in messages. A symbolic link is followed (the file it names is replaced and the link stays a link); a character
    /// device (<c>/dev/null</c>, a terminal) or a named pipe is written directly. The temporary file is deleted if the
    /// write fails or the process is interrupted (<see cref="PendingFiles"/>), and messages name <paramref name="path"/>,
    /// never the temporary file.
    /// </summary>
    public static void WriteAtomically(string path, string option, Action<Stream> write)
    {
        Validate(path, option);
        var target = OutputFile.Target(Path.GetFullPath(path));
        if (OutputFile.WrittenInPlace(FileStatus.KindOf(target)))
        {
            WriteInPlace(path, target, option, write);
            return;
        }
        var dir = Path.GetDirectoryName(target)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        PendingFiles.Add(temp);
        bool created = false;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                created = true;
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            OutputFile.KeepPermissions(target, temp);
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            if (e is IOException or UnauthorizedAccessException)
            {
                var reason = !created && e is UnauthorizedAccessException
                    ? $"this user may not create files in the folder '{dir}'"
                    : e.Message.Replace(temp, target, StringComparison.Ordinal).TrimEnd('.');
                throw new InvalidInputException($"{option} '{path}' could not be written ({reason}).", e);
            }
            throw;
        }
        finally
        {
            PendingFiles.Remove(temp);
        }
    }

    /// <summary>Writes straight into a device or pipe (it cannot be replaced by renaming, and must not be).</summary>
    private static void WriteInPlace(string path, string target, string option, Action<Stream> write)
    {
        try
        {
            using var stream = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
            write(stream);
            stream.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is UnauthorizedAccessException ? "this user may not write to it" : e.Message.TrimEnd('.');
            throw new InvalidInputException($"{option} '{path}' could not be written ({reason}).", e);
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
