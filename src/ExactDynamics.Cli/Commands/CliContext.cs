namespace ExactDynamics.Cli.Commands;

/// <summary>Where a command writes: results to <see cref="Out"/>, messages to <see cref="Error"/>.</summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error);
