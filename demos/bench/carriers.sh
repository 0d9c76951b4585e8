#!/usr/bin/env bash
# carriers.sh - `make bench`, CPU-bound threads: what more carriers buy.
#
# Usage: carriers.sh BUILD
#
# tests/e2e/cpu_threads (2 x CPUs threads of pure integer work) natively,
# and under unblock with 1 carrier and with every carrier; wall time,
# BENCH_ROUNDS rounds (default 3), the three in turn, medians reported.
# (HTTP with 1 carrier against every carrier is part of http.sh.)
set -euo pipefail
B=${1:?usage: carriers.sh BUILD}
# shellcheck source=demos/bench/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_ROUNDS:-3}
CPU=$B/tests/e2e/cpu_threads
[ -x "$CPU" ] || die "$CPU is missing: make bench builds it"

# cpu [PREFIX...]: one run's wall time in seconds.
cpu() {
  "$@" "$CPU" 2>&1 >/dev/null | awk '/^elapsed:/ {print $2}'
}

echo "== carriers: CPU-bound threads (2 x $NCPU threads), $ROUNDS rounds"
: >"$RESULTS/tmp.cpu.native"
: >"$RESULTS/tmp.cpu.1"
: >"$RESULTS/tmp.cpu.n"
for r in $(seq "$ROUNDS"); do
  cpu >>"$RESULTS/tmp.cpu.native"
  cpu "$UB" --workers 1 -- >>"$RESULTS/tmp.cpu.1"
  cpu "$UB" --workers "$NCPU" -- >>"$RESULTS/tmp.cpu.n"
done
n=$(median <"$RESULTS/tmp.cpu.native")
c1=$(median <"$RESULTS/tmp.cpu.1")
cn=$(median <"$RESULTS/tmp.cpu.n")
printf '  %-28s %10s\n' "run" "wall s" "native threads" "$n" \
  "unblock, 1 carrier" "$c1" "unblock, $NCPU carriers" "$cn"
awk -v a="$c1" -v b="$cn" -v n="$n" -v k="$NCPU" 'BEGIN {
  printf "  speed-up, %d carriers / 1: %.2fx (native / %d carriers: %.2fx)\n",
    k, a / b, k, n / b }'
