#!/usr/bin/env bash
# What rate limiting costs, in one run on this machine:
#   - Google Benchmark: one decision in-process (100,000 keys, 1 and 2 threads) and through a
#     real Redis on loopback (EVALSHA round trip), with p50/p99 per decision;
#   - wrk on GET /api/profile with a free-tier token, limits set high enough that every request
#     is admitted: no limiter, in-process limiter, Redis limiter.
# Usage: bench/load/rate-limit.sh [seconds=10] [connections=64]
# Needs build/voicefit and build/bench/micro/micro_benchmarks (Release), wrk, redis-server, node.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/load/common.sh
dur=${1:-10}; conns=${2:-64}
bin=build/voicefit

redis-server --port 18379 --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null & pids+=($!)
for _ in $(seq 50); do redis-cli -p 18379 ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "== decision cost (Google Benchmark)"
VOICEFIT_BENCH_REDIS_URL=redis://127.0.0.1:18379 build/bench/micro/micro_benchmarks \
  --benchmark_filter='BM_LocalDecision|BM_Redis|BM_LocalMemory' 2>/dev/null | grep '^BM_'

start() {  # port, extra env...
  local port=$1; shift
  env PORT="$port" HOST=127.0.0.1 DATABASE_URL="sqlite://$work/vf-$port.db" ACCESS_LOG=false \
    RATE_LIMIT_FREE_GENERAL=1000000 "$@" "$bin" serve >"$work/vf-$port.log" 2>&1 & pids+=($!)
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
}
start 18281 ENABLE_RATE_LIMITING=false
start 18282
start 18283 REDIS_URL=redis://127.0.0.1:18379
export TOKEN=$(node bench/load/mint-token.mjs bench-user free 3600)

run() { wrk -t2 -c"$conns" -d"${dur}s" --latency -s bench/load/authed.lua "http://127.0.0.1:$1/api/profile" 2>&1; }
report() { printf '%-36s %10s req/s  p99 %-8s non-2xx %s\n' "$1" "$(rps <<<"$2")" "$(p99 <<<"$2")" "$(non2xx <<<"$2")"; }

echo "== GET /api/profile, free tier, wrk -t2 -c$conns -d${dur}s, $(nproc) cores, $(date -u +%F)"
off=$(run 18281); local_rl=$(run 18282); redis_rl=$(run 18283)
report "no rate limiting" "$off"
report "in-process limiter" "$local_rl"
report "Redis limiter (EVALSHA per request)" "$redis_rl"
echo "limiter keys in Redis after the run: $(redis-cli -p 18379 --scan --pattern "vf:rl:*" | wc -l)"
