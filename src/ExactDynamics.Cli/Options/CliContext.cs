using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, messages to <see cref="Error"/>. On an interactive terminal
/// these are <see cref="TerminalWriter"/>s (rich tables on stdout; <see cref="Progress"/> bars on stderr), otherwise plain
/// writers; commands do not need to care.
/// </summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error)
{
    /// <summary><c>--quiet</c>: no progress bars and no informational messages (errors are still printed).</summary>
    public bool Quiet { get; init; }

    /// <summary>What stdout and stderr are attached to.</summary>
    public TerminalInfo Terminal { get; init; } = TerminalInfo.Redirected;

    /// <summary>Runs a whole command line with the same writers (used by <c>run</c>); null outside <see cref="CliApp"/>.</summary>
    public Func<string[], int>? Dispatch { get; init; }

    /// <summary>An informational message on stderr, unless <c>--quiet</c>.</summary>
    public void Note(string message)
    {
        if (!Quiet) Error.WriteLine(message);
    }
}
