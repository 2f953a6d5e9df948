#!/usr/bin/env bash
# Measures what sign-in costs and whether it hurts everyone else:
#   1. one sign-in at a time (about one argon2id hash plus the queries);
#   2. sign-in throughput with every core hashing, and what that means per core;
#   3. p99 of the signed-in console page (/admin) alone, and again while a
#      sign-in storm arrives at twice the sustainable rate.
# Everything runs against 127.0.0.1 and stops by itself. Usage:
#   scripts/bench-sign-in.sh            (DURATION=15 by default, seconds per run)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
DURATION="${DURATION:-15}"
PORT="${BENCH_PORT:-3300}"
BASE="http://127.0.0.1:$PORT"
EMAIL="bench-admin@orgdesk.example"
PASSWORD="bench-otter-lantern-42"

if ! command -v oha >/dev/null; then
  say "installing the load tool oha (once)"
  cargo install oha --version 1.16.0 --locked
fi
command -v jq >/dev/null || { say "installing jq"; apt-get install -y jq >/dev/null; }

DATABASE_URL="$(DATABASE_URL= ./scripts/database.sh orgdesk_bench)"
export DATABASE_URL
say "building the server (release)"
cargo build --release --features ssr --bin orgdesk
say "0/4 one password hash, one thread"
hash_line="$(cargo bench -q --features ssr --bench password_hash 2>/dev/null | tail -n1)"

sqlx database drop -y >/dev/null 2>&1 || true
target/release/orgdesk migrate >/dev/null
echo "$PASSWORD" | target/release/orgdesk org create --name "Bench Co" --admin-name "Bench Admin" \
  --admin-email "$EMAIL" --no-enforce-two-factor >/dev/null

say "starting the server on $BASE"
# Throttling would turn a storm from one IP into instant 429s; measure the hashing instead.
AUTH_DELAY_AFTER=1000000000 AUTH_LOCK_AFTER=1000000000 \
  AUTH_IP_DELAY_AFTER=1000000000 AUTH_IP_LOCK_AFTER=1000000000 \
  PUBLIC_BASE_URL="$BASE" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site \
  LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_HASH_FILES=false RUST_LOG=warn \
  target/release/orgdesk serve >target/bench-sign-in-server.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

BODY="kind=member&identifier=$EMAIL&password=$PASSWORD"
FORM="content-type: application/x-www-form-urlencoded"
cookie="$(curl -fsS -D - -o /dev/null -X POST "$BASE/api/sign_in" -H "$FORM" --data "$BODY" |
  tr -d '\r' | sed -n 's/^set-cookie: \(orgdesk_session=[^;]*\).*/\1/Ip' | head -n1)"
[ -n "$cookie" ] || { echo "sign-in for the benchmark failed" >&2; exit 1; }
curl -fsS -o /dev/null -H "cookie: $cookie" "$BASE/admin" || { echo "/admin refused the session" >&2; exit 1; }

run() { oha --no-tui --output-format json "$@"; }
ms() { jq -r "$1 * 1000 | . * 100 | round / 100"; }

say "1/4 sign-in, one at a time (${DURATION}s)"
one="$(run -c 1 -z "${DURATION}s" -m POST -H "$FORM" -d "$BODY" "$BASE/api/sign_in")"
one_avg="$(echo "$one" | ms .summary.average)"

say "2/4 sign-in throughput, 8 connections (${DURATION}s)"
many="$(run -c 8 -z "${DURATION}s" -m POST -H "$FORM" -d "$BODY" "$BASE/api/sign_in")"
rps="$(echo "$many" | jq -r '.summary.requestsPerSec | round')"
cores="$(nproc)"
per_core=$((rps / cores))

say "3/4 /admin alone, 8 connections (${DURATION}s)"
alone="$(run -c 8 -z "${DURATION}s" -H "cookie: $cookie" "$BASE/admin")"

storm_rate=$((rps * 2))
say "4/4 /admin while sign-ins arrive at $storm_rate/s (${DURATION}s)"
run -c 64 -q "$storm_rate" -z "${DURATION}s" -m POST -H "$FORM" -d "$BODY" "$BASE/api/sign_in" \
  >target/bench-storm.json &
storm=$!
sleep 1
during="$(run -c 8 -z "$((DURATION - 2))s" -H "cookie: $cookie" "$BASE/admin")"
wait "$storm"
storm_json="$(cat target/bench-storm.json)"

cat <<REPORT

Sign-in benchmark on $(nproc) cores ($(date -u +%Y-%m-%dT%H:%MZ))
  $hash_line
  one sign-in at a time:        average $one_avg ms (argon2id m=19456 KiB t=2 p=1 plus queries)
  sign-in throughput (8 conn):  $rps/s, i.e. about $per_core/s per core
  /admin alone (8 conn):        $(echo "$alone" | jq -r '.summary.requestsPerSec | round')/s, p50 $(echo "$alone" | ms '.latencyPercentiles.p50') ms, p99 $(echo "$alone" | ms '.latencyPercentiles.p99') ms
  /admin during a storm at $storm_rate sign-ins/s:
                                $(echo "$during" | jq -r '.summary.requestsPerSec | round')/s, p50 $(echo "$during" | ms '.latencyPercentiles.p50') ms, p99 $(echo "$during" | ms '.latencyPercentiles.p99') ms
  the storm itself:             $(echo "$storm_json" | jq -r '.summary.requestsPerSec | round')/s answered; status codes $(echo "$storm_json" | jq -c '.statusCodeDistribution')
REPORT
