#!/usr/bin/env bash
# Time from `npm start` to a healthy /health, cold (empty Maven cache and data directory) and
# warm (everything downloaded, stack stopped). Run from the repo root with nothing else on the
# stack's ports. Prints one line per case.
set -euo pipefail
cd "$(dirname "$0")/../.."

measure() {
  local label=$1 started=$(date +%s.%N) log
  log=$(mktemp)
  setsid npm start </dev/null >"$log" 2>&1 &
  local pid=$!
  until curl -sf http://127.0.0.1:${PORT:-3000}/health >/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log" >&2; echo "$label: npm start exited before it was healthy" >&2; return 1
    fi
    sleep 0.2
  done
  printf '%s: healthy after %.1f s\n' "$label" "$(echo "$(date +%s.%N) - $started" | bc)"
  npm run --silent stop >/dev/null
  rm -f "$log"
}

cold_m2=$(mktemp -d)
cold_data=$(mktemp -d)
MAVEN_OPTS="-Dmaven.repo.local=$cold_m2" DOCSTREAM_DATA_DIR=$cold_data measure "cold npm start (empty Maven cache, empty data dir)"
DOCSTREAM_DATA_DIR=$cold_data measure "warm npm start (cached downloads, stack stopped)"
rm -rf "$cold_m2" "$cold_data"
