#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every test: unit and
# integration tests (a fresh database per test), then the browser tests
# against a freshly built server in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# sqlx::test creates and drops one database per test on this server.
DATABASE_URL="$(./scripts/database.sh orgdesk_test)"
export DATABASE_URL
sqlx database create
# Build from the committed query data, exactly as a machine without a database
# would (.cargo/config.toml says so too; this also outranks a SQLX_OFFLINE in
# the caller's environment).
export SQLX_OFFLINE=true

# The site first and the tests second, on purpose: `cargo test` then rebuilds
# target/debug/orgdesk with the test build's features, and the browser tests
# run that binary against the wasm cargo leptos made. They pass only while
# every build of the crate compiles with the same cfg flags (.cargo/config.toml);
# a server built otherwise does not hydrate ("expected a marker node").
say "building the site for the browser tests"
# --split, as every build of the front end: its pages load by route (src/app.rs).
cargo leptos build --split
# The server binary it built (CARGO_TARGET_DIR may put it elsewhere).
bin="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/orgdesk"

say "unit and integration tests"
cargo test --features ssr

E2E_PORT="${E2E_PORT:-3100}"
# A server left over from an earlier run would answer the health check below
# and the specs would test it instead of this build.
if curl -fsS "http://127.0.0.1:$E2E_PORT/healthz" >/dev/null 2>&1; then
  echo "something already answers on 127.0.0.1:$E2E_PORT (an earlier test server?); stop it or set E2E_PORT" >&2
  exit 1
fi
E2E_DATABASE_URL="${DATABASE_URL%/*}/orgdesk_e2e"
sqlx database drop -y --database-url "$E2E_DATABASE_URL" >/dev/null 2>&1 || true
log="target/e2e-server.log"
# Mail from the server under test goes to a loopback SMTP server the specs read.
MAIL_SMTP_PORT="${E2E_SMTP_PORT:-3125}"
MAIL_WEB_PORT="${E2E_MAILDEV_PORT:-3180}"
end2end/node_modules/.bin/maildev --smtp "$MAIL_SMTP_PORT" --web "$MAIL_WEB_PORT" --ip 127.0.0.1 \
  >target/e2e-maildev.log 2>&1 &
maildev=$!
# Text messages go to a loopback HTTP gateway the specs read.
SMS_SINK_PORT="${E2E_SMS_PORT:-3190}"
node end2end/sms-sink.mjs "$SMS_SINK_PORT" 127.0.0.1 >target/e2e-sms.log 2>&1 &
sms_sink=$!
say "starting the server on 127.0.0.1:$E2E_PORT (log: $log)"
# Every spec's browser comes from 127.0.0.1: the hourly caps of code-sending
# endpoints per IP and network, and the daily cap of applications started per
# network, would otherwise be shared by the whole suite.
# As in production, the server keys are wrapped by a master key (a new one per run).
ORGDESK_MASTER_KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
export ORGDESK_MASTER_KEY
DATABASE_URL="$E2E_DATABASE_URL" \
  PUBLIC_BASE_URL="http://127.0.0.1:$E2E_PORT" \
  CODE_IP_HOURLY_LIMIT=10000 CODE_NETWORK_HOURLY_LIMIT=10000 REGISTRATION_DRAFTS_PER_IP_DAY=10000 \
  SMTP_URL="smtp://127.0.0.1:$MAIL_SMTP_PORT" MAIL_FROM="Orgdesk <no-reply@orgdesk.test>" \
  SMS_GATEWAY_URL="http://127.0.0.1:$SMS_SINK_PORT/" \
  LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_HASH_FILES=true LEPTOS_SITE_ADDR="127.0.0.1:$E2E_PORT" \
  "$bin" serve >"$log" 2>&1 &
server=$!
trap 'kill "$server" "$maildev" "$sms_sink" 2>/dev/null || true; wait "$server" "$maildev" "$sms_sink" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$E2E_PORT/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "the server stopped; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.5
done

say "browser tests"
server_log="$PWD/$log"
server_bin="$bin"
(cd end2end && ORGDESK_URL="http://127.0.0.1:$E2E_PORT" \
  ORGDESK_SERVER_LOG="$server_log" ORGDESK_MAILDEV="http://127.0.0.1:$MAIL_WEB_PORT" \
  ORGDESK_SMS_SINK="http://127.0.0.1:$SMS_SINK_PORT" \
  ORGDESK_DATABASE_URL="$E2E_DATABASE_URL" ORGDESK_BIN="$server_bin" \
  npx playwright test)

say "two instances behind nginx"
ORGDESK_BIN="$server_bin" ./scripts/two-instances.sh
