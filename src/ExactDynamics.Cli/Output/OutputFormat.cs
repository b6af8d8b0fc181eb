namespace ExactDynamics.Cli.Output;

/// <summary>The <c>--format</c> values: a readable table for people, csv and json for programs.</summary>
internal enum OutputFormat
{
    Table,
    Csv,
    Json,
}
