using System.Buffers.Binary;
using System.Xml.Linq;
using SkiaSharp;

namespace ExactDynamics.Cli.Tests;

/// <summary>Checks that a --plot file is a real image: a PNG that decodes, or an SVG that parses and has text.</summary>
internal static class Images
{
    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Width and height from the IHDR chunk, after checking the signature; then a full decode.</summary>
    public static (int Width, int Height) ShouldBePng(string path)
    {
        File.Exists(path).ShouldBeTrue($"{path} was not written");
        var bytes = File.ReadAllBytes(path);
        bytes.Length.ShouldBeGreaterThan(33);
        bytes.AsSpan(0, 8).ToArray().ShouldBe(PngMagic);
        System.Text.Encoding.ASCII.GetString(bytes, 12, 4).ShouldBe("IHDR");
        int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
        int height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4));
        using var bitmap = SKBitmap.Decode(bytes);
        bitmap.ShouldNotBeNull("the PNG does not decode");
        bitmap.Width.ShouldBe(width);
        bitmap.Height.ShouldBe(height);
        // Not a blank canvas: some pixels are neither white nor transparent.
        int inked = 0;
        for (int y = 0; y < bitmap.Height; y += 4)
            for (int x = 0; x < bitmap.Width; x += 4)
                if (bitmap.GetPixel(x, y) is var c && c.Alpha > 0 && (c.Red < 200 || c.Green < 200 || c.Blue < 200)) inked++;
        inked.ShouldBeGreaterThan(100);
        return (width, height);
    }

    /// <summary>The texts of the SVG (after checking it parses as XML with an svg root).</summary>
    public static string[] ShouldBeSvgWithText(string path)
    {
        File.Exists(path).ShouldBeTrue($"{path} was not written");
        var doc = XDocument.Load(path);
        doc.Root!.Name.LocalName.ShouldBe("svg");
        var texts = doc.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToArray();
        texts.ShouldNotBeEmpty();
        return texts;
    }
}
