namespace ExactDynamics.Tests.Oracles;

/// <summary>A number with one directional derivative (forward-mode automatic differentiation) for the tests' references.</summary>
public readonly record struct Dual(double V, double D)
{
    public static implicit operator Dual(double x) => new(x, 0);
    public static Dual operator +(Dual x, Dual y) => new(x.V + y.V, x.D + y.D);
    public static Dual operator -(Dual x, Dual y) => new(x.V - y.V, x.D - y.D);
    public static Dual operator -(Dual x) => new(-x.V, -x.D);
    public static Dual operator *(Dual x, Dual y) => new(x.V * y.V, x.D * y.V + x.V * y.D);
    public static Dual operator /(Dual x, Dual y) => new(x.V / y.V, (x.D * y.V - x.V * y.D) / (y.V * y.V));

    /// <summary>e^x.</summary>
    public static Dual Exp(Dual x) => new(Math.Exp(x.V), Math.Exp(x.V) * x.D);

    /// <summary>log(1 + e^x), whose derivative is the logistic function.</summary>
    public static Dual Softplus(Dual x) => new(Math.Log(1 + Math.Exp(x.V)), x.D / (1 + Math.Exp(-x.V)));
}
