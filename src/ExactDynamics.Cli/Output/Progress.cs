using System.Diagnostics;
using System.Globalization;

namespace ExactDynamics.Cli.Output;

/// <summary>
/// A progress bar on stderr for long operations (sweeps, simulations, tables):
/// <code>using var p = Progress.Start(ctx.Error, "sweep", total); … p.Advance();</code>
/// It draws only when stderr is an interactive terminal (and <c>--quiet</c> is not given), only once the operation has
/// run for half a second, and erases itself when disposed; otherwise every call is a no-op, so commands call it
/// unconditionally. <see cref="Advance"/> is thread-safe (call it from <c>Parallel.For</c>).
/// </summary>
internal sealed class Progress : IDisposable
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly TerminalWriter? _out;
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer? _timer;
    private readonly Lock _gate = new();
    private long _done;
    private bool _drawn;
    private bool _disposed;

    private Progress(TerminalWriter? output, string label, long total)
    {
        _out = output;
        _label = label;
        _total = Math.Max(0, total);
        if (_out is not null) _timer = new Timer(_ => Draw(), null, Delay, Interval);
    }

    /// <summary>
    /// Starts a bar for <paramref name="total"/> units of work (0 if unknown: a counter and the elapsed time are shown)
    /// on <paramref name="stderr"/>, which draws only if it is a terminal.
    /// </summary>
    public static Progress Start(TextWriter stderr, string label, long total) =>
        new(stderr as TerminalWriter, label, total);

    /// <summary>Whether this bar can draw at all (stderr is a terminal and not quiet).</summary>
    public bool IsVisible => _out is not null;

    /// <summary>Units of work done so far.</summary>
    public long Done => Interlocked.Read(ref _done);

    /// <summary>Marks <paramref name="units"/> more units of work done.</summary>
    public void Advance(long units = 1) => Interlocked.Add(ref _done, units);

    /// <summary>The bar's text for <paramref name="done"/> of <paramref name="total"/> after <paramref name="elapsed"/>, fitted in <paramref name="width"/> columns.</summary>
    internal static string Render(string label, long done, long total, TimeSpan elapsed, int width)
    {
        string time = elapsed.TotalSeconds < 60
            ? elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + "s"
            : $"{(int)elapsed.TotalMinutes}m{elapsed.Seconds:D2}s";
        if (total <= 0) return Fit($"{label}  {done.ToString(CultureInfo.InvariantCulture)} done  {time}", width);
        double fraction = Math.Clamp((double)done / total, 0, 1);
        string eta = done > 0 && done < total
            ? "  eta " + TimeSpan.FromSeconds(elapsed.TotalSeconds * (total - done) / done).ToString(@"m\:ss", CultureInfo.InvariantCulture)
            : "";
        string counts = $" {(100 * fraction).ToString("F0", CultureInfo.InvariantCulture),3}% {done.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)}  {time}{eta}";
        int barWidth = Math.Clamp(width - label.Length - counts.Length - 4, 10, 40);
        int filled = (int)Math.Round(fraction * barWidth);
        return Fit($"{label} [{new string('█', filled)}{new string('░', barWidth - filled)}]{counts}", width);
    }

    private static string Fit(string text, int width) => text.Length < width ? text : text[..Math.Max(0, width - 1)];

    /// <summary>Draws the bar now (what the timer does every 100 ms after the first half second).</summary>
    internal void Draw()
    {
        lock (_gate)
        {
            if (_disposed || _out is null) return;
            _out.Write("\r" + Render(_label, Done, _total, _clock.Elapsed, _out.Width) + "\u001b[K");
            _out.Flush();
            _drawn = true;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_drawn && _out is not null)
            {
                _out.Write("\r\u001b[K");
                _out.Flush();
            }
        }
    }
}
