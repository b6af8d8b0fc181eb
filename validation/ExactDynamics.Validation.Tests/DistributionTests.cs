using ExactDynamics.Validation.Sampling;

namespace ExactDynamics.Validation.Tests;

/// <summary>Each covariate law has mean 0, variance 1 and the fourth moment it states (checked by sampling).</summary>
public class DistributionTests
{
    public static TheoryData<string, double> Laws => new()
    {
        { "gaussian", 3 },
        { "rademacher", 1 },
        { "uniform", 1.8 },
        { "threepoint:m4=6", 6 },
        { "threepoint:m4=1.5", 1.5 },
        { "mixture:m4=6,p=0.5", 6 },
        { "mixture:m4=6", 6 },
        { "mixture:m4=4.5,p=0.2", 4.5 },
        { "student:nu=12", 3.75 },
    };

    [Theory]
    [MemberData(nameof(Laws))]
    public void Moments_match_the_stated_kurtosis(string spec, double m4)
    {
        var law = CovariateDistribution.Parse(spec);
        law.Kurtosis.ShouldBe(m4, 1e-12);
        CovariateDistribution.Parse(law.Spec).Kurtosis.ShouldBe(m4, 1e-12);
        const int n = 400_000;
        var z = new double[n];
        law.Fill(new RunRandom(11, 0), z);
        double m1 = z.Average(), m2 = z.Select(v => v * v).Average();
        var z4 = z.Select(v => v * v * v * v).ToArray();
        double mean4 = z4.Average();
        double sd4 = Math.Sqrt(z4.Select(v => (v - mean4) * (v - mean4)).Average());
        m1.ShouldBe(0, 5 / Math.Sqrt(n));
        m2.ShouldBe(1, 5 * Math.Sqrt(Math.Max(m4 - 1, 1e-3) / n));
        mean4.ShouldBe(m4, 6 * sd4 / Math.Sqrt(n) + 1e-12);
    }

    [Fact]
    public void Gaussian_tails_are_right()
    {
        const int n = 2_000_000;
        var r = new RunRandom(3, 3);
        int above2 = 0, above3 = 0;
        double m6 = 0;
        for (int i = 0; i < n; i++)
        {
            double z = r.NextGaussian();
            if (z > 2) above2++;
            if (z < -3) above3++;
            m6 += z * z * z * z * z * z;
        }
        ((double)above2 / n).ShouldBe(0.0227501, 5 * Math.Sqrt(0.02275 / n));
        ((double)above3 / n).ShouldBe(0.0013499, 5 * Math.Sqrt(0.00135 / n));
        (m6 / n).ShouldBe(15, 5 * Math.Sqrt((10395 - 225.0) / n));
    }

    [Fact]
    public void For_kurtosis_picks_gaussian_rademacher_or_the_three_point_law()
    {
        CovariateDistribution.ForKurtosis(3).ShouldBeOfType<GaussianCovariates>();
        CovariateDistribution.ForKurtosis(1).ShouldBeOfType<RademacherCovariates>();
        CovariateDistribution.ForKurtosis(2.2).Kurtosis.ShouldBe(2.2);
        CovariateDistribution.ForKurtosis(9).ShouldBeOfType<ThreePointCovariates>();
        Should.Throw<InvalidInputException>(() => CovariateDistribution.ForKurtosis(0.5));
    }

    [Theory]
    [InlineData("cauchy")]
    [InlineData("mixture")]
    [InlineData("mixture:m4=2")]
    [InlineData("mixture:m4=6,p=0.9")]
    [InlineData("student:nu=3")]
    [InlineData("threepoint:m4=abc")]
    public void Bad_specs_are_rejected_with_a_sentence(string spec)
    {
        var e = Should.Throw<InvalidInputException>(() => CovariateDistribution.Parse(spec));
        e.Message.ShouldEndWith(".");
    }
}
