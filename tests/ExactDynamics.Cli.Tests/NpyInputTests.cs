using System.Buffers.Binary;
using System.Text;
using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Cli.Tests;

public class NpyInputTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A version 1.0 .npy file of little-endian float64 (or float32), written byte by byte.</summary>
    private string WriteNpy(string name, double[] values, bool float32 = false, string? shape = null)
    {
        var dict = $"{{'descr': '{(float32 ? "<f4" : "<f8")}', 'fortran_order': False, 'shape': {shape ?? $"({values.Length},)"}, }}";
        int total = 10 + dict.Length + 1;
        var header = Encoding.ASCII.GetBytes(dict + new string(' ', (total + 63) / 64 * 64 - total) + "\n");
        using var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        ms.Write(header);
        var buffer = new byte[8];
        foreach (var v in values)
        {
            if (float32)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer, (float)v);
                ms.Write(buffer, 0, 4);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(buffer, v);
                ms.Write(buffer, 0, 8);
            }
        }
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(path, ms.ToArray());
        return path;
    }

    [Fact]
    public void Spectrum_from_npy_gives_the_same_curve_as_the_same_values_inline()
    {
        double[] eigs = [1, 0.5, 0.3333333333333333, 0.25, 0.2];
        var path = WriteNpy("eigs.npy", eigs);
        var fromNpy = Cli.Run(Cli.Args($"risk --spectrum file:{path} --method sgd:lr=0.5 --batch 2 --steps 20 --every 5 --format csv"));
        fromNpy.ShouldSucceed();
        var inline = Cli.Run(Cli.Args("risk --spectrum values:1,0.5,0.3333333333333333,0.25,0.2 --method sgd:lr=0.5 --batch 2 --steps 20 --every 5 --format csv"));
        fromNpy.Out.ShouldBe(inline.Out);
    }

    [Fact]
    public void Float32_column_vector_spectrum_and_npy_init()
    {
        double[] eigs = [1, 0.5, 0.25];
        var spectrum = WriteNpy("eigs32.npy", eigs, float32: true, shape: "(3, 1)");
        var init = WriteNpy("s0.npy", [1, 0.1, 0.01]);
        var r = Cli.Run(Cli.Args($"gap --spectrum file:{spectrum} --method hb:lr=0.5,beta=0.5 --batch 2 --format json"));
        r.ShouldSucceed();
        var it = Cli.Run(Cli.Args($"risk --spectrum file:{spectrum} --init file:{init} --method sgd:lr=0.5 --batch 1 --steps 3 --format csv"));
        it.ShouldSucceed();
        var expected = RiskRecursion.Run(new Problem(Spectrum.FromValues(eigs), [1, 0.1, 0.01], 1), Sgd.Create(0.5), 3);
        it.Csv().Skip(1).Select(row => Cli.D(row[1])).ShouldBe(expected.Risk);
    }

    [Fact]
    public void A_matrix_npy_is_one_clear_line_and_exit_2()
    {
        var path = WriteNpy("m.npy", [1, 2, 3, 4, 5, 6], shape: "(2, 3)");
        var r = Cli.Run(Cli.Args($"gap --spectrum file:{path} --method sgd:lr=0.5 --batch 2"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("shape (2, 3)");
        r.Err.ShouldContain("np.save");
    }

    [Fact]
    public void A_text_file_named_npy_is_refused_as_not_npy()
    {
        var path = _dir.File("fake.npy", "1\n0.5\n");
        var r = Cli.Run(Cli.Args($"gap --spectrum file:{path} --method sgd:lr=0.5 --batch 2"));
        r.Code.ShouldBe(2);
        r.Err.ShouldContain("not a NumPy .npy file");
    }
}
