#!/usr/bin/env bash
# CI: the README's first command as a newcomer meets it. `make run` with a
# DATABASE_URL naming a database that does not exist yet must build, create
# it, serve / in both languages and print the first operator's setup link.
# Then scripts/database.sh's private-cluster branch, on ports where nothing
# answers. Every wait is bounded; the server and the cluster are stopped on
# any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[1;31mfirst run failed:\033[0m %s\n' "$*" >&2; exit 1; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The first port from $1 upwards where nothing listens.
free_port() {
  local p="$1"
  while answers "$p"; do p=$((p + 1)); done
  echo "$p"
}

# A cold build (a clean clone) takes several minutes; a warm one seconds.
BUILD_LIMIT_SECS="${FIRST_RUN_BUILD_LIMIT_SECS:-2700}"
port="$(free_port "${FIRST_RUN_PORT:-3300}")"
db="orgdesk_first_run_$(date +%s)_$$"
url="$(DATABASE_URL= ./scripts/database.sh "$db")"
log="target/first-run.log"
mkdir -p target
pgid=""
cluster_dir=""

cleanup() {
  if [ -n "$pgid" ]; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  fi
  sqlx database drop -y --database-url "$url" >/dev/null 2>&1 || true
  if [ -n "$cluster_dir" ] && [ -f "$cluster_dir/data/postmaster.pid" ]; then
    pg_ctl_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr | head -n1)/pg_ctl"
    command -v pg_ctl >/dev/null && pg_ctl_bin="$(command -v pg_ctl)"
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u postgres -- "$pg_ctl_bin" -D "$cluster_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    else
      "$pg_ctl_bin" -D "$cluster_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
  fi
  [ -n "$cluster_dir" ] && rm -rf "$cluster_dir"
}
trap cleanup EXIT

if sqlx database drop -y --database-url "$url" >/dev/null 2>&1; then :; fi
say "make run with DATABASE_URL=${url%%\?*} (not created yet), serving 127.0.0.1:$port (log: $log)"
started=$(date +%s.%N)
# Its own process group, so that stopping it stops cargo leptos and the server.
setsid env DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$port" make run >"$log" 2>&1 </dev/null &
pgid=$!

deadline=$(($(date +%s) + BUILD_LIMIT_SECS))
until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do
  if ! kill -0 "$pgid" 2>/dev/null; then
    tail -n 60 "$log" >&2
    fail "make run stopped before the server answered (the end of its output is above)"
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    tail -n 60 "$log" >&2
    fail "no answer on /healthz within ${BUILD_LIMIT_SECS} s"
  fi
  sleep 0.5
done
answered=$(date +%s.%N)
awk -v a="$answered" -v s="$started" 'BEGIN { printf "    first answer %.1f s after make run\n", a - s }'

# / in each language, asked for the way a browser does on a first visit.
hero() { sed -n 's/.*"hero_title": *"\([^"]*\)".*/\1/p' "locales/$1.json" | head -n1; }
check_home() {
  local accept="$1" lang="$2" expected body status
  expected="$(hero "$lang")"
  body="$(mktemp)"
  status="$(curl -sS -o "$body" -w '%{http_code}' -H "Accept-Language: $accept" "http://127.0.0.1:$port/")"
  [ "$status" = 200 ] || fail "/ with Accept-Language: $accept answered $status"
  grep -q "<html lang=\"$lang\"" "$body" || fail "/ with Accept-Language: $accept is not marked lang=$lang"
  grep -qF "$expected" "$body" || fail "/ with Accept-Language: $accept lacks \"$expected\""
  rm -f "$body"
  echo "    / answers 200 in $lang: \"$expected\""
}
check_home "zh-CN,zh;q=0.9" zh-CN
check_home "en-GB,en;q=0.9" en

# The front end as built for users: wasm-opt's output, compressed at build time.
wasm="$(curl -sS "http://127.0.0.1:$port/" | grep -o '/pkg/orgdesk\.[A-Za-z0-9_-]*\.wasm' | head -n1 || true)"
[ -n "$wasm" ] || fail "the home page names no hashed wasm file under /pkg"
# The copy made at build time, byte for byte: the compression layer would
# gzip on the way too, but streams without a length.
for enc in br:br gzip:gz; do
  name="${enc%%:*}"
  headers="$(curl -sS -o /dev/null -D - -H "Accept-Encoding: $name" "http://127.0.0.1:$port$wasm" | tr -d '\r')"
  got="$(sed -n 's/^content-encoding: *//Ip' <<<"$headers")"
  length="$(sed -n 's/^content-length: *//Ip' <<<"$headers")"
  copy="target/site$wasm.${enc##*:}"
  [ "$got" = "$name" ] || fail "$wasm asked for with Accept-Encoding: $name came as '${got:-none}'"
  [ -f "$copy" ] && [ "$length" = "$(stat -c %s "$copy")" ] ||
    fail "$wasm as $name is not the copy made at build time ($copy; content-length '${length:-none}')"
done
size() { curl -sS -o /dev/null -w '%{size_download}' -H "Accept-Encoding: $1" "http://127.0.0.1:$port$wasm"; }
echo "    $wasm: $(size identity) bytes, gzip $(size gzip), brotli $(size br)"

link="$(grep -o 'http://[^ ]*/setup?token=[A-Za-z0-9_-]*' "$log" | tail -n1 || true)"
[ -n "$link" ] || fail "make run did not print the first operator's setup link"
grep -q "Orgdesk is ready on http://127.0.0.1:$port" "$log" || fail "make run did not say where Orgdesk is"
grep -q 'README.md' "$log" || fail "make run did not say where to read on"
status="$(curl -sS -o /dev/null -w '%{http_code}' "$link")"
[ "$status" = 200 ] || fail "the printed setup link answered $status"
echo "    printed, and opens (200): ${link%%token=*}token=…"
grep -A2 "^Orgdesk is ready on" "$log" | tail -n 3 | sed 's/token=[A-Za-z0-9_-]*/token=…/; s/^/    | /'

kill -TERM -- "-$pgid"
for _ in $(seq 1 40); do kill -0 -- "-$pgid" 2>/dev/null || break; sleep 0.5; done
if kill -0 -- "-$pgid" 2>/dev/null; then fail "the server did not stop within 20 s of SIGTERM"; fi
pgid=""
answers "$port" && fail "something still listens on $port after the server stopped"
echo "    stopped on SIGTERM"

say "scripts/database.sh starts a private cluster when no server answers"
probe="$(free_port 5490)"
private="$(free_port $((probe + 1)))"
cluster_dir="$PWD/target/first-run-postgres"
rm -rf "$cluster_dir"
t0=$(date +%s)
private_url="$(DATABASE_URL= ORGDESK_PG_PORT="$probe" ORGDESK_PG_PRIVATE_PORT="$private" \
  ORGDESK_PG_PRIVATE_DIR="$cluster_dir" ./scripts/database.sh orgdesk_private)"
[ "$private_url" = "postgres://postgres@127.0.0.1:$private/orgdesk_private" ] ||
  fail "database.sh printed $private_url"
sqlx database create --database-url "$private_url"
sqlx migrate run --source migrations --database-url "$private_url" >/dev/null
again="$(DATABASE_URL= ORGDESK_PG_PORT="$probe" ORGDESK_PG_PRIVATE_PORT="$private" \
  ORGDESK_PG_PRIVATE_DIR="$cluster_dir" ./scripts/database.sh orgdesk_private 2>&1)"
[ "$again" = "$private_url" ] || fail "a second call did not reuse the running cluster: $again"
echo "    created, started, migrated and reused on 127.0.0.1:$private in $(($(date +%s) - t0)) s"
