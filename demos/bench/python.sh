#!/usr/bin/env bash
# python.sh - `make bench`, Python: `python3 -m http.server` (a
# ThreadingHTTPServer: one thread per connection, HTTP/1.0, so one
# connection per request) natively, under unblock with 1 carrier and with
# every carrier, and with gevent's monkey-patching (greenlets instead of
# threads), under wrk at 100 and 1,000 connections.
#
# Usage: python.sh BUILD
#
# All four run Debian's /usr/bin/python3 (python3-gevent is built for it;
# another python3 earlier in PATH may lack gevent), serving a 6-byte
# index.html from a scratch directory.  Rounds: BENCH_PY_ROUNDS (default
# 2), contenders in turn, BENCH_SECS seconds each (default 3); python.tsv
# has every run.  Without gevent that line is skipped with a note.
set -euo pipefail
B=${1:?usage: python.sh BUILD}
# shellcheck source=demos/bench/lib.sh
. "$(dirname "$0")/lib.sh"

ROUNDS=${BENCH_PY_ROUNDS:-2}
SECS=${BENCH_SECS:-3}
PY=/usr/bin/python3
[ -x "$PY" ] || die "$PY is missing: apt-get install python3"
www=$RESULTS/www
mkdir -p "$www"
printf 'hello\n' >"$www/index.html"
serve=(-u -m http.server --bind 127.0.0.1 --directory "$www" 0)

contenders="py-native py-ub1 py-ubN"
if "$PY" -c 'import gevent' 2>/dev/null; then
  contenders="$contenders py-gevent"
else
  note "python with gevent skipped: $PY has no gevent" \
    "(apt-get install python3-gevent)"
fi

title() {
  case $1 in
  py-native) echo "http.server, native threads" ;;
  py-ub1) echo "http.server, unblock, 1 carrier" ;;
  py-ubN) echo "http.server, unblock, $NCPU carriers" ;;
  py-gevent) echo "http.server, gevent" ;;
  esac
}

start() {
  case $1 in
  py-native) start_server "$1" "$PY" "${serve[@]}" ;;
  py-ub1) start_server "$1" "$UB" --workers 1 -- "$PY" "${serve[@]}" ;;
  py-ubN) start_server "$1" "$UB" --workers "$NCPU" -- "$PY" "${serve[@]}" ;;
  py-gevent) start_server "$1" "$PY" -u -m gevent.monkey --module "${serve[@]:2}" ;;
  esac
}

: >"$RESULTS/python.tsv"
echo "== python3 -m http.server: wrk -t $NCPU, ${SECS} s a run," \
  "$ROUNDS rounds (contenders in turn)"
for c in 100 1000; do
  for r in $(seq "$ROUNDS"); do
    for s in $contenders; do
      start "$s"
      wrk_run "$c" "$SECS" "$RESULTS/tmp.wrk"
      stop_server
      read -r rps p50 p99 errs < <(wrk_fields "$RESULTS/tmp.wrk")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$s" "$r" "$rps" "$p50" \
        "$p99" "$errs" >>"$RESULTS/python.tsv"
      printf '  %-34s %5s conns  %7s req/s  p50 %8s ms  p99 %8s ms  %s\n' \
        "$(title "$s")" "$c" "$rps" "$p50" "$p99" \
        "$([ "$errs" = 0 ] || echo "socket errors: $errs")"
    done
  done
done
