# helpers.bash - what the bats tests share: where the build is, a clean
# environment, and assertions that say what they expected when they fail.
#
# The Makefile passes B, the absolute path of the build directory; run by
# hand, `bats tests/` falls back to ./build.  Every UNBLOCK_* variable the
# caller happens to have set is removed, so each test states the settings
# it runs with (UB_TEST_SLOW too: the demo test checks full-scale counts).
# The one exception: `make check` runs the suite once per carrier count,
# and passes it as UB_TEST_WORKERS, which becomes UNBLOCK_WORKERS.

bats_require_minimum_version 1.5.0

B=${B:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)/build}
LIB=$B/libunblock.so
DEMO=$B/demos/pingpong

while read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(UNBLOCK_|UB_TEST_SLOW$)')
if [ -n "${UB_TEST_WORKERS-}" ]; then
  export UNBLOCK_WORKERS=$UB_TEST_WORKERS
fi

# assert_status N: the last `run` exited with status N.
assert_status() {
  if [ "$status" -ne "$1" ]; then
    echo "expected exit status $1, got $status"
    echo "stdout: $output"
    echo "stderr: ${stderr-}"
    return 1
  fi
}

# assert_stdout TEXT: the last stdout was exactly TEXT.
assert_stdout() {
  if [ "$output" != "$1" ]; then
    echo "expected stdout: $1"
    echo "got:             $output"
    return 1
  fi
}

# assert_line_matches REGEX: some line of the last stdout matches (ERE).
assert_line_matches() {
  if ! grep -qE -- "$1" <<<"$output"; then
    echo "no line of stdout matches: $1"
    echo "stdout was:"
    printf '%s\n' "$output"
    return 1
  fi
}

# assert_stderr LINE: stderr was exactly this one line.
assert_stderr() {
  if [ "${stderr-}" != "$1" ] || [ "${#stderr_lines[@]}" -ne 1 ]; then
    echo "expected stderr to be exactly one line:"
    echo "  $1"
    echo "got ${#stderr_lines[@]} line(s):"
    printf '  %s\n' "${stderr_lines[@]}"
    return 1
  fi
}

# assert_empty WHAT VALUE: VALUE (stdout or stderr) is empty.
assert_empty() {
  if [ -n "$2" ]; then
    echo "expected no $1, got:"
    printf '%s\n' "$2"
    return 1
  fi
}

# ---- end-to-end helpers (tests/programs.bats, edge.bats, shell.bats) -------
#
# Real Debian programs, natively and under the launcher.  Everything binds
# 127.0.0.1 on an ephemeral port, every command is bounded by timeout, and
# every background process is started with start_bg, so that stop_bg (call
# it from teardown) can end it and anything it forked.

UNBLOCK=$B/unblock
E2E=$B/tests/e2e
# Debian's python, not whatever python3 comes first on PATH.
PY=/usr/bin/python3

# require_cmd CMD...: skip the test when a program it drives is missing
# (`make print-deps` lists the Debian packages of them all).
require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 ||
      skip "$c is not installed (make deps installs every test dependency)"
  done
}

# start_bg NAME SECONDS CMD ARGS...: start CMD in the background in a
# session of its own, bounded by `timeout SECONDS`, with stdin from
# ${BG_STDIN:-/dev/null} and stdout and stderr in $BATS_TEST_TMPDIR/NAME.out
# and NAME.err.  Sets bg_pid, the pid of the timeout process, which leads
# the process group of CMD and its children.
start_bg() {
  local name=$1 secs=$2
  shift 2
  setsid timeout -k 5 "$secs" "$@" \
    >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" \
    <"${BG_STDIN:-/dev/null}" 3>&- &
  bg_pid=$!
  echo "$bg_pid" >>"$BATS_TEST_TMPDIR/bg.pids"
}

# bg_child PID: the pid of the one process that PID (a start_bg timeout)
# runs, once it exists.
bg_child() {
  local i c
  for i in $(seq 50); do
    c=$(pgrep -P "$1" | head -n 1)
    [ -n "$c" ] && { echo "$c"; return 0; }
    sleep 0.1
  done
  echo "bg_child: process $1 started no child" >&2
  return 1
}

# stop_bg: end every process group started by start_bg in this test, TERM
# first, then KILL what is left after 3 s.
stop_bg() {
  local f=$BATS_TEST_TMPDIR/bg.pids p i
  [ -f "$f" ] || return 0
  while read -r p; do
    kill -TERM -- "-$p" 2>/dev/null || true
  done <"$f"
  for i in $(seq 30); do
    local alive=0
    while read -r p; do
      kill -0 -- "-$p" 2>/dev/null && alive=1
    done <"$f"
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  while read -r p; do
    kill -KILL -- "-$p" 2>/dev/null || true
  done <"$f"
  rm -f "$f"
}

# wait_for_match FILE REGEX [SECONDS]: wait until a line of FILE matches
# the extended REGEX (bash =~), and print the first parenthesised group of
# the first such line.  Fails after SECONDS (default 10), showing FILE.
wait_for_match() {
  local file=$1 re=$2 secs=${3:-10} i line
  for i in $(seq $((secs * 20))); do
    if [ -f "$file" ]; then
      while IFS= read -r line; do
        if [[ $line =~ $re ]]; then
          echo "${BASH_REMATCH[1]}"
          return 0
        fi
      done <"$file"
    fi
    sleep 0.05
  done
  echo "wait_for_match: no line of $file matched /$re/ in $secs s; it has:" >&2
  cat "$file" >&2 2>/dev/null || true
  return 1
}

# serve_http NAME DIR [unblock]: start python's http.server on port 0 of
# 127.0.0.1 serving DIR, natively or (with a third argument) under the
# launcher, and wait for the port it prints.  Sets http_port, and http_pid
# (the python process itself).
serve_http() {
  local name=$1 dir=$2 pre=()
  [ -n "${3-}" ] && pre=("$UNBLOCK" --)
  start_bg "$name" 120 "${pre[@]}" "$PY" -u -m http.server 0 \
    --bind 127.0.0.1 --directory "$dir"
  http_pid=$(bg_child "$bg_pid")
  http_port=$(wait_for_match "$BATS_TEST_TMPDIR/$name.out" \
    '^Serving HTTP on 127\.0\.0\.1 port ([0-9]+) ')
}

# pick_port: a free TCP port of 127.0.0.1, found by binding port 0 and
# closing, for programs (tinyproxy, microsocks) that cannot listen on port
# 0 and report it.  Another process could take it in between; on loopback
# in a test run that does not happen in practice.
pick_port() {
  "$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# wait_listening PORT [SECONDS]: wait until something accepts TCP
# connections on 127.0.0.1:PORT.
wait_listening() {
  local port=$1 secs=${2:-10} i
  for i in $(seq $((secs * 20))); do
    "$PY" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
      "$port" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "wait_listening: nothing accepts on 127.0.0.1:$port after $secs s" >&2
  return 1
}

# runtime_threads: how many OS threads unblock itself may run, at most:
# its carriers, its offload helpers, its monitor and its control thread.
# Tests that count a program's threads set UNBLOCK_OFFLOAD_THREADS low to
# keep this small.
runtime_threads() {
  echo $((${UNBLOCK_WORKERS:-$(nproc)} + ${UNBLOCK_OFFLOAD_THREADS:-64} + 2))
}

# thread_count PID: the Threads: line of /proc/PID/status, as a number.
thread_count() {
  awk '$1 == "Threads:" { print $2 }' "/proc/$1/status"
}

# both CMD ARGS...: run CMD natively, then under the launcher, each bounded
# by `timeout ${BOTH_TIMEOUT:-30}` with stdin from ${BOTH_STDIN:-/dev/null},
# and fail unless the two runs have the same exit status and byte-identical
# stdout.  Afterwards $status, $output and $lines describe the run under
# unblock, $native_status the native one, and $both_out / $native_out are
# the files holding each stdout (for cmp against expected bytes).
both() {
  local t=${BOTH_TIMEOUT:-30} in=${BOTH_STDIN:-/dev/null}
  native_out=$BATS_TEST_TMPDIR/both.native.out
  both_out=$BATS_TEST_TMPDIR/both.unblock.out
  local nerr=$BATS_TEST_TMPDIR/both.native.err
  local uerr=$BATS_TEST_TMPDIR/both.unblock.err
  native_status=0
  status=0
  # Each run leads a process group of its own, killed once it has ended,
  # so nothing it forked outlives it.
  local pid
  setsid timeout -k 5 "$t" "$@" <"$in" >"$native_out" 2>"$nerr" 3>&- &
  pid=$!
  wait "$pid" || native_status=$?
  kill -KILL -- "-$pid" 2>/dev/null || true
  setsid timeout -k 5 "$t" "$UNBLOCK" -- "$@" \
    <"$in" >"$both_out" 2>"$uerr" 3>&- &
  pid=$!
  wait "$pid" || status=$?
  kill -KILL -- "-$pid" 2>/dev/null || true
  output=$(cat "$both_out")
  mapfile -t lines <"$both_out"
  if [ "$status" -ne "$native_status" ] ||
    ! cmp -s "$native_out" "$both_out"; then
    echo "both: \`$*\` differs natively and under unblock"
    echo "exit status: native $native_status, unblock $status"
    echo "stdout diff (native vs unblock):"
    diff <(cat -v "$native_out") <(cat -v "$both_out") | head -n 40 || true
    echo "native stderr:"
    head -n 20 "$nerr"
    echo "unblock stderr:"
    head -n 20 "$uerr"
    return 1
  fi
}

# serve_echo NAME [unblock]: start a TCP echo server (Debian's python, a
# thread per connection, echoing until the client's end of stream and then
# closing) on port 0 of 127.0.0.1, natively or under the launcher.  Sets
# echo_port.
serve_echo() {
  local name=$1 pre=()
  [ -n "${2-}" ] && pre=("$UNBLOCK" --)
  start_bg "$name" 120 "${pre[@]}" "$PY" -u -c 'import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(128)
print("echo server on port", s.getsockname()[1])
def serve(c):
    with c:
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()'
  echo_port=$(wait_for_match "$BATS_TEST_TMPDIR/$name.out" \
    '^echo server on port ([0-9]+)$')
}
