#!/usr/bin/env bash
# Regenerates tables/T7-averaging.csv and tables/T7-averaging.md (docs/math.md#averaging-and-decay,
# docs/math.md#tuning-modifiers): on the power-law problems of T1–T6, with and without label noise, at a fixed budget of
# gradients, (a) tuned EMA, uniform averaging from a tuned start and schedule-free SGD against the tuned constant rate and
# tuned cosine/WSD schedules, (b) whether a tuned EMA moves the critical batch of SGD and heavy ball, (c) tuned weight
# decay against early stopping. The readings in the .md are computed by the generator from the table's own numbers.
# The tail-average column (average=tail:F) is produced by TailAverage in tables/generator/T7Averaging.cs (empty for now).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build -c Release "$here/generator/TablesGenerator.csproj" -v quiet -nologo >/dev/null
start=$(date +%s)
dotnet "$here/generator/bin/Release/net10.0/TablesGenerator.dll" "$here" T7
echo "T7 regenerated in $(( $(date +%s) - start )) s" >&2
