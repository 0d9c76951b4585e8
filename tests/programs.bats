#!/usr/bin/env bats
# Real, unmodified programs under the launcher: many sleeping threads on
# one OS thread, Debian's python http.server under 200 concurrent clients,
# and two proxies (tinyproxy, microsocks) relaying curl's requests.  Every
# server binds 127.0.0.1 on an ephemeral port; every process is bounded by
# timeout and stopped in teardown.

load helpers

: "${BATS_TEST_TIMEOUT:=120}"

teardown() {
  stop_bg
}

# make_site DIR: a few files for http.server, including a 100 KB binary.
make_site() {
  mkdir -p "$1/sub"
  printf '<html><body>unblock test page</body></html>\n' >"$1/index.html"
  seq 1 2000 >"$1/numbers.txt"
  printf 'nested file\n' >"$1/sub/nested.txt"
  head -c 102400 /dev/urandom >"$1/blob.bin"
}

SITE_FILES=(index.html numbers.txt sub/nested.txt blob.bin)

# paced_get NAME URL_PREFIX OUTDIR N [CURL_OPTION...]: in the background,
# N curl processes, started 5 ms apart and then all running at once, each
# fetching one URL (cycling over SITE_FILES) into OUTDIR/i and writing its
# HTTP code to OUTDIR/i.code.  Sets bg_pid; `wait "$bg_pid"` for the end.
#
# Why paced: python's http.server listens with a backlog of 5 and takes
# about 2 ms to accept and start a thread, so a burst of connects overflows
# its accept queue, and each dropped SYN costs its client a retransmission
# (1 s, then 3 s, 7 s, ...), natively as much as under unblock.
paced_get() {
  local name=$1
  shift
  mkdir -p "$2"
  start_bg "$name" 90 bash -c 'prefix=$1 out=$2 n=$3
shift 3
files=('"${SITE_FILES[*]}"')
for ((i = 0; i < n; i++)); do
  curl -s -S --max-time 60 -o "$out/$i" -w "%{http_code}\n" "$@" \
    "$prefix/${files[i % ${#files[@]}]}" >"$out/$i.code" &
  sleep 0.005
done
wait' _ "$@"
}

# codes_of OUTDIR N: the HTTP codes paced_get recorded, one per line.
codes_of() {
  local i
  for ((i = 0; i < $2; i++)); do
    cat "$1/$i.code" 2>/dev/null || echo missing
  done
}

# check_bodies SITE OUTDIR N: each OUTDIR/i is byte-identical to the file
# paced_get asked for.
check_bodies() {
  local site=$1 outdir=$2 n=$3 i bad=0
  for ((i = 0; i < n; i++)); do
    local want=$site/${SITE_FILES[i % ${#SITE_FILES[@]}]}
    if ! cmp -s "$want" "$outdir/$i"; then
      echo "body $i differs from $want"
      bad=$((bad + 1))
    fi
  done
  [ "$bad" -eq 0 ] || { echo "$bad of $n bodies differ"; return 1; }
}

# sample_threads PID WHILE_PID FILE: until WHILE_PID ends, append PID's
# OS thread count to FILE every 20 ms.
sample_threads() {
  while kill -0 "$2" 2>/dev/null; do
    thread_count "$1" >>"$3" 2>/dev/null || true
    sleep 0.02
  done
}

# max_of FILE: the largest number in FILE (one per line).
max_of() {
  sort -n "$1" | tail -n 1
}

# serve_origin NAME DIR: the proxies' origin server, natively: python's
# http.server module with a listen backlog of 128.  (`python3 -m
# http.server` listens with a backlog of 5; with 50 requests at once
# through tinyproxy 1.11.1 that makes tinyproxy answer many of them with an
# empty reply, natively as well, unless it logs at Info level.)  Sets
# http_port.
serve_origin() {
  start_bg "$1" 120 "$PY" -u -c 'import functools, http.server, sys
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                            directory=sys.argv[1])
s = Server(("127.0.0.1", 0), handler)
print("Serving HTTP on 127.0.0.1 port %d" % s.server_address[1])
s.serve_forever()' "$2"
  http_port=$(wait_for_match "$BATS_TEST_TMPDIR/$1.out" \
    '^Serving HTTP on 127\.0\.0\.1 port ([0-9]+)$')
}

# hold_requests NAME PORT N FILE [PREFIX]: in the background, open N
# connections to 127.0.0.1:PORT, each sending all but the last line of a
# request for PREFIX/FILE (PREFIX: empty for a server, http://HOST:PORT for
# a proxy), so that a thread-per-connection server has N handlers waiting
# at once; print "holding N"; then, once $BATS_TEST_TMPDIR/NAME.go exists,
# finish the requests and print how many bodies came back identical to the
# file under $BATS_TEST_TMPDIR/site.
hold_requests() {
  start_bg "$1" 60 "$PY" -u -c 'import os, socket, sys, time
port, n, path, site, go, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
want = open(os.path.join(site, path), "rb").read()
conns = []
for _ in range(n):
    c = socket.create_connection(("127.0.0.1", port), 10)
    c.sendall(b"GET " + prefix.encode() + b"/" + path.encode() + b" HTTP/1.0\r\nHost: test\r\n")
    conns.append(c)
    time.sleep(0.005)  # see paced_get
print("holding", len(conns))
while not os.path.exists(go):
    time.sleep(0.02)
same = 0
for c in conns:
    c.sendall(b"\r\n")
for c in conns:
    data = b""
    while True:
        d = c.recv(65536)
        if not d:
            break
        data += d
    head, _, body = data.partition(b"\r\n\r\n")
    if head.startswith((b"HTTP/1.0 200 ", b"HTTP/1.1 200 ")) and body == want:
        same += 1
    c.close()
print("identical bodies:", same)' "$2" "$3" "$4" "$BATS_TEST_TMPDIR/site" \
    "$BATS_TEST_TMPDIR/$1.go" "${5-}"
  wait_for_match "$BATS_TEST_TMPDIR/$1.out" '^(holding [0-9]+)$' 20
}

# release_requests NAME: let hold_requests NAME finish; print its result.
release_requests() {
  touch "$BATS_TEST_TMPDIR/$1.go"
  wait_for_match "$BATS_TEST_TMPDIR/$1.out" '^identical bodies: ([0-9]+)$' 30
}

@test "20 threads sleeping 1 s each finish in under 2 s on 1 carrier (3 OS threads, with the monitor and the control thread)" {
  [ -x "$E2E/sleepers" ] || { echo "no $E2E/sleepers: run make e2e"; return 1; }
  run --separate-stderr timeout 30 "$UNBLOCK" --verbose --workers 1 -- "$E2E/sleepers"
  assert_status 0
  [[ ${stderr_lines[0]} == *", 1 carrier, "* ]] ||
    { echo "not a single carrier: ${stderr_lines[0]}"; return 1; }
  assert_stdout "os threads while sleeping: 3
sleepers done at 0.5 s: 0
sleepers done: 20
took at least 1 s: yes
took under 2 s: yes"
}

@test "natively the same 20 sleepers are 21 OS threads (the sample sees them)" {
  run --separate-stderr timeout 30 "$E2E/sleepers"
  assert_status 0
  assert_stdout "os threads while sleeping: 21
sleepers done at 0.5 s: 0
sleepers done: 20
took at least 1 s: yes
took under 2 s: yes"
}

@test "a sleeping process under unblock with one carrier shows at most 4 threads from outside" {
  # Another program, sampled by pid from here: a python whose 10 threads
  # sleep 3 s (natively that is 11 OS threads).  Under unblock: the one
  # carrier, the stall monitor, the control thread (unblock ps), and
  # perhaps the one offload helper its imports used.
  start_bg sleepy 30 "$UNBLOCK" --workers 1 --offload-threads 1 -- "$PY" -u -c 'import threading, time
ts = [threading.Thread(target=time.sleep, args=(3,)) for _ in range(10)]
for t in ts: t.start()
print("started", threading.active_count(), flush=True)
for t in ts: t.join()
print("joined")'
  local pid
  pid=$(bg_child "$bg_pid")
  wait_for_match "$BATS_TEST_TMPDIR/sleepy.out" '^(started 11)$' >/dev/null
  local n
  n=$(thread_count "$pid")
  [ "$n" -le 4 ] || { echo "python with 10 sleeping threads has $n OS threads"; return 1; }
  wait_for_match "$BATS_TEST_TMPDIR/sleepy.out" '^(joined)$' 10 >/dev/null
}

@test "python3 http.server under unblock: 200 requests in progress and 200 concurrent curls on a few OS threads, bodies identical" {
  export UNBLOCK_OFFLOAD_THREADS=2 # few threads: carriers, 2 helpers, monitor
  local site=$BATS_TEST_TMPDIR/site
  make_site "$site"
  serve_http srv "$site" unblock
  # 200 requests in progress at once (natively: 200 handler threads).
  run hold_requests held "$http_port" 200 blob.bin
  assert_stdout "holding 200"
  local n
  n=$(thread_count "$http_pid")
  [ "$n" -le "$(runtime_threads)" ] || { echo "http.server has $n OS threads with 200 requests in progress"; return 1; }
  # Meanwhile, 200 curl processes running at once.
  local got=$BATS_TEST_TMPDIR/got samples=$BATS_TEST_TMPDIR/threads
  paced_get load "http://127.0.0.1:$http_port" "$got" 200
  local load=$bg_pid
  sample_threads "$http_pid" "$load" "$samples"
  local st=0
  wait "$load" || st=$?
  [ "$st" -eq 0 ] || { echo "the curl load exited with $st"; cat "$BATS_TEST_TMPDIR/load.err"; return 1; }
  run codes_of "$got" 200
  assert_stdout "$(printf '200\n%.0s' $(seq 200))"
  check_bodies "$site" "$got" 200
  run release_requests held
  assert_stdout 200
  [ -s "$samples" ] || { echo "no thread count was sampled during the load"; return 1; }
  local max
  max=$(max_of "$samples")
  [ "$max" -le "$(runtime_threads)" ] || { echo "http.server had up to $max OS threads under load"; return 1; }
  # The server logged all 400 requests as served with 200.
  run grep -cE '"GET /[^ ]* HTTP/1\.[01]" 200 ' "$BATS_TEST_TMPDIR/srv.err"
  assert_stdout 400
  kill -0 "$http_pid" || { echo "the server died"; return 1; }
}

@test "natively the same http.server has a thread per request in progress (the sample sees them)" {
  local site=$BATS_TEST_TMPDIR/site
  make_site "$site"
  serve_http srv "$site"
  run hold_requests held "$http_port" 200 blob.bin
  assert_stdout "holding 200"
  local n
  n=$(thread_count "$http_pid")
  [ "$n" -gt 200 ] || { echo "native http.server has $n OS threads with 200 requests in progress"; return 1; }
  run release_requests held
  assert_stdout 200
}

@test "tinyproxy under unblock relays curl -x to http.server, bodies identical" {
  export UNBLOCK_OFFLOAD_THREADS=2 # few threads: carriers, 2 helpers, monitor
  require_cmd tinyproxy
  local site=$BATS_TEST_TMPDIR/site
  make_site "$site"
  serve_origin origin "$site"
  local port conf=$BATS_TEST_TMPDIR/tinyproxy.conf
  port=$(pick_port)
  cat >"$conf" <<CONF
Port $port
Listen 127.0.0.1
Timeout 30
MaxClients 200
Allow 127.0.0.1
Syslog Off
LogLevel Warning
CONF
  start_bg proxy 90 "$UNBLOCK" -- tinyproxy -d -c "$conf"
  local ppid
  ppid=$(bg_child "$bg_pid")
  wait_listening "$port"
  # 30 requests in progress through the proxy at once.
  run hold_requests held "$port" 30 blob.bin "http://127.0.0.1:$http_port"
  assert_stdout "holding 30"
  local n
  n=$(thread_count "$ppid")
  [ "$n" -le "$(runtime_threads)" ] || { echo "tinyproxy has $n OS threads with 30 requests in progress"; return 1; }
  run release_requests held
  assert_stdout 30
  local f
  for f in "${SITE_FILES[@]}"; do
    timeout 30 curl -s -S --max-time 20 -x "http://127.0.0.1:$port" \
      -o "$BATS_TEST_TMPDIR/one" "http://127.0.0.1:$http_port/$f"
    cmp "$site/$f" "$BATS_TEST_TMPDIR/one"
  done
  local samples=$BATS_TEST_TMPDIR/threads
  paced_get load "http://127.0.0.1:$http_port" "$BATS_TEST_TMPDIR/got" 50 \
    -x "http://127.0.0.1:$port"
  local load=$bg_pid
  sample_threads "$ppid" "$load" "$samples"
  wait "$load"
  run codes_of "$BATS_TEST_TMPDIR/got" 50
  assert_stdout "$(printf '200\n%.0s' $(seq 50))"
  check_bodies "$site" "$BATS_TEST_TMPDIR/got" 50
  local max
  max=$(max_of "$samples")
  [ "$max" -le "$(runtime_threads)" ] || { echo "tinyproxy had up to $max OS threads under load"; return 1; }
  # A request for a missing file comes back as the origin's 404.
  run timeout 30 curl -s -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$port" \
    "http://127.0.0.1:$http_port/missing"
  assert_stdout 404
}

@test "microsocks under unblock relays curl --socks5 to http.server, bodies identical" {
  export UNBLOCK_OFFLOAD_THREADS=2 # few threads: carriers, 2 helpers, monitor
  require_cmd microsocks
  local site=$BATS_TEST_TMPDIR/site
  make_site "$site"
  serve_origin origin "$site"
  local port
  port=$(pick_port)
  start_bg socks 90 "$UNBLOCK" -- microsocks -i 127.0.0.1 -p "$port"
  local spid
  spid=$(bg_child "$bg_pid")
  wait_listening "$port"
  local f
  for f in "${SITE_FILES[@]}"; do
    timeout 30 curl -s -S --max-time 20 --socks5 "127.0.0.1:$port" \
      -o "$BATS_TEST_TMPDIR/one" "http://127.0.0.1:$http_port/$f"
    cmp "$site/$f" "$BATS_TEST_TMPDIR/one"
  done
  local samples=$BATS_TEST_TMPDIR/threads
  paced_get load "http://127.0.0.1:$http_port" "$BATS_TEST_TMPDIR/got" 50 \
    --socks5 "127.0.0.1:$port"
  local load=$bg_pid
  sample_threads "$spid" "$load" "$samples"
  wait "$load"
  run codes_of "$BATS_TEST_TMPDIR/got" 50
  assert_stdout "$(printf '200\n%.0s' $(seq 50))"
  check_bodies "$site" "$BATS_TEST_TMPDIR/got" 50
  local max
  max=$(max_of "$samples")
  [ "$max" -le "$(runtime_threads)" ] || { echo "microsocks had up to $max OS threads under load"; return 1; }
}

@test "python3 multiprocessing: a Pool of 2 worker processes with its handler threads" {
  # The pool's worker-handler thread polls the result pipe, which only the
  # result-handler thread drains: under unblock the poller must let it run.
  cat >"$BATS_TEST_TMPDIR/pool.py" <<'PY'
import multiprocessing as mp
def square(x):
    return x * x
if __name__ == "__main__":
    with mp.Pool(2) as p:
        print(sum(p.map(square, range(1000))))
        print(p.apply_async(square, (12,)).get(timeout=10))
PY
  both "$PY" "$BATS_TEST_TMPDIR/pool.py"
  assert_status 0
  assert_stdout "332833500
144"
}
