using System.Globalization;
using System.Text;

namespace ExactDynamics.Cli.Tests;

/// <summary>
/// Generated hostile inputs (fixed seeds, so every run checks the same cases): random bytes and scrambled text in every
/// kind of input file, malformed numbers in every numeric option and spec parameter, scrambled specs. The promise
/// checked: exit 0 (or 1 for a failed validation) with results, or exit 2 with exactly one printable line on stderr and
/// nothing on stdout — never exit 70 (an internal error) and never a crash.
/// </summary>
public class HostileInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Tokens =
        ["1", "0.5", "0.25", "2", "-1", "0", "1e", "1O", "0x1", "abc", "NaN", "∞", "1,2", "\"0.3\"", "# note", "", " ", "t,risk", "multiplier", "eigenvalue", "1 2", "{", "}", "\"A\":", "[[1]]"];

    /// <summary>Files of one kind: half random bytes, half random lines of plausible and broken tokens.</summary>
    private static IEnumerable<byte[]> Garbage(int seed, int count)
    {
        var random = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            if (n % 2 == 0)
            {
                var bytes = new byte[random.Next(0, 160)];
                random.NextBytes(bytes);
                yield return bytes;
            }
            else
            {
                var sb = new StringBuilder();
                int lines = random.Next(0, 6);
                for (int i = 0; i < lines; i++)
                {
                    sb.Append(Tokens[random.Next(Tokens.Length)]);
                    if (random.Next(4) == 0) sb.Append(',').Append(Tokens[random.Next(Tokens.Length)]);
                    sb.Append(random.Next(5) == 0 ? "\r\n" : "\n");
                }
                yield return Encoding.UTF8.GetBytes(sb.ToString());
            }
        }
    }

    private static void ShouldBeHandled(string[] args, bool validation = false)
    {
        var r = Cli.Run(args);
        var shown = string.Join(' ', args);
        r.Code.ShouldNotBe(70, $"{shown}: {r.Err}");
        if (r.Code == 0 || (validation && r.Code == 1)) return;
        r.Code.ShouldBe(2, $"{shown}: {r.Err}");
        r.ErrLines.Length.ShouldBe(1, $"{shown}: {r.Err}");
        r.Err.TrimEnd('\n').ShouldNotContain(c => char.IsControl(c), shown);
        r.Out.ShouldBeEmpty(shown);
    }

    public static TheoryData<string, string, int> FileKinds => new()
    {
        // kind, command with {f} the file and {d} the folder, cases
        { "spectrum.csv", "gap --spectrum file:{f} --method sgd:lr=0.1 --batch 1", 16 },
        { "spectrum.npy", "gap --spectrum file:{f} --method sgd:lr=0.1 --batch 1", 12 },
        { "init.csv", "gap --spectrum values:1,0.5,0.25 --init file:{f} --method sgd:lr=0.1 --batch 1", 12 },
        { "method.json", "gap --spectrum values:1,0.5 --method custom:{f} --batch 1", 12 },
        { "experiment.json", "run {f}", 12 },
        { "against.csv", "validate --against {f} --spectrum values:1,0.5 --method sgd:lr=0.1 --batch 1 --runs 10", 12 },
        { "schedule.csv", "iterations --spectrum values:1,0.5 --method sgd:lr=0.1 --batch 1 --target 1e-3 --lr-schedule file:{f}", 12 },
        { "overlay.csv", "risk --spectrum values:1 --method sgd:lr=0.1 --batch 1 --steps 3 --plot {d}/p.svg --overlay {f}", 4 },
    };

    [Theory]
    [MemberData(nameof(FileKinds))]
    public void Garbage_files_are_refused_with_one_line(string kind, string command, int cases)
    {
        var path = Path.Combine(_dir.Path, kind);
        int n = 0;
        foreach (var bytes in Garbage(kind.Sum(c => c) * 31 + 1234, cases))
        {
            File.WriteAllBytes(path, bytes);
            var args = Cli.Args(command.Replace("{d}", _dir.Path, StringComparison.Ordinal)).Select(a => a.Replace("{f}", path, StringComparison.Ordinal)).ToArray();
            ShouldBeHandled(args, validation: kind == "against.csv");
            n++;
        }
        n.ShouldBe(cases);
    }

    /// <summary>Random strings that are not a finite number (finite ones are skipped: they could be valid and slow).</summary>
    private static IEnumerable<string> MalformedNumbers(int seed, int count)
    {
        const string alphabet = "0123456789eE+-.xXO,;:_ ∞";
        var random = new Random(seed);
        string[] fixedCases = ["1e", "1O", "0x1", "1e999", "-1e999", "NaN", "Infinity", "-Infinity", "1.2.3", "１", "1_000", "--"];
        foreach (var s in fixedCases) yield return s;
        int made = 0;
        while (made < count)
        {
            var chars = new char[random.Next(1, 7)];
            for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            var s = new string(chars).Trim();
            if (s.Length == 0 || s.StartsWith('-') && s.Length > 1 && char.IsLetter(s[1])) continue; // would read as an option name
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x)) continue;
            made++;
            yield return s;
        }
    }

    [Fact]
    public void Malformed_numbers_in_options_and_spec_parameters_are_refused_with_one_line()
    {
        string[] templates =
        [
            "gap --spectrum values:1,0.5 --method sgd:lr=0.5 --batch {x}",
            "gap --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --kurtosis {x}",
            "gap --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --noise {x}",
            "risk --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --steps {x}",
            "iterations --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --target {x}",
            "gap --spectrum powerlaw:a={x},d=10 --method sgd:lr=0.5 --batch 1",
            "gap --spectrum powerlaw:a=1,d={x} --method sgd:lr=0.5 --batch 1",
            "gap --spectrum values:1,{x} --method sgd:lr=0.5 --batch 1",
            "gap --spectrum values:1,0.5 --method hb:lr={x},beta=0.5 --batch 1",
            "gap --spectrum values:1,0.5 --method hb:lr=0.5,beta={x} --batch 1",
            "gap --spectrum values:1,0.5 --method sgd:lr=0.5 --batch 1 --init power:p={x}",
        ];
        int checkedCases = 0;
        int t = 0;
        foreach (var x in MalformedNumbers(99, 24))
        {
            // every malformed value in a few templates, rotating, so every template sees several values
            for (int k = 0; k < 3; k++)
            {
                var template = templates[(t + k) % templates.Length];
                var args = Cli.Args(template).Select(a => a.Replace("{x}", x, StringComparison.Ordinal)).ToArray();
                var r = Cli.Run(args);
                var shown = string.Join(' ', args);
                r.Code.ShouldBe(2, $"{shown}: {r.Err}");
                r.ErrLines.Length.ShouldBe(1, $"{shown}: {r.Err}");
                r.Out.ShouldBeEmpty(shown);
                checkedCases++;
            }
            t++;
        }
        checkedCases.ShouldBe(3 * (12 + 24));
    }

    [Fact]
    public void Scrambled_specs_are_refused_with_one_line()
    {
        var random = new Random(7);
        string[] families = ["sgd", "hb", "nesterov", "asgd", "torch", "custom", "powerlaw", "values", "file", "power", "isotropic", "", "SGD", "hb:", "x"];
        string[] keys = ["lr", "beta", "a", "d", "p", "kappa", "xi", "momentum", "scale", "", "lr ", "LR", "=", "nesterov"];
        string[] values = ["", "x", "1e", "=", ",", ":", "1O", "true?", "NaN"];
        int made = 0;
        while (made < 60)
        {
            var sb = new StringBuilder(families[random.Next(families.Length)]);
            if (random.Next(4) != 0) sb.Append(':');
            int n = random.Next(0, 4);
            for (int i = 0; i < n; i++)
            {
                if (i > 0) sb.Append(random.Next(5) == 0 ? ";" : ",");
                sb.Append(keys[random.Next(keys.Length)]).Append(random.Next(6) == 0 ? "" : "=").Append(values[random.Next(values.Length)]);
            }
            var spec = sb.ToString();
            if (spec.Length == 0 || spec.TrimEnd(':') == "isotropic" || spec.StartsWith('-')) continue; // isotropic and isotropic: are valid
            string[][] commands =
            [
                ["gap", "--spectrum", spec, "--method", "sgd:lr=0.5", "--batch", "1"],
                ["gap", "--spectrum", "values:1,0.5", "--method", spec, "--batch", "1"],
                ["gap", "--spectrum", "values:1,0.5", "--method", "sgd:lr=0.5", "--batch", "1", "--init", spec],
            ];
            var args = commands[made % 3];
            var r = Cli.Run(args);
            var shown = string.Join(' ', args);
            r.Code.ShouldBe(2, $"{shown}: {r.Err}");
            r.ErrLines.Length.ShouldBe(1, $"{shown}: {r.Err}");
            made++;
        }
    }
}
