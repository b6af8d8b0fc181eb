using System.Text;
using ExactDynamics.Data;

namespace ExactDynamics.Tests.Data;

/// <summary>The data-matrix reader (.npy 2-D in C and Fortran order, float32, CSV) and the analysis of a dataset.</summary>
public class DataMatrixTests
{
    internal static byte[] Npy(string descr, bool fortran, string shape, byte[] data)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        header += new string(' ', 63 - (10 + header.Length) % 64) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    private static byte[] F8(params double[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    [Fact]
    public void Npy_matrix_in_C_and_Fortran_order_and_float32()
    {
        // [[1, 2, 3], [4, 5, 6]]
        var c = DataMatrix.ParseNpy(Npy("<f8", false, "(2, 3)", F8(1, 2, 3, 4, 5, 6)), "test");
        var f = DataMatrix.ParseNpy(Npy("<f8", true, "(2, 3)", F8(1, 4, 2, 5, 3, 6)), "test");
        var s = DataMatrix.ParseNpy(Npy("<f4", false, "(2, 3)", new float[] { 1, 2, 3, 4, 5, 6 }.SelectMany(BitConverter.GetBytes).ToArray()), "test");
        foreach (var m in new[] { c, f, s })
        {
            m.Rows.ShouldBe(2); m.Columns.ShouldBe(3);
            m[0, 2].ShouldBe(3); m[1, 0].ShouldBe(4); m[1, 2].ShouldBe(6);
        }
        var v = DataMatrix.ParseNpy(Npy("<f8", false, "(3,)", F8(7, 8, 9)), "test");
        v.Rows.ShouldBe(3); v.Columns.ShouldBe(1); v[2, 0].ShouldBe(9);
    }

    [Fact]
    public void Bad_npy_and_csv_name_the_problem()
    {
        Should.Throw<InvalidInputException>(() => DataMatrix.ParseNpy(Npy("<f8", false, "(2, 2, 2)", F8(1, 2, 3, 4, 5, 6, 7, 8)), "Data file 'x.npy'"))
            .Message.ShouldContain("shape (2, 2, 2)");
        Should.Throw<InvalidInputException>(() => DataMatrix.ParseNpy(Npy("<i8", false, "(2, 1)", F8(1, 2)), "Data file 'x.npy'"))
            .Message.ShouldContain("integers");
        Should.Throw<InvalidInputException>(() => DataMatrix.ParseText(["a,b", "1,2", "3"], "Data file 'x.csv'"))
            .Message.ShouldContain("line 3 has 1 values but the first row has 2");
        Should.Throw<InvalidInputException>(() => DataMatrix.ParseText(["1,2", "3,x"], "Data file 'x.csv'"))
            .Message.ShouldContain("line 2 is not a row of numbers");
    }

    [Fact]
    public void Csv_with_header_comments_and_mixed_separators()
    {
        var m = DataMatrix.ParseText(["# comment", "x1,x2", "1, 2", "", "3;4", "5\t6"], "test");
        m.Rows.ShouldBe(3); m.Columns.ShouldBe(2);
        m[2, 1].ShouldBe(6);
    }

    [Fact]
    public void Analysis_finds_the_spectrum_optimum_residuals_and_drops_empty_directions()
    {
        // columns: a, 2a (collinear) and b; plus a constant column: rank 2 after centring
        var rng = new Random(3);
        int n = 50;
        var v = new double[n * 4];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double a = rng.NextDouble() - 0.5, b = rng.NextDouble() - 0.5;
            v[i * 4] = a; v[i * 4 + 1] = 2 * a; v[i * 4 + 2] = b; v[i * 4 + 3] = 7;
            y[i] = 3 * a - b + 0.1 * Math.Sin(i);
        }
        var data = DataSet.Analyse(new DataMatrix(n, 4, v), y);
        data.Dimension.ShouldBe(2);
        data.NullDirections.ShouldBe(2);
        // eigenvalues of the centred covariance, computed here from the 2×2 covariance of (√5·a, b)
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) { ma += v[i * 4] / n; mb += v[i * 4 + 2] / n; }
        double saa = 0, sab = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double a = v[i * 4] - ma, b = v[i * 4 + 2] - mb;
            saa += 5 * a * a / n; sab += Math.Sqrt(5) * a * b / n; sbb += b * b / n;
        }
        double tr = saa + sbb, det = saa * sbb - sab * sab, disc = Math.Sqrt(tr * tr / 4 - det);
        data.Eigenvalues[0].ShouldBe(tr / 2 + disc, 1e-12);
        data.Eigenvalues[1].ShouldBe(tr / 2 - disc, 1e-12);
        // the residuals are orthogonal to every centred feature (normal equations; y itself is not centred, so r keeps its mean)
        var r = data.Residuals!;
        for (int col = 0; col < 3; col++)
        {
            double mc = 0, dot = 0;
            for (int i = 0; i < n; i++) mc += v[i * 4 + col] / n;
            for (int i = 0; i < n; i++) dot += r[i] * (v[i * 4 + col] - mc);
            Math.Abs(dot).ShouldBeLessThan(1e-10);
        }
        r.Average().ShouldBe(y.Average(), 1e-12);
        data.ResidualVariance.ShouldBe(r.Sum(x => x * x) / n, 1e-15);
        data.ResidualVariance.ShouldBeLessThan(0.01 + y.Average() * y.Average());
        // min-norm optimum: w = (3/5, 6/5, −1, 0) + a fit of the sine; the collinear pair keeps the ratio 1:2
        data.Optimum![1].ShouldBe(2 * data.Optimum[0], 1e-9);
        data.Optimum[3].ShouldBe(0, 1e-12);
    }
}
