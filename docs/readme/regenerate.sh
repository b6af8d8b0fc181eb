#!/usr/bin/env bash
# Regenerates README.md's output blocks and the figures in docs/images from the current build (see regenerate.py).
#   docs/readme/regenerate.sh
# Needs python3 (or PYTHON=/path/to/python); numpy too for the blocks that read the NumPy recipe's eigs.npy or the data recipe's X.npy, and for the training-run figure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build -c Release "$here/../../src/ExactDynamics.Cli" -v quiet -nologo >/dev/null
"${PYTHON:-python3}" "$here/regenerate.py"
