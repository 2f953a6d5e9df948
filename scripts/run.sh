#!/usr/bin/env bash
# `make run`: installs what is missing, finds or starts PostgreSQL, then
# builds and serves Orgdesk on http://127.0.0.1:3000 (LEPTOS_SITE_ADDR).
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# The two settings this script needs may come from .env (the server and cargo
# leptos read the rest of it themselves); the real environment wins.
from_dotenv() {
  [ -f .env ] || return 0
  sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$1[[:space:]]*=[[:space:]]*//p" .env |
    tail -n1 | sed "s/[[:space:]]*\$//; s/^\"\(.*\)\"\$/\1/; s/^'\(.*\)'\$/\1/"
}
[ -n "${DATABASE_URL:-}" ] || DATABASE_URL="$(from_dotenv DATABASE_URL)"
[ -n "${LEPTOS_SITE_ADDR:-}" ] || LEPTOS_SITE_ADDR="$(from_dotenv LEPTOS_SITE_ADDR)"
[ -n "$DATABASE_URL" ] && export DATABASE_URL
[ -n "$LEPTOS_SITE_ADDR" ] && export LEPTOS_SITE_ADDR

# Checked before the tools and the build, which take minutes: a taken port
# would otherwise only show when the server starts.
addr="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
host="${addr%:*}"; port="${addr##*:}"
case "$host" in 0.0.0.0 | "[::]" | "") host=127.0.0.1 ;; esac
host="${host#[}"; host="${host%]}"
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  who="$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n1)"
  fail "port $port on $host is already in use${who:+ by $who}. Stop that program, or serve Orgdesk elsewhere: LEPTOS_SITE_ADDR=127.0.0.1:3005 make run"
fi

./scripts/setup.sh
DATABASE_URL="$(./scripts/database.sh orgdesk)"
export DATABASE_URL
# Compile against the committed query data (.sqlx/), whatever DATABASE_URL
# names: that database is created by the server when it starts, after the build.
export SQLX_OFFLINE=true
# What users run: an optimised server, and the front end through wasm-opt
# (installed by setup.sh), split by route (src/app.rs). `cargo leptos watch
# --split` is the quicker loop while changing the code.
export PATH="$PWD/target/tools/node_modules/.bin:$PATH"
server="${CARGO_TARGET_DIR:-target}/server-release/orgdesk"
# cargo leptos redoes the split front end's wasm-bindgen and wasm-opt passes
# (minutes) even when nothing changed. Two stamps spare them: one dated when
# the last release build started (a source saved during the build is newer),
# one when it ended, inside target/site (any other cargo leptos build, e.g.
# `make test`, empties target/site and takes it away; a server or hash list
# written since, from another checkout sharing CARGO_TARGET_DIR, is newer).
mkdir -p target
sources_stamp=target/.release-build-sources
site_stamp=target/site/.release-build
changed() {
  [ -f "$sources_stamp" ] && [ -f "$site_stamp" ] && [ -x "$server" ] || return 0
  [ -n "$(find src locales style public migrations .sqlx build.rs Cargo.toml Cargo.lock .cargo \
    -newer "$sources_stamp" -print -quit 2>/dev/null)" ] && return 0
  [ -n "$(find target/site "$server" "$(dirname "$server")/hash.txt" \
    -newer "$site_stamp" -print -quit 2>/dev/null)" ]
}
if changed; then
  rm -f "$site_stamp"
  touch "$sources_stamp.next"
  cargo leptos build --release --split
  # Brotli and gzip copies of the front end's files, made once here instead
  # of per answer (scripts/precompress.mjs).
  node scripts/precompress.mjs target/site/pkg
  mv "$sources_stamp.next" "$sources_stamp"
  touch "$site_stamp"
else
  echo "==> nothing changed since the last release build: serving it"
fi
# What `cargo leptos serve` would start, with the same settings.
export LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_HASH_FILES=true LEPTOS_SITE_ADDR="$addr" LEPTOS_ENV=PROD
exec "$server" serve
