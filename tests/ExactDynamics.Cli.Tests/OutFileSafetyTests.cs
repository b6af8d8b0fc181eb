using System.Runtime.InteropServices;
using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// No input file and no output target is ever damaged: an output that is an input (by any spelling, link or hard link) is
/// refused, devices and pipes are written in place, links are followed, read-only files are left alone (also for root),
/// and no temporary file survives a failure or an interruption.
/// </summary>
public class OutFileSafetyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Gap = "gap --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1";

    private static CliResult Run(params string[] args) => Cli.Run(args);

    private static void ShouldBeOneSentence(CliResult r, string contains)
    {
        r.Code.ShouldBe(2, r.Err);
        r.ErrLines.Length.ShouldBe(1, r.Err);
        r.Err.ShouldContain(contains);
        r.Err.ShouldNotContain(".tmp");
        r.Out.ShouldBeEmpty();
    }

    private string[] Temps() => Directory.GetFiles(_dir.Path, "*.tmp", SearchOption.AllDirectories);

    public static TheoryData<string, string> InputCases => new()
    {
        // what, arguments with {in} the input file that --out names
        { "spectrum file", "gap --spectrum file:{in} --method sgd:lr=0.5 --batch 1" },
        { "init file", "gap --spectrum values:1,0.5 --init file:{in} --method sgd:lr=0.5 --batch 1" },
        { "custom method", "gap --spectrum values:1,0.5 --method custom:{in} --batch 1" },
        { "schedule file", "iterations --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --target 1e-3 --lr-schedule warmup:3+file:{in}" },
        { "against csv", "validate --against {in} --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1" },
        { "overlay csv", "risk --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --plot {dir}/fig.png --overlay {in}" },
    };

    private string Content(string what) => what switch
    {
        "custom method" => "{\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1]}",
        "schedule file" => "multiplier\n1\n",
        "against csv" or "overlay csv" => "t,risk,stderr\n0,0.75,0.01\n",
        _ => "1\n0.5\n",
    };

    [Theory]
    [MemberData(nameof(InputCases))]
    public void Out_naming_an_input_is_refused_and_the_input_is_kept(string what, string command)
    {
        var input = _dir.File("input.dat", Content(what));
        var before = File.ReadAllText(input);
        var args = Cli.Args(command.Replace("{in}", input).Replace("{dir}", _dir.Path));

        // the same path, another spelling of it, a symbolic link to it and a hard link to it
        var link = Path.Combine(_dir.Path, "link.dat");
        File.CreateSymbolicLink(link, input);
        var hard = Path.Combine(_dir.Path, "hard.dat");
        if (OperatingSystem.IsLinux()) Native.Link(input, hard).ShouldBe(0);
        var spellings = new List<string> { input, Path.Combine(_dir.Path, ".", "input.dat"), link };
        if (OperatingSystem.IsLinux()) spellings.Add(hard);
        foreach (var output in spellings)
        {
            var r = Run([.. args, "--out", output]);
            ShouldBeOneSentence(r, "is also an input");
            File.ReadAllText(input).ShouldBe(before, what);
        }
        Temps().ShouldBeEmpty();
    }

    [Fact]
    public void Experiment_file_as_out_is_refused()
    {
        var exp = _dir.File("exp.json", "{\"command\": \"gap\", \"spectrum\": \"values:1,0.5\", \"method\": \"sgd:lr=0.5\", \"batch\": 1}");
        var before = File.ReadAllText(exp);
        ShouldBeOneSentence(Run("run", exp, "--out", exp), "experiment file");
        ShouldBeOneSentence(Run("run", exp, $"--out={exp}"), "experiment file");
        File.ReadAllText(exp).ShouldBe(before);

        // "out" inside the file, relative to the file's folder
        var self = _dir.File("self.json", "{\"command\": \"gap\", \"spectrum\": \"values:1,0.5\", \"method\": \"sgd:lr=0.5\", \"batch\": 1, \"out\": \"self.json\"}");
        var selfBefore = File.ReadAllText(self);
        ShouldBeOneSentence(Run("run", self), "experiment file");
        File.ReadAllText(self).ShouldBe(selfBefore);
    }

    [Fact]
    public void Plot_and_out_on_the_same_file_are_refused()
    {
        var path = Path.Combine(_dir.Path, "x.png");
        ShouldBeOneSentence(Run([.. Cli.Args("risk --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --steps 5"), "--plot", path, "--out", path]), "same file");
        File.Exists(path).ShouldBeFalse();
    }

    [Fact]
    public void Dash_means_stdout()
    {
        var expected = Run(Cli.Args(Gap));
        expected.ShouldSucceed();
        var r = Run([.. Cli.Args(Gap), "--out", "-"]);
        r.ShouldSucceed();
        r.Out.ShouldBe(expected.Out);
        File.Exists(Path.Combine(Environment.CurrentDirectory, "-")).ShouldBeFalse();
    }

    [Fact]
    public void Dev_null_stays_a_device_and_gets_no_temp_file()
    {
        if (!OperatingSystem.IsLinux()) return;
        FileStatus.Supported.ShouldBeTrue(); // the C library's stat must answer on Linux, or none of this is checked
        var r = Run([.. Cli.Args(Gap), "--out", "/dev/null"]);
        r.ShouldSucceed();
        r.Out.ShouldBeEmpty();
        FileStatus.KindOf("/dev/null").ShouldBe(FileKind.CharacterDevice);
        Directory.GetFiles("/dev", ".null.*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_fifo_is_written_in_place_for_its_reader()
    {
        if (!OperatingSystem.IsLinux()) return;
        var fifo = Path.Combine(_dir.Path, "pipe");
        Native.MkFifo(fifo, Convert.ToUInt32("644", 8)).ShouldBe(0);
        FileStatus.KindOf(fifo).ShouldBe(FileKind.Fifo);
        // The reader blocks in open() until the writer opens the pipe, and reads to end of file when it closes it.
        var reader = Task.Run(() => File.ReadAllText(fifo));
        var r = Run([.. Cli.Args(Gap), "--out", fifo]);
        r.ShouldSucceed();
        var received = await reader.WaitAsync(TimeSpan.FromMinutes(1));
        received.ShouldBe(Run(Cli.Args(Gap)).Out);
        FileStatus.KindOf(fifo).ShouldBe(FileKind.Fifo);
        Temps().ShouldBeEmpty();
    }

    [Fact]
    public void A_symlink_is_followed_and_stays_a_link()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir.Path, "elsewhere")).FullName;
        var target = Path.Combine(sub, "result.txt");
        File.WriteAllText(target, "old");
        var link = Path.Combine(_dir.Path, "result-link.txt");
        File.CreateSymbolicLink(link, target);

        var r = Run([.. Cli.Args(Gap), "--out", link]);
        r.ShouldSucceed();
        new FileInfo(link).LinkTarget.ShouldBe(target);
        File.ReadAllText(target).ShouldBe(Run(Cli.Args(Gap)).Out);
        Temps().ShouldBeEmpty();

        // a dangling link: the file it names is created
        var missing = Path.Combine(sub, "new.txt");
        var dangling = Path.Combine(_dir.Path, "dangling.txt");
        File.CreateSymbolicLink(dangling, missing);
        Run([.. Cli.Args(Gap), "--out", dangling]).ShouldSucceed();
        new FileInfo(dangling).LinkTarget.ShouldBe(missing);
        File.Exists(missing).ShouldBeTrue();

        // a link into a missing folder, and a loop of links: refused, the links left as they are
        var nowhere = Path.Combine(_dir.Path, "to-nowhere.txt");
        File.CreateSymbolicLink(nowhere, Path.Combine(sub, "no-such-folder", "x.txt"));
        ShouldBeOneSentence(Run([.. Cli.Args(Gap), "--out", nowhere]), "does not exist");
        string loop1 = Path.Combine(_dir.Path, "loop1"), loop2 = Path.Combine(_dir.Path, "loop2");
        File.CreateSymbolicLink(loop1, loop2);
        File.CreateSymbolicLink(loop2, loop1);
        ShouldBeOneSentence(Run([.. Cli.Args(Gap), "--out", loop1]), "loop");
        new FileInfo(loop1).LinkTarget.ShouldBe(loop2);
        Temps().ShouldBeEmpty();
    }

    [Fact]
    public void A_read_only_file_is_refused_even_for_root_and_a_writable_one_keeps_its_mode()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = _dir.File("locked.txt", "keep me");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead); // 0444
        var r = Run([.. Cli.Args(Gap), "--out", path]);
        ShouldBeOneSentence(r, "read-only");
        r.Err.ShouldContain("444");
        File.ReadAllText(path).ShouldBe("keep me");

        // the same through a link
        var link = Path.Combine(_dir.Path, "locked-link.txt");
        File.CreateSymbolicLink(link, path);
        ShouldBeOneSentence(Run([.. Cli.Args(Gap), "--out", link]), "read-only");
        File.ReadAllText(path).ShouldBe("keep me");

        var open = _dir.File("open.txt", "old");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead; // 0640
        File.SetUnixFileMode(open, mode);
        Run([.. Cli.Args(Gap), "--out", open]).ShouldSucceed();
        File.GetUnixFileMode(open).ShouldBe(mode);
        File.ReadAllText(open).ShouldNotBe("old");
    }

    [Fact]
    public void An_unprivileged_user_cannot_replace_a_file_it_may_not_write()
    {
        // Runs the CLI as user 'nobody' (setpriv, available to root — CI runs as root): the folder lets nobody create and
        // rename files, so only the permission check stands between it and replacing root's 0644 file.
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess || !File.Exists("/usr/bin/setpriv")) return;
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)Convert.ToInt32("777", 8));
        var owned = _dir.File("owned.csv", "keep me");
        File.SetUnixFileMode(owned, (UnixFileMode)Convert.ToInt32("644", 8));
        // the build output may sit below a folder that 'nobody' cannot enter (a clone in a 0700 temp folder): run a copy
        // of it from the test's own world-readable folder (the assemblies and this machine's native assets, ~12 MB)
        var app = Path.Combine(_dir.Path, "app");
        string[] native = [$"runtimes/{System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}/", "runtimes/linux/", "runtimes/unix/"];
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(AppContext.BaseDirectory, file).Replace('\\', '/');
            if (relative.Contains('/') && !native.Any(n => relative.StartsWith(n, StringComparison.Ordinal))) continue;
            var copy = Path.Combine(app, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        var dll = Path.Combine(app, "exactdyn.dll");
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = _dir.Path,
        };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "env", $"HOME={_dir.Path}", $"DOTNET_CLI_HOME={_dir.Path}", "DOTNET_NOLOGO=1" })
            start.ArgumentList.Add(a);
        start.ArgumentList.Add(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath! : "/usr/bin/dotnet");
        start.ArgumentList.Add(dll);
        foreach (var a in Cli.Args(Gap)) start.ArgumentList.Add(a);
        start.ArgumentList.Add("--out");
        start.ArgumentList.Add(owned);
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(2, stderr);
        stderr.ShouldContain("read-only for this user");
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1, stderr);
        File.ReadAllText(owned).ShouldBe("keep me");
        Temps().ShouldBeEmpty();
    }

    [Fact]
    public void A_failed_write_names_the_path_not_the_temp_file_and_leaves_nothing()
    {
        var path = Path.Combine(_dir.Path, "out.csv");
        var e = Should.Throw<InvalidInputException>(() => OutputTarget.WriteAtomically(path, "--out",
            s => throw new IOException($"No space left on device : '{((FileStream)s).Name}'")));
        e.Message.ShouldContain(path);
        e.Message.ShouldNotContain(".tmp");
        Temps().ShouldBeEmpty();
        File.Exists(path).ShouldBeFalse();
        PendingFiles.Current.ShouldNotContain(p => p.StartsWith(_dir.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Interruption_cleanup_deletes_the_temp_file_of_a_write_in_progress()
    {
        // What the SIGINT/SIGTERM/exit handlers run, called while a write is in progress (a signal cannot be sent
        // to the test host without killing it, and timing it against a child process would not be deterministic).
        var path = Path.Combine(_dir.Path, "interrupted.csv");
        string? temp = null;
        bool existedDuringWrite = false, goneAfterCleanup = false;
        Should.Throw<InvalidInputException>(() => OutputTarget.WriteAtomically(path, "--out", s =>
        {
            s.Write("partial"u8);
            s.Flush();
            temp = PendingFiles.Current.Single(p => p.StartsWith(_dir.Path, StringComparison.Ordinal));
            existedDuringWrite = File.Exists(temp);
            PendingFiles.DeleteAll(p => p.StartsWith(_dir.Path, StringComparison.Ordinal)); // only this test's files: others may be writing
            goneAfterCleanup = !File.Exists(temp);
            throw new IOException("interrupted");
        }));
        temp.ShouldNotBeNull();
        Path.GetDirectoryName(temp).ShouldBe(_dir.Path);
        existedDuringWrite.ShouldBeTrue();
        goneAfterCleanup.ShouldBeTrue();
        _dir.Entries().ShouldBeEmpty();
    }

    [Fact]
    public void Same_file_compares_identity_not_spelling()
    {
        var a = _dir.File("a.txt", "1");
        var b = _dir.File("b.txt", "1");
        OutputCollisions.SameFile(a, b).ShouldBeFalse();
        OutputCollisions.SameFile(a, Path.Combine(_dir.Path, "sub", "..", "a.txt")).ShouldBeTrue();
        var dirLink = Path.Combine(_dir.Path, "dirlink");
        Directory.CreateSymbolicLink(dirLink, _dir.Path);
        OutputCollisions.SameFile(a, Path.Combine(dirLink, "a.txt")).ShouldBeTrue();
        // neither exists yet: the same name in the same folder (reached through a linked folder)
        OutputCollisions.SameFile(Path.Combine(_dir.Path, "new.png"), Path.Combine(dirLink, "new.png")).ShouldBeTrue();
        OutputCollisions.SameFile(Path.Combine(_dir.Path, "new.png"), Path.Combine(dirLink, "other.png")).ShouldBeFalse();
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
        public static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

        [DllImport("libc", EntryPoint = "link", SetLastError = true)]
        public static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
    }
}
