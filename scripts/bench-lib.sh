# What the page benchmarks share, sourced by bench-contacts.sh and
# bench-approvals.sh: the load tools, one build of the server and a
# hand-written baseline, starting both on 127.0.0.1, signing in, and oha's
# figures. Each script sets BASE, BASELINE_ADDR, PASSWORD and DATABASE_URL
# first.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# oha (the load tool), jq, and PGBENCH, installed once.
bench_tools() {
  if ! command -v oha >/dev/null; then
    say "installing the load tool oha (once)"
    cargo install oha --version 1.16.0 --locked
  fi
  command -v jq >/dev/null || { say "installing jq"; apt-get install -y jq >/dev/null; }
  PGBENCH="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -n1 || true)"
  [ -x "$PGBENCH" ] || { echo "pgbench not found (Debian: postgresql-contrib or postgresql-<version>)" >&2; exit 1; }
}

# bench_build NAME: BIN, the server, and baseline_bin, benches/NAME.rs, in
# one build (the library is compiled once, with LTO: minutes); with
# REUSE_BUILD=1 the binaries as last built (no rebuild after an edit).
bench_build() {
  local name="$1"
  PROFILE="${PROFILE:-release}"
  BIN="${CARGO_TARGET_DIR:-target}/$PROFILE/orgdesk"
  if [ "${REUSE_BUILD:-0}" = 1 ]; then
    baseline_bin="$(ls -t "${CARGO_TARGET_DIR:-target}/$PROFILE"/deps/"$name"-* 2>/dev/null | grep -v '\.d$' | head -n1 || true)"
  else
    say "building the server and the baseline ($PROFILE)"
    baseline_bin="$(cargo build --profile "$PROFILE" --features ssr --bin orgdesk --bench "$name" \
      --message-format=json-render-diagnostics |
      jq -r --arg n "$name" 'select(.executable != null and .target.name == $n) | .executable' | tail -n1)"
  fi
  [ -x "$baseline_bin" ] || { echo "baseline did not build" >&2; exit 1; }
  [ -x "$BIN" ] || { echo "$BIN is missing" >&2; exit 1; }
  [ -d target/site ] || mkdir -p target/site
}

# bench_start LABEL: the server on $BASE and the baseline on
# $BASELINE_ADDR (logs in target/bench-LABEL-*.log), both stopped when the
# script ends.
bench_start() {
  local label="$1"
  say "starting the server on $BASE and the baseline on $BASELINE_ADDR"
  PUBLIC_BASE_URL="$BASE" LEPTOS_SITE_ADDR="${BASE#http://}" LEPTOS_SITE_ROOT=target/site \
    LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_HASH_FILES=false RUST_LOG=warn \
    "$BIN" serve >"target/bench-$label-server.log" 2>&1 &
  server=$!
  BASELINE_ADDR="$BASELINE_ADDR" "$baseline_bin" >"target/bench-$label-baseline.log" 2>&1 &
  baseline=$!
  trap 'kill "$server" "$baseline" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
}

FORM="content-type: application/x-www-form-urlencoded"
# sign_in EMAIL: the session cookie of that member, signed in with $PASSWORD.
sign_in() {
  local c
  c="$(curl -fsS -D - -o /dev/null -X POST "$BASE/api/sign_in" -H "$FORM" -H "origin: $BASE" \
    --data "kind=member&identifier=$1&password=$PASSWORD" |
    tr -d '\r' | sed -n 's/^set-cookie: \(orgdesk_session=[^;]*\).*/\1/Ip' | head -n1)"
  [ -n "$c" ] || { echo "sign-in of $1 failed" >&2; exit 1; }
  echo "$c"
}

# oha as LOAD_COOKIE's holder, its JSON report; figures from that report.
run() { oha --no-tui --output-format json -H "cookie: $LOAD_COOKIE" "$@"; }
rps() { jq -r '.summary.requestsPerSec | round'; }
p99() { jq -r '.latencyPercentiles.p99 * 1000 | . * 100 | round / 100'; }
p50() { jq -r '.latencyPercentiles.p50 * 1000 | . * 100 | round / 100'; }
ok_only() { jq -e '(.statusCodeDistribution | keys) == ["200"]' >/dev/null || { echo "non-200 answers" >&2; exit 1; }; }
# load NAME ARGS...: NAME_rps (requests/s) and NAME_p99 (ms) of DURATION
# seconds at CONNS connections; an answer other than 200 stops the script.
load() {
  local name="$1" out
  shift
  out="$(run -c "$CONNS" -z "${DURATION}s" "$@")"
  echo "$out" | ok_only
  printf -v "${name}_rps" '%s' "$(echo "$out" | rps)"
  printf -v "${name}_p99" '%s' "$(echo "$out" | p99)"
}
