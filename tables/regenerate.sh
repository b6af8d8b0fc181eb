#!/usr/bin/env bash
# Regenerates the tables of this folder (T1–T5 of tables/README.md) from the ExactDynamics library.
#   tables/regenerate.sh            all tables
#   tables/regenerate.sh T1 T3      only these
# Takes about 15 s for all five on a 2-core machine (T2 dominates: exact iteration counts);
# each run prints the time per table. The outputs are deterministic: rerunning reproduces every file byte for byte
# on the same platform (numbers are rounded to 6 significant digits, so other platforms agree up to the last digit).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build -c Release "$here/generator/TablesGenerator.csproj" -v quiet -nologo >/dev/null
start=$(date +%s)
dotnet "$here/generator/bin/Release/net10.0/TablesGenerator.dll" "$here" "$@"
echo "regenerated in $(( $(date +%s) - start )) s" >&2
