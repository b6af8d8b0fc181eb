namespace ExactDynamics.Cli.Output;

/// <summary>
/// A table with aligned columns (text left, numbers right), for <c>--format table</c>: plain text when written to a file,
/// a pipe or with <c>NO_COLOR</c>; a Spectre.Console table on an interactive terminal (<see cref="TerminalWriter"/>).
/// </summary>
internal sealed class TextTable
{
    private readonly string[] _header;
    private readonly bool[] _rightAlign;
    private readonly List<string[]> _rows = [];

    public TextTable(params (string Name, bool Right)[] columns)
    {
        _header = columns.Select(c => c.Name).ToArray();
        _rightAlign = columns.Select(c => c.Right).ToArray();
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _header.Length) throw new ArgumentException("Row width does not match the header.", nameof(cells));
        _rows.Add(cells);
    }

    public void Write(TextWriter w, bool header = true, string indent = "")
    {
        if (w is TerminalWriter terminal)
        {
            // On an interactive terminal (not redirected, NO_COLOR unset): a drawn table.
            SpectreTable.Write(terminal, _header, _rightAlign, _rows, header);
            return;
        }
        var widths = new int[_header.Length];
        for (int c = 0; c < widths.Length; c++)
        {
            widths[c] = header ? _header[c].Length : 0;
            foreach (var row in _rows) widths[c] = Math.Max(widths[c], row[c].Length);
        }
        if (header)
        {
            WriteRow(w, _header, widths, indent);
            WriteRow(w, widths.Select(n => new string('-', n)).ToArray(), widths, indent);
        }
        foreach (var row in _rows) WriteRow(w, row, widths, indent);
    }

    private void WriteRow(TextWriter w, string[] cells, int[] widths, string indent)
    {
        var parts = new string[cells.Length];
        for (int c = 0; c < cells.Length; c++)
        {
            bool last = c == cells.Length - 1;
            parts[c] = _rightAlign[c] ? cells[c].PadLeft(widths[c]) : last ? cells[c] : cells[c].PadRight(widths[c]);
        }
        w.WriteLine(indent + string.Join("  ", parts).TrimEnd());
    }
}
