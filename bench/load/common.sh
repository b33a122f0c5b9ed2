# Sourced by the load scripts: a work folder and every process started is cleaned up on exit,
# one bench secret, a wait for a port, and readers of wrk's output.
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export SUPABASE_JWT_SECRET=bench-secret-at-least-32-bytes-long!!
wait_for_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.1; done; }
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {print $2}'; }
non2xx() { awk '/Non-2xx/ {n=$5} END {print n+0}'; }
