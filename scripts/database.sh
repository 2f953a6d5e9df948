#!/usr/bin/env bash
# Prints a DATABASE_URL for the server on stdout (diagnostics on stderr):
#   1. $DATABASE_URL when set;
#   2. the PostgreSQL server on 127.0.0.1:5432 when one answers;
#   3. a private cluster under target/postgres on 127.0.0.1:5433, started
#      with the initdb and pg_ctl found on this machine (and reused after).
# The first argument names the database (default: orgdesk); the server
# creates it at start-up when it does not exist.
# ORGDESK_PG_PORT, ORGDESK_PG_PRIVATE_PORT and ORGDESK_PG_PRIVATE_DIR change
# the port probed, the private cluster's port and its directory (CI uses them
# to try the third branch on a machine that has a server on 5432).
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-orgdesk}"

if [ -n "${DATABASE_URL:-}" ]; then
  echo "$DATABASE_URL"
  exit 0
fi

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

shared_port="${ORGDESK_PG_PORT:-5432}"
if answers "$shared_port"; then
  echo "postgres://postgres@127.0.0.1:$shared_port/$name"
  exit 0
fi

port="${ORGDESK_PG_PRIVATE_PORT:-5433}"
dir="${ORGDESK_PG_PRIVATE_DIR:-$PWD/target/postgres}"
if answers "$port" && [ -f "$dir/data/postmaster.pid" ]; then
  echo "postgres://postgres@127.0.0.1:$port/$name"
  exit 0
fi
if answers "$port"; then
  cat >&2 <<MSG
No PostgreSQL answers on 127.0.0.1:$shared_port, and port $port, where a private
cluster would run, is taken by another program. Set DATABASE_URL to a
PostgreSQL 14+ server, e.g.
  DATABASE_URL=postgres://user:password@host:5432/orgdesk make run
MSG
  exit 1
fi

bindir=""
for candidate in $(command -v pg_ctl 2>/dev/null | xargs -r dirname) $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
  if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir="$candidate"; break; fi
done
if [ -z "$bindir" ]; then
  cat >&2 <<MSG
No PostgreSQL found: none answers on 127.0.0.1:$shared_port, and no initdb and
pg_ctl to start a private one. Either set DATABASE_URL to a PostgreSQL 14+
server, e.g.
  DATABASE_URL=postgres://user:password@host:5432/orgdesk make run
or install one, e.g. on Debian/Ubuntu:  sudo apt-get install -y postgresql
MSG
  exit 1
fi

# initdb refuses to run as root, so the cluster belongs to the postgres user then.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
  as_owner=(runuser -u postgres --)
fi
mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  if ! runuser -u postgres -- test -w "$dir"; then
    cat >&2 <<MSG
The private PostgreSQL cluster runs as the postgres user, who cannot reach
$dir (one of its parent directories is private). Choose a place it can reach,
  ORGDESK_PG_PRIVATE_DIR=/var/tmp/orgdesk-postgres make run
or set DATABASE_URL to a PostgreSQL 14+ server.
MSG
    exit 1
  fi
fi
if [ ! -f "$dir/data/PG_VERSION" ]; then
  echo "creating a private PostgreSQL cluster in $dir" >&2
  "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
fi
echo "starting the private PostgreSQL cluster on 127.0.0.1:$port" >&2
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >&2
echo "postgres://postgres@127.0.0.1:$port/$name"
