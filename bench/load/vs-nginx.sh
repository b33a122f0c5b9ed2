#!/usr/bin/env bash
# Measures the server beside nginx returning a constant, in one run on this machine:
#   health (public, no store)     vs nginx constant
#   GET /api/profile (HS256 auth + SQLite read on the worker pool) vs nginx constant
# Usage: bench/load/vs-nginx.sh [seconds=10] [connections=64]
# Needs build/voicefit (Release), wrk, nginx, node with tests/interop installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/load/common.sh
dur=${1:-10}; conns=${2:-64}
bin=build/voicefit

cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work;
  uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:18181;
    location / { default_type application/json; return 200 '{"status":"ok"}'; }
  }
}
CONF
nginx -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!)
PORT=18180 HOST=127.0.0.1 DATABASE_URL="sqlite://$work/vf.db" "$bin" serve >"$work/vf.log" 2>&1 & pids+=($!)
for port in 18180 18181; do
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
done
export TOKEN=$(node bench/load/mint-token.mjs bench-user free 3600)
curl -sf -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"age":34,"weight_kg":82,"goals":["strength"]}' http://127.0.0.1:18180/api/profile >/dev/null

run() { wrk -t2 -c"$conns" -d"${dur}s" --latency "$@" 2>&1; }
report() {  # name output
  printf '%-34s %10s req/s  p99 %-8s non-2xx %s\n' "$1" "$(rps <<<"$2")" "$(p99 <<<"$2")" "$(non2xx <<<"$2")"
}

health=$(run http://127.0.0.1:18180/api/monitoring/health)
nginx1=$(run http://127.0.0.1:18181/)
profile=$(run -s bench/load/authed.lua http://127.0.0.1:18180/api/profile)
nginx2=$(run http://127.0.0.1:18181/)

echo "wrk -t2 -c$conns -d${dur}s, $(nproc) cores, $(date -u +%F)"
report "voicefit GET /api/monitoring/health" "$health"
report "nginx constant" "$nginx1"
report "voicefit GET /api/profile (auth)" "$profile"
report "nginx constant (again)" "$nginx2"
awk -v a="$(rps <<<"$health")" -v b="$(rps <<<"$nginx1")" 'BEGIN {printf "health / nginx:  %.2f\n", a/b}'
awk -v a="$(rps <<<"$profile")" -v b="$(rps <<<"$nginx2")" 'BEGIN {printf "profile / nginx: %.2f\n", a/b}'
