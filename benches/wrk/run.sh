#!/usr/bin/env bash
# The API benchmark with an external load generator (wrk, from Debian's packages) against the
# release binary in its own process, as in production. Usage: benches/wrk/run.sh [DATABASE_URL]
# With a PostgreSQL URL it works in a new database there. Prints orders/s and latency for order submissions and for a programme's budget status.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -p cyberveilig -q
dir="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
db="sqlite:$dir/bench.db"
dropdb=""
if [ -n "${1:-}" ]; then
  # A database of its own on the PostgreSQL server the URL names, dropped at the end.
  name="cvbench_wrk_$$"
  psql "$1" -qc "CREATE DATABASE $name"
  db="${1%/*}/$name"
  dropdb="psql '$1' -qc 'DROP DATABASE IF EXISTS $name WITH (FORCE)'"
fi
"$target/release/cyberveilig" demo --no-history --test-clock 2020-05-18T10:00:00+02:00 \
  --database "$db" --listen "127.0.0.1:$port" > "$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; sleep 0.5; eval "$dropdb"; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
json() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
TOKEN=$(curl -sf "$base/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"email":"admin@abb.test","password":"demo"}' | json '["token"]')
PROGRAMME=$(curl -sf "$base/api/v1/programmes" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
  -d '{"name":"Bench","budget_cents":900000000000,"basic_rate":"2/3","additional_rate":"1/2","offer_starts_on":"2020-05-01","offer_ends_on":"2021-12-31"}' \
  | json '["id"]')
NIS_CODES=$(curl -sf "$base/api/v1/organisations?kind=gemeente&limit=500" -H "authorization: Bearer $TOKEN" \
  | json '["items"]' | python3 -c "import sys, ast; print(' '.join(o['nis_code'] for o in ast.literal_eval(sys.stdin.read())))")
# Additional work needs a basic audit of the same government first (D3).
for nis in $NIS_CODES; do
  curl -sf -o /dev/null "$base/api/v1/orders" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "{\"programme_id\":$PROGRAMME,\"government_nis\":\"$nis\",\"kind\":\"basic\"}"
done
export TOKEN PROGRAMME NIS_CODES
echo "== POST /api/v1/orders, 64 connections, 20 s ($db)"
wrk -t2 -c64 -d20s --latency -s benches/wrk/orders.lua "$base" | grep -E "orders/s|Latency|Requests/sec"
echo "== GET /api/v1/programmes/$PROGRAMME, 64 connections, 10 s"
wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $TOKEN" "$base/api/v1/programmes/$PROGRAMME" | grep -E "Latency|99%|Requests/sec|Non-2xx"
echo "== GET /api/v1/programmes/$PROGRAMME, 1 connection, 10 s"
wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $TOKEN" "$base/api/v1/programmes/$PROGRAMME" | grep -E "Latency|99%|Requests/sec|Non-2xx"
echo "== server memory after the load: $(grep VmRSS /proc/$server/status)"
