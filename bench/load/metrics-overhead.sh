#!/usr/bin/env bash
# What recording request metrics costs the server: the same build with ENABLE_METRICS=true and
# false, interleaved in one run, on the public health route (no store) and GET /api/profile.
# Usage: bench/load/metrics-overhead.sh [seconds=10] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/load/common.sh
dur=${1:-10}; conns=${2:-64}
start() {  # port, ENABLE_METRICS
  PORT=$1 HOST=127.0.0.1 DATABASE_URL="sqlite://$work/vf-$1.db" ACCESS_LOG=false ENABLE_METRICS=$2 \
    RATE_LIMIT_FREE_GENERAL=1000000 build/voicefit serve >"$work/vf-$1.log" 2>&1 & pids+=($!)
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && break; sleep 0.1; done
}
start 18381 true
start 18382 false
export TOKEN=$(node bench/load/mint-token.mjs bench-user free 3600)
run() { wrk -t2 -c"$conns" -d"${dur}s" --latency "$@" 2>&1; }
report() { printf '%-40s %10s req/s  p99 %s\n' "$1" "$(rps <<<"$2")" "$(p99 <<<"$2")"; }
echo "wrk -t2 -c$conns -d${dur}s, $(nproc) cores, $(date -u +%F)"
h_on=$(run http://127.0.0.1:18381/api/monitoring/health); h_off=$(run http://127.0.0.1:18382/api/monitoring/health)
p_on=$(run -s bench/load/authed.lua http://127.0.0.1:18381/api/profile)
p_off=$(run -s bench/load/authed.lua http://127.0.0.1:18382/api/profile)
report "health, metrics on" "$h_on"; report "health, metrics off" "$h_off"
report "profile (free tier), metrics on" "$p_on"; report "profile (free tier), metrics off" "$p_off"
awk -v a="$(rps <<<"$h_on")" -v b="$(rps <<<"$h_off")" 'BEGIN {printf "health on/off:  %.3f\n", a/b}'
awk -v a="$(rps <<<"$p_on")" -v b="$(rps <<<"$p_off")" 'BEGIN {printf "profile on/off: %.3f\n", a/b}'
