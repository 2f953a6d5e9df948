#!/usr/bin/env bash
# Measures what sign-in costs and whether it hurts everyone else:
#   1. one sign-in at a time (about one argon2id hash plus the queries);
#   2. sign-in throughput with every core hashing, and what that means per core;
#   3. p99 of the signed-in console page (/admin) alone, and again while a
#      sign-in storm arrives at twice the sustainable rate, once with the
#      hashing threads at the pages' priority (PASSWORD_HASH_NICE=0, before)
#      and once at the default niceness (10, after), in the same run.
# Everything runs against 127.0.0.1 and stops by itself. Usage:
#   scripts/bench-sign-in.sh            (DURATION=15 by default, seconds per run)
#   PROFILE=profiling scripts/bench-sign-in.sh   (release code, built faster)
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
PROFILE="${PROFILE:-release}"
BIN="target/$PROFILE/orgdesk"
say "building the server ($PROFILE)"
cargo build --profile "$PROFILE" --features ssr --bin orgdesk
if [ "$PROFILE" = release ]; then
  say "0/4 one password hash, one thread"
  hash_line="$(cargo bench -q --features ssr --bench password_hash 2>/dev/null | tail -n1)"
else
  # cargo bench builds the release profile: skipped with a faster one.
  hash_line="one password hash: not measured ($PROFILE build; run with PROFILE=release)"
fi

sqlx database drop -y >/dev/null 2>&1 || true
"$BIN" migrate >/dev/null
echo "$PASSWORD" | "$BIN" org create --name "Bench Co" --admin-name "Bench Admin" \
  --admin-email "$EMAIL" --no-enforce-two-factor >/dev/null

server=""
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
# Starts (or restarts) the server with its hashing threads at niceness $1.
serve() {
  if [ -n "$server" ]; then kill "$server"; wait "$server" 2>/dev/null || true; fi
  say "starting the server on $BASE (PASSWORD_HASH_NICE=$1)"
  # Throttling would turn a storm from one IP into instant 429s; measure the hashing instead.
  AUTH_DELAY_AFTER=1000000000 AUTH_LOCK_AFTER=1000000000 \
    AUTH_IP_DELAY_AFTER=1000000000 AUTH_IP_LOCK_AFTER=1000000000 PASSWORD_HASH_NICE="$1" \
    PUBLIC_BASE_URL="$BASE" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site \
    LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_HASH_FILES=false RUST_LOG=warn \
    "$BIN" serve >target/bench-sign-in-server.log 2>&1 &
  server=$!
  for _ in $(seq 1 60); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
}
serve 10

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

storm_rate=$((rps * 2))
# 3 and 4, before (niceness 0) and after (niceness 10).
declare -A alone during storm_json
for nice in 0 10; do
  serve "$nice"
  say "3/4 /admin alone, 8 connections (${DURATION}s, niceness $nice)"
  alone[$nice]="$(run -c 8 -z "${DURATION}s" -H "cookie: $cookie" "$BASE/admin")"
  say "4/4 /admin while sign-ins arrive at $storm_rate/s (${DURATION}s, niceness $nice)"
  run -c 64 -q "$storm_rate" -z "${DURATION}s" -m POST -H "$FORM" -d "$BODY" "$BASE/api/sign_in" \
    >target/bench-storm.json &
  storm=$!
  sleep 1
  during[$nice]="$(run -c 8 -z "$((DURATION - 2))s" -H "cookie: $cookie" "$BASE/admin")"
  wait "$storm"
  storm_json[$nice]="$(cat target/bench-storm.json)"
done
line() {
  local nice=$1
  local p99_alone p99_during
  p99_alone="$(echo "${alone[$nice]}" | ms '.latencyPercentiles.p99')"
  p99_during="$(echo "${during[$nice]}" | ms '.latencyPercentiles.p99')"
  echo "  niceness $nice: /admin alone $(echo "${alone[$nice]}" | jq -r '.summary.requestsPerSec | round')/s p99 $p99_alone ms;" \
    "during the storm $(echo "${during[$nice]}" | jq -r '.summary.requestsPerSec | round')/s p99 $p99_during ms" \
    "($(echo "$p99_alone $p99_during" | awk '{ printf "%+.0f%%", ($2 / $1 - 1) * 100 }'));" \
    "storm answered $(echo "${storm_json[$nice]}" | jq -r '.summary.requestsPerSec | round')/s $(echo "${storm_json[$nice]}" | jq -c '.statusCodeDistribution')"
}

cat <<REPORT

Sign-in benchmark on $(nproc) cores ($(date -u +%Y-%m-%dT%H:%MZ), $PROFILE build)
  $hash_line
  one sign-in at a time:        average $one_avg ms (argon2id m=19456 KiB t=2 p=1 plus queries)
  sign-in throughput (8 conn):  $rps/s, i.e. about $per_core/s per core
  /admin (8 conn) alone and during a storm at $storm_rate sign-ins/s:
$(line 0)
$(line 10)
REPORT
