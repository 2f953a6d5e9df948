#!/usr/bin/env bash
# Prints a DATABASE_URL for the server on stdout (diagnostics on stderr):
#   1. $DATABASE_URL when set;
#   2. the PostgreSQL server on 127.0.0.1:5432 when one answers;
#   3. a private cluster under target/postgres, started with the initdb and
#      pg_ctl found on this machine.
# The first argument names the database (default: orgdesk); the server
# creates it at start-up when it does not exist.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-orgdesk}"

if [ -n "${DATABASE_URL:-}" ]; then
  echo "$DATABASE_URL"
  exit 0
fi

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if answers 5432; then
  echo "postgres://postgres@127.0.0.1:5432/$name"
  exit 0
fi

port=5433
dir="$PWD/target/postgres"
if answers "$port" && [ -f "$dir/data/postmaster.pid" ]; then
  echo "postgres://postgres@127.0.0.1:$port/$name"
  exit 0
fi

bindir=""
for candidate in $(command -v pg_ctl 2>/dev/null | xargs -r dirname) $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -Vr); do
  if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir="$candidate"; break; fi
done
if [ -z "$bindir" ]; then
  cat >&2 <<'MSG'
No PostgreSQL found. Either set DATABASE_URL to a PostgreSQL 14+ server, or
install one, e.g. on Debian/Ubuntu:  sudo apt-get install -y postgresql
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
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  echo "creating a private PostgreSQL cluster in $dir" >&2
  "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
fi
echo "starting the private PostgreSQL cluster on 127.0.0.1:$port" >&2
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >&2
echo "postgres://postgres@127.0.0.1:$port/$name"
