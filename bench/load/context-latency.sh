#!/usr/bin/env bash
# User-context route latency, cold vs warm, with the in-process cache and with Redis behind it.
# Usage: bench/load/context-latency.sh [rounds=200]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/load/common.sh
export ROUNDS=${1:-200}
redis-server --port 18679 --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null & pids+=($!)
start() {  # port, extra env
  local port=$1; shift
  env PORT="$port" HOST=127.0.0.1 DATABASE_URL="sqlite://$work/vf-$port.db" ACCESS_LOG=false \
    RATE_LIMIT_FREE_GENERAL=1000000 "$@" build/voicefit serve >"$work/vf-$port.log" 2>&1 & pids+=($!)
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
}
start 18681
start 18682 REDIS_URL=redis://127.0.0.1:18679
export TOKEN=$(node bench/load/mint-token.mjs bench-user free 3600)
echo "== in-process cache"; URL=http://127.0.0.1:18681 node bench/load/context-latency.mjs
echo "== two-tier (in-process + Redis, generation read from Redis on every lookup)"
URL=http://127.0.0.1:18682 node bench/load/context-latency.mjs
