#!/usr/bin/env bash
# idle.sh - `make bench`, idle connections: as many keep-alive connections
# to each contender as the fd limit allows (about 19,000 of ulimit -n
# 20,000), held idle.
#
# Usage: idle.sh BUILD
#
# A run: start the server and read its RSS; demos/bench/idlers opens the
# connections (each answered once: see idlers.c for why) and holds them;
# meanwhile the server's RSS, OS threads (Threads:) and memory maps (lines
# of /proc/PID/maps) are read; then idlers times 20 fresh requests while
# the others are held, closes everything, and the server is stopped.
# RSS per connection is (RSS held - RSS before) / connections.  Rounds:
# BENCH_IDLE_ROUNDS (default 2), servers in turn; idle.tsv has every run.
set -euo pipefail
B=${1:?usage: idle.sh BUILD}
# shellcheck source=demos/bench/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_IDLE_ROUNDS:-2}
limit=$(ulimit -n)
N=${BENCH_IDLE_CONNS:-$((limit - 1000 < 19000 ? limit - 1000 : 19000))}
[ "$N" -ge 100 ] || die "ulimit -n is $limit: too few descriptors to hold" \
  "idle connections"
IDLERS=$B/demos/bench/idlers

# one LABEL ROUND: a run; appends a line to idle.tsv.
one() {
  local out=$RESULTS/tmp.idlers
  start_server "$1"
  sleep 0.2
  local rss0
  rss0=$(status_kb "$SRV_PID" VmRSS)
  timeout 120 "$IDLERS" -p "$SRV_PORT" -c "$N" -k 1000 -n 20 -t 60 \
    >"$out" 2>&1 &
  local ipid=$! i
  for i in $(seq 1200); do
    grep -q '^holding' "$out" && break
    kill -0 "$ipid" 2>/dev/null || break
    sleep 0.05
  done
  sleep 0.3
  local rss threads maps
  rss=$(status_kb "$SRV_PID" VmRSS)
  threads=$(status_kb "$SRV_PID" Threads)
  maps=$(wc -l <"/proc/$SRV_PID/maps")
  if ! wait "$ipid"; then
    sed 's/^/    /' "$out" >&2
    die "$1: idlers failed"
  fi
  stop_server
  local open p50 pmax
  open=$(awk '$1 == "open_s" {print $2}' "$out")
  p50=$(awk '$1 == "probe_ms_p50" {print $2}' "$out")
  pmax=$(awk '$1 == "probe_ms_max" {print $2}' "$out")
  local per=$(((rss - rss0) * 1024 / N))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$N" "$open" \
    "$per" "$threads" "$maps" "$p50" "$pmax" >>"$RESULTS/idle.tsv"
  printf '  %-28s open %6s s  %6s B/conn  %6s threads  %6s maps' \
    "$(server_title "$1")" "$open" "$per" "$threads" "$maps"
  printf '  new request p50 %s ms, max %s ms\n' "$p50" "$pmax"
}

: >"$RESULTS/idle.tsv"
echo "== idle connections: $N held per server, $ROUNDS rounds (servers in turn)"
for r in $(seq "$ROUNDS"); do
  for s in $(http_servers); do
    one "$s" "$r"
  done
done
