using System.CommandLine;
using ExactDynamics.Cli.Output;

namespace ExactDynamics.Cli.Options;

/// <summary>
/// <c>--plot FILE.png|FILE.svg</c> with its <c>--size WxH</c> and <c>--scale S</c>, the same on every command that
/// draws a figure. <see cref="Read"/> checks all three before any computation.
/// </summary>
internal sealed class PlotOptions
{
    /// <summary>The options; <paramref name="description"/> says what the figure shows, <paramref name="defaultSize"/> its default WxH.</summary>
    public PlotOptions(string description, string defaultSize)
    {
        Plot = OptionFactory.Plot(description);
        Size = new Option<string?>("--size")
        {
            Description = $"With --plot: the figure's size WIDTHxHEIGHT in points (default {defaultSize}; text keeps its size, so a smaller figure has relatively larger text — e.g. 520x360 for a paper column).",
            HelpName = "WxH",
        };
        Scale = OptionFactory.Real("--scale",
            "With --plot: resolution factor of a PNG (default 1: one pixel per point; 2 doubles the pixels, text and lines alike, for print). An SVG is unaffected.", 1);
        Scale.HelpName = "S";
    }

    /// <summary>--plot.</summary>
    public Option<string> Plot { get; }

    /// <summary>--size.</summary>
    public Option<string?> Size { get; }

    /// <summary>--scale.</summary>
    public Option<double> Scale { get; }

    /// <summary>Adds the three options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Plot);
        command.Options.Add(Size);
        command.Options.Add(Scale);
    }

    /// <summary>The --plot path (null: no figure) and the figure size, checked.</summary>
    public (string? Path, FigureSize Size) Read(ParseResult parse)
    {
        var path = parse.GetValue(Plot);
        Plots.Validate(path);
        var size = FigureSize.Parse(parse.GetValue(Size), parse.GetValue(Scale));
        if (path is null && (parse.GetResult(Size) is { Implicit: false } || parse.GetResult(Scale) is { Implicit: false }))
            throw new InvalidInputException("--size and --scale set the figure of --plot; give --plot FILE.png (or .svg) too.");
        return (path, size);
    }
}
