using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text.Json;
using ExactDynamics.Cli.Commands;

namespace ExactDynamics.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        // ρ, λ, ε in tables: make sure a Windows console does not print them as '?'.
        try { Console.OutputEncoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false); }
        catch (IOException) { }
        catch (PlatformNotSupportedException) { }
        return CliApp.Run(args, Console.Out, Console.Error);
    }
}

/// <summary>
/// The <c>exactdyn</c> command tree (CLI.md) and its error policy: bad usage or input prints one sentence on stderr and
/// exits 2; success exits 0; an unexpected failure prints one line and exits 70. Callable in-process for tests.
/// </summary>
internal static class CliApp
{
    public const int Success = 0;
    public const int UsageError = 2;
    public const int InternalError = 70;

    public const string RootExample = "exactdyn gap --spectrum powerlaw:a=1,d=200 --method sgd:lr=0.5 --batch 8";

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = BuildRoot(new CliContext(stdout, stderr));
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
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
                // "Required command was not provided" hides the more useful "Unrecognized command 'x'".
                var error = parse.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parse.Errors[0];
                stderr.WriteLine($"{OneLine(error.Message).TrimEnd('.')} (see '{where}').");
                return UsageError;
            }
            return parse.Invoke(config);
        }
        catch (Exception e) when (IsUsageError(e))
        {
            stderr.WriteLine(OneLine(Message(e)));
            return UsageError;
        }
        catch (Exception e)
        {
            stderr.WriteLine(OneLine($"exactdyn: internal error ({e.GetType().Name}): {e.Message}"));
            return InternalError;
        }
    }

    /// <summary>The command tree; results go to <paramref name="ctx"/>'s writers.</summary>
    internal static RootCommand BuildRoot(CliContext ctx)
    {
        var root = new RootCommand(
            "exactdyn: the exact expected risk of minibatch SGD, heavy ball, Nesterov and ASGD on linear regression — " +
            "risk curves, contraction gaps and iterations to a target, computed from the closed-form second-moment recursion (no sampling). " +
            "Run 'exactdyn demo' for a tour and 'exactdyn COMMAND --help' for each command's options.");
        root.Subcommands.Add(RiskCommand.Create(ctx));
        root.Subcommands.Add(GapCommand.Create(ctx));
        root.Subcommands.Add(IterationsCommand.Create(ctx));
        root.Subcommands.Add(DemoCommand.Create(ctx));

        foreach (var help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction original) help.Action = new HelpWithExample(original);
        }
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

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>The standard help, followed by the command's copy-pasteable example.</summary>
internal sealed class HelpWithExample(HelpAction inner) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        int code = inner.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        var example = parseResult.CommandResult.Command is ExampleCommand c ? c.Example : CliApp.RootExample;
        output.WriteLine("Example:");
        output.WriteLine($"  {example}");
        return code;
    }
}
