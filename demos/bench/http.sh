#!/usr/bin/env bash
# http.sh - `make bench`, HTTP keep-alive: every contender of lib.sh under
# wrk, at 100, 1,000 and 10,000 connections.
#
# Usage: http.sh BUILD
#
# For each connection count, BENCH_ROUNDS rounds (default 3); each round
# runs every server once, in turn, so that a slow patch of the shared
# machine hits all of them alike.  A run: start the server, `wrk -t CPUS
# -c CONNS -d BENCH_SECS` (default 3 s), read the server's peak RSS
# (VmHWM), stop it.  Requests/s and wrk's p50 and p99 go to http.tsv; the
# tables give the medians.
#
# Then one counting run per server and count, not timed: wrk for 6 s, and
# from its 2nd to its 5th second `perf stat -e raw_syscalls:sys_enter -e
# context-switches` attached to the server (every thread, including those
# it starts), divided by the requests of that window, which a second perf
# counts as wrk's write() calls (wrk sends each request with one write).
# The connections are all open by then: this is the steady state.
# Syscalls and context switches per request go to http_counts.tsv.
# Without perf, that part is skipped with a note.
set -euo pipefail
B=${1:?usage: http.sh BUILD}
# shellcheck source=demos/bench/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECS:-3}
CONNS=${BENCH_CONNS:-100 1000 10000}
limit=$(ulimit -n)

# one CONNS LABEL ROUND: a timed run; appends a line to http.tsv.
one() {
  local w=$RESULTS/tmp.wrk
  start_server "$2"
  wrk_run "$1" "$SECS" "$w"
  local hwm
  hwm=$(status_kb "$SRV_PID" VmHWM)
  stop_server
  local rps p50 p99 errs
  read -r rps p50 p99 errs < <(wrk_fields "$w")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$rps" "$p50" \
    "$p99" "${hwm:-0}" "$errs" >>"$RESULTS/http.tsv"
  printf '  %-28s %6s conns  %9s req/s  p50 %8s ms  p99 %8s ms  %s\n' \
    "$(server_title "$2")" "$1" "$rps" "$p50" "$p99" \
    "$([ "$errs" = 0 ] || echo "errors: $errs")"
}

# count CONNS LABEL: the counting run, tried twice (perf's attaching to a
# thousand threads can fail); appends a line to http_counts.tsv.
count() {
  local line= try
  for try in 1 2; do
    count_once "$1" "$2"
    line=$(cat "$RESULTS/tmp.count")
    [ -n "$line" ] && break
  done
  if [ -n "$line" ]; then
    echo "$line" >>"$RESULTS/http_counts.tsv"
  else
    note "$(server_title "$2") at $1 connections: syscalls not counted" \
      "(perf stat could not attach: it opens counters for every thread," \
      "and a thread per connection may need more than ulimit -n allows)"
  fi
}

# count_once CONNS LABEL: one counting run; its line, or nothing, in
# tmp.count.  (Not in a $(...) subshell: the EXIT trap must see the
# server it starts.)
count_once() {
  local w=$RESULTS/tmp.wrk p=$RESULTS/tmp.perf q=$RESULTS/tmp.perf-wrk
  start_server "$2"
  wrk_run "$1" 6 "$w" &
  local job=$!
  sleep 2
  local wpid
  wpid=$(pgrep -n -x wrk) || die "the counting run's wrk is not running"
  perf stat -x, -e raw_syscalls:sys_enter -e context-switches \
    -p "$SRV_PID" -o "$p" -- sleep 3 >/dev/null 2>&1 &
  perf stat -x, -e syscalls:sys_enter_write -p "$wpid" -o "$q" \
    -- sleep 3 >/dev/null 2>&1 || true
  wait $! || true
  wait "$job" || die "wrk failed in the counting run of $2"
  stop_server
  local req
  req=$(awk -F, '/sys_enter_write/ {print $1}' "$q")
  awk -F, -v r="$req" -v c="$1" -v s="$2" '
    /raw_syscalls/ {sc = $1} /context-switches/ {cs = $1}
    END { if (r > 0 && sc > 0)
            printf "%s\t%s\t%.3f\t%.4f\n", c, s, sc / r, cs / r }' "$p" \
    >"$RESULTS/tmp.count"
}

: >"$RESULTS/http.tsv"
: >"$RESULTS/http_counts.tsv"
echo "== HTTP keep-alive: wrk -t $NCPU, ${SECS} s a run, $ROUNDS rounds" \
  "(servers in turn); ulimit -n $limit"
for c in $CONNS; do
  if [ "$c" -gt $((limit - 100)) ]; then
    note "HTTP at $c connections skipped: ulimit -n is $limit"
    continue
  fi
  for r in $(seq "$ROUNDS"); do
    for s in $(http_servers); do
      one "$c" "$s" "$r"
    done
  done
done

if perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then
  echo "== HTTP: syscalls and context switches per request (perf stat)"
  for c in $CONNS; do
    [ "$c" -le $((limit - 100)) ] || continue
    for s in $(http_servers); do
      count "$c" "$s"
    done
  done
  awk -F'\t' '{printf "  %-6s %6s conns  %6s syscalls/req  %7s cs/req\n",
                 $2, $1, $3, $4}' "$RESULTS/http_counts.tsv"
else
  note "syscalls per request not counted: perf stat cannot count" \
    "raw_syscalls:sys_enter here (apt-get install linux-perf, run as root)"
fi
