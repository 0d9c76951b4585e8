#!/usr/bin/env bash
# pingpong.sh - `make bench`, pipe ping-pong: demos/bench/pipepong's two
# threads natively, under unblock with 1 carrier and with every carrier,
# and its one-thread epoll loop.
#
# Usage: pingpong.sh BUILD
#
# BENCH_PP_ROUNDS rounds (default 3), the four in turn; events/s go to
# pingpong.tsv with syscalls per event from one more run each under
# `perf stat` (skipped with a note where perf cannot count syscalls).
set -euo pipefail
B=${1:?usage: pingpong.sh BUILD}
# shellcheck source=demos/bench/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_PP_ROUNDS:-3}
PP=$B/demos/bench/pipepong
[ -x "$PP" ] || die "$PP is missing: make bench builds it"

# cmd LABEL: the command line of a run.
cmd() {
  case $1 in
  "native threads") echo "$PP threads" ;;
  "unblock, 1 carrier") echo "$UB --workers 1 -- $PP threads" ;;
  "unblock, $NCPU carriers") echo "$UB --workers $NCPU -- $PP threads" ;;
  "epoll loop, 1 thread") echo "$PP epoll" ;;
  esac
}
runs=("native threads" "unblock, 1 carrier" "unblock, $NCPU carriers"
  "epoll loop, 1 thread")

perf_ok=
perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1 && perf_ok=yes
[ -n "$perf_ok" ] || note "pipe ping-pong: syscalls per event not counted" \
  "(perf stat cannot count raw_syscalls:sys_enter here)"

: >"$RESULTS/pingpong.tsv"
echo "== pipe ping-pong: $ROUNDS rounds (the four in turn)"
declare -A sys
if [ -n "$perf_ok" ]; then
  for l in "${runs[@]}"; do
    # shellcheck disable=SC2046 # the command line splits on purpose
    perf stat -x, -e raw_syscalls:sys_enter -o "$RESULTS/tmp.perf" \
      $(cmd "$l") >"$RESULTS/tmp.pp" 2>&1 || die "$l: pipepong failed"
    sys[$l]=$(awk -F, -v e="$(awk '$1 == "events" {print $2}' \
      "$RESULTS/tmp.pp")" '/raw_syscalls/ {printf "%.2f", $1 / e}' \
      "$RESULTS/tmp.perf")
  done
fi
for r in $(seq "$ROUNDS"); do
  for l in "${runs[@]}"; do
    # shellcheck disable=SC2046
    timeout 120 $(cmd "$l") >"$RESULTS/tmp.pp" 2>&1 ||
      { sed 's/^/    /' "$RESULTS/tmp.pp" >&2; die "$l: pipepong failed"; }
    ev=$(awk '$1 == "events_per_s" {print $2}' "$RESULTS/tmp.pp")
    printf '%s\t%s\t%s\n' "$l" "$ev" "${sys[$l]:--}" >>"$RESULTS/pingpong.tsv"
    printf '  %-26s %10s events/s  %6s syscalls/event\n' "$l" "$ev" \
      "${sys[$l]:--}"
  done
done
