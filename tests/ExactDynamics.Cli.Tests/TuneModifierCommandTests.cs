namespace ExactDynamics.Cli.Tests;

/// <summary>
/// End to end: <c>--modifiers</c> of tune, sweep and critical-batch and <c>tune --objective risk --steps T</c>
/// (docs/cli.md#tune-modifiers, docs/math.md#tuning-modifiers). The printed numbers are checked against a plain SGD + EMA
/// recursion written here from the update rule.
/// </summary>
public class TuneModifierCommandTests
{
    private const string Spec = "powerlaw:a=1,d=30";

    /// <summary>E L(w̄_T) of SGD with an EMA, from E e², E e ē, E ē² per direction (λ_i = 1/i, isotropic start, m4 = 3).</summary>
    private static double SgdEmaRisk(int d, double batch, double sigma2, double eta, double tau, int steps)
    {
        var lam = Enumerable.Range(1, d).Select(i => 1.0 / i).ToArray();
        var ee = Enumerable.Repeat(1.0, d).ToArray(); var ea = (double[])ee.Clone(); var aa = (double[])ee.Clone();
        for (int t = 0; t < steps; t++)
        {
            double mu = 0;
            for (int i = 0; i < d; i++) mu += lam[i] * ee[i];
            for (int i = 0; i < d; i++)
            {
                double l = lam[i], a = 1 - eta * l;
                double eeNew = a * a * ee[i] + eta * eta * (l * mu + l * l * ee[i] + sigma2 * l) / batch;
                double cross = a * ea[i];
                aa[i] = tau * tau * aa[i] + 2 * tau * (1 - tau) * cross + (1 - tau) * (1 - tau) * eeNew;
                ea[i] = tau * cross + (1 - tau) * eeNew;
                ee[i] = eeNew;
            }
        }
        return 0.5 * Enumerable.Range(0, d).Sum(i => lam[i] * aa[i]);
    }

    [Fact]
    public void Tune_with_a_tuned_ema_for_the_final_risk_prints_a_risk_the_plain_recursion_reproduces()
    {
        var r = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family sgd --batch 2 --noise 0.1 --modifiers ema=tune --objective risk --steps 300 --format json"));
        r.ShouldSucceed();
        var json = r.Json();
        json.GetProperty("objective").GetString().ShouldBe("risk");
        json.GetProperty("steps").GetInt64().ShouldBe(300);
        json.GetProperty("params").EnumerateObject().Select(p => p.Name).ShouldBe(["lr", "ema"]);
        double lr = json.GetProperty("params").GetProperty("lr").GetDouble(), tau = json.GetProperty("params").GetProperty("ema").GetDouble();
        tau.ShouldBeInRange(0.5, 1.0);
        json.GetProperty("method").GetString()!.ShouldContain(",ema=");
        double risk = json.GetProperty("final_risk").GetDouble();
        Math.Abs(risk / SgdEmaRisk(30, 2, 0.1, lr, tau, 300) - 1).ShouldBeLessThan(1e-10);

        // the printed method goes back into risk and gives the same final risk
        var back = Cli.Run("risk", "--spectrum", Spec, "--batch", "2", "--noise", "0.1", "--method", json.GetProperty("method").GetString()!,
            "--steps", "300", "--every", "300", "--format", "csv");
        back.ShouldSucceed();
        Math.Abs(Cli.D(back.Csv()[^1][1]) / risk - 1).ShouldBeLessThan(1e-12);

        var csv = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family sgd --batch 2 --noise 0.1 --modifiers ema=tune --objective risk --steps 300 --format csv"));
        csv.ShouldSucceed();
        csv.Csv()[0].ShouldBe(["family", "batch", "gap", "rho", "method", "lr", "ema", "steps", "final_risk"]);
    }

    [Fact]
    public void Zero_modifiers_print_the_unmodified_tuning()
    {
        var plain = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family hb --batch 4 --format csv"));
        var zero = Cli.Run(Cli.Args($"tune --spectrum {Spec} --family hb --batch 4 --modifiers ema=0,wd=0 --format csv"));
        plain.ShouldSucceed();
        zero.ShouldSucceed();
        zero.Out.ShouldBe(plain.Out);
    }

    [Fact]
    public void Sweep_and_critical_batch_take_the_modifiers()
    {
        var sweep = Cli.Run(Cli.Args($"sweep --spectrum {Spec} --family sgd --batches 1,4 --noise 0.1 --modifiers ema=tune --objective iterations --target 0.2 --max-steps 5000 --format csv"));
        sweep.ShouldSucceed();
        var rows = sweep.Csv();
        rows.Length.ShouldBe(3);
        foreach (var row in rows.Skip(1)) string.Join(",", row).ShouldContain("ema=");

        // a fixed EMA caps the gap at 1 − τ²: with τ = 0.999 the tuned gap at every B is that cap, and the deterministic gap too
        var cb = Cli.Run(Cli.Args($"critical-batch --spectrum {Spec} --family sgd --modifiers ema=0.999 --format json"));
        cb.ShouldSucceed();
        var j = cb.Json();
        Math.Abs(j.GetProperty("deterministic_gap").GetDouble() / (1 - 0.999 * 0.999) - 1).ShouldBeLessThan(1e-12);
        j.GetProperty("method").GetString()!.ShouldContain(",ema=0.999");
    }

    [Theory]
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family sgd --batch 2 --modifiers ema=tune", "never increases the contraction gap")]
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family sgd --batch 2 --modifiers wd=0.1", "weight decay")]
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family sgd --batch 2 --modifiers ema=x --objective risk --steps 10", "neither a number nor 'tune'")]
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family sgd --batch 2 --modifiers lr=tune", "is not known")]
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family sgd --batch 2 --objective risk", "needs --steps")]
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family sgd --batch 2 --steps 10", "--objective risk")]
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family sgd --batch 2 --modifiers ema=1.5 --objective risk --steps 10", "EMA decay")]
    [InlineData("sweep --spectrum powerlaw:a=1,d=30 --family sgd --batches 1 --objective risk", "not supported")]
    // lr·λ ≥ 1e-18·1e308 for every step the search tries, so |1 − lr(λ_i + λ)| ≫ 1: nothing converges
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family sgd --batch 2 --modifiers wd=1e308 --objective risk --steps 10", "every learning rate diverges")]
    [InlineData("tune --spectrum powerlaw:a=1,d=30 --family hb --batch 2 --modifiers wd=1e308,decay=decoupled --objective risk --steps 10", "every learning rate diverges")]
    public void Bad_modifier_input_is_one_sentence_and_exit_2(string line, string phrase)
    {
        var r = Cli.Run(Cli.Args(line));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain(phrase);
    }
}
