#!/usr/bin/env bash
# Runs the baseline scanner's benchmark (docs/PERFORMANCE.md, "Baseline scanner"): the TLS checks against sslyze and
# testssl.sh on the offline fleet, and 2,000 host names through every check. Installs sslyze 6.3.1 in a venv outside
# the clone when it is missing; needs openssl and testssl.sh from Debian (`apt-get install openssl testssl.sh`).
# Arguments go to the benchmark's environment, e.g. `benches/run.sh CYBERVEILIG_BENCH_NAMES=500`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
SSLYZE_VENV="${SSLYZE_VENV:-$HOME/.cache/cyberveilig/sslyze-6.3.1}"
if [ ! -x "$SSLYZE_VENV/bin/sslyze" ]; then
  python3 -m venv "$SSLYZE_VENV"
  "$SSLYZE_VENV/bin/pip" install -q sslyze==6.3.1
fi
for tool in openssl testssl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (apt-get install openssl testssl.sh)" >&2; exit 1; }
done
export SSLYZE="$SSLYZE_VENV/bin/sslyze" CYBERVEILIG_BENCH_TOOLS=required
env "$@" cargo bench -p cyberveilig-baseline --bench scan
