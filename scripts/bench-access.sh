#!/usr/bin/env bash
# Permissions and the security check-up at scale (benches/access_scale.rs):
# seeds an organisation of MEMBERS people (default 100,000) in DEPARTMENTS
# departments (default 10,000) with 200 delegated administrators, then
# times the scoped permission check of a person, loading an
# administrator's grants, and the security check-up. Runs against a
# database of its own on the local PostgreSQL and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE_URL="$(./scripts/database.sh orgdesk_bench_access)"
export DATABASE_URL
sqlx database drop -y >/dev/null 2>&1 || true
sqlx database create
cargo bench --features ssr --bench access_scale
sqlx database drop -y >/dev/null 2>&1 || true
