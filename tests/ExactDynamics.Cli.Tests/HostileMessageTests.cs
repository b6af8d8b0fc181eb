using System.Text;
using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// Hostile and extreme inputs that used to get a wrong or misleading answer: each gets the right numbers or one sentence
/// that says what is wrong and what to do (exit 2).
/// </summary>
public class HostileMessageTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Rest = "--method sgd:lr=0.5 --batch 1";

    private static CliResult Refused(string command, params string[] contains)
    {
        var r = Cli.Run(Cli.Args(command));
        r.Code.ShouldBe(2, r.Err);
        r.ErrLines.Length.ShouldBe(1, r.Err);
        r.Out.ShouldBeEmpty();
        foreach (var c in contains) r.Err.ShouldContain(c);
        r.Err.ShouldNotContain("Access");
        return r;
    }

    private static double Gap(string spectrum, string extra = "")
    {
        var r = Cli.Run(Cli.Args($"gap --spectrum {spectrum} {Rest} {extra} --format json"));
        r.ShouldSucceed();
        return r.Json().GetProperty("gap").GetDouble();
    }

    [Theory]
    [InlineData("1e")]
    [InlineData("1O")]
    [InlineData("0x1")]
    [InlineData("1,5e")]
    [InlineData("-")]
    [InlineData(".")]
    public void A_mistyped_number_on_the_first_line_is_not_a_header(string first)
    {
        var spectrum = _dir.File("s.csv", $"{first}\n1\n0.5\n");
        var r = Refused($"gap --spectrum file:{spectrum} {Rest}", "line 1");
        var init = _dir.File("i.csv", $"{first}\n1\n1\n");
        Refused($"gap --spectrum values:1,0.5 --init file:{init} {Rest}", "line 1");
        r.Err.ShouldNotContain("holds no numbers");
    }

    [Theory]
    [InlineData("eigenvalue")]
    [InlineData("lambda_i")]
    [InlineData("\"eig\"")]
    [InlineData("λ")]
    public void A_column_name_is_a_header(string header)
    {
        var file = _dir.File("s.csv", $"{header}\n1\n0.5\n");
        Gap($"file:{file}").ShouldBe(Gap("values:1,0.5"));
    }

    [Theory]
    [InlineData(" ")] // np.savetxt(path, x.reshape(1, -1))
    [InlineData(",")] // np.savetxt(path, x.reshape(1, -1), delimiter=",")
    [InlineData("\t")]
    public void A_one_row_file_is_read_as_a_vector(string separator)
    {
        double[] x = [1, 0.5, 0.25, 0.125];
        var file = _dir.File("row.txt", string.Join(separator, x.Select(v => v.ToString("E18", System.Globalization.CultureInfo.InvariantCulture))) + "\n");
        Gap($"file:{file}").ShouldBe(Gap("values:1,0.5,0.25,0.125"));
        // as --init too: s = (1, 0, 0, 0) gives the same gap as a different file written one value per line
        var init = _dir.File("init-row.txt", "1 0 0 0\n");
        var column = _dir.File("init-col.txt", "1\n0\n0\n0\n");
        Gap($"file:{file}", $"--init file:{init}").ShouldBe(Gap($"file:{file}", $"--init file:{column}"));
    }

    [Fact]
    public void Two_rows_of_several_values_say_how_to_lay_out_the_file()
    {
        var file = _dir.File("m.txt", "1 0.5\n0.25 0.125\n");
        Refused($"gap --spectrum file:{file} {Rest}", "line 1", "line 2", "one number per line");
    }

    [Fact]
    public void Binary_files_are_shown_escaped_on_one_line()
    {
        var png = Path.Combine(_dir.Path, "fig.csv");
        File.WriteAllBytes(png, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x1B, (byte)'[', (byte)'3', (byte)'1', (byte)'m']);
        var r = Refused($"gap --spectrum file:{png} {Rest}", "binary");
        r.Err.TrimEnd('\n').ShouldNotContain(c => char.IsControl(c));
    }

    [Theory]
    [InlineData("gap --spectrum file:{dir} " + Rest)]
    [InlineData("gap --spectrum values:1 --init file:{dir} " + Rest)]
    [InlineData("gap --spectrum values:1 --method custom:{dir} --batch 1")]
    [InlineData("validate --against {dir} --spectrum values:1 " + Rest)]
    [InlineData("iterations --spectrum values:1 " + Rest + " --target 1e-3 --lr-schedule file:{dir}")]
    [InlineData("risk --spectrum values:1 " + Rest + " --plot {dir}/x.png --overlay {dir}")]
    [InlineData("run {dir}")]
    public void A_directory_given_as_a_file_says_so(string command) =>
        Refused(command.Replace("{dir}", _dir.Path), "is a directory");

    [Fact]
    public void Too_large_a_dimension_says_too_large_with_the_limit() =>
        Refused($"gap --spectrum powerlaw:a=1,d=1e12 {Rest}", "too large", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    public void An_infinite_batch_must_be_finite(string batch) =>
        Refused($"gap --spectrum values:1 --method sgd:lr=0.5 --batch {batch}", "finite");

    [Fact]
    public void Power_law_underflow_says_so_with_the_largest_exponent()
    {
        // λ_d = d^(−a) ≥ 2.2250738585072014e-308 ⇔ a ≤ ln(1/2.2250738585072014e-308)/ln d, shown rounded down to 0.01
        double aMax = Math.Floor(Math.Log(1 / 2.2250738585072014e-308) / Math.Log(200) * 100) / 100;
        aMax.ShouldBe(133.7, 0.01);
        Refused($"gap --spectrum powerlaw:a=1000,d=200 {Rest}", "underflows to 0", aMax.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Math.Pow(200, -aMax).ShouldBeGreaterThanOrEqualTo(2.2250738585072014e-308);
        Cli.Run(Cli.Args($"gap --spectrum powerlaw:a={aMax.ToString(System.Globalization.CultureInfo.InvariantCulture)},d=200 {Rest}")).ShouldSucceed();
        Refused($"gap --spectrum powerlaw:a=-1000,d=200 {Rest}", "overflows");
    }

    [Fact]
    public void Every_truncation_of_a_npy_file_says_truncated()
    {
        var bytes = Npy([1, 0.5, 0.25]);
        var full = Path.Combine(_dir.Path, "full.npy");
        File.WriteAllBytes(full, bytes);
        Gap($"file:{full}").ShouldBe(Gap("values:1,0.5,0.25"));
        var path = Path.Combine(_dir.Path, "cut.npy");
        for (int n = 1; n < bytes.Length; n++)
        {
            File.WriteAllBytes(path, bytes[..n]);
            Refused($"gap --spectrum file:{path} {Rest}", "truncated");
        }
        File.WriteAllBytes(path, []);
        Refused($"gap --spectrum file:{path} {Rest}", "empty");
    }

    [Fact]
    public void A_closed_stdout_is_one_sentence()
    {
        var stderr = new StringWriter();
        int code = CliApp.Run(Cli.Args($"gap --spectrum values:1,0.5 {Rest}"), new GuardedStdout(new ClosedWriter()), stderr);
        code.ShouldBe(2);
        var err = stderr.ToString();
        err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);
        err.ShouldContain("stdout is closed");
        err.ShouldNotContain("Access");
    }

    [Fact]
    public void Absurd_kurtosis_is_refused_and_a_large_one_diverges_with_a_finite_rho()
    {
        Refused($"gap --spectrum values:1,0.5 {Rest} --kurtosis 1e300", "Kurtosis", "at most 1e12");
        var r = Cli.Run(Cli.Args($"gap --spectrum values:1,0.5 {Rest} --kurtosis 1e12"));
        r.ShouldSucceed();
        r.Out.ShouldNotContain("∞");
        r.Out.ShouldContain("diverges");
        // ρ of a non-negative matrix is at least its diagonal entry E[(1 − η x₁²)²] = 1 − 2ηλ + η²M4λ² (λ = 1, η = 0.5, B = 1)
        var json = Cli.Run(Cli.Args($"gap --spectrum values:1,0.5 {Rest} --kurtosis 1e12 --format json")).Json();
        json.GetProperty("rho").GetDouble().ShouldBeGreaterThanOrEqualTo((1 - 2 * 0.5 + 0.25 * 1e12) * (1 - 1e-12));
    }

    [Fact]
    public void A_diverging_ramp_says_diverges_not_infinity()
    {
        var r = Cli.Run(Cli.Args("ramp --spectrum values:1,0.5 --method sgd:lr=1.5 --batch 1 --budget 20000 --double-every 100 --max-batch 64"));
        r.ShouldSucceed();
        r.Out.ShouldContain("diverges");
        r.Out.ShouldNotContain("∞");
    }

    [Fact]
    public void Threads_zero_means_all_cores_in_every_command()
    {
        const string sim = "simulate --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 2 --steps 5 --runs 8 --seed 3 --format csv";
        var zero = Cli.Run(Cli.Args(sim + " --threads 0"));
        zero.ShouldSucceed();
        zero.Out.ShouldBe(Cli.Run(Cli.Args(sim + " --threads 1")).Out);
        Cli.Run(Cli.Args("sweep --spectrum values:1,0.5 --families sgd --batches 1,2 --threads 0 --format csv")).ShouldSucceed();
        Refused(sim + " --threads -1", "--threads -1");
    }

    [Fact]
    public void Max_steps_zero_is_refused_alike_by_iterations_and_tune()
    {
        var a = Refused($"iterations --spectrum values:1,0.5 {Rest} --target 1e-3 --max-steps 0", "at least 1");
        var b = Refused("tune --spectrum values:1,0.5 --family sgd --batch 1 --max-steps 0", "at least 1");
        a.Err.ShouldStartWith("--max-steps 0 is not allowed");
        b.Err.ShouldStartWith("--max-steps 0 is not allowed");
    }

    [Theory]
    [InlineData("{\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1], \"b\": [0.25]}", "\"b\"")]
    [InlineData("{\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1], \"name\": \"x\", \"name\": \"y\"}", "\"name\"")]
    public void Duplicate_keys_in_a_method_file_are_refused_by_name(string json, string key)
    {
        var path = _dir.File("m.json", json);
        Refused($"gap --spectrum values:1,0.5 --method custom:{path} --batch 1", "twice", key);
    }

    [Theory]
    [InlineData("{\"command\": \"gap\", \"spectrum\": \"values:1\", \"method\": \"sgd:lr=0.5\", \"batch\": 1, \"batch\": 2}", "batch")]
    [InlineData("{\"command\": \"gap\", \"spectrum\": \"values:1\", \"method\": \"sgd:lr=0.5\", \"batch\": 1, \"--batch\": 2}", "batch")]
    [InlineData("{\"command\": \"gap\", \"command\": \"risk\", \"spectrum\": \"values:1\", \"method\": \"sgd:lr=0.5\", \"batch\": 1}", "command")]
    public void Duplicate_keys_in_an_experiment_file_are_refused_by_name(string json, string key)
    {
        var path = _dir.File("exp.json", json);
        Refused($"run {path}", "twice", key);
    }

    /// <summary>A .npy version 1.0 file of float64 values, written by hand from the format specification.</summary>
    private static byte[] Npy(double[] values)
    {
        var header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({values.Length},), }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        foreach (var v in values) bytes.AddRange(BitConverter.GetBytes(v));
        return [.. bytes];
    }

    private sealed class ClosedWriter : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => throw new UnauthorizedAccessException("Access to the path is denied.");
        public override void Write(string? value) => throw new UnauthorizedAccessException("Access to the path is denied.");
    }
}
