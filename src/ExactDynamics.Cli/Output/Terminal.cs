using System.Text;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// What the process is attached to: whether stdout and stderr are interactive terminals, whether colour is allowed
/// (<c>NO_COLOR</c> unset and <c>TERM</c> not <c>dumb</c>, https://no-color.org), and the terminal width.
/// </summary>
internal sealed record TerminalInfo(bool StdoutIsTerminal, bool StderrIsTerminal, bool ColorAllowed, int Width)
{
    /// <summary>Both streams redirected (files, pipes, tests): plain text, no progress, no colour.</summary>
    public static TerminalInfo Redirected { get; } = new(false, false, false, 80);

    /// <summary>The real console of this process.</summary>
    public static TerminalInfo Detect()
    {
        bool noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) ||
                       string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
        int width = 100;
        try
        {
            if (!Console.IsOutputRedirected && Console.WindowWidth > 0) width = Console.WindowWidth;
        }
        catch (IOException) { }
        catch (PlatformNotSupportedException) { }
        return new TerminalInfo(!Console.IsOutputRedirected, !Console.IsErrorRedirected, !noColor, width);
    }

    /// <summary>
    /// stdout as commands should see it: a <see cref="TerminalWriter"/> (rich tables) on a terminal without <c>NO_COLOR</c>,
    /// else <paramref name="stdout"/> itself (the plain text table).
    /// </summary>
    public TextWriter WrapOut(TextWriter stdout) =>
        StdoutIsTerminal && ColorAllowed ? new TerminalWriter(stdout, color: true, Width) : stdout;

    /// <summary>stderr as commands should see it: a <see cref="TerminalWriter"/> (progress bars) on a terminal unless <paramref name="quiet"/>.</summary>
    public TextWriter WrapError(TextWriter stderr, bool quiet) =>
        StderrIsTerminal && !quiet ? new TerminalWriter(stderr, ColorAllowed, Width) : stderr;
}

/// <summary>
/// A writer known to be an interactive terminal. <see cref="TextTable"/> draws Spectre.Console tables on it and
/// <see cref="Progress"/> draws progress bars on it; anything else (files, pipes, tests) gets plain text.
/// </summary>
internal sealed class TerminalWriter(TextWriter inner, bool color, int width) : TextWriter(inner.FormatProvider)
{
    /// <summary>The underlying console writer.</summary>
    public TextWriter Inner { get; } = inner;

    /// <summary>Whether ANSI colour and styles may be used.</summary>
    public bool Color { get; } = color;

    /// <summary>Columns of the terminal.</summary>
    public int Width { get; } = Math.Max(40, width);

    public override Encoding Encoding => Inner.Encoding;

    public override void Write(char value) => Inner.Write(value);

    public override void Write(string? value) => Inner.Write(value);

    public override void Write(char[] buffer, int index, int count) => Inner.Write(buffer, index, count);

    public override void WriteLine(string? value) => Inner.WriteLine(value);

    public override void WriteLine() => Inner.WriteLine();

    public override void Flush() => Inner.Flush();

    /// <summary><paramref name="text"/> in bold when colour is allowed.</summary>
    public string Bold(string text) => Color ? $"\u001b[1m{text}\u001b[22m" : text;

    /// <summary><paramref name="text"/> dimmed when colour is allowed.</summary>
    public string Dim(string text) => Color ? $"\u001b[2m{text}\u001b[22m" : text;
}
