#!/usr/bin/env bash
# Contacts at scale. Seeds an organisation (100,000 members in 10,000
# departments, 8-15 levels) and measures, against 127.0.0.1 only:
#   1. the members page (/admin/contacts?dept=…, server-rendered) of a
#      mid-level department's subtree, first page and last page, against a
#      hand-written axum handler doing the same session lookup and queries
#      (benches/contacts_baseline.rs), at CONNS connections; and the same
#      first page for a delegated administrator scoped to that department;
#   2. pgbench of the bare member-list SQL, for context;
#   3. the full tree endpoint (/api/contacts_tree);
#   4. the two tree representations compared: the maintained path against a
#      recursive CTE over parent_id (subtree check, subtree members);
#   5. moving a department with about 1,000 departments below it.
# oha asks for compressed answers: the product gzips its pages, the baseline
# writes them plain. Every run stops by itself. Usage:
#   scripts/bench-contacts.sh      (DURATION=15 s per run, CONNS=32;
#                                   MEMBERS=100000 DEPARTMENTS=10000;
#                                   REUSE_BUILD=1 runs the binaries already
#                                   built; PROFILE=profiling builds release
#                                   code without LTO, in a third of the time)
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/bench-lib.sh
DURATION="${DURATION:-15}"
CONNS="${CONNS:-32}"
MEMBERS="${MEMBERS:-100000}"
DEPARTMENTS="${DEPARTMENTS:-10000}"
PORT="${BENCH_PORT:-3310}"
BASE="http://127.0.0.1:$PORT"
BASELINE_ADDR="127.0.0.1:${BASELINE_PORT:-3399}"
EMAIL="bench-contacts@orgdesk.example"
PASSWORD="bench-heron-ledger-64"

bench_tools

DATABASE_URL="$(DATABASE_URL= ./scripts/database.sh orgdesk_bench_contacts)"
export DATABASE_URL
bench_build contacts_baseline

say "seeding $MEMBERS members in $DEPARTMENTS departments"
sqlx database drop -y >/dev/null 2>&1 || psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS orgdesk_bench_contacts" >/dev/null
"$BIN" migrate >/dev/null
seeded="$(echo "$PASSWORD" | "$BIN" seed --members "$MEMBERS" --departments "$DEPARTMENTS" \
  --name "Bench Contacts Co" --admin-email "$EMAIL")"
echo "$seeded"
# What autovacuum would do within a minute of such a load: statistics and
# the visibility map (index-only scans) of a settled database.
psql "$DATABASE_URL" -qc "VACUUM ANALYZE" >/dev/null
MID="$(echo "$seeded" | sed -n 's/.*mid-level department \([0-9a-f-]*\).*/\1/p')"
ORG="$(echo "$seeded" | sed -n 's/^organisation \([0-9a-f-]*\).*/\1/p')"

bench_start contacts
cookie="$(sign_in "$EMAIL")"
LOAD_COOKIE="$cookie"

pages="$(curl -fsS -H "cookie: $cookie" "$BASE/api/contacts_members?department=$MID" | jq .pages)"
FIRST="/admin/contacts?dept=$MID"
DEEP="/admin/contacts?dept=$MID&page=$pages"
for url in "$BASE$FIRST" "$BASE$DEEP" "http://$BASELINE_ADDR/members?dept=$MID" "$BASE/api/contacts_tree"; do
  code="$(curl -s -o /dev/null -w '%{http_code}' -H "cookie: $cookie" "$url")"
  [ "$code" = 200 ] || { echo "$url answered $code" >&2; exit 1; }
done

say "1/5 members page, first page (${DURATION}s at $CONNS connections)"
load page "$BASE$FIRST"
say "    members page, last page ($pages)"
load deep "$BASE$DEEP"
say "    members page, first page, asked for uncompressed"
load plain -H "accept-encoding: identity" "$BASE$FIRST"
say "    baseline, first page"
load base "http://$BASELINE_ADDR/members?dept=$MID"
say "    baseline, last page"
load base_deep "http://$BASELINE_ADDR/members?dept=$MID&page=$pages"

say "    a delegated administrator of that department, first page"
# One of its people, made a delegated administrator (manage contacts over
# the department and below) who signs in with the same password.
SCOPED="bench-scoped@orgdesk.example"
psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q <<SQL
CREATE TEMP TABLE who AS
  SELECT dm.account_id AS id FROM department_members dm JOIN accounts a ON a.id = dm.account_id
    JOIN departments d ON d.id = dm.department_id
   WHERE dm.org_id = '$ORG' AND '$MID' = ANY(d.path) AND a.role = 'employee'
   ORDER BY dm.account_id LIMIT 1;
UPDATE accounts SET email = '$SCOPED', status = 'active', password_changed_at = now(),
       password_hash = (SELECT password_hash FROM accounts WHERE org_id = '$ORG' AND email = '$EMAIL')
 WHERE id = (SELECT id FROM who);
CREATE TEMP TABLE grp AS SELECT gen_random_uuid() AS id;
INSERT INTO admin_groups (id, org_id, name, permissions, scope)
  SELECT id, '$ORG', 'Bench scoped', ARRAY['contacts.manage'], 'departments' FROM grp;
INSERT INTO admin_group_departments (org_id, group_id, department_id) SELECT '$ORG', id, '$MID' FROM grp;
INSERT INTO admin_group_members (org_id, group_id, account_id) SELECT '$ORG', grp.id, who.id FROM grp, who;
SQL
scoped_cookie="$(sign_in "$SCOPED")"
code="$(curl -s -o /dev/null -w '%{http_code}' -H "cookie: $scoped_cookie" "$BASE$FIRST")"
[ "$code" = 200 ] || { echo "the delegated administrator's page answered $code" >&2; exit 1; }
LOAD_COOKIE="$scoped_cookie" load scoped "$BASE$FIRST"

say "2/5 pgbench of the member-list SQL (first page and its people's departments)"
sqlfile="$(mktemp)"
mid_path="$(psql "$DATABASE_URL" -Atc "SELECT path FROM departments WHERE id = '$MID'")"
cat >"$sqlfile" <<SQL
SELECT a.id, a.name, a.userid, a.position, a.mobile, a.email, a.status
FROM (SELECT DISTINCT dm.sort_key, dm.account_id FROM department_members dm
      WHERE dm.org_id = '$ORG' AND dm.is_current AND dm.department_id = ANY(ARRAY(
        SELECT d.id FROM departments d WHERE d.org_id = '$ORG'
          AND d.path >= '$mid_path'::uuid[] AND d.path < '$mid_path'::uuid[] || 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
      ORDER BY dm.sort_key, dm.account_id LIMIT 50 OFFSET 0) p
JOIN accounts a ON a.id = p.account_id AND a.org_id = '$ORG'
ORDER BY p.sort_key, p.account_id;
SELECT dm.account_id, d.name FROM department_members dm JOIN departments d ON d.id = dm.department_id
  JOIN accounts a ON a.id = dm.account_id
  WHERE dm.org_id = '$ORG' AND dm.account_id = ANY(ARRAY(
    SELECT dm2.account_id FROM department_members dm2 WHERE dm2.department_id = '$MID' LIMIT 50))
  ORDER BY dm.account_id, (a.main_department_id = d.id) DESC NULLS LAST, cardinality(d.path), d.sort_order;
SQL
pg_tps="$("$PGBENCH" -n -c "$CONNS" -j 2 -T "$DURATION" -f "$sqlfile" "$DATABASE_URL" 2>/dev/null |
  sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n1)"

say "3/5 the full tree ($DEPARTMENTS departments)"
tree_one="$(run -c 1 -z "${DURATION}s" "$BASE/api/contacts_tree")"
tree_p50="$(echo "$tree_one" | p50)"
tree_p99="$(echo "$tree_one" | p99)"
tree_bytes="$(curl -fsS -H "cookie: $cookie" "$BASE/api/contacts_tree" | wc -c)"

say "4/5 tree representations: maintained path against a recursive CTE"
leaf="$(psql "$DATABASE_URL" -Atc "SELECT id FROM departments WHERE org_id = '$ORG' ORDER BY cardinality(path) DESC, id LIMIT 1")"
anc="$(psql "$DATABASE_URL" -Atc "SELECT path[3] FROM departments WHERE id = '$leaf'")"
latency() { # average ms of one query, one client
  local f
  f="$(mktemp)"
  echo "$1" >"$f"
  "$PGBENCH" -n -c 1 -T 5 -f "$f" "$DATABASE_URL" 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p'
}
check_path="$(latency "SELECT '$anc'::uuid = ANY(path) FROM departments WHERE id = '$leaf';")"
check_cte="$(latency "WITH RECURSIVE up AS (SELECT id, parent_id FROM departments WHERE id = '$leaf'
  UNION ALL SELECT d.id, d.parent_id FROM departments d JOIN up ON d.id = up.parent_id)
  SELECT EXISTS (SELECT 1 FROM up WHERE id = '$anc');")"
range="d.org_id = '$ORG' AND d.path >= '$mid_path'::uuid[] AND d.path < '$mid_path'::uuid[] || 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid"
down="WITH RECURSIVE down AS (SELECT id FROM departments WHERE id = '$MID'
  UNION ALL SELECT d.id FROM departments d JOIN down ON d.parent_id = down.id WHERE d.org_id = '$ORG')"
depts_path="$(latency "SELECT count(*) FROM departments d WHERE $range;")"
depts_cte="$(latency "$down SELECT count(*) FROM down;")"
sub_path="$(latency "SELECT count(DISTINCT dm.account_id) FROM department_members dm
  WHERE dm.department_id = ANY(ARRAY(SELECT d.id FROM departments d WHERE $range));")"
sub_cte="$(latency "$down SELECT count(DISTINCT dm.account_id) FROM department_members dm JOIN down ON down.id = dm.department_id;")"

say "5/5 moving a department with about 1,000 departments below it"
read -r big big_n <<<"$(psql "$DATABASE_URL" -AtF ' ' -c "SELECT id, n FROM (
  SELECT d.id, (SELECT count(*) FROM departments s WHERE s.org_id = d.org_id AND s.path >= d.path
                  AND s.path < d.path || 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid) - 1 AS n
  FROM departments d WHERE d.org_id = '$ORG' AND d.parent_id IS NOT NULL AND cardinality(d.path) <= 5) c
  ORDER BY abs(n - 1001) LIMIT 1")"
read -r old_parent big_version big_people <<<"$(psql "$DATABASE_URL" -AtF ' ' -c "SELECT parent_id, version, headcount FROM departments WHERE id = '$big'")"
root="$(psql "$DATABASE_URL" -Atc "SELECT id FROM departments WHERE org_id = '$ORG' AND parent_id IS NULL")"
target="$root"
[ "$old_parent" = "$root" ] && target="$(psql "$DATABASE_URL" -Atc "SELECT id FROM departments WHERE org_id = '$ORG'
  AND cardinality(path) = 2 AND id <> '$big' LIMIT 1")"
move() {
  curl -fsS -o /dev/null -w '%{time_total}' -X POST "$BASE/api/department_move" -H "$FORM" -H "origin: $BASE" \
    -H "cookie: $cookie" --data "id=$big&parent=$1&version=$2" | awk '{ printf "%.1f", $1 * 1000 }'
}
move_there="$(move "$target" "$big_version")"
move_back="$(move "$old_parent" "$((big_version + 1))")"
drift="$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM departments d LEFT JOIN (
  SELECT anc, count(DISTINCT dm.account_id) n FROM department_members dm JOIN departments dd ON dd.id = dm.department_id
  JOIN accounts a ON a.id = dm.account_id CROSS JOIN LATERAL unnest(dd.path) anc
  WHERE dm.org_id = '$ORG' AND a.status <> 'departed' GROUP BY anc) c ON c.anc = d.id
  WHERE d.org_id = '$ORG' AND d.headcount <> coalesce(c.n, 0)")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * a / b : 0) }'; }
cat <<REPORT

Contacts benchmark: $MEMBERS members, $DEPARTMENTS departments, $CONNS connections, ${DURATION}s per run
  mid-level department: $(psql "$DATABASE_URL" -Atc "SELECT 'level ' || cardinality(path) || ', ' || headcount || ' people' FROM departments WHERE id = '$MID'") ($pages pages)

                              req/s     p99 ms
  members page, first page  $(printf '%8s %10s' "$page_rps" "$page_p99")
  baseline, first page      $(printf '%8s %10s' "$base_rps" "$base_p99")
    page / baseline         $(ratio "$page_rps" "$base_rps")
  delegated admin, first    $(printf '%8s %10s' "$scoped_rps" "$scoped_p99")
    delegated / super       $(ratio "$scoped_rps" "$page_rps")
  ... uncompressed          $(printf '%8s %10s' "$plain_rps" "$plain_p99")
    page / baseline         $(ratio "$plain_rps" "$base_rps")
  members page, last page   $(printf '%8s %10s' "$deep_rps" "$deep_p99")
  baseline, last page       $(printf '%8s %10s' "$base_deep_rps" "$base_deep_p99")
    page / baseline         $(ratio "$deep_rps" "$base_deep_rps")
  pgbench, the two queries  $(printf '%8s' "$pg_tps") tps

  full tree ($DEPARTMENTS departments, $tree_bytes bytes of JSON columns): p50 $tree_p50 ms, p99 $tree_p99 ms (one client)

  tree representation            maintained path   recursive CTE
  "is X under Y" (level-15 leaf) $(printf '%12s ms %12s ms' "$check_path" "$check_cte")
  subtree departments            $(printf '%12s ms %12s ms' "$depts_path" "$depts_cte")
  subtree members (distinct)     $(printf '%12s ms %12s ms' "$sub_path" "$sub_cte")

  move a department with $big_n departments and $big_people people below it: ${move_there} ms; back: ${move_back} ms
  headcounts differing from a recount afterwards: $drift
REPORT
