namespace ExactDynamics.Cli.Tests;

public class OutFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("risk --spectrum powerlaw:a=1,d=30 --method sgd:lr=0.5 --batch 2 --steps 50 --every 5")]
    [InlineData("gap --spectrum powerlaw:a=1,d=30 --method hb:lr=0.5,beta=0.6 --batch 2")]
    [InlineData("iterations --spectrum powerlaw:a=1,d=30 --method sgd:lr=0.5 --batch 2 --target 1e-3")]
    public void Out_writes_exactly_what_stdout_would_show(string command)
    {
        foreach (var format in new[] { "table", "csv", "json" })
        {
            var path = _dir.File($"result.{format}");
            var toFile = Cli.Run(Cli.Args($"{command} --format {format} --out {path}"));
            toFile.ShouldSucceed();
            toFile.Out.ShouldBeEmpty();
            var toStdout = Cli.Run(Cli.Args($"{command} --format {format}"));
            File.ReadAllText(path).ShouldBe(toStdout.Out);
        }
        _dir.Entries().OrderBy(x => x).ShouldBe(["result.csv", "result.json", "result.table"]); // no temp files left
    }

    [Fact]
    public void Out_replaces_an_existing_file()
    {
        var path = _dir.File("gap.json", "old content that is longer than the new one ......................................................");
        var r = Cli.Run(Cli.Args($"gap --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --format json --out {path}"));
        r.ShouldSucceed();
        File.ReadAllText(path).ShouldStartWith("{");
        File.ReadAllText(path).ShouldNotContain("old content");
    }

    [Fact]
    public void Bad_input_leaves_no_file_and_keeps_an_existing_one()
    {
        var fresh = Path.Combine(_dir.Path, "fresh.csv");
        var r = Cli.Run(Cli.Args($"risk --spectrum values:1,-1 --method sgd:lr=0.5 --batch 1 --format csv --out {fresh}"));
        r.Code.ShouldBe(2);
        File.Exists(fresh).ShouldBeFalse();

        var existing = _dir.File("existing.csv", "keep me");
        r = Cli.Run(Cli.Args($"risk --spectrum values:1,0.5 --method sgd:lr=abc --batch 1 --format csv --out {existing}"));
        r.Code.ShouldBe(2);
        File.ReadAllText(existing).ShouldBe("keep me");
        _dir.Entries().ShouldBe(["existing.csv"]);
    }

    [Fact]
    public void Out_into_a_missing_folder_is_a_usage_error()
    {
        var path = Path.Combine(_dir.Path, "no-such-folder", "x.csv");
        var r = Cli.Run(Cli.Args($"gap --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --out {path}"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("does not exist");
        r.Out.ShouldBeEmpty();
    }
}
