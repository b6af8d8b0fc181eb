namespace ExactDynamics.Cli.Tests;

/// <summary>
/// <c>average=tail:F</c> on the command line (docs/cli.md#method-modifiers): risk and iterations print the tail average,
/// checked against SGD's tail average written out here (scalar second moments per direction, E[e_r e_s] =
/// (1 − ηλ)^{r−s} E[e_s²], the double sum over the window n_T = max(1, ⌈F·T⌉)); gap refuses it (simulate and validate:
/// <see cref="TailSimulationCliTests"/>).
/// </summary>
public class TailAverageCliTests
{
    private static readonly double[] Lam = [1, 0.5, 0.2];
    private const double Eta = 0.4, Batch = 2, Noise = 0.1, M4 = 3;
    internal const string Problem = "--spectrum values:1,0.5,0.2 --batch 2 --noise 0.1";

    /// <summary>E L of the mean of the last ⌈T/2⌉ SGD iterates at every T ≤ steps, written out.</summary>
    internal static double[] BruteForce(int steps)
    {
        int d = Lam.Length;
        var s = new double[steps + 1][];
        s[0] = [1, 1, 1];
        for (int t = 0; t < steps; t++)
        {
            double mu = 0;
            for (int j = 0; j < d; j++) mu += Lam[j] * s[t][j];
            s[t + 1] = new double[d];
            for (int i = 0; i < d; i++)
            {
                double l = Lam[i], m = 1 - Eta * l;
                s[t + 1][i] = m * m * s[t][i] + Eta * Eta * (l * mu + (M4 - 2) * l * l * s[t][i] + Noise * l) / Batch;
            }
        }
        var risk = new double[steps + 1];
        for (int T = 0; T <= steps; T++)
        {
            int n = Math.Max(1, (T + 1) / 2), first = T - n + 1;
            for (int i = 0; i < d; i++)
            {
                double e2 = 0;
                for (int a = first; a <= T; a++)
                    for (int b = first; b <= T; b++)
                        e2 += Math.Pow(1 - Eta * Lam[i], Math.Abs(a - b)) * s[Math.Min(a, b)][i];
                risk[T] += 0.5 * Lam[i] * e2 / ((double)n * n);
            }
        }
        return risk;
    }

    [Fact]
    public void Risk_prints_the_tail_average_at_every_reported_step_and_at_chosen_steps()
    {
        var expected = BruteForce(40);
        var r = Cli.Run(Cli.Args($"risk {Problem} --method sgd:lr=0.4,average=tail:0.5 --steps 40 --every 3 --format csv"));
        r.ShouldSucceed();
        var rows = r.Csv().Skip(1).ToArray();
        rows.Length.ShouldBe(15); // 0, 3, …, 39 and 40
        foreach (var row in rows)
        {
            int t = int.Parse(row[0]);
            Cli.D(row[1]).ShouldBe(expected[t], 1e-12 * expected[t], $"t = {t}");
        }
        var at = Cli.Run(Cli.Args($"risk {Problem} --method sgd:lr=0.4,average=tail:0.5 --at 1,17,40 --format csv"));
        at.ShouldSucceed();
        foreach (var row in at.Csv().Skip(1)) Cli.D(row[1]).ShouldBe(expected[int.Parse(row[0])], 1e-12 * expected[int.Parse(row[0])]);
    }

    [Fact]
    public void Iterations_finds_the_first_horizon_whose_tail_average_is_below_the_target()
    {
        var expected = BruteForce(60);
        double target = 0.5 * (expected[20] + expected[21]);
        int first = Array.FindIndex(expected, x => x <= target);
        first.ShouldBeGreaterThan(1);
        var r = Cli.Run(Cli.Args($"iterations {Problem} --method sgd:lr=0.4,average=tail:0.5 --target {target:R} --format json"));
        r.ShouldSucceed();
        r.Json().GetProperty("exact").GetInt64().ShouldBe(first);
    }

    [Fact]
    public void Gap_of_one_recursion_refuses_it_with_one_sentence()
    {
        var r = Cli.Run(Cli.Args($"gap {Problem} --method sgd:lr=0.4,average=tail:0.5"));
        r.Code.ShouldBe(2);
        r.ErrLines.Length.ShouldBe(1);
        r.Err.ShouldContain("tail average");
    }
}
