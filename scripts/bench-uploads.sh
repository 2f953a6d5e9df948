#!/usr/bin/env bash
# Memory of document uploads: 8 applicants upload a 10 MB file each, all at
# once, to a server on 127.0.0.1; prints the server's resident memory before,
# its peak during (VmHWM), and the growth per upload. Stops by itself.
#   scripts/bench-uploads.sh               (the debug build, target/debug/orgdesk)
#   BIN=target/server-release/orgdesk scripts/bench-uploads.sh
#   STORE=s3 scripts/bench-uploads.sh      (documents to moto's S3 instead of a directory)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
BIN="${BIN:-target/debug/orgdesk}"
PORT="${BENCH_PORT:-3310}"
BASE="http://127.0.0.1:$PORT"
UPLOADS="${UPLOADS:-8}"
[ -x "$BIN" ] || { say "no server at $BIN: cargo build --features ssr --bin orgdesk"; exit 1; }

dir="$PWD/target/bench-uploads"
rm -rf "$dir"
mkdir -p "$dir"
DATABASE_URL="$(DATABASE_URL= ./scripts/database.sh orgdesk_bench_uploads)"
sqlx database drop -y --database-url "$DATABASE_URL" >/dev/null 2>&1 || true

extra=()
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
if [ "${STORE:-dir}" = "s3" ]; then
  target/tools/moto/bin/moto_server -H 127.0.0.1 -p 3319 >"$dir/moto.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS -X PUT http://127.0.0.1:3319/bench >/dev/null 2>&1 && break; sleep 0.2; done
  extra=(DOCUMENT_STORE_URL=s3://bench/docs AWS_ENDPOINT=http://127.0.0.1:3319 AWS_ALLOW_HTTP=true
    AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing)
fi

# A JPEG header, then filler up to 10 MB minus 1 KiB (the limit is 10 MiB).
size=$((10 * 1024 * 1024 - 1024))
{ printf '\xff\xd8\xff\xe0'; head -c $((size - 4)) /dev/urandom; } >"$dir/licence.jpg"

env DATABASE_URL="$DATABASE_URL" DATA_DIR="$dir/data" CODE_IP_HOURLY_LIMIT=100000 \
  LEPTOS_OUTPUT_NAME=orgdesk LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" "${extra[@]}" "$BIN" serve >"$dir/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 1 120); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$server/status"; }
# One application per uploader, and a warm-up upload so that the first
# request's one-time allocations are not counted.
for i in $(seq 1 "$UPLOADS"); do
  curl -fsS -c "$dir/jar$i" -X POST "$BASE/api/registration_start" -o /dev/null
done
curl -fsS -b "$dir/jar1" -F kind=licence -F "file=@$dir/licence.jpg;type=image/jpeg" \
  "$BASE/register/documents/upload" -o /dev/null
sleep 1
before=$(kib VmRSS)
# The peak so far is reset so that VmHWM shows the peak of the burst alone.
echo 5 >"/proc/$server/clear_refs" 2>/dev/null || true
say "$UPLOADS uploads of $((size / 1024)) KiB at once (store: ${STORE:-dir})"
started=$(date +%s.%N)
uploads=()
for i in $(seq 1 "$UPLOADS"); do
  curl -sS -b "$dir/jar$i" -F kind=id_front -F "file=@$dir/licence.jpg;type=image/jpeg" \
    -o /dev/null -w "%{http_code} %{redirect_url}\n" "$BASE/register/documents/upload" >"$dir/upload$i.out" &
  uploads+=($!)
done
wait "${uploads[@]}"
ended=$(date +%s.%N)
peak=$(kib VmHWM)
after=$(kib VmRSS)
ok=$(cat "$dir"/upload*.out | grep -c "uploaded=id_front" || true)
echo "uploads accepted:      $ok of $UPLOADS in $(echo "$ended - $started" | bc) s"
echo "RSS before the burst:  $((before / 1024)) MiB"
echo "RSS peak (VmHWM):      $((peak / 1024)) MiB"
echo "RSS after:             $((after / 1024)) MiB"
echo "growth at the peak:    $(((peak - before) / 1024)) MiB, $(((peak - before) / UPLOADS)) KiB per upload of $((size / 1024)) KiB"
