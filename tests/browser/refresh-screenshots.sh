#!/usr/bin/env bash
# Runs the browser tests with their screenshots written to docs/screenshots (the README shows
# them); without this the tests write them beside the build, under its target directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd tests/browser && npm ci --no-audit --no-fund --silent)
CYBERVEILIG_SCREENSHOTS="$(pwd)/docs/screenshots" CYBERVEILIG_BROWSER_TESTS=required \
  cargo test -p cyberveilig --test api browser
