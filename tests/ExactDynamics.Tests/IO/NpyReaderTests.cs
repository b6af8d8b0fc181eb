using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using ExactDynamics.IO;

namespace ExactDynamics.Tests.IO;

/// <summary>Builds .npy files byte by byte, as the format document describes them.</summary>
internal static class Npy
{
    public static byte[] Bytes(string descr, string shape, byte[] data, int major = 1, bool fortran = false, string? rawHeader = null)
    {
        var dict = rawHeader ?? $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int prefix = major == 1 ? 10 : 12;
        // Pad with spaces so that the data starts on a multiple of 64 bytes, and end the header with '\n'.
        int total = prefix + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var headerBytes = encoding.GetBytes(header);
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        if (major == 1)
        {
            var len = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)headerBytes.Length);
            ms.Write(len);
        }
        else
        {
            var len = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)headerBytes.Length);
            ms.Write(len);
        }
        ms.Write(headerBytes);
        ms.Write(data);
        return ms.ToArray();
    }

    public static byte[] F8(params double[] values)
    {
        var data = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), values[i]);
        return data;
    }

    public static byte[] F4(params float[] values)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        return data;
    }

    public static string Fixture(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "Fixtures", "npy", name);
}

public class NpyReaderTests
{
    private static readonly double[] Values = [1, 0.5, 0.25, 1e-300, 3.0000000000000004];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Float64_vectors_of_every_version_round_trip_bit_for_bit(int major)
    {
        var bytes = Npy.Bytes("<f8", "(5,)", Npy.F8(Values), major);
        NpyReader.Parse(bytes, "test").ShouldBe(Values);
    }

    [Fact]
    public void Float32_is_widened_exactly()
    {
        float[] f = [1f, 0.1f, 3.4e38f];
        NpyReader.Parse(Npy.Bytes("<f4", "(3,)", Npy.F4(f)), "test").ShouldBe(f.Select(x => (double)x).ToArray());
    }

    [Theory]
    [InlineData("(5, 1)", false)]
    [InlineData("(1, 5)", false)]
    [InlineData("(1, 5)", true)]
    [InlineData("(5, 1)", true)]
    [InlineData("(5L,)", false)]
    public void Column_and_row_vectors_are_vectors(string shape, bool fortran)
    {
        NpyReader.Parse(Npy.Bytes("<f8", shape, Npy.F8(Values), fortran: fortran), "test").ShouldBe(Values);
    }

    [Fact]
    public void Header_with_double_quotes_and_other_key_order_parses()
    {
        var raw = "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f8\"}";
        NpyReader.Parse(Npy.Bytes("", "", Npy.F8(2, 3), rawHeader: raw), "test").ShouldBe([2.0, 3.0]);
    }

    [Theory]
    [InlineData(">f8", "big-endian")]
    [InlineData("<i8", "integers")]
    [InlineData("<u4", "integers")]
    [InlineData("<c16", "complex")]
    [InlineData("|O", "Python objects")]
    [InlineData("<f2", "dtype '<f2'")]
    public void Unsupported_types_say_what_they_are_and_how_to_save(string descr, string said)
    {
        var e = Should.Throw<InvalidInputException>(() => NpyReader.Parse(Npy.Bytes(descr, "(1,)", new byte[16]), "Spectrum file 'x.npy'"));
        e.Message.ShouldContain(said);
        e.Message.ShouldContain("Spectrum file 'x.npy'");
        e.Message.ShouldContain("np.save");
    }

    [Theory]
    [InlineData("(2, 3)", 48, "shape (2, 3)")]
    [InlineData("()", 8, "single number")]
    [InlineData("(0,)", 0, "empty")]
    [InlineData("(2, 2, 1)", 32, "shape (2, 2, 1)")]
    public void Shapes_other_than_vectors_are_refused(string shape, int dataBytes, string said)
    {
        var e = Should.Throw<InvalidInputException>(() => NpyReader.Parse(Npy.Bytes("<f8", shape, new byte[dataBytes]), "test"));
        e.Message.ShouldContain(said);
    }

    [Fact]
    public void Truncated_and_padded_data_are_refused()
    {
        var full = Npy.Bytes("<f8", "(5,)", Npy.F8(Values));
        Should.Throw<InvalidInputException>(() => NpyReader.Parse(full.AsSpan(0, full.Length - 3), "test")).Message.ShouldContain("truncated");
        Should.Throw<InvalidInputException>(() => NpyReader.Parse([.. full, 0, 0], "test")).Message.ShouldContain("bytes after");
        Should.Throw<InvalidInputException>(() => NpyReader.Parse(full.AsSpan(0, 30), "test")).Message.ShouldContain("truncated");
    }

    [Fact]
    public void Not_npy_and_unknown_versions_are_refused()
    {
        Should.Throw<InvalidInputException>(() => NpyReader.Parse("0.5\n0.25\n"u8.ToArray(), "test")).Message.ShouldContain("not a NumPy .npy file");
        var v9 = Npy.Bytes("<f8", "(1,)", Npy.F8(1));
        v9[6] = 9;
        Should.Throw<InvalidInputException>(() => NpyReader.Parse(v9, "test")).Message.ShouldContain("version 9.0");
        Should.Throw<InvalidInputException>(() => NpyReader.Parse(Npy.Bytes("", "", Npy.F8(1), rawHeader: "{'descr': '<f8'}"), "test"))
            .Message.ShouldContain("without descr, fortran_order or shape");
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        Should.Throw<InvalidInputException>(() => NpyReader.Read("/no/such/eigs.npy", "Spectrum file")).Message
            .ShouldBe("Spectrum file '/no/such/eigs.npy' does not exist; give the path of a .npy file written by np.save.");
    }

    // ---- files written by NumPy itself (tests/ExactDynamics.Tests/Fixtures/npy/README.md says how)

    private static readonly double[] PowerLaw10 = Enumerable.Range(1, 10).Select(i => 1.0 / i).ToArray();

    [Theory]
    [InlineData("powerlaw10_f8.npy")]
    [InlineData("powerlaw10_col.npy")]
    [InlineData("powerlaw10_row_fortran.npy")]
    [InlineData("powerlaw10_v2.npy")]
    [InlineData("powerlaw10_v3.npy")]
    public void Files_numpy_wrote_read_bit_for_bit(string name)
    {
        NpyReader.Read(Npy.Fixture(name)).ShouldBe(PowerLaw10);
    }

    [Fact]
    public void Float32_file_numpy_wrote()
    {
        NpyReader.Read(Npy.Fixture("powerlaw10_f4.npy")).ShouldBe(PowerLaw10.Select(x => (double)(float)x).ToArray());
    }

    [Theory]
    [InlineData("ints.npy", "integers ('<i8')")]
    [InlineData("bigendian.npy", "big-endian data ('>f8')")]
    [InlineData("matrix.npy", "shape (2, 3)")]
    public void Unsupported_files_numpy_wrote(string name, string said)
    {
        Should.Throw<InvalidInputException>(() => NpyReader.Read(Npy.Fixture(name))).Message.ShouldContain(said);
    }

    [Fact]
    public void Spectrum_and_vector_files_dispatch_on_the_extension()
    {
        var npy = SpectrumFile.Read(Npy.Fixture("powerlaw10_f8.npy"));
        var txt = SpectrumFile.Read(Npy.Fixture("powerlaw10.txt")); // np.savetxt: one value per line, %.18e
        npy.Dimension.ShouldBe(10);
        npy.Values.ToArray().ShouldBe(txt.Values.ToArray());
        VectorFile.Read(Npy.Fixture("powerlaw10_col.npy")).ShouldBe(PowerLaw10);
    }

    [Fact]
    public void A_non_positive_eigenvalue_in_an_npy_file_names_its_index()
    {
        var path = Path.Combine(Path.GetTempPath(), $"npy-test-{Guid.NewGuid():N}.npy");
        try
        {
            File.WriteAllBytes(path, Npy.Bytes("<f8", "(3,)", Npy.F8(1, -0.5, 0.25)));
            Should.Throw<InvalidInputException>(() => SpectrumFile.Read(path)).Message.ShouldContain("value 2 (index 1): eigenvalue -0.5");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
