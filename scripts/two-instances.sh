#!/usr/bin/env bash
# Two Orgdesk processes on one database behind nginx on loopback: proves that
# the app servers keep no state of their own (sessions, second-factor steps,
# throttles, the outbox and the setup link all live in PostgreSQL). Run by
# `make test` after the other tests, with the server they built
# (target/debug/orgdesk); the checks are in scripts/two_instances.py.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

BIN="${ORGDESK_BIN:-${CARGO_TARGET_DIR:-target}/debug/orgdesk}"
[ -x "$BIN" ] || { echo "no server at $BIN: build it first (cargo build --features ssr)" >&2; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx is missing: ./scripts/setup.sh --test installs it" >&2; exit 1; }
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

PROXY_PORT="${TWO_PROXY_PORT:-3340}"
A_PORT="${TWO_A_PORT:-3301}"
B_PORT="${TWO_B_PORT:-3302}"
SMTP_PORT="${TWO_SMTP_PORT:-3325}"
MAIL_WEB_PORT="${TWO_MAILDEV_PORT:-3380}"
LOCK_AFTER=4

dir="$PWD/target/two-instances"
rm -rf "$dir"
mkdir -p "$dir/nginx"

base_url="$(./scripts/database.sh orgdesk_two)"
DATABASE_URL="${base_url%/*}/orgdesk_two"
sqlx database drop -y --database-url "$DATABASE_URL" >/dev/null 2>&1 || true

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

end2end/node_modules/.bin/maildev --smtp "$SMTP_PORT" --web "$MAIL_WEB_PORT" --ip 127.0.0.1 --silent \
  >"$dir/maildev.log" 2>&1 &
pids+=($!)

# The same settings for both processes, as a deployment would give them.
master_key="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
start() {
  local name=$1 port=$2
  DATABASE_URL="$DATABASE_URL" \
    PUBLIC_BASE_URL="http://127.0.0.1:$PROXY_PORT" \
    TRUSTED_PROXIES=127.0.0.1 \
    ORGDESK_MASTER_KEY="$master_key" \
    SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" MAIL_FROM="Orgdesk <no-reply@orgdesk.test>" \
    AUTH_DELAY_AFTER=100 AUTH_LOCK_AFTER="$LOCK_AFTER" \
    CODE_IP_HOURLY_LIMIT=100000 CODE_NETWORK_HOURLY_LIMIT=100000 \
    REGISTRATION_DRAFTS_PER_IP_DAY=100000 \
    LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    "$BIN" serve >"$dir/$name.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "instance $name stopped; its log:" >&2
      cat "$dir/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "instance $name did not answer on port $port" >&2
  exit 1
}

say "starting instance A on 127.0.0.1:$A_PORT, then B on 127.0.0.1:$B_PORT (one database)"
start a "$A_PORT"
token="$(grep -o 'setup?token=[A-Za-z0-9_-]*' "$dir/a.log" | head -1 | cut -d= -f2)"
[ -n "$token" ] || { echo "instance A printed no setup link; its log:" >&2; cat "$dir/a.log" >&2; exit 1; }
start b "$B_PORT"

cat >"$dir/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 256; }
http {
  log_format upstream '\$request_method \$uri \$status \$upstream_addr';
  access_log $dir/nginx/access.log upstream;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  upstream orgdesk {
    server 127.0.0.1:$A_PORT;
    server 127.0.0.1:$B_PORT;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://orgdesk;
      proxy_set_header Host \$host:\$server_port;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Request-Id \$request_id;
    }
  }
}
CONF
say "starting nginx on 127.0.0.1:$PROXY_PORT in front of both"
user_line=""
[ "$(id -u)" -eq 0 ] && user_line="user root;"
"$NGINX" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g "daemon off; $user_line" &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PROXY_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

say "checks"
PROXY="http://127.0.0.1:$PROXY_PORT" INSTANCE_A="http://127.0.0.1:$A_PORT" \
  INSTANCE_B="http://127.0.0.1:$B_PORT" MAILDEV="http://127.0.0.1:$MAIL_WEB_PORT" \
  SETUP_TOKEN="$token" LOCK_AFTER="$LOCK_AFTER" \
  python3 scripts/two_instances.py

# The proxy spread the requests over both processes.
to_a=$(grep -c " 127.0.0.1:$A_PORT\$" "$dir/nginx/access.log" || true)
to_b=$(grep -c " 127.0.0.1:$B_PORT\$" "$dir/nginx/access.log" || true)
echo "nginx passed $to_a requests to A and $to_b to B; logs in $dir"
if [ "$to_a" -eq 0 ] || [ "$to_b" -eq 0 ]; then
  echo "FAIL  the proxy did not use both processes" >&2
  exit 1
fi
