using System.Globalization;
using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Tests;

public class TerminalTests
{
    private const string Gap = "gap --spectrum powerlaw:a=1,d=50 --method hb:lr=0.3,beta=0.6 --batch 4";

    private static CliResult RunOn(TerminalInfo terminal, string line)
    {
        var stdout = new StringWriter(CultureInfo.InvariantCulture);
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int code = CliApp.Run(Cli.Args(line), stdout, stderr, terminal);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void A_terminal_gets_a_drawn_table_with_colour()
    {
        var r = RunOn(new TerminalInfo(StdoutIsTerminal: true, StderrIsTerminal: true, ColorAllowed: true, Width: 120), Gap);
        r.ShouldSucceed();
        r.Out.ShouldContain("╭");
        r.Out.ShouldContain("\u001b[");
        r.Out.ShouldContain("secular_root");
        r.Out.ShouldContain("hb:lr=0.3,beta=0.6");
    }

    [Fact]
    public void No_color_on_a_terminal_keeps_the_plain_table()
    {
        var plain = Cli.Run(Cli.Args(Gap));
        var r = RunOn(new TerminalInfo(true, true, ColorAllowed: false, Width: 120), Gap);
        r.ShouldSucceed();
        r.Out.ShouldNotContain("\u001b");
        r.Out.ShouldNotContain("╭");
        r.Out.ShouldBe(plain.Out);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    public void Csv_and_json_are_the_same_on_a_terminal(string format)
    {
        var r = RunOn(new TerminalInfo(true, true, true, 120), $"{Gap} --format {format}");
        r.Out.ShouldBe(Cli.Run(Cli.Args($"{Gap} --format {format}")).Out);
    }

    [Fact]
    public void Out_file_gets_the_plain_table_even_from_a_terminal()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "gap.txt");
        RunOn(new TerminalInfo(true, true, true, 120), $"{Gap} --out {path}").ShouldSucceed();
        File.ReadAllText(path).ShouldBe(Cli.Run(Cli.Args(Gap)).Out);
    }

    [Fact]
    public void Detect_respects_NO_COLOR()
    {
        var old = Environment.GetEnvironmentVariable("NO_COLOR");
        try
        {
            Environment.SetEnvironmentVariable("NO_COLOR", "1");
            TerminalInfo.Detect().ColorAllowed.ShouldBeFalse();
        }
        finally
        {
            Environment.SetEnvironmentVariable("NO_COLOR", old);
        }
    }

    [Fact]
    public void Progress_is_silent_unless_stderr_is_a_terminal()
    {
        var plain = new StringWriter();
        using (var p = Progress.Start(plain, "work", 10))
        {
            p.IsVisible.ShouldBeFalse();
            p.Advance();
            p.Advance(3);
            p.Done.ShouldBe(4);
        }
        plain.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Progress_draws_on_a_terminal_and_erases_itself()
    {
        var sink = new StringWriter();
        var synced = TextWriter.Synchronized(sink); // the timer draws from another thread
        string Text() { lock (synced) return sink.ToString(); }
        var terminal = new TerminalWriter(synced, color: false, width: 80);
        using (var p = Progress.Start(terminal, "sweep", 4))
        {
            p.IsVisible.ShouldBeTrue();
            p.Advance(2);
            // The timer draws the bar after half a second; draw it now instead of waiting (no dependence on timing).
            p.Draw();
        }
        var text = Text();
        text.ShouldContain("sweep [");
        text.ShouldContain("50% 2/4");
        text.ShouldEndWith("\r\u001b[K");
    }

    [Fact]
    public void Progress_line_fits_the_width()
    {
        var line = Progress.Render("sweep", 3, 12, TimeSpan.FromSeconds(9), 60);
        line.Length.ShouldBeLessThan(60);
        line.ShouldContain("25% 3/12");
        line.ShouldContain("eta 0:27");
        Progress.Render("simulate", 7, 0, TimeSpan.FromSeconds(2), 60).ShouldContain("7 done");
    }

    [Fact]
    public void Quiet_is_accepted_anywhere_and_silences_notes()
    {
        Cli.Run(Cli.Args("--quiet " + Gap)).ShouldSucceed();
        Cli.Run(Cli.Args(Gap + " -q")).ShouldSucceed();
        const string diverging = "risk --spectrum powerlaw:a=1,d=20 --method sgd:lr=5 --batch 1 --steps 5000 --every 1000 --format csv";
        Cli.Run(Cli.Args(diverging)).Err.ShouldContain("overflows");
        var quiet = Cli.Run(Cli.Args(diverging + " --quiet"));
        quiet.ShouldSucceed();
        quiet.Err.ShouldBeEmpty();
    }

    [Fact]
    public void Quiet_turns_off_progress_on_a_terminal()
    {
        var info = new TerminalInfo(true, StderrIsTerminal: true, true, 100);
        info.WrapError(TextWriter.Null, quiet: false).ShouldBeOfType<TerminalWriter>();
        info.WrapError(TextWriter.Null, quiet: true).ShouldNotBeOfType<TerminalWriter>();
        TerminalInfo.Redirected.WrapError(TextWriter.Null, quiet: false).ShouldNotBeOfType<TerminalWriter>();
    }
}
