using System.Text;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// Standard output that reports a write to a closed stream (<c>exactdyn … &gt;&amp;-</c>) as a
/// <see cref="StdoutClosedException"/>, which <see cref="CliApp"/> turns into one sentence, instead of the runtime's
/// "Access to the path is denied". (A reader that goes away, as in <c>| head</c>, is not an error: the runtime already
/// ignores a broken pipe on stdout.)
/// </summary>
internal sealed class GuardedStdout(TextWriter inner) : TextWriter
{
    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc/>
    public override IFormatProvider FormatProvider => inner.FormatProvider;

    /// <inheritdoc/>
    public override string NewLine
    {
        get => inner.NewLine;
#pragma warning disable CS8765 // the base property allows null; so does the inner writer
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    /// <inheritdoc/>
    public override void Write(char value) => Guard(() => inner.Write(value));

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));

    /// <inheritdoc/>
    public override void Write(string? value) => Guard(() => inner.Write(value));

    /// <inheritdoc/>
    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

    /// <inheritdoc/>
    public override void Flush() => Guard(inner.Flush);

    private static void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            throw new StdoutClosedException(e);
        }
    }
}

/// <summary>Standard output could not be written (it is closed).</summary>
internal sealed class StdoutClosedException(Exception inner)
    : IOException("stdout is closed, so the result could not be written; redirect it to a file or use --out FILE.", inner);
