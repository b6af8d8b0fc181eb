using ExactDynamics.IO;

namespace ExactDynamics.Cli.Tests;

/// <summary>The library's file readers, as a C# user would call them.</summary>
public class FileReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SpectrumFile_reads_text_and_csv_with_header_blank_lines_and_crlf()
    {
        SpectrumFile.Read(_dir.File("a.txt", "1\r\n0.5\r\n\r\n0.25\r\n")).ToArray().ShouldBe([1, 0.5, 0.25]);
        SpectrumFile.Read(_dir.File("b.csv", "lambda\n3e-1\n  2E-1  \n")).ToArray().ShouldBe([0.3, 0.2]);
    }

    [Fact]
    public void SpectrumFile_names_file_line_and_text_of_a_bad_value()
    {
        var path = _dir.File("bad.csv", "eigenvalue\n1\n0,5\n");
        var e = Should.Throw<InvalidInputException>(() => SpectrumFile.Read(path));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain("line 3");

        path = _dir.File("bad2.csv", "1\n2\n1.5.2\n");
        e = Should.Throw<InvalidInputException>(() => SpectrumFile.Read(path));
        e.Message.ShouldContain("line 3");
        e.Message.ShouldContain("'1.5.2'");

        path = _dir.File("neg.csv", "1\n\n-2\n");
        e = Should.Throw<InvalidInputException>(() => SpectrumFile.Read(path));
        e.Message.ShouldContain("line 3");
        e.Message.ShouldContain("positive");

        path = _dir.File("header-twice.csv", "a\nb\n1\n");
        Should.Throw<InvalidInputException>(() => SpectrumFile.Read(path)).Message.ShouldContain("line 2");
    }

    [Fact]
    public void Missing_file_and_directory_are_clear()
    {
        Should.Throw<InvalidInputException>(() => SpectrumFile.Read(Path.Combine(_dir.Path, "nope.csv"))).Message.ShouldContain("does not exist");
        Should.Throw<InvalidInputException>(() => SpectrumFile.Read(_dir.Path)).Message.ShouldContain("is a directory");
        Should.Throw<InvalidInputException>(() => VectorFile.Read(Path.Combine(_dir.Path, "nope.csv"))).Message.ShouldContain("does not exist");
        Should.Throw<InvalidInputException>(() => MethodFile.Read(Path.Combine(_dir.Path, "nope.json"))).Message.ShouldContain("does not exist");
    }

    [Fact]
    public void VectorFile_allows_zeros()
    {
        VectorFile.Read(_dir.File("v.txt", "0\n1\n2\n")).ShouldBe([0, 1, 2]);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1]", "not valid JSON")]
    [InlineData("{\"b\": [0.5], \"c\": [1], \"o\": [1]}", "no \"A\" field")]
    [InlineData("{\"A\": [], \"b\": [], \"c\": [], \"o\": []}", "non-empty array")]
    [InlineData("{\"A\": [1], \"b\": [0.5], \"c\": [1], \"o\": [1]}", "row 1 of \"A\"")]
    [InlineData("{\"A\": [[1, 0]], \"b\": [0.5], \"c\": [1], \"o\": [1]}", "square")]
    [InlineData("{\"A\": [[1]], \"b\": 0.5, \"c\": [1], \"o\": [1]}", "\"b\" is a JSON number")]
    [InlineData("{\"A\": [[1]], \"b\": [0.5], \"c\": [1], \"o\": [1], \"u\": [1, 1]}", "\"u\" has 2 entries")]
    [InlineData("{\"A\": [[1]], \"b\": [null], \"c\": [1], \"o\": [1]}", "b[0] is a JSON null")]
    [InlineData("{\"A\": [[1]], \"b\": [1e400], \"c\": [1], \"o\": [1]}", "not a finite")]
    [InlineData("{\"A\": [[1]], \"b\": [0.5], \"c\": [2], \"o\": [1]}", "not consistent")]
    public void MethodFile_errors_say_what_is_wrong(string json, string expected)
    {
        var path = _dir.File("m.json", json);
        var e = Should.Throw<InvalidInputException>(() => MethodFile.Read(path));
        e.Message.ShouldContain(expected);
        e.Message.ShouldContain(path);
        e.Message.ShouldNotContain("\n");
    }
}
