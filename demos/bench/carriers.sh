#!/usr/bin/env bash
# carriers.sh - `make bench`, part 2: what more carriers buy.
#
# Usage: carriers.sh BUILD   (the Makefile passes its build directory)
#
# Two figures, each measured in one run, alternating between the settings
# (3 rounds each, the median reported):
#   1. HTTP keep-alive: demos/httpd (a plain thread-per-connection server)
#      under unblock with 1 carrier and with 2, loaded by demos/httpload
#      with 1,000 connections for 3 s; requests/s and p99.
#   2. CPU: tests/e2e/cpu_threads (2 x CPUs threads of pure integer work)
#      natively, and under unblock with 1 and with 2 carriers; wall time.
# The load generator runs on the same CPUs as the server.  Every server is
# stopped before the next run starts; the EXIT trap kills what is left.
set -euo pipefail
B=${1:?usage: carriers.sh BUILD}
HTTPD=$B/demos/httpd LOAD=$B/demos/httpload UB=$B/unblock
CPU=$B/tests/e2e/cpu_threads
ROUNDS=${BENCH_ROUNDS:-3}
for p in "$HTTPD" "$LOAD" "$UB" "$CPU"; do
  [ -x "$p" ] || { echo "carriers.sh: $p is missing: run make all e2e" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/unblock-bench.XXXXXX")
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# median of the numbers on stdin
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# http WORKERS: one run; prints "RPS P99_MS".
http() {
  "$UB" --workers "$1" -- "$HTTPD" -p 0 >"$work/httpd.out" 2>&1 &
  pid=$!
  local port= i
  for i in $(seq 100); do
    port=$(sed -n 's/^listening on //p' "$work/httpd.out")
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "carriers.sh: httpd did not start" >&2; exit 1; }
  "$LOAD" -p "$port" -c 1000 -d 3 >"$work/load.out" 2>&1 ||
    { cat "$work/load.out" >&2; exit 1; }
  kill -TERM "$pid"
  wait "$pid" || true
  pid=
  awk '/^requests\/s/ {r = $2} /^latency p99/ {p = $3} END {print r, p}' \
    "$work/load.out"
}

# cpu [PREFIX...]: one run's wall time in seconds.
cpu() {
  "$@" "$CPU" 2>&1 >/dev/null | awk '/^elapsed:/ {print $2}'
}

echo "== carriers: HTTP at 1,000 connections, $ROUNDS rounds (alternating)"
for r in $(seq "$ROUNDS"); do
  for w in 1 2; do
    http "$w" >>"$work/http.$w"
  done
done
for w in 1 2; do
  rps[w]=$(cut -d' ' -f1 "$work/http.$w" | median)
  p99[w]=$(cut -d' ' -f2 "$work/http.$w" | median)
done
printf '  %-28s %12s %10s\n' "server" "requests/s" "p99 ms"
printf '  %-28s %12s %10s\n' "httpd, unblock, 1 carrier" "${rps[1]}" "${p99[1]}"
printf '  %-28s %12s %10s\n' "httpd, unblock, 2 carriers" "${rps[2]}" "${p99[2]}"
awk -v a="${rps[1]}" -v b="${rps[2]}" \
  'BEGIN {printf "  ratio, 2 carriers / 1: %.2fx\n", b / a}'

echo "== carriers: CPU-bound threads (2 x $(nproc) threads), $ROUNDS rounds"
for r in $(seq "$ROUNDS"); do
  cpu >>"$work/cpu.native"
  cpu "$UB" --workers 1 -- >>"$work/cpu.1"
  cpu "$UB" --workers 2 -- >>"$work/cpu.2"
done
n=$(median <"$work/cpu.native")
c1=$(median <"$work/cpu.1")
c2=$(median <"$work/cpu.2")
printf '  %-28s %10s\n' "run" "wall s"
printf '  %-28s %10s\n' "native threads" "$n" "unblock, 1 carrier" "$c1" \
  "unblock, 2 carriers" "$c2"
awk -v a="$c1" -v b="$c2" -v n="$n" 'BEGIN {
  printf "  speed-up, 2 carriers / 1: %.2fx (native / 2 carriers: %.2fx)\n",
    a / b, n / b }'
