#!/usr/bin/env bash
# The audit log at 10 million rows (benches/audit_scale.rs): seeds one
# organisation's log with ROWS rows (default 10,000,000; about 6 GB with its
# indexes), then times a page of `admin_audit` with each filter, a page deep
# in the log, and an export of 100,000 rows. Runs against a database of its
# own on the local PostgreSQL, drops it at the end (KEEP=1 keeps it;
# MEASURE_ONLY=1 then measures it again without seeding), and stops by
# itself.
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE_URL="$(./scripts/database.sh orgdesk_bench_audit)"
export DATABASE_URL
if [ "${MEASURE_ONLY:-0}" != 1 ]; then
  sqlx database drop -y >/dev/null 2>&1 || true
  sqlx database create
fi
[ "${KEEP:-0}" = 1 ] || trap 'sqlx database drop -y >/dev/null 2>&1 || true' EXIT
cargo bench --features ssr --bench audit_scale
