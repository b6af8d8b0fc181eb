using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// The temporary files of writes in progress (<see cref="OutputTarget.WriteAtomically"/>), deleted when the process is
/// interrupted (SIGINT, e.g. Ctrl+C; SIGTERM, e.g. <c>kill</c> or a job scheduler's time limit) or exits, so that an
/// interrupted write leaves neither a partial output nor a stray <c>.tmp</c> file behind.
/// </summary>
internal static class PendingFiles
{
    private static readonly ConcurrentDictionary<string, byte> Paths = new(StringComparer.Ordinal);
    private static readonly object Gate = new();
    private static bool _installed;
    private static readonly List<IDisposable> Registrations = []; // kept alive for the life of the process

    /// <summary>Records <paramref name="path"/> (before the file is created) so that an interruption deletes it.</summary>
    public static void Add(string path)
    {
        InstallHandlers();
        Paths[path] = 0;
    }

    /// <summary>Forgets <paramref name="path"/> (after it was moved into place or deleted).</summary>
    public static void Remove(string path) => Paths.TryRemove(path, out _);

    /// <summary>The temporary files currently recorded (for tests).</summary>
    public static IReadOnlyCollection<string> Current => Paths.Keys.ToArray();

    /// <summary>Deletes every recorded temporary file; never throws (it runs inside signal and exit handlers).</summary>
    public static void DeleteAll() => DeleteAll(_ => true);

    /// <summary>Deletes the recorded temporary files that <paramref name="which"/> selects (tests select their own folder).</summary>
    internal static void DeleteAll(Func<string, bool> which)
    {
        foreach (var path in Paths.Keys.Where(which))
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing more can be done while the process is going down.
            }
            Paths.TryRemove(path, out _);
        }
    }

    /// <summary>
    /// Registers the clean-up once: on SIGINT and SIGTERM (the signal then takes its normal course and ends the process)
    /// and on normal process exit.
    /// </summary>
    public static void InstallHandlers()
    {
        lock (Gate)
        {
            if (_installed) return;
            _installed = true;
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
            try
            {
                Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => DeleteAll()));
                Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => DeleteAll()));
            }
            catch (PlatformNotSupportedException)
            {
                // No POSIX signals (e.g. a browser host): Ctrl+C still raises ProcessExit on the platforms that have it.
            }
        }
    }
}
