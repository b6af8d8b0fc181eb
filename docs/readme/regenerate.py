#!/usr/bin/env python3
"""Regenerates the output blocks of README.md (and the figures it shows) from the current build.

Every block of README.md that starts with a line `$ exactdyn ARGS` gets, below that line, exactly what
`exactdyn ARGS` prints (stdout, then stderr) when run in a scratch folder, so that a figure a command draws
(--plot x.png) or a file it writes never lands in the repository. Blocks whose command reads eigs.npy need the
NumPy recipe's file: it is made by running the recipe's own code (the ```python block after "Load my eigenvalues"),
which needs numpy; without numpy those blocks are left as they are and the script says so. Blocks that read X.npy
likewise need the data recipe's files (X.npy, y.npy and the training run my_run.csv, from the ```python block after
"Start from my data matrix").

Then the figures in docs/images are redrawn from the same commands with --plot into docs/images.

    docs/readme/regenerate.sh          (builds the CLI in Release, then runs this script)

Only the Python standard library is used here (numpy only for the NumPy recipe's eigs.npy).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(ROOT, "src", "ExactDynamics.Cli", "bin", "Release", "net10.0", "exactdyn.dll")
BLOCK = re.compile(r"```\n(\$ exactdyn [^\n]*)\n(.*?)```", re.S)
RECIPE = re.compile(r"### Load my eigenvalues from NumPy.*?```python\n(.*?)```", re.S)
DATA_RECIPE = re.compile(r"### Start from my data matrix.*?```python\n(.*?)```", re.S)

# The figures of docs/images: file name -> exactdyn arguments (the experiment files' own plots go to docs/examples/,
# which git ignores; here the same experiments are drawn into docs/images).
FIGURES = {
    "risk-hb-vs-sgd.png": ["run", "docs/examples/risk-hb-vs-sgd.json"],
    "risk-label-noise.png": ["run", "docs/examples/risk-label-noise.json"],
    "critical-batch.png": ["critical-batch", "--spectrum", "powerlaw:a=1,d=200", "--family", "sgd,hb,nesterov,asgd"],
    "sweep.png": ["sweep", "--spectrum", "powerlaw:a=1,d=200", "--family", "sgd,hb,asgd", "--batches", "1..1024", "--target", "1e-6"],
}


def run(args, cwd):
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run(["dotnet", CLI] + args, cwd=cwd, env=env, capture_output=True, text=True)
    return p.stdout + p.stderr


def main():
    if not os.path.exists(CLI):
        sys.exit(f"{CLI} is missing: run docs/readme/regenerate.sh (it builds the CLI first)")
    readme_path = os.path.join(ROOT, "README.md")
    readme = open(readme_path, encoding="utf-8").read()
    work = tempfile.mkdtemp(prefix="exactdyn-readme-")
    try:
        have_eigs = have_data = False
        recipe = RECIPE.search(readme)
        data_recipe = DATA_RECIPE.search(readme)
        try:
            import numpy  # noqa: F401
            if recipe:
                subprocess.run([sys.executable, "-c", recipe.group(1)], cwd=work, check=True)
                have_eigs = True
            if data_recipe:
                subprocess.run([sys.executable, "-c", data_recipe.group(1)], cwd=work, check=True)
                have_data = True
        except ImportError:
            print("numpy is not installed: blocks that read eigs.npy or X.npy are left as they are", file=sys.stderr)

        def replace(m):
            line = m.group(1)
            if ("eigs.npy" in line and not have_eigs) or ("X.npy" in line and not have_data):
                return m.group(0)
            out = run(shlex.split(line[len("$ exactdyn "):]), work)
            return f"```\n{line}\n{out}{'' if out.endswith(chr(10)) else chr(10)}```"

        new = BLOCK.sub(replace, readme)
        if new != readme:
            open(readme_path, "w", encoding="utf-8").write(new)
            print("README.md: output blocks updated", file=sys.stderr)
        else:
            print("README.md: already up to date", file=sys.stderr)

        images = os.path.join(ROOT, "docs", "images")
        for name, args in FIGURES.items():
            if args[0] == "run":
                args = [args[0], os.path.join(ROOT, args[1])]
            run(args + ["--plot", os.path.join(images, name), "--format", "csv"], work)
            print(f"docs/images/{name}", file=sys.stderr)
        train = os.path.join(ROOT, "docs", "examples", "train_sgd.py")
        if have_eigs:  # numpy is there: the training run of "theory curve next to my training curve"
            subprocess.run([sys.executable, train], cwd=work, check=True)
            run(["risk", "--spectrum", "powerlaw:a=1,d=200", "--method", "sgd:lr=0.5", "--batch", "8", "--steps", "1000",
                 "--every", "250", "--plot", os.path.join(images, "theory-vs-training.png"), "--overlay", "sgd_training.csv"], work)
            print("docs/images/theory-vs-training.png", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
