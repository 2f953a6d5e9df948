#!/usr/bin/env bash
# The contacts import at scale, against 127.0.0.1 only. Writes a realistic
# file of MEMBERS people in up to DEPARTMENTS departments (the seed
# command's generator: `orgdesk seed --csv`), imports it into an empty
# organisation through the product (upload with its dry run, then the run
# as a background job), and copies the same rows into the same tables of a
# twin database with `psql \copy` for comparison. Prints the dry run's time,
# the run's, the import's time (the two together, without the pause between
# them, READ_SECS, in which an administrator reads the dry run) against the
# copy's, and the server's peak resident memory (VmHWM) during the dry run
# and during the run. Stops by itself. Usage:
#   scripts/bench-import.sh     (MEMBERS=100000 DEPARTMENTS=10000;
#                                PROFILE=profiling builds release code
#                                without LTO, in a third of the time;
#                                REUSE_BUILD=1 runs the binary already built)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
MEMBERS="${MEMBERS:-100000}"
DEPARTMENTS="${DEPARTMENTS:-10000}"
PORT="${BENCH_PORT:-3311}"
BASE="http://127.0.0.1:$PORT"
EMAIL="bench-import@orgdesk.example"
PASSWORD="bench-heron-ledger-64"
NAME="Bench Import Co"
PROFILE="${PROFILE:-release}"
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE/orgdesk"
dir="$PWD/target/bench-import"

command -v jq >/dev/null || { say "installing jq"; apt-get install -y jq >/dev/null; }
if [ "${REUSE_BUILD:-0}" != 1 ]; then
  say "building the server ($PROFILE)"
  cargo build --profile "$PROFILE" --features ssr --bin orgdesk
fi
[ -x "$BIN" ] || { echo "no server at $BIN" >&2; exit 1; }
[ -d target/site ] || mkdir -p target/site
rm -rf "$dir"
mkdir -p "$dir"

DATABASE_URL="$(DATABASE_URL= ./scripts/database.sh orgdesk_bench_import)"
export DATABASE_URL
SERVER_URL="${DATABASE_URL%/*}"
COPY_DB=orgdesk_bench_import_copy
psql "$SERVER_URL/postgres" -qc "DROP DATABASE IF EXISTS orgdesk_bench_import" >/dev/null
psql "$SERVER_URL/postgres" -qc "DROP DATABASE IF EXISTS $COPY_DB" >/dev/null
psql "$SERVER_URL/postgres" -qc "CREATE DATABASE orgdesk_bench_import" >/dev/null
"$BIN" migrate >/dev/null

say "an empty organisation, and a file of $MEMBERS people"
seeded="$(echo "$PASSWORD" | "$BIN" seed --members 0 --departments 1 --name "$NAME" --admin-email "$EMAIL")"
ORG="$(echo "$seeded" | sed -n 's/^organisation \([0-9a-f-]*\).*/\1/p')"
"$BIN" org cap --org "$ORG" --members unlimited >/dev/null
"$BIN" seed --csv "$dir/people.csv" --members "$MEMBERS" --departments "$DEPARTMENTS" --name "$NAME"
# The twin the copy goes into: the same organisation, before the import.
psql "$SERVER_URL/postgres" -qc "CREATE DATABASE $COPY_DB TEMPLATE orgdesk_bench_import" >/dev/null

say "starting the server on $BASE"
# Deep department paths make such a file about 23 MB as CSV: past the
# 10 MiB an upload may have by default (the same file as XLSX is about 6).
IMPORT_MAX_BYTES=$((64 << 20)) PUBLIC_BASE_URL="$BASE" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site \
  LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_HASH_FILES=false RUST_LOG=warn DATA_DIR="$dir/data" \
  "$BIN" serve >"$dir/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

FORM="content-type: application/x-www-form-urlencoded"
cookie="$(curl -fsS -D - -o /dev/null -X POST "$BASE/api/sign_in" -H "$FORM" -H "origin: $BASE" \
  --data "kind=member&identifier=$EMAIL&password=$PASSWORD" |
  tr -d '\r' | sed -n 's/^set-cookie: \(orgdesk_session=[^;]*\).*/\1/Ip' | head -n1)"
[ -n "$cookie" ] || { echo "sign-in for the benchmark failed" >&2; exit 1; }

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$server/status"; }
now() { date +%s.%N; }
job() { curl -fsS -H "cookie: $cookie" "$BASE/api/import_job?id=$1"; }
before=$(kib VmRSS)
# The peak so far is reset: VmHWM then shows the import's peak alone.
echo 5 >"/proc/$server/clear_refs" 2>/dev/null || true

say "upload and dry run ($(du -h "$dir/people.csv" | cut -f1))"
t0=$(now)
location="$(curl -sS -o /dev/null -w '%{redirect_url}' -H "cookie: $cookie" -H "origin: $BASE" \
  -F "file=@$dir/people.csv;type=text/csv" -F create_departments=on -F update_existing=on \
  "$BASE/admin/contacts/import/upload")"
t1=$(now)
id="${location##*/import/}"
case "$location" in
  */admin/contacts/import/*-*) ;;
  *) echo "the upload was refused: $location" >&2; exit 1 ;;
esac
checked="$(job "$id")"
echo "$checked" | jq -c '.counts'
[ "$(echo "$checked" | jq .counts.error)" = 0 ] || { echo "the dry run found errors" >&2; exit 1; }
[ "$(echo "$checked" | jq .counts.create)" = "$MEMBERS" ] || { echo "the dry run does not create everyone" >&2; exit 1; }
dry_peak=$(kib VmHWM)
# An administrator reads the dry run before running it: the server's idle
# worker threads end meanwhile (after 10 s) and their memory goes back.
sleep "${READ_SECS:-15}"
between=$(kib VmRSS)
echo 5 >"/proc/$server/clear_refs" 2>/dev/null || true

say "run"
t2=$(now)
curl -fsS -o /dev/null -X POST -H "cookie: $cookie" -H "$FORM" -H "origin: $BASE" \
  --data "id=$id&confirm=" "$BASE/api/import_run"
status=queued
while [ "$status" = queued ] || [ "$status" = running ]; do
  sleep 0.2
  status="$(job "$id" | jq -r .status)"
done
t3=$(now)
peak=$(kib VmHWM)
after=$(kib VmRSS)
[ "$status" = done ] || { echo "the run ended $status: $(job "$id" | jq -r .error_code)" >&2; exit 1; }

say "the same rows into the twin with psql \\copy"
q() { psql "$DATABASE_URL" -qAtc "$1"; }
admin="$(q "SELECT id FROM accounts WHERE org_id = '$ORG' AND userid = 'admin'")"
# Every stored column (generated ones are computed by the copy as well).
cols() { q "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
              FROM information_schema.columns WHERE table_name = '$1' AND is_generated = 'NEVER'"; }
D="$(cols departments)" A="$(cols accounts)" M="$(cols department_members)" G="$(cols account_managers)"
psql "$DATABASE_URL" -q <<SQL
\copy (SELECT $D FROM departments WHERE org_id = '$ORG' AND parent_id IS NOT NULL ORDER BY cardinality(path)) TO '$dir/departments.copy'
\copy (SELECT $A FROM accounts WHERE org_id = '$ORG' AND id <> '$admin') TO '$dir/accounts.copy'
\copy (SELECT $M FROM department_members WHERE org_id = '$ORG' AND account_id <> '$admin') TO '$dir/members.copy'
\copy (SELECT $G FROM account_managers WHERE org_id = '$ORG') TO '$dir/managers.copy'
SQL
c0=$(now)
psql "$SERVER_URL/$COPY_DB" -q -v ON_ERROR_STOP=1 <<SQL
BEGIN;
\copy departments ($D) FROM '$dir/departments.copy'
\copy accounts ($A) FROM '$dir/accounts.copy'
\copy department_members ($M) FROM '$dir/members.copy'
\copy account_managers ($G) FROM '$dir/managers.copy'
COMMIT;
SQL
c1=$(now)
copied="$(psql "$SERVER_URL/$COPY_DB" -qAtc "SELECT count(*) FROM accounts WHERE org_id = '$ORG'")"
imported="$(q "SELECT count(*) FROM accounts WHERE org_id = '$ORG'")"
[ "$copied" = "$imported" ] || { echo "the copy holds $copied people, the import $imported" >&2; exit 1; }

dry=$(echo "$t1 - $t0" | bc)
run=$(echo "$t3 - $t2" | bc)
total=$(echo "($t1 - $t0) + ($t3 - $t2)" | bc)
copy=$(echo "$c1 - $c0" | bc)
printf 'people imported:          %s (%s departments created, %s memberships, %s managers)\n' \
  "$(echo "$checked" | jq .counts.create)" "$(echo "$checked" | jq .counts.departments)" \
  "$(q "SELECT count(*) FROM department_members WHERE org_id = '$ORG'")" \
  "$(q "SELECT count(*) FROM account_managers WHERE org_id = '$ORG'")"
printf 'upload and dry run:       %.1f s\n' "$dry"
printf 'run (queued to done):     %.1f s (%.0f rows/s)\n' "$run" "$(echo "$MEMBERS / $run" | bc -l)"
printf 'import end to end:        %.1f s\n' "$total"
printf 'psql \\copy of the rows:   %.1f s\n' "$copy"
printf 'import / copy:            %.2fx\n' "$(echo "$total / $copy" | bc -l)"
printf 'server RSS before:        %d MiB\n' $((before / 1024))
printf 'server RSS peak, dry run: %d MiB (VmHWM)\n' $((dry_peak / 1024))
printf 'server RSS before the run: %d MiB\n' $((between / 1024))
printf 'server RSS peak, run:     %d MiB (VmHWM)\n' $((peak / 1024))
printf 'server RSS after:         %d MiB\n' $((after / 1024))
