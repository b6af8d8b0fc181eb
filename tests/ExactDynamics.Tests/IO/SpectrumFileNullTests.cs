using ExactDynamics.IO;

namespace ExactDynamics.Tests.IO;

/// <summary><see cref="SpectrumFile.ReadDroppingNull"/>: round-off zeros of rank-deficient data dropped, real negatives refused.</summary>
public sealed class SpectrumFileNullTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("exactdyn-null-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        var p = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void Zeros_and_round_off_negatives_are_dropped_and_counted()
    {
        // d = 6, λ_max = 2: τ = 6·2⁻⁵²·2 ≈ 2.7e-15
        var (s, dropped, tol) = SpectrumFile.ReadDroppingNull(Write("2\n1\n0.5\n0\n-1.5e-17\n1e-16\n"));
        dropped.ShouldBe(3);
        tol.ShouldBe(6 * 2 * Math.Pow(2, -52));
        s.Dimension.ShouldBe(3);
        s.Max.ShouldBe(2);
        s.Min.ShouldBe(0.5);
    }

    [Fact]
    public void Small_positive_eigenvalues_above_the_tolerance_are_kept()
    {
        var (s, dropped, _) = SpectrumFile.ReadDroppingNull(Write("1\n1e-13\n"));
        dropped.ShouldBe(0);
        s.Min.ShouldBe(1e-13);
    }

    [Fact]
    public void Clearly_negative_eigenvalues_are_refused()
    {
        var e = Should.Throw<InvalidInputException>(() => SpectrumFile.ReadDroppingNull(Write("1\n-1e-6\n")));
        e.Message.ShouldContain("-1E-06");
        e.Message.ShouldContain("line 2");
        Should.Throw<InvalidInputException>(() => SpectrumFile.ReadDroppingNull(Write("0\n0\n"))).Message.ShouldContain("no eigenvalue above round-off");
    }
}
