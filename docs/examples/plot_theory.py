"""The exact risk curve from exactdyn next to a NumPy simulation of the same SGD run, plotted with matplotlib.

Needs numpy and matplotlib (pip install numpy matplotlib) and exactdyn: the installed tool, or set EXACTDYN to the
command that runs it, e.g. EXACTDYN="dotnet run --project src/ExactDynamics.Cli --" from the repository root.

    python3 docs/examples/plot_theory.py                 # writes plot_theory.png (and prints a short comparison)
    python3 docs/examples/plot_theory.py --out fig.pdf   # any format matplotlib knows

The simulation is minibatch SGD on linear regression with eigenvalues 1/i (d = 100), Gaussian covariates, batch 8,
lr = 0.5, w0 - w* ~ N(0, I), averaged over 200 runs; its mean risk should lie within a few standard errors of the exact
curve at every step.
"""
import argparse
import json
import os
import shlex
import subprocess

import numpy as np

D, BATCH, LR, STEPS, RUNS = 100, 8, 0.5, 200, 200
SPECTRUM = f"powerlaw:a=1,d={D}"


def exact_curve():
    """E L_t for t = 0..STEPS from `exactdyn risk --format json` ({"t": [...], "risk": [...]})."""
    command = shlex.split(os.environ.get("EXACTDYN", "exactdyn")) + [
        "risk", "--spectrum", SPECTRUM, "--method", f"sgd:lr={LR}", "--batch", str(BATCH),
        "--steps", str(STEPS), "--every", "1", "--format", "json"]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return np.array(result["t"]), np.array(result["risk"])


def simulated_curve(seed=0):
    """Mean and standard error over RUNS runs of 0.5 * sum_i lambda_i (w_t - w*)_i^2 (all runs at once)."""
    lam = 1.0 / np.arange(1, D + 1)
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((RUNS, D))                                   # w0 - w*, in the eigenbasis
    risk = np.empty((STEPS + 1, RUNS))
    for t in range(STEPS + 1):
        risk[t] = 0.5 * (lam * e * e).sum(axis=1)
        x = rng.standard_normal((RUNS, BATCH, D)) * np.sqrt(lam)         # x = H^{1/2} z
        grad = np.einsum("rbd,rb->rd", x, np.einsum("rbd,rd->rb", x, e)) / BATCH
        e = e - LR * grad
    return risk.mean(axis=1), risk.std(axis=1, ddof=1) / np.sqrt(RUNS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="plot_theory.png", help="figure file (default plot_theory.png)")
    args = parser.parse_args()

    t, exact = exact_curve()
    mean, stderr = simulated_curve()
    z = (mean - exact) / stderr
    print(f"steps 0..{STEPS}: worst |z| = {np.abs(z).max():.2f} at t = {int(t[np.abs(z).argmax()])} "
          f"(z = (simulated - exact)/stderr, {RUNS} runs)")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.4), dpi=150)
    ax.semilogy(t, exact, color="#0072B2", lw=2, label="exact $E L_t$ (exactdyn)")
    ax.fill_between(t, mean - 2 * stderr, mean + 2 * stderr, color="#D55E00", alpha=0.25, lw=0, label="simulation ± 2 stderr")
    ax.semilogy(t[::10], mean[::10], "o", ms=3, mfc="none", color="#D55E00", label=f"simulation mean ({RUNS} runs)")
    ax.set_xlabel("step t")
    ax.set_ylabel("expected risk")
    ax.set_title(f"SGD lr = {LR}, B = {BATCH}, $\\lambda_i = 1/i$, d = {D}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
