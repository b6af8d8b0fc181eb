namespace ExactDynamics.Tests.Oracles;

/// <summary>
/// An optimizer's update written literally, as its authors wrote it, acting on the state in error
/// coordinates (parameter copies hold w − w*, velocities hold velocities). <c>grad(y)</c> returns the
/// minibatch gradient at the point y. The update is linear in the state and in the gradient, which is
/// what <see cref="EnumerationCovariance"/> exploits.
/// </summary>
public sealed record LiteralRule(string Name, int K, double[] InitialShape, int Output, Action<double[][], Func<double[], double[]>> Step);

/// <summary>Literal update rules, transcribed from the verbal/source definitions, not from the tables of docs/math.md#methods.</summary>
public static class LiteralRules
{
    private static double[] Axpy(double[] x, double a, double[] y) // x + a·y
    {
        var r = new double[x.Length];
        for (int i = 0; i < x.Length; i++) r[i] = x[i] + a * y[i];
        return r;
    }

    /// <summary>w ← w − η g(w).</summary>
    public static LiteralRule Sgd(double eta) => new("sgd", 1, [1], 0, (s, grad) =>
    {
        var g = grad(s[0]);
        s[0] = Axpy(s[0], -eta, g);
    });

    /// <summary>Polyak heavy ball: w' = w − η g(w) + β (w − w_prev); state (w, w_prev), w_prev₀ = w₀.</summary>
    public static LiteralRule HeavyBall(double eta, double beta) => new("hb", 2, [1, 1], 0, (s, grad) =>
    {
        var w = s[0]; var wp = s[1];
        var g = grad(w);
        var wn = new double[w.Length];
        for (int i = 0; i < w.Length; i++) wn[i] = w[i] - eta * g[i] + beta * (w[i] - wp[i]);
        s[1] = w; s[0] = wn;
    });

    /// <summary>Nesterov: v = w + β (w − w_prev), w' = v − η g(v).</summary>
    public static LiteralRule Nesterov(double eta, double beta) => new("nesterov", 2, [1, 1], 0, (s, grad) =>
    {
        var w = s[0]; var wp = s[1];
        var v = new double[w.Length];
        for (int i = 0; i < w.Length; i++) v[i] = w[i] + beta * (w[i] - wp[i]);
        var g = grad(v);
        s[1] = w; s[0] = Axpy(v, -eta, g);
    });

    /// <summary>
    /// A line-by-line port of the public AccSGD optimizer's step (rahulkidambi/AccSGD, AccSGD.py):
    ///   large_lr = lr·kappa/smallConst; Alpha = 1 − smallConst²·xi/kappa; Beta = 1 − Alpha;
    ///   zeta = smallConst/(smallConst + Beta);
    ///   buf *= 1/Beta − 1; buf += −large_lr·g; buf += p; buf *= Beta;
    ///   p += −lr·g; p *= zeta; p += (1 − zeta)·buf.
    /// The buffer starts as a copy of the parameters; the gradient is taken at p.
    /// State (p, buf).
    /// </summary>
    public static LiteralRule AccSgd(double lr, double kappa, double xi, double smallConst = 0.7) => new("asgd", 2, [1, 1], 0, (s, grad) =>
    {
        double largeLr = lr * kappa / smallConst;
        double alpha = 1.0 - smallConst * smallConst * xi / kappa;
        double betaC = 1.0 - alpha;
        double zeta = smallConst / (smallConst + betaC);
        var p = (double[])s[0].Clone(); var buf = (double[])s[1].Clone();
        var g = grad(p);
        for (int i = 0; i < p.Length; i++)
        {
            buf[i] *= 1.0 / betaC - 1.0;
            buf[i] += -largeLr * g[i];
            buf[i] += p[i];
            buf[i] *= betaC;
            p[i] += -lr * g[i];
            p[i] *= zeta;
            p[i] += (1.0 - zeta) * buf[i];
        }
        s[0] = p; s[1] = buf;
    });

    /// <summary>
    /// torch.optim.SGD(lr, momentum=μ, dampening=0): buf ← μ·buf + g (buf starts at 0, which gives the same
    /// first step as torch's "buf = g.clone()"); nesterov: g ← g + μ·buf; p ← p − lr·g. State (p, buf).
    /// </summary>
    public static LiteralRule Torch(double lr, double mu, bool nesterov) => new(nesterov ? "torch-nesterov" : "torch", 2, [1, 0], 0, (s, grad) =>
    {
        var p = s[0]; var buf = (double[])s[1].Clone();
        var g = grad(p);
        var step = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            buf[i] = mu * buf[i] + g[i];
            step[i] = nesterov ? g[i] + mu * buf[i] : buf[i];
        }
        s[0] = Axpy(p, -lr, step); s[1] = buf;
    });

    /// <summary>Two-lag momentum with extrapolated gradient point (see <see cref="CustomMethods.TwoLagMomentum"/>).</summary>
    public static LiteralRule TwoLag(double eta, double beta1, double beta2, double gamma) => new("twolag", 3, [1, 1, 1], 0, (s, grad) =>
    {
        var w = s[0]; var w1 = s[1]; var w2 = s[2];
        var y = new double[w.Length];
        for (int i = 0; i < w.Length; i++) y[i] = w[i] + gamma * (w[i] - w1[i]);
        var g = grad(y);
        var wn = new double[w.Length];
        for (int i = 0; i < w.Length; i++) wn[i] = w[i] - eta * g[i] + beta1 * (w[i] - w1[i]) + beta2 * (w1[i] - w2[i]);
        s[2] = w1; s[1] = w; s[0] = wn;
    });

    /// <summary>Torch momentum plus an EMA of the weights that is reported (see <see cref="CustomMethods.MomentumWithEma"/>).</summary>
    public static LiteralRule MomentumEma(double lr, double mu, double tau) => new("ema", 3, [1, 0, 1], 2, (s, grad) =>
    {
        var w = s[0]; var v = (double[])s[1].Clone(); var avg = (double[])s[2].Clone();
        var g = grad(w);
        var wn = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            v[i] = mu * v[i] + g[i];
            wn[i] = w[i] - lr * v[i];
            avg[i] = tau * avg[i] + (1 - tau) * wn[i];
        }
        s[0] = wn; s[1] = v; s[2] = avg;
    });

    /// <summary>QHM: v' = β v + (1−β) g(w); w' = w − η[(1−ν) g + ν v']; third state keeps the previous w.</summary>
    public static LiteralRule Qhm(double eta, double beta, double nu) => new("qhm", 3, [1, 0, 1], 0, (s, grad) =>
    {
        var w = s[0]; var v = (double[])s[1].Clone();
        var g = grad(w);
        var wn = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            v[i] = beta * v[i] + (1 - beta) * g[i];
            wn[i] = w[i] - eta * ((1 - nu) * g[i] + nu * v[i]);
        }
        s[2] = w; s[0] = wn; s[1] = v;
    });
}
