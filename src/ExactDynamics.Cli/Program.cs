using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text.Json;
using ExactDynamics.Cli.Commands;
using ExactDynamics.Cli.Options;
using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        // ρ, λ, ε in tables: make sure a Windows console does not print them as '?'.
        try { Console.OutputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false); }
        catch (IOException) { }
        catch (PlatformNotSupportedException) { }
        return CliApp.Run(args, new GuardedStdout(Console.Out), Console.Error, TerminalInfo.Detect());
    }
}

/// <summary>
/// The <c>exactdyn</c> command tree (docs/cli.md) and its error policy: bad usage or input prints one sentence on stderr and
/// exits 2; success exits 0; an unexpected failure prints one line and exits 70. Callable in-process for tests.
/// </summary>
internal static class CliApp
{
    public const int Success = 0;
    public const int UsageError = 2;
    public const int InternalError = 70;

    public const string RootExample = "exactdyn gap --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 8";

    /// <summary>Runs <paramref name="args"/> with both streams treated as redirected (plain text, no progress, no colour).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, TerminalInfo.Redirected);

    /// <summary>Runs <paramref name="args"/>; <paramref name="terminal"/> says whether stdout/stderr are terminals (rich tables, progress bars, colour).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TerminalInfo terminal)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool quiet = args.Any(a => a is QuietName or QuietAlias);
        var ctx = new CliContext(terminal.WrapOut(stdout), terminal.WrapError(stderr, quiet))
        {
            Quiet = quiet,
            Terminal = terminal,
            Dispatch = inner => Run(inner, stdout, stderr, terminal),
        };
        var root = BuildRoot(ctx);
        Parsing.SpecParser.Notes.Value = ctx.Note;
        var config = new InvocationConfiguration { Output = ctx.Out, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            if (args.Length == 0)
            {
                stderr.WriteLine($"No command given; use one of {string.Join(", ", root.Subcommands.Select(c => c.Name))} (see 'exactdyn --help').");
                return UsageError;
            }
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is not HelpWithExample)
            {
                var command = parse.CommandResult.Command;
                var where = command == root ? "exactdyn --help" : $"exactdyn {command.Name} --help";
                if (Suggestions.ForUnmatched(parse, root) is string unknown)
                {
                    stderr.WriteLine($"{unknown} (see '{where}')");
                    return UsageError;
                }
                // "Required command was not provided" hides the more useful "Unrecognized command 'x'".
                var error = parse.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parse.Errors[0];
                stderr.WriteLine($"{OneLine(error.Message).TrimEnd('.')} (see '{where}').");
                return UsageError;
            }
            if (parse.Action is not HelpWithExample) OutputCollisions.Check(parse);
            return parse.Invoke(config);
        }
        catch (Exception caught)
        {
            // work run in parallel (sweeps, several families) reports its failure wrapped in an AggregateException
            var e = caught;
            while (e is AggregateException { InnerExceptions.Count: 1 } agg) e = agg.InnerExceptions[0];
            // several parallel tasks refusing the same input: say the first refusal once
            if (e is AggregateException many && many.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(IsUsageError)) e = inner[0];
            if (e is StdoutClosedException)
            {
                stderr.WriteLine($"exactdyn: {e.Message}");
                return UsageError;
            }
            if (IsUsageError(e))
            {
                stderr.WriteLine(OneLine(Message(e)));
                return UsageError;
            }
            stderr.WriteLine(OneLine($"exactdyn: internal error ({e.GetType().Name}): {e.Message}"));
            return InternalError;
        }
    }

    public const string QuietName = "--quiet";
    public const string QuietAlias = "-q";

    /// <summary>The command tree; results go to <paramref name="ctx"/>'s writers.</summary>
    internal static RootCommand BuildRoot(CliContext ctx)
    {
        var root = new RootCommand(
            "exactdyn: the exact expected risk of minibatch SGD, heavy ball, Nesterov, ASGD and PyTorch-style momentum on linear regression — " +
            "risk curves, contraction gaps and iterations to a target, from the closed-form second-moment recursion (no sampling). " +
            "Run 'exactdyn demo' for a tour, and 'exactdyn COMMAND --help' for a command's options and an example.");
        root.Options.Add(new Option<bool>(QuietName, QuietAlias)
        {
            Description = "No progress bars and no informational messages on stderr (errors are still printed).",
            Recursive = true,
        });
        root.Subcommands.Add(RiskCommand.Create(ctx));
        root.Subcommands.Add(GapCommand.Create(ctx));
        root.Subcommands.Add(IterationsCommand.Create(ctx));
        root.Subcommands.Add(DemoCommand.Create(ctx));
        root.Subcommands.Add(SimulateCommand.Create(ctx));
        root.Subcommands.Add(ValidateCommand.Create(ctx));
        root.Subcommands.Add(RampCommand.Create(ctx));
        root.Subcommands.Add(SchedulesCommand.Create(ctx));
        root.Subcommands.Add(OptimizeScheduleCommand.Create(ctx));
        root.Subcommands.Add(TuneCommand.Create(ctx));
        root.Subcommands.Add(SweepCommand.Create(ctx));
        root.Subcommands.Add(CriticalBatchCommand.Create(ctx));
        root.Subcommands.Add(InspectCommand.Create(ctx));
        root.Subcommands.Add(FitCommand.Create(ctx));

        // Commands of the user-experience work (kept apart from the list above so that new commands merge cleanly).
        root.Subcommands.Add(RunCommand.Create(ctx, root));

        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Description = "Show this help: what the command does, every option, and an example.";
            if (help.Action is HelpAction original) help.Action = new HelpWithExample(original);
        }
        foreach (var version in root.Options.OfType<VersionOption>()) version.Description = "Print the version of exactdyn.";
        return root;
    }

    private static bool IsUsageError(Exception e) =>
        e is InvalidInputException or FormatException or IOException or UnauthorizedAccessException or JsonException or OverflowException;

    private static string Message(Exception e) => e switch
    {
        InvalidInputException => e.Message,
        UnauthorizedAccessException => $"Access denied: {e.Message}",
        _ => e.Message,
    };

    /// <summary>The message on one line, with any other control character (e.g. from a binary file) escaped.</summary>
    private static string OneLine(string message) => ExactDynamics.IO.TextExcerpt.Escape(
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)), int.MaxValue);
}

/// <summary>
/// The help: for the root, one line per command (the first sentence of its description); for a command, its full
/// description and every option. Both end with one copy-pasteable example.
/// </summary>
internal sealed class HelpWithExample(HelpAction inner) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var command = parseResult.CommandResult.Command;
        // The list of commands shows one line each; the details are in each command's own --help. (The tree is
        // built afresh for every run, so shortening the descriptions here affects this help only.)
        foreach (var sub in command.Subcommands) sub.Description = CommandSummaries.Of(sub.Name) ?? FirstSentence(sub.Description);
        // run passes the tokens after its file on: the parser's help calls them "additional arguments"; say what they are
        var config = parseResult.InvocationConfiguration;
        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        config.Output = text;
        try { inner.Invoke(parseResult); }
        finally { config.Output = output; }
        output.Write(CommandSummaries.CleanHelp(text.ToString()));
        var example = command is ExampleCommand c ? c.Example : CliApp.RootExample;
        output.WriteLine("Example:");
        output.WriteLine($"  {example}");
        return 0;
    }

    /// <summary>The first sentence of <paramref name="description"/> (up to the first period followed by a space, outside brackets).</summary>
    internal static string FirstSentence(string? description)
    {
        if (string.IsNullOrWhiteSpace(description)) return "";
        int depth = 0;
        for (int i = 0; i < description.Length - 1; i++)
        {
            char ch = description[i];
            if (ch is '(' or '[' or '{') depth++;
            else if (ch is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
            else if (ch == '.' && depth == 0 && char.IsWhiteSpace(description[i + 1])) return description[..(i + 1)];
        }
        return description.Trim();
    }
}
