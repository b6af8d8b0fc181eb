using System.Globalization;
using ExactDynamics.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace ExactDynamics.Fitting;

/// <summary>
/// Fits a <see cref="CurveModel"/> to one or several measured curves by least squares (docs/math.md#fitting): residuals
/// r = ln m_t − ln y_t for <see cref="FitObjective.LogRisk"/> (divided by stderr_t/y_t when the curves have standard
/// errors), r = (m_t + f − y_t)/y_t (or /stderr_t) for <see cref="FitObjective.Loss"/>; the free parameters are carried
/// as θ (<see cref="FitParameter.Transform"/>). A coarse scan over the non-linear parameters — with the amplitudes c, σ²
/// and f, in which the curve is linear, solved for at each scan point — gives the starts of MathNet's
/// Levenberg–Marquardt search (central-difference Jacobian). At the optimum the covariance of θ is
/// s²·(JᵀJ)⁻¹, s² = χ²/(N − p) without standard errors and 1 with them.
/// </summary>
public static class CurveFit
{
    /// <summary>The value given to every residual at a point that describes no valid problem (the search then steps back).</summary>
    private const double Penalty = 1e3;

    /// <summary>Fits <paramref name="model"/> to <paramref name="curves"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="curves">The measured curves (each with its method and batch).</param>
    /// <param name="options">Objective, fixed parameters, starting values; null for the defaults.</param>
    /// <returns>The fitted parameters with standard errors, the fitted curves and residuals, χ².</returns>
    /// <exception cref="InvalidInputException">No curve, an unknown or out-of-range parameter, every parameter fixed, fewer
    /// points than free parameters, a non-positive value where the objective takes a logarithm or a ratio, standard
    /// errors on some curves only, or work that would take more than a few minutes.</exception>
    public static FitResult Fit(CurveModel model, IReadOnlyList<FitCurve> curves, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(curves);
        options ??= new FitOptions();
        if (options.MaxIterations < 1 || options.Starts < 1)
            throw new InvalidInputException("A fit needs at least one start and one iteration per start.");
        var evaluator = new Evaluator(model, curves, options);
        // one evaluation at the starting values, outside the search's guard: settings that describe no problem at all
        // (a batch the model cannot take, a fixed value out of range, a curve too long) are reported as they are
        var probe = new Dictionary<string, double>(evaluator.FixedValues);
        foreach (var p in evaluator.Free)
            probe[p.Name] = options.Guess.TryGetValue(p.Name, out var g) ? g : p == FitParameter.Floor ? 0 : model.DefaultValue(p, curves);
        evaluator.ModelValues(probe);
        var starts = Scan(evaluator, options);
        // the search: MathNet's Levenberg–Marquardt from the best scan points; the best end point wins
        int n = evaluator.Rows;
        double[]? best = null;
        double bestChi = double.PositiveInfinity;
        NonlinearMinimizationResult? bestResult = null;
        foreach (var start in starts)
        {
            var objective = ObjectiveFunction.NonlinearModel(
                (p, _) => Vector<double>.Build.DenseOfArray(evaluator.Residuals(p.ToArray())),
                (p, _) => Matrix<double>.Build.DenseOfArray(evaluator.Jacobian(p.ToArray())),
                Vector<double>.Build.Dense(n, i => i), Vector<double>.Build.Dense(n), null);
            var minimizer = new LevenbergMarquardtMinimizer(initialMu: 1e-3, gradientTolerance: 1e-14, stepTolerance: 1e-13,
                functionTolerance: 1e-24, maximumIterations: options.MaxIterations);
            var result = minimizer.FindMinimum(objective, Vector<double>.Build.DenseOfArray(start));
            var theta = result.MinimizingPoint.ToArray();
            double chi = SumOfSquares(evaluator.Residuals(theta));
            if (chi < bestChi) { bestChi = chi; best = theta; bestResult = result; }
        }
        if (best is null || bestResult is null || !(bestChi < Penalty * Penalty))
            throw new InvalidInputException($"The {model.Description} model could not be fitted to the curves: every start ended at settings with no valid problem (e.g. a diverging method); fix or guess parameters closer to the data.");
        return Summarise(evaluator, best, bestChi, bestResult);
    }

    private static FitResult Summarise(Evaluator evaluator, double[] theta, double chi, NonlinearMinimizationResult result)
    {
        var free = evaluator.Free;
        int p = free.Count, n = evaluator.Rows;
        var jac = Matrix<double>.Build.DenseOfArray(evaluator.Jacobian(theta));
        var jtj = jac.TransposeThisAndMultiply(jac);
        var evd = jtj.Evd(Symmetricity.Symmetric);
        var eig = evd.EigenValues.Real().ToArray();
        double maxEig = eig.Max();
        var flat = new bool[p];
        var pinv = Matrix<double>.Build.Dense(p, p);
        for (int k = 0; k < p; k++)
        {
            var v = evd.EigenVectors.Column(k);
            if (!(eig[k] > 1e-13 * maxEig) || !(maxEig > 0))
            {
                for (int i = 0; i < p; i++) if (Math.Abs(v[i]) > 0.1) flat[i] = true;
                continue;
            }
            pinv += v.OuterProduct(v) / eig[k];
        }
        bool weighted = evaluator.Weighted;
        double s2 = weighted ? 1 : chi / (n - p);
        var cov = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++) cov[i, j] = flat[i] || flat[j] ? double.NaN : s2 * pinv[i, j];
        var values = evaluator.Values(theta);
        var parameters = new List<FittedParameter>();
        foreach (var parameter in evaluator.All)
        {
            int k = free.IndexOf(parameter);
            if (k < 0) { parameters.Add(new FittedParameter(parameter, values[parameter.Name], true, null, null, null, null)); continue; }
            if (flat[k] || !(cov[k, k] >= 0)) { parameters.Add(new FittedParameter(parameter, values[parameter.Name], false, null, null, null, null)); continue; }
            double se = Math.Sqrt(cov[k, k]);
            double a = parameter.FromInternal(theta[k] - 1.959963984540054 * se), b = parameter.FromInternal(theta[k] + 1.959963984540054 * se);
            parameters.Add(new FittedParameter(parameter, values[parameter.Name], false, parameter.Derivative(theta[k]) * se,
                Math.Min(a, b), Math.Max(a, b), se));
        }
        var curves = new List<FittedCurve>();
        var modelValues = evaluator.ModelValues(values);
        var residuals = evaluator.Residuals(theta);
        int offset = 0;
        foreach (var (curve, m) in evaluator.Curves.Zip(modelValues))
        {
            curves.Add(new FittedCurve(curve, m, residuals[offset..(offset + m.Length)]));
            offset += m.Length;
        }
        return new FitResult
        {
            Model = evaluator.Model.Description,
            Objective = evaluator.Objective,
            Weighted = weighted,
            Parameters = parameters,
            Curves = curves,
            ChiSquare = chi,
            Rows = n,
            FreeParameters = p,
            Iterations = result.Iterations,
            Evaluations = evaluator.Evaluations,
            ExitReason = result.ReasonForExit.ToString(),
            ThetaCovariance = cov,
        };
    }

    private static double SumOfSquares(double[] r)
    {
        double s = 0;
        foreach (var x in r) s += x * x;
        return s;
    }

    /// <summary>The amplitudes: E L_t is linear in c and σ² (the recursion is linear in its start and its noise
    /// source), and the loss in its floor.</summary>
    private static bool IsAmplitude(FitParameter p) => p == FitParameter.InitScale || p == FitParameter.Noise || p == FitParameter.Floor;

    /// <summary>
    /// The starting points θ of the search: the grid of the non-linear free parameters' <see cref="CurveModel.ScanValues"/>
    /// (a guessed parameter takes its guess), at each point the free amplitudes solved by non-negative linear least squares
    /// on relative residuals; the best <see cref="FitOptions.Starts"/> points by χ².
    /// </summary>
    private static List<double[]> Scan(Evaluator ev, FitOptions options)
    {
        var free = ev.Free;
        var solved = free.Where(p => IsAmplitude(p) && !options.Guess.ContainsKey(p.Name)).ToList();
        var scanned = free.Where(p => !solved.Contains(p)).ToList();
        var lists = scanned.Select(p => options.Guess.TryGetValue(p.Name, out var g) ? (IReadOnlyList<double>)[g] : p == FitParameter.Floor ? [0.0] : ev.Model.ScanValues(p, ev.Curves)).ToList();
        var scored = new List<(double Chi, double[] Theta)>();
        var index = new int[scanned.Count];
        while (true)
        {
            var values = new Dictionary<string, double>(ev.FixedValues);
            for (int i = 0; i < scanned.Count; i++) values[scanned[i].Name] = lists[i][index[i]];
            foreach (var p in solved) values[p.Name] = 0;
            if (SolveAmplitudes(ev, values, solved))
            {
                var theta = free.Select(p => p.ToInternal(values[p.Name])).ToArray();
                double chi = SumOfSquares(ev.Residuals(theta));
                if (double.IsFinite(chi) && chi < ev.Rows * Penalty * Penalty) scored.Add((chi, theta));
            }
            int k = 0;
            while (k < index.Length && ++index[k] == lists[k].Count) index[k++] = 0;
            if (k == index.Length) break;
        }
        if (scored.Count == 0)
        {
            // every scan point failed (e.g. a guess far off): start from the defaults and guesses as they are
            var values = new Dictionary<string, double>(ev.FixedValues);
            foreach (var p in free)
                values[p.Name] = options.Guess.TryGetValue(p.Name, out var g) ? g : p == FitParameter.Floor ? 1e-3 : ev.Model.DefaultValue(p, ev.Curves);
            return [free.Select(p => p.ToInternal(values[p.Name])).ToArray()];
        }
        return scored.OrderBy(s => s.Chi).Take(Math.Max(1, options.Starts)).Select(s => s.Theta).ToList();
    }

    /// <summary>
    /// Sets the free amplitudes in <paramref name="values"/> (all 0 on entry) by minimising Σ_t ((m_t − y_t)/y_t)² over
    /// non-negative amplitudes (every subset is tried; an amplitude left out gets 10⁻³ of its own best single value, so
    /// that its logarithm exists). False when the model cannot be evaluated there.
    /// </summary>
    private static bool SolveAmplitudes(Evaluator ev, Dictionary<string, double> values, List<FitParameter> solved)
    {
        double[] y = ev.Measured;
        double[]? baseline = ev.TryModel(values);
        if (baseline is null) return false;
        if (solved.Count == 0) return true;
        var columns = new List<double[]>();
        foreach (var p in solved)
        {
            if (p == FitParameter.Floor) { columns.Add(Enumerable.Repeat(1.0, y.Length).ToArray()); continue; }
            values[p.Name] = 1;
            var m = ev.TryModel(values);
            values[p.Name] = 0;
            if (m is null) return false;
            columns.Add(m.Select((v, i) => v - baseline[i]).ToArray());
        }
        int q = solved.Count, n = y.Length;
        var w = y.Select(v => 1 / Math.Max(Math.Abs(v), 1e-300)).ToArray();
        double[]? bestX = null;
        double bestRss = double.PositiveInfinity;
        for (int mask = 1; mask < 1 << q; mask++)
        {
            var cols = Enumerable.Range(0, q).Where(k => (mask >> k & 1) == 1).ToArray();
            var a = Matrix<double>.Build.Dense(n, cols.Length, (i, j) => columns[cols[j]][i] * w[i]);
            var b = Vector<double>.Build.Dense(n, i => (y[i] - baseline[i]) * w[i]);
            if (!a.Enumerate().All(double.IsFinite) || !b.Enumerate().All(double.IsFinite)) continue;
            Vector<double> x;
            try { x = a.QR().Solve(b); }
            catch (ArgumentException) { continue; }
            if (!x.All(v => v > 0 && double.IsFinite(v))) continue;
            double rss = (a * x - b).L2Norm();
            if (rss < bestRss)
            {
                bestRss = rss;
                bestX = new double[q];
                for (int j = 0; j < cols.Length; j++) bestX[cols[j]] = x[j];
            }
        }
        for (int k = 0; k < q; k++)
        {
            double single = 0;
            var col = columns[k];
            double num = 0, den = 0;
            for (int i = 0; i < n; i++) { num += col[i] * w[i] * (y[i] - baseline[i]) * w[i]; den += col[i] * w[i] * col[i] * w[i]; }
            if (den > 0 && num > 0) single = num / den;
            double value = bestX is not null && bestX[k] > 0 ? bestX[k] : single > 0 ? 1e-3 * single : 1e-6;
            values[solved[k].Name] = value;
        }
        return true;
    }

    /// <summary>The residual vector of a fit as a function of the free parameters' θ.</summary>
    internal sealed class Evaluator
    {
        private long _evaluations;

        public Evaluator(CurveModel model, IReadOnlyList<FitCurve> curves, FitOptions options)
        {
            Model = model;
            Objective = options.Objective;
            if (curves.Count == 0) throw new InvalidInputException("No measured curve was given; a fit needs at least one curve.");
            Curves = curves;
            All = Objective == FitObjective.Loss ? [.. model.Parameters, FitParameter.Floor] : [.. model.Parameters];
            string names = string.Join(", ", All.Select(p => p.Name));
            foreach (var name in options.Fixed.Keys.Concat(options.Guess.Keys))
                if (!All.Any(p => p.Name == name))
                    throw new InvalidInputException(All.Count == 0
                        ? $"The {model.Description} model has no parameter '{name}'; it has no free parameters at all."
                        : $"The {model.Description} model has no parameter '{name}'{(name == "floor" ? " (the floor belongs to the loss objective)" : "")}; its parameters are {names}.");
            foreach (var name in options.Guess.Keys)
                if (options.Fixed.ContainsKey(name))
                    throw new InvalidInputException($"The parameter '{name}' is both fixed and given a starting value; it can be one or the other.");
            var fixedValues = new Dictionary<string, double>();
            foreach (var (name, value) in options.Fixed)
            {
                var parameter = All.First(p => p.Name == name);
                if (!double.IsFinite(value) || parameter.Transform != ParameterTransform.Identity && value < (parameter.Transform == ParameterTransform.LogAboveOne ? 1 : 0))
                    throw new InvalidInputException($"The {parameter.Meaning} {name} = {value.ToString("R", CultureInfo.InvariantCulture)} is not allowed; it must be finite{(parameter.Transform == ParameterTransform.Identity ? "" : parameter.Transform == ParameterTransform.Log ? " and at least 0" : " and at least 1")}.");
                fixedValues[name] = value;
            }
            foreach (var (name, value) in options.Guess) All.First(p => p.Name == name).ToInternal(value);
            FixedValues = fixedValues;
            Free = All.Where(p => !fixedValues.ContainsKey(p.Name)).ToList();
            if (Free.Count == 0)
                throw new InvalidInputException(All.Count == 0
                    ? $"The {model.Description} model has no free parameter: the data, its target and the start fix the curve completely, so there is nothing to fit (compare the curve with the exact one instead, or take the Gaussian moment model to fit the kurtosis)."
                    : $"Every parameter of the {model.Description} model is fixed ({names}); leave at least one free to fit.");
            bool anyErr = curves.Any(c => c.StdErr is not null), allErr = curves.All(c => c.StdErr is not null);
            if (anyErr && !allErr)
                throw new InvalidInputException("Some curves have standard errors and some do not; either every curve has a stderr column (residuals weighted by it) or none (the residual variance sets the scale).");
            Weighted = allErr;
            foreach (var c in curves)
                for (int i = 0; i < c.Values.Length; i++)
                {
                    if (Objective == FitObjective.LogRisk && !(c.Values[i] > 0))
                        throw new InvalidInputException($"The curve {c.Label} has the risk {c.Values[i].ToString("R", CultureInfo.InvariantCulture)} at t = {c.Steps[i]}; the log-risk objective needs positive values (the loss objective fits the values themselves with a floor).");
                    if (Objective == FitObjective.Loss && !Weighted && !(c.Values[i] > 0))
                        throw new InvalidInputException($"The curve {c.Label} has the loss {c.Values[i].ToString("R", CultureInfo.InvariantCulture)} at t = {c.Steps[i]}; without standard errors the loss objective weighs each point by its own value, which must be positive.");
                }
            Rows = curves.Sum(c => c.Values.Length);
            if (Rows <= Free.Count)
                throw new InvalidInputException($"The curves have {Rows} measured point{(Rows == 1 ? "" : "s")} for {Free.Count} free parameter{(Free.Count == 1 ? "" : "s")} ({string.Join(", ", Free.Select(p => p.Name))}); a fit needs more points than free parameters (fix some, or give more steps).");
            Measured = curves.SelectMany(c => c.Values).ToArray();
            double perEvaluation = curves.Sum(model.SecondsPerEvaluation);
            double evaluations = 64 + Math.Max(1, options.Starts) * 40.0 * (2 * Free.Count + 1);
            CostEstimate.Require(perEvaluation * evaluations, $"fitting {Free.Count} parameter{(Free.Count == 1 ? "" : "s")} of the {model.Description} model to {curves.Count} curve{(curves.Count == 1 ? "" : "s")} (about {evaluations:0} exact trajectories)",
                "fit fewer or shorter curves, fix parameters, or use a cheaper moment model");
        }

        public CurveModel Model { get; }
        public FitObjective Objective { get; }
        public IReadOnlyList<FitCurve> Curves { get; }
        public IReadOnlyList<FitParameter> All { get; }
        public List<FitParameter> Free { get; }
        public IReadOnlyDictionary<string, double> FixedValues { get; }
        public bool Weighted { get; }
        public int Rows { get; }
        public double[] Measured { get; }
        public long Evaluations => Interlocked.Read(ref _evaluations);

        public Dictionary<string, double> Values(double[] theta)
        {
            var v = new Dictionary<string, double>(FixedValues);
            for (int k = 0; k < Free.Count; k++) v[Free[k].Name] = Free[k].FromInternal(theta[k]);
            return v;
        }

        /// <summary>The model's value per curve (E L_t, plus the floor for the loss objective).</summary>
        public List<double[]> ModelValues(IReadOnlyDictionary<string, double> values)
        {
            Interlocked.Increment(ref _evaluations);
            double floor = Objective == FitObjective.Loss ? values["floor"] : 0;
            var result = new List<double[]>();
            foreach (var c in Curves)
            {
                var m = Model.Risk(values, c);
                if (floor != 0) for (int i = 0; i < m.Length; i++) m[i] += floor;
                result.Add(m);
            }
            return result;
        }

        /// <summary>The model's values, concatenated over the curves; null when the values describe no valid problem.</summary>
        public double[]? TryModel(IReadOnlyDictionary<string, double> values)
        {
            try { return ModelValues(values).SelectMany(m => m).ToArray(); }
            catch (InvalidInputException) { return null; }
        }

        public double[] Residuals(double[] theta)
        {
            var r = new double[Rows];
            double[]? m = null;
            if (theta.All(double.IsFinite)) m = TryModel(Values(theta));
            if (m is null) { Array.Fill(r, Penalty); return r; }
            int i = 0;
            foreach (var c in Curves)
                for (int j = 0; j < c.Values.Length; j++, i++)
                {
                    double y = c.Values[j], v = m[i];
                    if (Objective == FitObjective.LogRisk)
                    {
                        double lm = Math.Log(Math.Clamp(double.IsNaN(v) ? double.MaxValue : v, 1e-300, 1e300));
                        r[i] = (lm - Math.Log(y)) / (Weighted ? c.StdErr![j] / y : 1);
                    }
                    else
                    {
                        double mv = Math.Clamp(double.IsNaN(v) ? double.MaxValue : v, -1e300, 1e300);
                        r[i] = (mv - y) / (Weighted ? c.StdErr![j] : y);
                    }
                    if (!double.IsFinite(r[i]) || Math.Abs(r[i]) > 1e150) r[i] = Math.CopySign(1e150, r[i]);
                }
            return r;
        }

        /// <summary>∂r/∂θ by central differences (step 1e-5·max(1, |θ_k|)); the columns are evaluated in parallel.</summary>
        public double[,] Jacobian(double[] theta)
        {
            int p = theta.Length;
            var j = new double[Rows, p];
            var plus = new double[p][];
            var minus = new double[p][];
            var hs = new double[p];
            Parallel.For(0, 2 * p, k =>
            {
                int col = k / 2;
                double h = 1e-5 * Math.Max(1, Math.Abs(theta[col]));
                hs[col] = h;
                var t = (double[])theta.Clone();
                t[col] += k % 2 == 0 ? h : -h;
                if (k % 2 == 0) plus[col] = Residuals(t); else minus[col] = Residuals(t);
            });
            for (int k = 0; k < p; k++)
                for (int i = 0; i < Rows; i++) j[i, k] = (plus[k][i] - minus[k][i]) / (2 * hs[k]);
            return j;
        }
    }
}
