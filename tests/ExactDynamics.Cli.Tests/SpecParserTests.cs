using ExactDynamics.Cli.Parsing;
using ExactDynamics.Methods;

namespace ExactDynamics.Cli.Tests;

public class SpecParserTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Powerlaw_values_and_file_spectra()
    {
        var p = SpecParser.ParseSpectrum("powerlaw:a=2,d=4,scale=3");
        p.ToArray().ShouldBe([3, 0.75, 3.0 / 9, 3.0 / 16]);
        SpecParser.ParseSpectrum(" PowerLaw: a = 1 , d = 3 ").ToArray().ShouldBe([1, 0.5, 1.0 / 3]);
        SpecParser.ParseSpectrum("values:1,0.5,0.25").ToArray().ShouldBe([1, 0.5, 0.25]);
        var file = _dir.File("spec.csv", "\uFEFFeigenvalue\n1\n\n# a comment\n\"0.5\"\n2.5e-1,\n");
        var s = SpecParser.ParseSpectrum("file:" + file);
        s.ToArray().ShouldBe([1, 0.5, 0.25]);
        s.Description.ShouldBe("file:" + file);
    }

    [Fact]
    public void Every_method_family_maps_to_its_library_constructor()
    {
        Same(SpecParser.ParseMethod("sgd:lr=0.5"), Sgd.Create(0.5));
        Same(SpecParser.ParseMethod("hb:lr=0.3,beta=0.6"), HeavyBall.Create(0.3, 0.6));
        Same(SpecParser.ParseMethod("nesterov:beta=0.6,lr=0.3"), Nesterov.Create(0.3, 0.6));
        Same(SpecParser.ParseMethod("asgd:lr=0.1,kappa=100,xi=5"), Asgd.Create(0.1, 100, 5));
        Same(SpecParser.ParseMethod("asgd:lr=0.1,kappa=100,xi=5,small=0.5"), Asgd.Create(0.1, 100, 5, 0.5));
        Same(SpecParser.ParseMethod("torch:lr=0.1,momentum=0.9"), TorchMomentum.Create(0.1, 0.9));
        Same(SpecParser.ParseMethod("torch:lr=0.1,momentum=0.9,nesterov=true"), TorchMomentum.Create(0.1, 0.9, nesterov: true));
        Same(SpecParser.ParseMethod("torch:lr=0.1,momentum=0.9,dampening=0"), TorchMomentum.Create(0.1, 0.9));
    }

    [Fact]
    public void A_spec_printed_by_the_library_parses_back_to_the_same_method()
    {
        foreach (var m in new[] { Sgd.Create(0.1 / 3), HeavyBall.Create(0.7, 0.95), Asgd.Create(0.2, 50, 3, 0.6), TorchMomentum.Create(0.1, 0.5, true) })
            Same(SpecParser.ParseMethod(m.Spec), m);
    }

    [Fact]
    public void Custom_methods_read_from_json_with_an_optional_state_shape()
    {
        // Heavy ball written out, and torch momentum with its velocity state u = [1, 0].
        var hb = _dir.File("hb.json", "{ // heavy ball\n \"A\": [[1.6, -0.6], [1, 0]], \"b\": [0.3, 0], \"c\": [1, 0], \"o\": [1, 0], \"name\": \"my hb\" }");
        var m = SpecParser.ParseMethod("custom:" + hb);
        Same(m, HeavyBall.Create(0.3, 0.6), checkSpec: false);
        m.Spec.ShouldBe($"custom:{hb} (my hb)");

        var torch = TorchMomentum.Create(0.1, 0.9);
        var t = _dir.File("torch.json", "{\"A\": [[1, -0.09], [0, 0.9]], \"b\": [0.1, -1], \"c\": [1, 0], \"o\": [1, 0], \"u\": [1, 0]}");
        Same(SpecParser.ParseMethod("custom:" + t), torch, checkSpec: false);
    }

    [Fact]
    public void Init_families()
    {
        SpecParser.ParseInit("isotropic")(3).ShouldBeNull();
        SpecParser.ParseInit("power:p=1")(3).ShouldBe([1, 0.5, 1.0 / 3]);
        var file = _dir.File("init.txt", "s\n4\n0\n1e-2\n");
        SpecParser.ParseInit("file:" + file)(3).ShouldBe([4, 0, 0.01]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("powerlaw")]
    [InlineData("powerlaw:a=1,d=5,d=6")]
    [InlineData("powerlaw:a,d=5")]
    [InlineData("values:")]
    [InlineData("values:1,,2")]
    [InlineData("file:")]
    [InlineData(":a=1")]
    public void Bad_spectra_throw_one_clear_sentence(string spec)
    {
        var e = Should.Throw<InvalidInputException>(() => SpecParser.ParseSpectrum(spec));
        e.Message.ShouldNotContain("\n");
        e.Message.ShouldContain("--spectrum");
    }

    private static void Same(LinearMethod actual, LinearMethod expected, bool checkSpec = true)
    {
        actual.K.ShouldBe(expected.K);
        for (int i = 0; i < expected.K; i++)
            for (int j = 0; j < expected.K; j++)
                actual.A(i, j).ShouldBe(expected.A(i, j), 1e-15);
        actual.B.ToArray().ShouldBe(expected.B.ToArray());
        actual.C.ToArray().ShouldBe(expected.C.ToArray());
        actual.O.ToArray().ShouldBe(expected.O.ToArray());
        actual.U.ToArray().ShouldBe(expected.U.ToArray());
        if (checkSpec) actual.Spec.ShouldBe(expected.Spec);
    }
}
