using System.Runtime.InteropServices;

namespace ExactDynamics.Cli.Output;

/// <summary>What kind of file system object a path names (after following symbolic links).</summary>
internal enum FileKind
{
    /// <summary>Nothing exists at the path.</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A character device such as <c>/dev/null</c> or a terminal.</summary>
    CharacterDevice,
    /// <summary>A named pipe (FIFO).</summary>
    Fifo,
    /// <summary>A block device (a disk).</summary>
    BlockDevice,
    /// <summary>A Unix domain socket.</summary>
    Socket,
    /// <summary>The kind could not be determined (no <c>stat</c> on this platform); treated as a regular file.</summary>
    Unknown,
}

/// <summary>
/// The identity (device and inode), kind and permission bits of a file, from the C library's <c>stat</c>, which follows
/// symbolic links. The .NET class library exposes neither the inode nor the file type, and both are needed to tell
/// whether an output path names an input (through a link, a hard link or another spelling) and whether it is a device
/// or pipe that must be written in place. Available on Linux (x64 and arm64, glibc ≥ 2.33 or musl); elsewhere
/// <see cref="TryGet"/> returns null and callers fall back to comparing resolved paths.
/// </summary>
internal readonly record struct FileStatus(ulong Device, ulong Inode, FileKind Kind, uint Mode, uint Owner)
{
    private const uint TypeMask = 0xF000;

    /// <summary>Permission bits (the low 12 bits of st_mode, e.g. 0o644).</summary>
    public uint Permissions => Mode & 0xFFF;

    /// <summary>The status of the object <paramref name="path"/> names (links followed); null when it does not exist or stat is unavailable.</summary>
    public static FileStatus? TryGet(string path)
    {
        if (!Supported) return null;
        var buffer = new byte[256];
        int rc;
        try
        {
            rc = Stat(path, buffer);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unsupported = true;
            return null;
        }
        if (rc != 0) return null;
        ulong dev = BitConverter.ToUInt64(buffer, 0), ino = BitConverter.ToUInt64(buffer, 8);
        // x86-64: st_nlink (8 bytes) precedes st_mode; the generic layout (arm64) has st_mode right after st_ino.
        bool x64 = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        uint mode = BitConverter.ToUInt32(buffer, x64 ? 24 : 16);
        uint uid = BitConverter.ToUInt32(buffer, x64 ? 28 : 24);
        var kind = (mode & TypeMask) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x1000 => FileKind.Fifo,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
        return new FileStatus(dev, ino, kind, mode, uid);
    }

    /// <summary>Whether <see cref="TryGet"/> can work here (Linux on x64 or arm64, and the C library answered).</summary>
    public static bool Supported =>
        !_unsupported && OperatingSystem.IsLinux() &&
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>The kind of the object <paramref name="path"/> names: <see cref="FileKind.Unknown"/> when stat is unavailable.</summary>
    public static FileKind KindOf(string path)
    {
        if (TryGet(path) is FileStatus s) return s.Kind;
        if (!Supported) return File.Exists(path) ? FileKind.Unknown : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
        return FileKind.Missing;
    }

    private static volatile bool _unsupported;

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
