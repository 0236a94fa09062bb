#!/usr/bin/env bash
# Runs every fuzz target for a while with libFuzzer, on the stable toolchain: the same
# instrumentation cargo-fuzz adds (SanitizerCoverage, `--cfg fuzzing`), without the address
# sanitizer, which needs nightly. With nightly and cargo-fuzz, `cargo +nightly fuzz run <target>`
# works too.
#
#   crates/findings/fuzz/run.sh            # every target, 60 s each
#   crates/findings/fuzz/run.sh 300 nessus # one target, 5 minutes
#
# Seeds: the project's own test reports (crates/findings/tests/data) and, where present, the
# shared samples in ../shared/fixtures/scans. New inputs are kept in target/fuzz-corpus/<target>;
# a crash is written to target/fuzz-artifacts/<target>/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(nessus openvas nmap sarif zap_xml zap_json nuclei burp generic_csv generic_json detect)
fi

export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz-build"
# With an explicit target the flags reach only the fuzzed code, not build scripts and macros.
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --bins --target "$host"

seeds=(../tests/data)
shared="../../../../shared/fixtures/scans"
[ -d "$shared" ] && seeds+=("$shared")
for t in "${targets[@]}"; do
  corpus="target/fuzz-corpus/$t"
  artifacts="target/fuzz-artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  echo "== $t: ${seconds}s"
  "$CARGO_TARGET_DIR/$host/release/$t" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -max_len=65536 \
    -rss_limit_mb=2048 -artifact_prefix="$artifacts" -print_final_stats=1 2>&1 |
    grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|.*panicked)" || true
  if ls "$artifacts" | grep -q .; then
    echo "crash in $t: see $artifacts" >&2
    exit 1
  fi
done
