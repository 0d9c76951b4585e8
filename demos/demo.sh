#!/usr/bin/env bash
# demo.sh - `make demo`: one blocking thread-per-connection server, run
# natively and then under unblock, with the same load, side by side.
#
# Usage: demo.sh HTTPD HTTPLOAD UNBLOCK   (the Makefile builds all three)
#
# Each run starts `HTTPD -p 0` (natively, then as `UNBLOCK -- HTTPD -p 0`),
# reads the port from its "listening on PORT" line, and points httpload at
# it: DEMO_CONNS keep-alive connections (default 1000) sending GETs for
# DEMO_SECS seconds (default 3), every answer checked, then held open and
# idle for DEMO_HOLD_MS ms (default 1500).  While they are held, the
# server's OS thread count (Threads:) and resident memory (VmRSS:) are read
# from /proc/PID/status.  The server is then stopped with SIGTERM and must
# exit with status 0.  Finally a table compares the two runs.
#
# Nothing is faked: if the launcher is missing, or any step of either run
# fails (the server does not start or dies, a response is wrong, a
# connection fails, the server does not stop), the script says which, shows
# what the programs printed, and exits 1.  It also exits 1, after the
# table, if under unblock the server still used an OS thread per
# connection: then the launcher did not take hold.  Every wait is bounded,
# and the EXIT trap kills whatever is still running.

set -euo pipefail

CONNS=${DEMO_CONNS:-1000}
SECS=${DEMO_SECS:-3}
HOLD_MS=${DEMO_HOLD_MS:-1500}

die() {
  echo "demo: $*" >&2
  exit 1
}

for v in DEMO_CONNS:"$CONNS" DEMO_SECS:"$SECS" DEMO_HOLD_MS:"$HOLD_MS"; do
  [[ ${v#*:} =~ ^[1-9][0-9]{0,5}$ ]] || die "${v%%:*}='${v#*:}' is not a" \
    "whole number from 1 to 999999"
done
if [ $# -ne 3 ]; then
  echo "usage: demo.sh HTTPD HTTPLOAD UNBLOCK" >&2
  exit 2
fi
HTTPD=$1 HTTPLOAD=$2 UNBLOCK=$3
for prog in "$HTTPD" "$HTTPLOAD"; do
  [ -x "$prog" ] || die "$prog is missing; build it with make"
done
if [ ! -x "$UNBLOCK" ]; then
  die "the unblock launcher $UNBLOCK does not exist (yet), so there is" \
    "nothing to compare; no figures shown"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/unblock-demo.XXXXXX")
server_pid=
load_pid=
cleanup() {
  for pid in $server_pid $load_pid; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true # reaped quietly: no "Killed" notice
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# alive PID: is that process still running (not a zombie, not reaped)?
# One read of its State: a separate existence test could pass just before
# bash reaps the process, and a failed read then look like a live one.
alive() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" \
    2>/dev/null) || true
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_line FILE REGEX SECONDS PID: wait until FILE has a line matching
# REGEX; fail at once if PID exits first, or after SECONDS.
wait_line() {
  local file=$1 regex=$2 tries=$(($3 * 20)) pid=$4
  while ! grep -qE -- "$regex" "$file" 2>/dev/null; do
    alive "$pid" || return 1
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || return 1
    sleep 0.05
  done
}

# show FILE...: what a program printed, indented, for a failure report.
show() {
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    echo "--- ${f##*/}:" >&2
    sed 's/^/    /' "$f" | head -40 >&2
  done
}

# server_gone LABEL WHEN: the server exited early; say how, and fail.
server_gone() {
  local st=0
  wait "$server_pid" 2>/dev/null || st=$?
  server_pid=
  if [ "$st" -gt 128 ]; then
    die "$1: the server was killed by signal $((st - 128))" \
      "(SIG$(kill -l "$((st - 128))" 2>/dev/null || echo '?')) $2"
  fi
  die "$1: the server exited with status $st $2"
}

# status_field PID NAME: one field of /proc/PID/status, number only.
status_field() {
  sed -n "s/^$2:[[:space:]]*\([0-9]*\).*/\1/p" "/proc/$1/status" \
    2>/dev/null || true
}

# The figures of each run: result[LABEL.rps], .p99, .threads, .rss_mib.
declare -A result

# run LABEL CMD...: one server run, its figures into result[].
run() {
  local label=$1
  shift
  local out=$work/$label
  echo "== $label: $* -p 0"
  "$@" -p 0 >"$out.httpd" 2>"$out.httpd-err" &
  server_pid=$!
  if ! wait_line "$out.httpd" '^listening on [0-9]+$' 10 "$server_pid"; then
    show "$out.httpd" "$out.httpd-err"
    alive "$server_pid" || server_gone "$label" "while starting"
    die "$label: the server did not start (no 'listening on PORT' in 10 s)"
  fi
  local port comm
  port=$(sed -n 's/^listening on //p' "$out.httpd")
  # The launcher must exec the server, or the PID sampled is not httpd's.
  comm=$(cat "/proc/$server_pid/comm" 2>/dev/null) ||
    server_gone "$label" "just after it started"
  [ "$comm" = "$(basename "$HTTPD" | cut -c1-15)" ] ||
    die "$label: process $server_pid is '$comm', not the server"

  timeout $((SECS + 60)) "$HTTPLOAD" -p "$port" -c "$CONNS" -d "$SECS" \
    -k "$HOLD_MS" >"$out.load" 2>"$out.load-err" &
  load_pid=$!
  if ! wait_line "$out.load" '^holding ' $((SECS + 40)) "$load_pid"; then
    wait "$load_pid" || true
    load_pid=
    show "$out.load" "$out.load-err" "$out.httpd-err"
    alive "$server_pid" || server_gone "$label" "during the load"
    die "$label: the load failed before the hold"
  fi
  # Sample a few times while the connections are held; keep the peaks.
  local threads=0 rss=0 t m _
  for _ in 1 2 3 4 5; do
    alive "$server_pid" || break
    t=$(status_field "$server_pid" Threads)
    m=$(status_field "$server_pid" VmRSS)
    [ "${t:-0}" -gt "$threads" ] && threads=$t
    [ "${m:-0}" -gt "$rss" ] && rss=$m
    sleep 0.1
  done
  local load_status=0
  wait "$load_pid" || load_status=$?
  load_pid=
  if [ "$load_status" -ne 0 ]; then
    show "$out.load" "$out.load-err" "$out.httpd-err"
    alive "$server_pid" || server_gone "$label" "during the load"
    die "$label: httpload failed (exit status $load_status)"
  fi

  kill -TERM "$server_pid"
  local tries=200
  while alive "$server_pid" && [ $tries -gt 0 ]; do
    sleep 0.05
    tries=$((tries - 1))
  done
  if alive "$server_pid"; then
    show "$out.httpd" "$out.httpd-err"
    die "$label: the server did not exit within 10 s of SIGTERM"
  fi
  if ! grep -q '^served ' "$out.httpd"; then
    show "$out.httpd" "$out.httpd-err"
    server_gone "$label" "on SIGTERM, before its summary"
  fi
  local server_status=0
  wait "$server_pid" || server_status=$?
  server_pid=
  if [ "$server_status" -ne 0 ]; then
    show "$out.httpd" "$out.httpd-err"
    die "$label: the server exited with status $server_status on SIGTERM"
  fi

  sed 's/^/   /' "$out.load"
  result[$label.rps]=$(awk '/^requests\/s/ {print $2}' "$out.load")
  result[$label.p99]=$(awk '/^latency p99/ {print $3}' "$out.load")
  result[$label.threads]=$threads
  result[$label.rss_mib]=$(awk -v k="$rss" 'BEGIN {print k / 1024}')
}

echo "demo: $CONNS keep-alive connections, ${SECS} s of GET requests each" \
  "run, then held open for $HOLD_MS ms while the server is sampled"
run native "$HTTPD"
run unblock "$UNBLOCK" -- "$HTTPD"

# row TITLE KEY FORMAT: one line of the comparison.
row() {
  awk -v l="$1" -v n="${result[native.$2]}" -v u="${result[unblock.$2]}" \
    -v f="$3" 'BEGIN {
    r = n <= 0 || u <= 0 ? "-" : u / n >= 0.1 ? sprintf("%.2fx", u / n) \
                                     : sprintf("1/%.0f", n / u);
    printf "  %-18s " f " " f "  %14s\n", l, n, u, r }'
}

echo
echo "demo: the same httpd binary, $CONNS connections held"
printf '  %-18s %10s %10s  %14s\n' "" native unblock unblock/native
row "requests/s" rps "%10d"
row "p99 latency (ms)" p99 "%10.2f"
row "OS threads" threads "%10d"
row "RSS (MiB)" rss_mib "%10.1f"

# The point of the demo: connections no longer cost OS threads.  If they
# still do, the launcher did not take hold, and the figures say nothing.
if [ "${result[unblock.threads]}" -ge $((CONNS / 2)) ]; then
  die "unblock: the server still ran ${result[unblock.threads]} OS threads" \
    "for $CONNS connections: its pthreads did not become green threads"
fi
