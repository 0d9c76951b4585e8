#!/usr/bin/env bats
# dump.bats - the green-thread dump (UNBLOCK_DUMP_SIGNAL, unblock ps), the
# control socket it comes through, and unblock profile PID.
#
# tests/e2e/dump_states.c parks one thread in each kind of wait, each
# named for it and each on a line of the source marked with a comment
# (SLEEP, READ...), so the dump must show every state, and each thread's
# first frame must name the marked line.

load helpers

STATES=$B/tests/e2e/dump_states
SRC=$BATS_TEST_DIRNAME/e2e/dump_states.c

setup() {
  cd "$BATS_TEST_TMPDIR"
  export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
}

teardown() {
  stop_bg 2>/dev/null || true
}

# line MARK: the line of dump_states.c that the comment MARK ends.
line() {
  grep -n "/\* $1 \*/" "$SRC" | cut -d: -f1
}

# start_states NAME [FLAGS...] [-- ARGS]: dump_states under the launcher,
# once it has said "ready"; sets pid.
start_states() {
  local name=$1 flags=() args=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
  [ $# -gt 0 ] && shift && args=("$@")
  start_bg "$name" 40 "$UNBLOCK" "${flags[@]}" "$STATES" "${args[@]}"
  pid=$(bg_child "$bg_pid")
  wait_for_match "$name.out" '^(ready)$' 20 >/dev/null
}

# thread DUMP NAME STATE-REGEX MARK: DUMP lists thread NAME in that state,
# and its first frame is its function at the line MARK.
thread() {
  local dump=$1 name=$2 state=$3 mark=$4
  grep -A1 -E "^thread [0-9]+ \"$name\": $state; carrier [0-9]+; age [0-9.]+ [mun]?s$" "$dump" >"$name.entry" || {
    echo "no $name thread in state /$state/ in:" >&2
    cat "$dump" >&2
    return 1
  }
  [ -z "$mark" ] && return 0
  grep -qE "^    #0 $name \(.*dump_states\.c:$(line "$mark")\)$" "$name.entry" || {
    echo "thread $name: first frame is not dump_states.c:$(line "$mark"):" >&2
    cat "$name.entry" >&2
    return 1
  }
}

@test "unblock ps lists every state, with what each thread waits for and where" {
  start_states s
  # The blocker's carrier is handed on once the stall monitor sees it
  # stuck in the kernel (20 ms); until then that carrier cannot answer.
  # Ask again.
  local i
  for i in $(seq 20); do
    "$UNBLOCK" ps "$pid" >dump
    grep -q '"blocker": running' dump &&
      grep -q '^thread 1: waiting: sleep' dump && break
    sleep 0.2
  done
  head -n 1 dump | grep -qE "^unblock: green threads of process $pid \(.*/dump_states\), [0-9]+ carriers?$"
  local carriers
  carriers=$(head -n 1 dump | sed -E 's/.* ([0-9]+) carriers?$/\1/')
  [ "$(grep -cE '^carrier [0-9]+ \(tid [0-9]+\): [0-9]+ green threads?$' dump)" -eq "$carriers" ]
  thread dump sleeper 'waiting: sleep, [0-9.]+ s left, in sleep\(\)' SLEEP
  thread dump reader 'waiting: read on fd [0-9]+ \(readable, pipe\), in read\(\)' READ
  thread dump locker 'waiting: lock, in pthread_mutex_lock\(\)' LOCK
  thread dump waiter 'waiting: cond, in pthread_cond_wait\(\)' COND
  thread dump joiner 'waiting: join, in pthread_join\(\)' JOIN
  thread dump client 'waiting: read on fd [0-9]+ \(readable, TCP -> 127\.0\.0\.1:[0-9]+\), in recv\(\)' RECV
  thread dump yielder 'runnable, in sched_yield\(\)' ""
  thread dump blocker 'running the program.s code, on an OS thread of its own \(its carrier was handed on\)' ""
  # The main thread sleeps in main(), and the sleep's deadline is ahead.
  grep -A1 -E '^thread 1: waiting: sleep, (2[0-9]|30)\.[0-9]+ s left, in sleep\(\)' dump >main.entry || true
  grep -qE "^    #0 main \(.*dump_states\.c:$(line MAIN)\)$" main.entry || {
    cat dump >&2
    return 1
  }
  [ "$(grep -c '^thread ' dump)" -eq 9 ]
  # --raw: the process's own names for the frames, with their pcs.
  run "$UNBLOCK" ps --raw "$pid"
  assert_status 0
  [[ "$output" =~ \#0\ 0x[0-9a-f]+\ \(.*/dump_states\+0x[0-9a-f]+\) ]]
  # Each line once, as many as the named dump has.
  [ "$(grep -c '^unblock: green threads' <<<"$output")" -eq 1 ]
  [ "$(grep -c '^thread ' <<<"$output")" -eq 9 ]
}

@test "a carrier busy in the program's code for 1 s is named, not waited on forever" {
  start_states s --workers 1 -- spin
  sleep 0.3 # the spinner has the only carrier now
  run timeout 20 "$UNBLOCK" ps "$pid"
  assert_status 0
  assert_line_matches "^carrier 0 \(tid [0-9]+\): did not answer within 1 s: a green thread is running the program's code"
}

@test "UNBLOCK_DUMP_SIGNAL writes the dump on stderr, and the program runs on" {
  start_states s --dump-signal USR2
  kill -USR2 "$pid"
  wait_for_match s.err '^(thread [0-9]+ "locker": waiting: lock)' 10 >/dev/null
  grep -qE '^unblock: green threads of process [0-9]+ ' s.err
  grep -qE '^thread [0-9]+ "sleeper": waiting: sleep' s.err
  # A second dump, and the process is still there.
  kill -USR2 "$pid"
  for i in $(seq 50); do
    [ "$(grep -c '^unblock: green threads' s.err)" -ge 2 ] && break
    sleep 0.1
  done
  [ "$(grep -c '^unblock: green threads' s.err)" -eq 2 ]
  kill -0 "$pid"
  [ "$(cat s.out)" = ready ]
}

# A program with a second thread (the control socket starts with it).
THREADED='import os, sys, threading
t = threading.Thread(target=print, args=("hello",))
t.start(); t.join()
if len(sys.argv) > 1: os._exit(0)'

@test "the control socket: a private directory, mode 0600, removed at exit" {
  start_states s
  local sock=$XDG_RUNTIME_DIR/unblock/$pid.sock
  [ -S "$sock" ]
  [ "$(stat -c %a "$XDG_RUNTIME_DIR/unblock")" = 700 ]
  [ "$(stat -c %a "$sock")" = 600 ]
  kill -TERM "$pid"
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  ! kill -0 "$pid" 2>/dev/null
  # SIGTERM at its default kills without exit handlers: the file stays.
  [ -S "$sock" ]
  # So does _exit().  The next process to start its socket removes
  # those of processes that are gone, and a normal exit removes its own.
  run timeout 20 "$UNBLOCK" "$PY" -c "$THREADED" now
  assert_status 0
  [ "$(ls "$XDG_RUNTIME_DIR/unblock" | wc -l)" -eq 1 ]
  run timeout 20 "$UNBLOCK" "$PY" -c "$THREADED"
  assert_status 0
  assert_stdout hello
  [ -z "$(ls "$XDG_RUNTIME_DIR/unblock")" ]
}

@test "a socket directory that is not private is refused quietly, and the program runs on" {
  rm -rf "$XDG_RUNTIME_DIR/unblock"
  mkdir -m 0755 "$XDG_RUNTIME_DIR/unblock"
  run --separate-stderr timeout 20 "$UNBLOCK" "$PY" -c "$THREADED"
  assert_status 0
  assert_stdout hello
  assert_empty stderr "$stderr"
  run --separate-stderr timeout 20 "$UNBLOCK" --verbose "$PY" -c "$THREADED"
  assert_status 0
  assert_stdout hello
  [[ "$stderr" == *"unblock: $XDG_RUNTIME_DIR/unblock has mode 755, not 700: no control socket, so unblock ps cannot reach this process"* ]]
  [ -z "$(ls "$XDG_RUNTIME_DIR/unblock")" ]
}

@test "a forked child answers for itself; a single-threaded process says why it cannot" {
  start_bg f 40 "$UNBLOCK" "$PY" -c '
import os, sys, threading, time
pid = os.fork()
if pid == 0:
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
    print("child", os.getpid(), flush=True)
    time.sleep(30)
    os._exit(0)
time.sleep(30)
'
  local child
  child=$(wait_for_match "$BATS_TEST_TMPDIR/f.out" '^child ([0-9]+)$' 20)
  for i in $(seq 50); do
    [ -S "$XDG_RUNTIME_DIR/unblock/$child.sock" ] && break
    sleep 0.1
  done
  run "$UNBLOCK" ps "$child"
  assert_status 0
  assert_line_matches "^unblock: green threads of process $child "
  assert_line_matches '^thread 1: waiting: (sleep|poll)'
  assert_line_matches '^thread [0-9]+: waiting: (sleep|poll)'
  # The parent never made a thread: no control thread, and ps says so.
  local parent
  parent=$(bg_child "$bg_pid")
  run "$UNBLOCK" ps "$parent"
  assert_status 1
  [[ "$output" == *"unblock ps: process $parent has no control socket: unblock starts it with the program's second thread (or at once with UNBLOCK_DUMP_SIGNAL)"* ]]
}

@test "unblock profile PID writes the profile of a running process" {
  start_states s --profile 'p.%p.prof'
  run "$UNBLOCK" profile "$pid"
  assert_status 0
  assert_stdout "process $pid wrote its profile to $PWD/p.$pid.prof"
  head -n 1 "p.$pid.prof" | grep -qx $'unblock-profile\t1'
  tail -n 1 "p.$pid.prof" | grep -q '^end'
  kill -0 "$pid"
}

@test "unblock profile falls back on UNBLOCK_PROFILE_SIGNAL in observe mode" {
  start_states s --observe --profile "$PWD/o.prof" --profile-signal USR1
  run "$UNBLOCK" profile "$pid"
  assert_status 0
  assert_stdout "sent signal 10 (UNBLOCK_PROFILE_SIGNAL) to process $pid: its profile goes to $PWD/o.prof"
  for i in $(seq 50); do
    [ -s o.prof ] && break
    sleep 0.1
  done
  head -n 1 o.prof | grep -qx $'unblock-profile\t1'
}

@test "unblock ps and unblock profile say why they cannot ask" {
  run "$UNBLOCK" ps
  assert_status 2
  run "$UNBLOCK" ps abc
  assert_status 2
  [[ "$output" == *"unblock ps: 'abc' is not a process id"* ]]
  run "$UNBLOCK" ps 0
  assert_status 2
  run "$UNBLOCK" ps --bogus 1
  assert_status 2
  [[ "$output" == *"unblock ps: unexpected '--bogus'"* ]]
  start_bg n 40 sleep 30
  local native
  native=$(bg_child "$bg_pid")
  run "$UNBLOCK" ps "$native"
  assert_status 1
  [[ "$output" == *"unblock ps: process $native is not running under unblock"* ]]
  start_states s --no-control
  run "$UNBLOCK" ps "$pid"
  assert_status 1
  [[ "$output" == *"unblock ps: process $pid runs with UNBLOCK_CONTROL=0"* ]]
  run "$UNBLOCK" profile "$pid"
  assert_status 1
  [[ "$output" == *"has no control socket (UNBLOCK_CONTROL=0) and no UNBLOCK_PROFILE_SIGNAL"* ]]
  start_states t
  run "$UNBLOCK" profile "$pid"
  assert_status 1
  [[ "$output" == *"unblock: process $pid records no profile: start it with UNBLOCK_PROFILE=FILE"* ]]
  # A pid that no longer exists.
  local gone
  gone=$(sh -c 'echo $$')
  run "$UNBLOCK" ps "$gone"
  assert_status 1
  [[ "$output" == *"unblock ps: no process $gone"* ]]
}

@test "bad dump and control settings give a clear error" {
  run env LD_PRELOAD="$LIB" UNBLOCK_DUMP_SIGNAL=KILL /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_DUMP_SIGNAL='KILL' is not valid; expected a signal name such as USR2"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_DUMP_SIGNAL=NOPE /bin/true
  assert_status 2
  run "$UNBLOCK" --dump-signal 9 /bin/true
  assert_status 2
  [[ "$output" == *"--dump-signal"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_CONTROL=yes /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_CONTROL='yes' is not valid; expected 1"*" or 0"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_DUMP_SIGNAL=USR2 UNBLOCK_PROFILE=p \
    UNBLOCK_PROFILE_SIGNAL=SIGUSR2 /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_DUMP_SIGNAL and UNBLOCK_PROFILE_SIGNAL are both 12"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_DUMP_SIGNAL=USR2 UNBLOCK_MODE=observe \
    UNBLOCK_PROFILE=p /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_MODE=observe runs none"* ]]
}
