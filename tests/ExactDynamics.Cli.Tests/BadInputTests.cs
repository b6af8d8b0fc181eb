namespace ExactDynamics.Cli.Tests;

/// <summary>Every bad input: exit 2, exactly one line on stderr, no exception text, nothing on stdout, no --out file.</summary>
public class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public BadInputTests()
    {
        _dir.File("malformed.csv", "eigenvalue\n1\n0.5\nabc\n0.25\n");
        _dir.File("nonpositive.csv", "1\n-0.5\n");
        _dir.File("nan.csv", "1\nNaN\n");
        _dir.File("empty.csv", "eigenvalue\n\n");
        _dir.File("two-columns.csv", "1,2\n3,4\n");
        _dir.File("init3.csv", "1\n1\n1\n");
        _dir.File("syntax.json", "{\"A\": [[1]], \"b\": [0.5,], \"c\": [1] \"o\": [1]}");
        _dir.File("missing.json", "{\"A\": [[1]], \"b\": [0.5], \"c\": [1]}");
        _dir.File("ragged.json", "{\"A\": [[1, 0], [1]], \"b\": [0.5, 0], \"c\": [1, 0], \"o\": [1, 0]}");
        _dir.File("shape.json", "{\"A\": [[1]], \"b\": [0.5, 1], \"c\": [1], \"o\": [1]}");
        _dir.File("text.json", "{\"A\": [[\"one\"]], \"b\": [0.5], \"c\": [1], \"o\": [1]}");
        _dir.File("inconsistent.json", "{\"A\": [[0.9]], \"b\": [0.5], \"c\": [1], \"o\": [1]}");
        _dir.File("unknown-field.json", "{\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1], \"q\": 3}");
        _dir.File("array.json", "[1, 2]");
    }

    public void Dispose() => _dir.Dispose();

    private const string Spectrum = "--spectrum powerlaw:a=1,d=20";
    private const string Method = "--method sgd:lr=0.5";

    public static TheoryData<string, string> Cases => new()
    {
        // name, arguments ({dir} is the folder with the files above)
        { "missing spectrum file", $"risk --spectrum file:{{dir}}/nope.csv {Method} --batch 1" },
        { "malformed spectrum file", $"gap --spectrum file:{{dir}}/malformed.csv {Method} --batch 1" },
        { "empty spectrum file", $"gap --spectrum file:{{dir}}/empty.csv {Method} --batch 1" },
        { "two-column spectrum file", $"gap --spectrum file:{{dir}}/two-columns.csv {Method} --batch 1" },
        { "non-positive eigenvalue in a file", $"gap --spectrum file:{{dir}}/nonpositive.csv {Method} --batch 1" },
        { "non-positive eigenvalue in values", $"risk --spectrum values:1,0.5,0 {Method} --batch 1" },
        { "negative eigenvalue", $"risk --spectrum values:1,-0.5 {Method} --batch 1" },
        { "NaN eigenvalue in a file", $"gap --spectrum file:{{dir}}/nan.csv {Method} --batch 1" },
        { "NaN eigenvalue in values", $"gap --spectrum values:1,NaN {Method} --batch 1" },
        { "non-numeric eigenvalue", $"gap --spectrum values:1,x {Method} --batch 1" },
        { "d=0", $"risk --spectrum powerlaw:a=1,d=0 {Method} --batch 1" },
        { "d not an integer", $"risk --spectrum powerlaw:a=1,d=2.5 {Method} --batch 1" },
        { "unknown spectrum family", $"gap --spectrum marchenko:a=1 {Method} --batch 1" },
        { "missing spectrum parameter", $"gap --spectrum powerlaw:a=1 {Method} --batch 1" },
        { "unknown spectrum parameter", $"gap --spectrum powerlaw:a=1,d=5,b=2 {Method} --batch 1" },
        { "unknown method family", $"gap {Spectrum} --method adam:lr=0.1 --batch 1" },
        { "non-numeric hyperparameter", $"gap {Spectrum} --method hb:lr=fast,beta=0.5 --batch 1" },
        { "missing hyperparameter", $"gap {Spectrum} --method hb:lr=0.5 --batch 1" },
        { "unknown hyperparameter", $"gap {Spectrum} --method sgd:lr=0.5,beta=0.5 --batch 1" },
        { "non-positive learning rate", $"gap {Spectrum} --method sgd:lr=-0.5 --batch 1" },
        { "momentum 1", $"gap {Spectrum} --method hb:lr=0.5,beta=1 --batch 1" },
        { "batch 0 (risk)", $"risk {Spectrum} {Method} --batch 0" },
        { "batch -1 (risk)", $"risk {Spectrum} {Method} --batch -1" },
        { "batch 0 (gap)", $"gap {Spectrum} {Method} --batch 0" },
        { "batch -1 (gap)", $"gap {Spectrum} {Method} --batch -1" },
        { "batch 0 (iterations)", $"iterations {Spectrum} {Method} --batch 0 --target 1e-3" },
        { "batch -1 (iterations)", $"iterations {Spectrum} {Method} --batch -1 --target 1e-3" },
        { "batch 2.5 (risk)", $"risk {Spectrum} {Method} --batch 2.5" },
        { "batch 2.5 (iterations)", $"iterations {Spectrum} {Method} --batch 2.5 --target 1e-3" },
        { "non-numeric batch", $"gap {Spectrum} {Method} --batch eight" },
        { "negative steps", $"risk {Spectrum} {Method} --batch 1 --steps -5" },
        { "non-integer steps", $"risk {Spectrum} {Method} --batch 1 --steps 2.5" },
        { "every 0", $"risk {Spectrum} {Method} --batch 1 --every 0" },
        { "too many rows", $"risk {Spectrum} {Method} --batch 1 --steps 1e12" },
        { "kurtosis 0.5", $"gap {Spectrum} {Method} --batch 1 --kurtosis 0.5" },
        { "negative noise", $"risk {Spectrum} {Method} --batch 1 --noise -1" },
        { "negative target", $"iterations {Spectrum} {Method} --batch 1 --target -1e-3" },
        { "zero target", $"iterations {Spectrum} {Method} --batch 1 --target 0" },
        { "target below the double range", $"iterations {Spectrum} {Method} --batch 1 --target 1e-315" },
        { "target below the double range (tune)", $"tune {Spectrum} --family sgd --batch 1 --target 1e-320" },
        { "missing target", $"iterations {Spectrum} {Method} --batch 1" },
        { "malformed custom JSON", $"gap {Spectrum} --method custom:{{dir}}/syntax.json --batch 1" },
        { "custom JSON missing a field", $"gap {Spectrum} --method custom:{{dir}}/missing.json --batch 1" },
        { "custom JSON ragged A", $"gap {Spectrum} --method custom:{{dir}}/ragged.json --batch 1" },
        { "custom JSON wrong vector length", $"gap {Spectrum} --method custom:{{dir}}/shape.json --batch 1" },
        { "custom JSON text entry", $"gap {Spectrum} --method custom:{{dir}}/text.json --batch 1" },
        { "custom JSON inconsistent method", $"gap {Spectrum} --method custom:{{dir}}/inconsistent.json --batch 1" },
        { "custom JSON unknown field", $"gap {Spectrum} --method custom:{{dir}}/unknown-field.json --batch 1" },
        { "custom JSON not an object", $"gap {Spectrum} --method custom:{{dir}}/array.json --batch 1" },
        { "missing custom JSON", $"gap {Spectrum} --method custom:{{dir}}/nope.json --batch 1" },
        { "torch dampening=0.1", $"gap {Spectrum} --method torch:lr=0.1,momentum=0.9,dampening=0.1 --batch 1" },
        { "torch nesterov=maybe", $"gap {Spectrum} --method torch:lr=0.1,momentum=0.9,nesterov=maybe --batch 1" },
        { "unknown init", $"risk {Spectrum} {Method} --batch 1 --init gaussian" },
        { "init file of the wrong length", $"risk {Spectrum} {Method} --batch 1 --init file:{{dir}}/init3.csv" },
        { "missing init file", $"risk {Spectrum} {Method} --batch 1 --init file:{{dir}}/nope.csv" },
        { "unknown format", $"gap {Spectrum} {Method} --batch 1 --format xml" },
        { "missing --spectrum", $"gap {Method} --batch 1" },
        { "missing --method", $"risk {Spectrum} --batch 1" },
        { "missing --batch", $"risk {Spectrum} {Method}" },
        { "unknown option", $"gap {Spectrum} {Method} --batch 1 --lr 3" },
        { "unknown command", "fly --spectrum powerlaw:a=1,d=5" },
        { "no command", "" },
        { "demo batch 0", "demo --batch 0" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_a_usage_error_with_one_sentence(string name, string arguments)
    {
        var output = Path.Combine(_dir.Path, "out.txt");
        var args = Cli.Args(arguments.Replace("{dir}", _dir.Path, StringComparison.Ordinal));
        if (args.Length > 0) args = [.. args, "--out", output];
        var r = Cli.Run(args);

        r.Code.ShouldBe(2, $"{name}: stdout={r.Out} stderr={r.Err}");
        r.ErrLines.Length.ShouldBe(1, $"{name}: {r.Err}");
        r.Err.ShouldNotContain("Exception", Case.Sensitive, name);
        r.Err.ShouldNotContain("   at ", Case.Sensitive, name);
        r.Err.ShouldNotContain("internal error", Case.Sensitive, name);
        r.Out.ShouldBeEmpty(name);
        File.Exists(output).ShouldBeFalse(name);
        _dir.Entries().ShouldNotContain(e => e.EndsWith(".tmp", StringComparison.Ordinal), name);
    }

    [Fact]
    public void Messages_name_the_bad_value_and_what_is_allowed()
    {
        string Err(string a) => Cli.Run(Cli.Args(a.Replace("{dir}", _dir.Path, StringComparison.Ordinal))).Err;

        Err($"gap --spectrum file:{{dir}}/malformed.csv {Method} --batch 1").ShouldSatisfyAllConditions(
            e => e.ShouldContain("malformed.csv"), e => e.ShouldContain("line 4"), e => e.ShouldContain("'abc'"));
        Err($"gap --spectrum marchenko:a=1 {Method} --batch 1").ShouldSatisfyAllConditions(
            e => e.ShouldContain("'marchenko'"), e => e.ShouldContain("powerlaw:"), e => e.ShouldContain("values:"), e => e.ShouldContain("file:"));
        Err($"gap {Spectrum} --method adam:lr=0.1 --batch 1").ShouldSatisfyAllConditions(
            e => e.ShouldContain("'adam'"), e => e.ShouldContain("sgd:"), e => e.ShouldContain("hb:"), e => e.ShouldContain("nesterov:"),
            e => e.ShouldContain("asgd:"), e => e.ShouldContain("torch:"), e => e.ShouldContain("custom:"));
        Err($"gap {Spectrum} --method hb:lr=fast,beta=0.5 --batch 1").ShouldContain("'fast'");
        Err($"risk {Spectrum} {Method} --batch 2.5").ShouldContain("2.5");
        Err($"gap {Spectrum} --method custom:{{dir}}/missing.json --batch 1").ShouldContain("\"o\"");
        Err($"gap {Spectrum} --method custom:{{dir}}/syntax.json --batch 1").ShouldContain("not valid JSON at line 1");
        Err($"gap {Spectrum} --method torch:lr=0.1,momentum=0.9,dampening=0.1 --batch 1").ShouldContain("dampening");
        Err($"risk --spectrum file:{{dir}}/nope.csv {Method} --batch 1").ShouldContain("does not exist");
    }
}
