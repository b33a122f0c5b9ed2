#!/usr/bin/env bash
# Like-for-like with the Node peer: both servers consult Redis on every request. compare.sh uses
# an admin token, which this server never rate-limits (admins bypass), while the peer still
# calls Redis; here the server gets a free-tier token under limits high enough to admit every
# request, so each request runs the sliding-window script in Redis, as the peer's does.
# Usage: bench/load/vs-peer-redis.sh [seconds=10] [connections=32]
# Needs build/voicefit (Release), wrk, redis-server, node/npm (the peer installs once).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/load/common.sh
dur=${1:-10}; conns=${2:-32}
shared=$(cd ../shared/bench && pwd)
peer=${XDG_CACHE_HOME:-$HOME/.cache}/voicefit-peer-node
mkdir -p "$peer" && cp "$shared"/peer-node/*.mjs "$shared"/peer-node/package.json "$peer"/
[ -d "$peer/node_modules" ] || (cd "$peer" && npm install --no-audit --no-fund --silent)

redis-server --port 18479 --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >/dev/null & pids+=($!)
sleep 0.3
REDIS_URL=redis://127.0.0.1:18479 PORT=18490 node "$peer/server.mjs" >"$work/peer.log" 2>&1 & pids+=($!)
REDIS_URL=redis://127.0.0.1:18479 PORT=18480 HOST=127.0.0.1 DATABASE_URL="sqlite://$work/vf.db" \
  RATE_LIMIT_FREE_GENERAL=1000000 build/voicefit serve >"$work/vf.log" 2>&1 & pids+=($!)
for port in 18480 18490; do for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done; done

run() { TOKEN=$2 wrk -t2 -c"$conns" -d"${dur}s" -s "$shared/profile.lua" --latency "http://127.0.0.1:$1/api/profile" 2>&1; }
ours=$(run 18480 "$(node "$peer/mint.mjs" bench-user free 3600)")
theirs=$(run 18490 "$(node "$peer/mint.mjs" bench-user admin 3600)")
echo "GET /api/profile, Redis consulted on every request, wrk -t2 -c$conns -d${dur}s, $(date -u +%F)"
echo "project (free tier, sliding-window log in Redis): $(rps <<<"$ours") req/s, p99 $(p99 <<<"$ours"), non-2xx $(non2xx <<<"$ours")"
echo "peer (@fastify/rate-limit on Redis):              $(rps <<<"$theirs") req/s, p99 $(p99 <<<"$theirs"), non-2xx $(non2xx <<<"$theirs")"
awk -v a="$(rps <<<"$ours")" -v b="$(rps <<<"$theirs")" 'BEGIN {printf "ratio project/peer: %.2f\n", a/b}'
