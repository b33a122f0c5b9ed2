#!/usr/bin/env bash
# POST /api/knowledge/search under load: every request a cache miss (the whole retrieval: the
# namespace selector, fused BM25 legs, diversity) and every request a RAG-cache hit, in one run.
# Usage: bench/load/knowledge-search.sh [seconds=10] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/load/common.sh
dur=${1:-10}; conns=${2:-32}
cat knowledge/eval/*.queries.tsv >"$work/queries.tsv"
PORT=18391 HOST=127.0.0.1 DATABASE_URL="sqlite://$work/vf.db" ACCESS_LOG=false \
  RATE_LIMIT_FREE_GENERAL=1000000 build/voicefit serve >"$work/vf.log" 2>&1 & pids+=($!)
wait_for_port 18391
export TOKEN=$(node bench/load/mint-token.mjs bench-user free 3600) QUERIES="$work/queries.tsv"
run() { MODE=$1 wrk -t2 -c"$conns" -d"${dur}s" --latency -s bench/load/knowledge-search.lua \
  http://127.0.0.1:18391 2>&1; }
report() { printf '%-34s %10s req/s  p99 %-8s non-2xx %s\n' "$1" "$(rps <<<"$2")" "$(p99 <<<"$2")" "$(non2xx <<<"$2")"; }
echo "wrk -t2 -c$conns -d${dur}s, $(nproc) cores, $(date -u +%F)"
uncached=$(run uncached); cached=$(run cached)
report "search, every request uncached" "$uncached"
report "search, every request cached" "$cached"
