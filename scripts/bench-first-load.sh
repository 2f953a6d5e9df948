#!/usr/bin/env bash
# First load of the pages a newcomer opens first: builds what `make run`
# serves (scripts/build-release.sh; NO_BUILD=1 skips it), lists the front
# end's files with their sizes (raw and gzip -9), serves the release server on
# 127.0.0.1 and opens each page in a fresh headless Chromium
# (end2end/first-load.mjs): the wasm and JavaScript fetched and the time until
# the page reacts. Stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

PORT="${BENCH_PORT:-3320}"
BASE="http://127.0.0.1:$PORT"
target="$(cd "${CARGO_TARGET_DIR:-target}" 2>/dev/null && pwd || echo "$PWD/target")"
if [ "${NO_BUILD:-}" != 1 ]; then
  started=$(date +%s)
  ./scripts/build-release.sh >&2
  say "release build took $(($(date +%s) - started)) s"
fi
BIN="$target/server-release/orgdesk"
[ -x "$BIN" ] || { say "no release server at $BIN: scripts/build-release.sh"; exit 1; }

say "front end files (target/site/pkg): the largest, then all of them"
# Bytes raw, gzip -9 and brotli 11 (the copies scripts/precompress.mjs made).
for f in target/site/pkg/*.wasm target/site/pkg/*.js; do
  printf '%9d %9d %9d  %s\n' "$(stat -c %s "$f")" "$(stat -c %s "$f.gz")" "$(stat -c %s "$f.br")" "${f#target/site/pkg/}"
done | sort -k2 -n -r >target/bench-first-load-files.txt
head -n 15 target/bench-first-load-files.txt
awk '{ raw += $1; gz += $2; br += $3 } END { printf "%9d %9d %9d  all %d files (bytes raw, gzip -9, brotli 11)\n", raw, gz, br, NR }' \
  target/bench-first-load-files.txt

DATABASE_URL="$(DATABASE_URL= ./scripts/database.sh orgdesk_bench_first_load)"
sqlx database drop -y --database-url "$DATABASE_URL" >/dev/null 2>&1 || true
log="target/bench-first-load.log"
env DATABASE_URL="$DATABASE_URL" LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_SITE_ROOT=target/site \
  LEPTOS_SITE_PKG_DIR=pkg LEPTOS_HASH_FILES=true LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
  "$BIN" serve >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

say "first load in a fresh headless Chromium"
node end2end/first-load.mjs "$BASE" / /register /register/organisation /login /forgot
say "the same, asking for gzip only"
ENCODING=gzip node end2end/first-load.mjs "$BASE" / /register /register/organisation /login /forgot
