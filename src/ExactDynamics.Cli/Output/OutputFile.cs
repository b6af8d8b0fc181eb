using System.Globalization;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// What an output path (<c>--out</c>, <c>--plot</c>) names and whether it may be written: the file a symbolic link
/// points to, whether it is a device or pipe to be written in place, and whether the current user may replace it (a
/// read-only file is refused, also for root, who could otherwise replace anything).
/// </summary>
internal static class OutputFile
{
    private const UnixFileMode AnyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>
    /// The file <paramref name="full"/> finally names after following symbolic links (itself when it is not a link; the
    /// link's target when that does not exist yet, so a dangling link gets its file created).
    /// </summary>
    public static string Target(string full)
    {
        try
        {
            if (new FileInfo(full).LinkTarget is null) return full;
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return full; // a link loop or an unreadable link: the write reports the problem with the user's path
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Devices and pipes are written directly: replacing them with a regular file would destroy them.</summary>
    public static bool WrittenInPlace(FileKind kind) => kind is FileKind.CharacterDevice or FileKind.Fifo;

    /// <summary>
    /// Refuses an output that must not be written: a block device or socket, or an existing file that is read-only for the
    /// current user (for root: whose mode has no write bit at all).
    /// </summary>
    public static void Check(string path, string full, string option)
    {
        var target = Target(full);
        if (target == full && IsLink(full))
            throw new InvalidInputException($"{option} '{path}' is a symbolic link that cannot be followed (a loop of links); give the path of a regular file to write.");
        var link = target == full ? "" : $" (a link to '{target}')";
        if (target != full && !Directory.Exists(Path.GetDirectoryName(target)))
            throw new InvalidInputException($"{option} '{path}'{link}: the folder of the file it links to does not exist; create it first or choose another path.");
        switch (FileStatus.KindOf(target))
        {
            case FileKind.BlockDevice:
                throw new InvalidInputException($"{option} '{path}'{link} is a block device; give the path of a regular file to write.");
            case FileKind.Socket:
                throw new InvalidInputException($"{option} '{path}'{link} is a socket; give the path of a regular file to write.");
            case FileKind.Regular or FileKind.Unknown when IsReadOnly(target, out var mode):
                throw new InvalidInputException(Environment.IsPrivilegedProcess || OperatingSystem.IsWindows()
                    ? $"{option} '{path}'{link} is read-only{mode}; it is left as it is — make it writable (chmod u+w) or choose another path."
                    : $"{option} '{path}'{link} is read-only for this user{mode}; it is left as it is — choose another path, or ask its owner to make it writable.");
        }
    }

    /// <summary>
    /// Whether the existing regular file <paramref name="target"/> may not be written by this process: for root, when no
    /// write bit is set (root could write it, but its owner marked it read-only); otherwise when opening it for writing is
    /// denied (which also honours group membership and ACLs). <paramref name="mode"/> describes the mode bits for the message.
    /// </summary>
    public static bool IsReadOnly(string target, out string mode)
    {
        mode = "";
        if (!File.Exists(target)) return false;
        if (OperatingSystem.IsWindows())
            return File.GetAttributes(target).HasFlag(FileAttributes.ReadOnly);
        var bits = File.GetUnixFileMode(target);
        mode = " (mode " + Convert.ToString((int)bits & 0x1FF, 8).PadLeft(3, '0').ToString(CultureInfo.InvariantCulture) + ")";
        if (Environment.IsPrivilegedProcess) return (bits & AnyWrite) == 0;
        try
        {
            using var probe = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
        catch (IOException)
        {
            return false; // busy or locked: not a permission matter; the write itself will report it
        }
    }

    /// <summary>Gives the new file <paramref name="temp"/> the permission bits of the file <paramref name="target"/> it replaces.</summary>
    public static void KeepPermissions(string target, string temp)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(target)) return;
        try
        {
            File.SetUnixFileMode(temp, File.GetUnixFileMode(target));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The default mode is an acceptable fallback.
        }
    }
}
