#!/usr/bin/env bats
# The demo server (demos/httpd.c: plain C, a thread per connection, no
# unblock header) serves 1,000 concurrent keep-alive clients correctly under
# the launcher, on a handful of OS threads; natively it needs about 1,000.

load helpers

HTTPD=$B/demos/httpd
LOAD=$B/demos/httpload
UNBLOCK=$B/unblock

setup() {
  out=$BATS_TEST_TMPDIR/httpd.out
  server=
}

teardown() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
}

# start CMD...: run the server, wait for its "listening on PORT" line.
# The launcher execs the server, so $server is the server's own pid; the
# teardown kills it, so no test leaves it running.
start() {
  "$@" >"$out" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    port=$(awk '/^listening on/ {print $3}' "$out")
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  echo "the server did not start:"
  cat "$out"
  return 1
}

# threads_while_loaded: run 1,000 clients, hold them, and read the
# server's OS thread count while they are held.
threads_while_loaded() {
  "$LOAD" -p "$port" -c 1000 -r 20 -k 1500 >"$BATS_TEST_TMPDIR/load" 2>&1 &
  local load=$!
  for _ in $(seq 200); do
    grep -q '^holding' "$BATS_TEST_TMPDIR/load" && break
    sleep 0.05
  done
  grep -q "httpd" "/proc/$server/cmdline" # the server itself, not a wrapper
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$server/status")
  wait "$load"
}

@test "under unblock the demo server holds 1,000 clients on a handful of OS threads" {
  start "$UNBLOCK" -- "$HTTPD" -p 0
  threads_while_loaded
  cat "$BATS_TEST_TMPDIR/load"
  grep -qE '^requests +20000 ok, 0 bad$' "$BATS_TEST_TMPDIR/load"
  grep -qE '^connections +1000 opened, 0 failed$' "$BATS_TEST_TMPDIR/load"
  echo "OS threads while 1,000 connections were held: $threads"
  [ "$threads" -le 4 ]
}

@test "natively the same server uses about one OS thread per client" {
  start "$HTTPD" -p 0
  threads_while_loaded
  grep -qE '^requests +20000 ok, 0 bad$' "$BATS_TEST_TMPDIR/load"
  echo "OS threads while 1,000 connections were held: $threads"
  [ "$threads" -ge 1000 ]
}

@test "under unblock the demo server stops cleanly on SIGTERM" {
  start "$UNBLOCK" -- "$HTTPD" -p 0
  "$LOAD" -p "$port" -c 50 -r 10 >/dev/null
  kill -TERM "$server"
  local status=0
  wait "$server" || status=$?
  server=
  [ "$status" -eq 0 ]
  grep -qE '^served 500 requests on 50 connections$' "$out"
}
