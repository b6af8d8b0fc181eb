using System.Globalization;
using System.Text.Json;

namespace ExactDynamics.Cli.Tests;

/// <summary>The result of one in-process run of <c>exactdyn</c>.</summary>
internal sealed record CliResult(int Code, string Out, string Err)
{
    public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void ShouldSucceed()
    {
        Code.ShouldBe(0, $"stderr: {Err}");
    }

    /// <summary>The CSV rows (header first), split on commas (our numeric CSV has no quoted fields).</summary>
    public string[][] Csv() => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToArray();

    public JsonElement Json() => JsonDocument.Parse(Out).RootElement.Clone();
}

internal static class Cli
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter(CultureInfo.InvariantCulture);
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int code = CliApp.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    public static string[] Args(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A fresh temporary folder per test class instance, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "exactdyn-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name, string? content = null)
    {
        var p = System.IO.Path.Combine(Path, name);
        if (content is not null) System.IO.File.WriteAllText(p, content);
        return p;
    }

    public string[] Entries() => Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).ToArray()!;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
