#!/usr/bin/env bats
# make bench's own programs, kept honest: the epoll server (and the Go
# server, where it is built) answers exactly what httpd answers, the idle
# client and the pipe ping-pong work natively and under unblock, and the
# report is made from the results it is given, not typed in.

load helpers

HTTPD=$B/demos/httpd
EPOLLD=$B/demos/bench/epolld
GOSERVER=$B/demos/bench/goserver
IDLERS=$B/demos/bench/idlers
PIPEPONG=$B/demos/bench/pipepong
UNBLOCK=$B/unblock
REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

setup() {
  out=$BATS_TEST_TMPDIR/server.out
  server=
}

teardown() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
}

# start CMD...: run a server on a free port; sets $server and $port.
start() {
  "$@" -p 0 >"$out" 2>&1 &
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

# exchanges: send each raw request on a new connection, print the answers.
exchanges() {
  /usr/bin/python3 - "$port" <<'EOF'
import socket, sys
port = int(sys.argv[1])
reqs = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
    b"BREW\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: " + b"y" * 9000,
]
for r in reqs:
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    s.sendall(r)
    got = b""
    try:
        while got.count(b"hello\n") < r.count(b"GET ") or not got:
            b = s.recv(4096)
            if not b:
                break
            got += b
        if b"Connection: close" not in got and b"HTTP/1.1 4" not in got:
            s.shutdown(socket.SHUT_WR)
        while True:
            b = s.recv(4096)
            if not b:
                break
            got += b
    except OSError as e:
        got += b"<" + type(e).__name__.encode() + b">"
    print(repr(got))
    s.close()
EOF
}

@test "the epoll server answers every request exactly as httpd does" {
  start "$HTTPD"
  exchanges >"$BATS_TEST_TMPDIR/httpd.txt"
  kill "$server"
  wait "$server" || true
  start "$EPOLLD"
  exchanges >"$BATS_TEST_TMPDIR/epolld.txt"
  diff "$BATS_TEST_TMPDIR/httpd.txt" "$BATS_TEST_TMPDIR/epolld.txt"
  grep -q "200 OK" "$BATS_TEST_TMPDIR/epolld.txt"
  grep -q "405 Method Not Allowed" "$BATS_TEST_TMPDIR/epolld.txt"
  grep -q "431 Request Header" "$BATS_TEST_TMPDIR/epolld.txt"
  kill -TERM "$server"
  wait "$server"
  grep -q '^served [0-9]* requests on [0-9]* connections$' "$out"
  server=
}

@test "the Go server answers every request exactly as httpd does" {
  [ -x "$GOSERVER" ] || skip "the Go server is not built (make bench builds it)"
  start "$HTTPD"
  exchanges >"$BATS_TEST_TMPDIR/httpd.txt"
  kill "$server"
  wait "$server" || true
  start "$GOSERVER"
  exchanges >"$BATS_TEST_TMPDIR/go.txt"
  diff "$BATS_TEST_TMPDIR/httpd.txt" "$BATS_TEST_TMPDIR/go.txt"
}

@test "idlers opens, holds and probes connections to httpd under unblock" {
  start "$UNBLOCK" -- "$HTTPD"
  run -0 "$IDLERS" -p "$port" -c 300 -k 100 -n 5 -t 20
  assert_line_matches '^holding 300$'
  assert_line_matches '^connections 300$'
  assert_line_matches '^open_s [0-9]+\.[0-9]+$'
  assert_line_matches '^probe_ms_p50 [0-9]+\.[0-9]+$'
}

@test "idlers says so when the server is gone, and exits 1" {
  start "$EPOLLD"
  kill "$server"
  wait "$server" || true
  server=
  run -1 "$IDLERS" -p "$port" -c 10 -k 0 -n 1 -t 5
}

@test "idlers rejects a bad flag, naming it" {
  run -2 "$IDLERS" -p 1 -c many
  [[ $output == *"bad value for -c"* ]]
}

@test "pipe ping-pong: threads natively and under unblock, and the epoll loop" {
  run -0 "$PIPEPONG" threads -n 2000
  assert_line_matches '^events 4000$'
  run -0 "$UNBLOCK" -- "$PIPEPONG" threads -n 2000 -p 3
  assert_line_matches '^events 12000$'
  run -0 "$PIPEPONG" epoll -n 2000
  assert_line_matches '^events 4000$'
  assert_line_matches '^events_per_s [0-9]+$'
}

@test "the report is made from the results it is given" {
  r=$BATS_TEST_TMPDIR/b/bench
  mkdir -p "$r" "$BATS_TEST_TMPDIR/docs"
  printf 'Date: 2000-01-02 03:04 UTC\nMachine: 2 CPUs (test).\n' >"$r/machine.txt"
  : >"$r/notes.txt"
  echo "micro output" >"$r/micro.txt"
  echo "carriers output" >"$r/carriers.txt"
  for s in native ub1 ubN epoll; do
    for k in 1 2 3; do
      case $s in native) v=100 ;; ub1) v=300 ;; ubN) v=290 ;; epoll) v=$((300 + k)) ;; esac
      printf '1000\t%s\t%s\t%s\t1.0\t2.0\t2048\t0\n' "$s" "$k" "$((v * 1000 + k))" \
        >>"$r/http.tsv"
    done
    printf '1000\t%s\t2.000\t0.0100\n' "$s" >>"$r/http_counts.tsv"
    printf '%s\t1\t19000\t0.600\t8800\t3\t38000\t0.100\t0.400\n' "$s" >>"$r/idle.tsv"
  done
  printf 'native threads\t100000\t5.00\nunblock, 2 carriers\t400000\t3.00\n' \
    >"$r/pingpong.tsv"
  : >"$r/python.tsv"
  printf '# x\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\ntail\n' \
    >"$BATS_TEST_TMPDIR/README.md"
  run -0 bash "$REPO/demos/bench/report.sh" "$BATS_TEST_TMPDIR/b" \
    "$BATS_TEST_TMPDIR/docs" "$BATS_TEST_TMPDIR/README.md"
  md=$BATS_TEST_TMPDIR/docs/benchmarks.md
  # medians of the three rounds: 300002, 100002, 302002 (epoll: 301..303)
  grep -q '| httpd under unblock, 1 carrier | 1000 | 300002 | 1.0 | 2.0 | 2.0 | 2.000 | 0.0100 |' "$md"
  grep -q '| epoll server, 1 thread | 1000 | 302002 |' "$md"
  grep -q '2000-01-02 03:04 UTC' "$md"
  grep -q 'requests/s >= 2x native threads at 1000 connections | 2.90x; 3.00x | yes |' "$md"
  grep -q 'pipe ping-pong >= 3x native threads | 4.00x' "$md"
  grep -q '^| native threads | 100000 | 5.00 |$' "$md"
  grep -q '^| httpd, native threads | 100002 | 2.0 | 8800 B | 3 |$' "$BATS_TEST_TMPDIR/README.md"
  grep -q '^tail$' "$BATS_TEST_TMPDIR/README.md"
  ! grep -q '^old$' "$BATS_TEST_TMPDIR/README.md"
}
