#!/usr/bin/env bash
# `make run`: installs what is missing, finds or starts PostgreSQL, then
# builds and serves Orgdesk on http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Settings in .env count as if they were exported.
if [ -f .env ]; then set -a; . ./.env; set +a; fi
DATABASE_URL="$(./scripts/database.sh orgdesk)"
export DATABASE_URL
exec cargo leptos serve
