using Spectre.Console;
using Spectre.Console.Rendering;

namespace ExactDynamics.Cli.Output;

/// <summary>Draws a <see cref="TextTable"/>'s cells as a Spectre.Console table on a terminal.</summary>
internal static class SpectreTable
{
    public static void Write(TerminalWriter terminal, IReadOnlyList<string> header, IReadOnlyList<bool> rightAlign,
        IReadOnlyList<string[]> rows, bool showHeader)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(terminal.Inner),
            Ansi = terminal.Color ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = terminal.Color ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = terminal.Width;

        var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
        if (!showHeader) table.HideHeaders();
        for (int c = 0; c < header.Count; c++)
        {
            var column = new TableColumn(new Text(header[c], new Style(Color.Aqua, decoration: Decoration.Bold)));
            if (rightAlign[c]) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in rows)
        {
            var cells = new IRenderable[row.Length];
            for (int c = 0; c < row.Length; c++)
            {
                var style = !showHeader && c == 0 ? new Style(Color.Aqua, decoration: Decoration.Bold) : Style.Plain;
                cells[c] = new Text(row[c], style);
            }
            table.AddRow(cells);
        }
        console.Write(table);
    }
}
