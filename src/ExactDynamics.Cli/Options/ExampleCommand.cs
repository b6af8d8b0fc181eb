using System.CommandLine;

namespace ExactDynamics.Cli.Options;

/// <summary>A command whose --help ends with one copy-pasteable example (printed by <see cref="HelpWithExample"/>).</summary>
internal sealed class ExampleCommand(string name, string description, string example) : Command(name, description)
{
    public string Example { get; } = example;
}
