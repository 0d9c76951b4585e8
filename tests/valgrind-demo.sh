#!/usr/bin/env bash
# valgrind-demo.sh B VALGRIND... - the demo server under the shim, under
# memcheck: 200 keep-alive clients, 20 requests each, then SIGTERM.  Passes
# when every answer was right and memcheck found 0 errors (its exit status
# is 99 on an error, as make check-valgrind asks it).
set -euo pipefail
B=$1
shift
out=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
LD_PRELOAD=$B/libunblock.so "$@" "$B/demos/httpd" -p 0 >"$out" 2>&1 &
pid=$!
port=
for _ in $(seq 300); do
  port=$(awk '/^listening on/ {print $3}' "$out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "httpd did not start under valgrind:"; cat "$out"; exit 1; }
"$B/demos/httpload" -p "$port" -c 200 -r 20 -t 60
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
cat "$out"
if [ "$status" -ne 0 ]; then
  echo "httpd under the shim and memcheck exited with status $status"
  exit 1
fi
echo "httpd under the shim and memcheck: 0 errors"
