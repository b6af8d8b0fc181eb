using ExactDynamics.Dynamics;
using ExactDynamics.Methods;
using ExactDynamics.Spectra;

namespace ExactDynamics.Tests;

/// <summary>Bad values at the library edge throw <see cref="InvalidInputException"/> naming what is wrong.</summary>
public class InvalidInputTests
{
    public static IEnumerable<object[]> BadEigenvalues() =>
    [
        [new[] { 1.0, 0.0 }], [new[] { -0.5 }], [new[] { 1.0, double.NaN }], [new[] { double.PositiveInfinity }],
        [new[] { 1.0, double.NegativeInfinity }], [new[] { -0.0 }], [new[] { 1.0, -1e-300 }],
    ];

    [Theory]
    [MemberData(nameof(BadEigenvalues))]
    public void Spectrum_rejects_non_positive_or_non_finite_eigenvalues(double[] values)
    {
        var ex = Should.Throw<InvalidInputException>(() => Spectrum.FromValues(values));
        ex.Message.ShouldContain("igenvalue");
    }

    [Fact]
    public void Spectrum_rejects_an_empty_list()
        => Should.Throw<InvalidInputException>(() => Spectrum.FromValues(Array.Empty<double>())).Message.ShouldContain("empty");

    [Fact]
    public void Spectrum_accepts_tiny_and_huge_positive_eigenvalues()
    {
        var s = Spectrum.FromValues([1e-300, 1e300, double.Epsilon]);
        s.Max.ShouldBe(1e300);
        s.Min.ShouldBe(double.Epsilon);
    }

    [Theory]
    [InlineData(double.NaN, 10, 1.0)]
    [InlineData(1.0, 0, 1.0)]
    [InlineData(1.0, -3, 1.0)]
    [InlineData(1.0, 10, 0.0)]
    [InlineData(1.0, 10, -2.0)]
    [InlineData(double.PositiveInfinity, 10, 1.0)]
    public void PowerLaw_rejects_bad_parameters(double a, int d, double scale)
        => Should.Throw<InvalidInputException>(() => Spectrum.PowerLaw(a, d, scale));

    private static Spectrum S3 => Spectrum.FromValues([1.0, 0.5, 0.1]);

    [Theory]
    [InlineData(0.999)]
    [InlineData(0.0)]
    [InlineData(-4.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Problem_rejects_batch_below_one(double batch)
        => Should.Throw<InvalidInputException>(() => new Problem(S3, batch: batch)).Message.ShouldContain("atch");

    [Theory]
    [InlineData(0.99)]
    [InlineData(0.0)]
    [InlineData(-3.0)]
    [InlineData(double.NaN)]
    public void Problem_rejects_kurtosis_below_one(double m4)
        => Should.Throw<InvalidInputException>(() => new Problem(S3, kurtosis: m4)).Message.ShouldContain("urtosis");

    [Theory]
    [InlineData(-1e-12)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Problem_rejects_negative_or_non_finite_noise(double noise)
        => Should.Throw<InvalidInputException>(() => new Problem(S3, noise: noise)).Message.ShouldContain("oise");

    [Fact]
    public void Problem_rejects_initial_vector_of_wrong_length()
    {
        Should.Throw<InvalidInputException>(() => new Problem(S3, [1.0, 1.0])).Message.ShouldContain("3");
        Should.Throw<InvalidInputException>(() => new Problem(S3, [1.0, 1.0, 1.0, 1.0]));
        Should.Throw<InvalidInputException>(() => new Problem(S3, []));
    }

    [Fact]
    public void Problem_rejects_negative_or_non_finite_initial_moments()
    {
        Should.Throw<InvalidInputException>(() => new Problem(S3, [1.0, -1.0, 1.0]));
        Should.Throw<InvalidInputException>(() => new Problem(S3, [1.0, double.NaN, 1.0]));
    }

    [Fact]
    public void Problem_accepts_the_boundary_values()
    {
        var p = new Problem(S3, [0.0, 1.0, 2.0], batch: 1, kurtosis: 1, noise: 0);
        p.Batch.ShouldBe(1);
        p.Kurtosis.ShouldBe(1);
    }

    [Fact]
    public void LinearMethod_rejects_A_u_not_equal_u_naming_the_condition()
    {
        var ex = Should.Throw<InvalidInputException>(() =>
            new LinearMethod(new double[,] { { 1.5, -0.4 }, { 1, 0 } }, [0.5, 0], [1, 0], [1, 0]));
        ex.Message.ShouldContain("A u");
        ex.Message.ShouldContain("consistent");
        // with a velocity shape: A u = u fails because the second row of A maps u = [1,0] to 1
        var ex2 = Should.Throw<InvalidInputException>(() =>
            new LinearMethod(new double[,] { { 1, -0.1 }, { 1, 0.9 } }, [0.1, -1], [1, 0], [1, 0], [1, 0]));
        ex2.Message.ShouldContain("A u");
    }

    [Fact]
    public void LinearMethod_rejects_c_dot_u_not_one_naming_c()
    {
        var ex = Should.Throw<InvalidInputException>(() =>
            new LinearMethod(new double[,] { { 1.5, -0.5 }, { 1, 0 } }, [0.5, 0], [1.5, -0.4], [1, 0]));
        ex.Message.ShouldContain("cᵀu");
    }

    [Fact]
    public void LinearMethod_rejects_o_dot_u_not_one_naming_o()
    {
        var ex = Should.Throw<InvalidInputException>(() =>
            new LinearMethod(new double[,] { { 1.5, -0.5 }, { 1, 0 } }, [0.5, 0], [1, 0], [0.5, 0]));
        ex.Message.ShouldContain("oᵀu");
    }

    [Fact]
    public void LinearMethod_rejects_shape_mismatches_and_non_finite_entries()
    {
        Should.Throw<InvalidInputException>(() => new LinearMethod(new double[,] { { 1, 0 } }, [1], [1], [1]));
        Should.Throw<InvalidInputException>(() => new LinearMethod(new double[,] { { 1 } }, [1, 0], [1], [1]));
        Should.Throw<InvalidInputException>(() => new LinearMethod(new double[,] { { 1 } }, [double.NaN], [1], [1]));
        Should.Throw<InvalidInputException>(() => new LinearMethod(new double[,] { { 1 } }, [1], [1], [1], [0]));
        Should.Throw<InvalidInputException>(() => new LinearMethod(new double[,] { { double.PositiveInfinity } }, [1], [1], [1]));
    }

    [Fact]
    public void LinearMethod_accepts_consistency_up_to_rounding()
    {
        // 1 + 0.4 − 0.4 ≠ 1 in double; the constructor must not reject the user's rounded A
        var m = new LinearMethod(new double[,] { { 1 + 0.4, -0.4 }, { 1, 0 } }, [0.1, 0], [1, 0], [1, 0]);
        m.K.ShouldBe(2);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("hb")]
    [InlineData("nesterov")]
    [InlineData("asgd")]
    [InlineData("torch")]
    public void Named_methods_reject_bad_hyperparameters(string family)
    {
        switch (family)
        {
            case "sgd":
                Should.Throw<InvalidInputException>(() => Sgd.Create(0));
                Should.Throw<InvalidInputException>(() => Sgd.Create(-1));
                Should.Throw<InvalidInputException>(() => Sgd.Create(double.NaN));
                break;
            case "hb":
                Should.Throw<InvalidInputException>(() => HeavyBall.Create(0.1, 1.0));
                Should.Throw<InvalidInputException>(() => HeavyBall.Create(0.1, -0.1));
                Should.Throw<InvalidInputException>(() => HeavyBall.Create(0, 0.5));
                break;
            case "nesterov":
                Should.Throw<InvalidInputException>(() => Nesterov.Create(0.1, 1.5));
                Should.Throw<InvalidInputException>(() => Nesterov.Create(double.PositiveInfinity, 0.5));
                break;
            case "asgd":
                Should.Throw<InvalidInputException>(() => Asgd.Create(0.1, 10, 0));
                Should.Throw<InvalidInputException>(() => Asgd.Create(0.1, 0, 1));
                Should.Throw<InvalidInputException>(() => Asgd.Create(0.1, 1, 10)); // α = 1 − 0.49·10 < −1
                break;
            case "torch":
                Should.Throw<InvalidInputException>(() => TorchMomentum.Create(0.1, 0.9, dampening: 0.1)).Message.ShouldContain("dampening");
                Should.Throw<InvalidInputException>(() => TorchMomentum.Create(0.1, 1.0));
                break;
        }
    }

    [Fact]
    public void Recursion_rejects_negative_steps()
    {
        var p = new Problem(S3);
        Should.Throw<InvalidInputException>(() => RiskRecursion.Trajectory(p, Sgd.Create(0.1), -1));
        Should.Throw<InvalidInputException>(() => RiskRecursion.Run(p, Sgd.Create(0.1), 10, 0));
    }
}
