#!/usr/bin/env bats
# Calls the loop cannot wait for, and what keeps them from holding up the
# other green threads of their carrier:
#
#  * the monitor: a carrier stuck longer than UNBLOCK_STALL_MS (default
#    20 ms) in a call no hook sees (a raw syscall(SYS_read, ...)) or in
#    computation has its other green threads handed to another OS thread;
#    UNBLOCK_VERBOSE=1 reports each stall once per call site on stderr;
#  * the offload pool (UNBLOCK_OFFLOAD_THREADS): name lookups, file locks,
#    the open of a FIFO and regular-file I/O run on helper threads while
#    the green thread parks.
#
# The programs are tests/e2e/stall_peer.c, resolve_many.c and lock_wait.c.
# Each has a peer or ticker thread sleeping in short steps and prints yes
# or no for whether it kept running, with tolerances wide enough for a
# loaded machine (a peer's 10 ms sleeps must show no gap of 100 ms while
# another thread is stuck for 500 ms); the raw figures go to stderr.

load helpers

: "${BATS_TEST_TIMEOUT:=120}"
# The programs' own watchdog (tests/e2e/e2e.h): a hang ends in SIGKILL.
export E2E_WATCHDOG=15
export BOTH_TIMEOUT=30

setup() {
  local p
  for p in stall_peer resolve_many lock_wait; do
    [ -x "$E2E/$p" ] || { echo "no $E2E/$p: run make e2e"; return 1; }
  done
}

teardown() {
  stop_bg
}

# stall_expected read N | spin: what stall_peer prints when its peer kept
# waking every 10 ms or so while the staller was stuck.
stall_expected() {
  if [ "$1" = spin ]; then
    echo "spinner computed for 500 ms: yes"
  else
    local n=$2
    echo "raw reads: $n of $n got their byte ('$(printf abcde | head -c "$n")')"
    echo "raw reads blocked at least 300 ms in all: yes"
  fi
  echo "peer's longest gap under 100 ms: yes"
  [ "$1" = spin ] || echo "writer child exit status: 0"
}

# stall_check [LAUNCHER_OPTION...] -- read N | spin: run stall_peer
# natively (no launcher options: just `--`) or under the launcher with
# the options given, and check its output, showing the figures on stderr
# (the longest gap) when it differs.
stall_check() {
  local pre=()
  while [ "$1" != -- ]; do
    pre+=("$1")
    shift
  done
  shift
  if [ "${#pre[@]}" -gt 0 ]; then
    pre=("$UNBLOCK" "${pre[@]}" --)
  fi
  run --separate-stderr timeout 30 "${pre[@]}" "$E2E/stall_peer" "$@"
  assert_status 0
  assert_stdout "$(stall_expected "$@")" || {
    echo "stderr: $stderr"
    return 1
  }
}

# stall_reports: how many lines of the last stderr report a stall (a line
# starting "unblock: " with a word starting "stall", in any case).
stall_reports() {
  grep -ciE '^unblock: .*\bstall' <<<"${stderr-}" || true
}

# ---- the monitor: a stuck carrier hands its other green threads away -------

@test "a raw read blocking 500 ms leaves its peer thread running (natively)" {
  stall_check -- read 1
}

@test "a raw read blocking 500 ms leaves its peer thread running (one carrier)" {
  stall_check --workers 1 -- read 1
}

@test "a raw read blocking 500 ms leaves its peer thread running (two carriers)" {
  stall_check --workers 2 -- read 1
}

@test "with UNBLOCK_STALL_MS=0 (no monitor) the same raw read holds its peer up" {
  # The control: the handoff, not luck, is what keeps the peer running.
  run --separate-stderr timeout 30 "$UNBLOCK" --workers 1 --stall-ms 0 -- \
    "$E2E/stall_peer" read 1
  assert_status 0
  assert_line_matches "^peer's longest gap under 100 ms: no$"
}

@test "with a 200 ms UNBLOCK_STALL_MS the peer waits longer, but less than the read" {
  run --separate-stderr timeout 30 "$UNBLOCK" --workers 1 --stall-ms 200 -- \
    "$E2E/stall_peer" read 1
  assert_status 0
  assert_line_matches "^peer's longest gap under 100 ms: no$"
  local gap
  gap=$(sed -n 's/^stall_peer: max gap \([0-9]*\) ms.*/\1/p' <<<"$stderr")
  echo "peer's longest gap: $gap ms (stall time 200 ms, read 500 ms)"
  [ -n "$gap" ] && [ "$gap" -ge 150 ] && [ "$gap" -lt 450 ]
}

@test "three raw reads in a row, ~170 ms each, leave the peer running (one carrier)" {
  stall_check --workers 1 -- read 3
}

@test "a thread computing for 500 ms leaves its peer thread running (natively)" {
  stall_check -- spin
}

@test "a thread computing for 500 ms leaves its peer thread running (two carriers)" {
  stall_check --workers 2 -- spin
}

@test "a thread computing for 500 ms on one carrier: the program completes" {
  # The peer's longest gap is not held to 100 ms here (it is printed on
  # stderr): only that the run completes and the spinner spun.
  run --separate-stderr timeout 30 "$UNBLOCK" --workers 1 -- \
    "$E2E/stall_peer" spin
  assert_status 0
  [ "${lines[0]}" = "spinner computed for 500 ms: yes" ] ||
    { echo "stdout: $output"; echo "stderr: $stderr"; return 1; }
  [ "${#lines[@]}" -eq 2 ] || { echo "stdout: $output"; return 1; }
}

@test "UNBLOCK_VERBOSE=1 reports a stall in a raw read on stderr" {
  run --separate-stderr env UNBLOCK_VERBOSE=1 timeout 30 \
    "$UNBLOCK" --workers 1 -- "$E2E/stall_peer" read 1
  assert_status 0
  local n
  n=$(stall_reports)
  [ "$n" -ge 1 ] || {
    echo "no stderr line matches ^unblock: .*stall; stderr was:"
    printf '%s\n' "$stderr"
    return 1
  }
}

@test "UNBLOCK_VERBOSE=1 reports three stalls at one call site once, not three times" {
  run --separate-stderr env UNBLOCK_VERBOSE=1 timeout 30 \
    "$UNBLOCK" --workers 1 -- "$E2E/stall_peer" read 3
  assert_status 0
  local n
  n=$(stall_reports)
  [ "$n" -ge 1 ] && [ "$n" -lt 3 ] || {
    echo "expected 1 stall report for 3 stalls at one call site, got $n:"
    printf '%s\n' "$stderr"
    return 1
  }
}

@test "without UNBLOCK_VERBOSE a stall prints nothing" {
  run --separate-stderr timeout 30 "$UNBLOCK" --workers 1 -- \
    "$E2E/stall_peer" read 1
  assert_status 0
  # stall_peer's own figures are its one line on stderr.
  [ "${#stderr_lines[@]}" -eq 1 ] &&
    [[ ${stderr_lines[0]} == "stall_peer: max gap "* ]] || {
    echo "stderr: $stderr"
    return 1
  }
}

# ---- the offload pool: name lookups ----------------------------------------

RESOLVE_OUT="100 of 100 resolved to 127.0.0.1:80
100 of 100 named 127.0.0.1 by getnameinfo
lookups took under 5 s: yes
ticker's longest gap under 500 ms: yes
gethostbyname(\"localhost\"): 127.0.0.1"

@test "100 threads resolve localhost at once, getaddrinfo and getnameinfo (one carrier)" {
  export UNBLOCK_WORKERS=1
  both "$E2E/resolve_many"
  assert_status 0
  assert_stdout "$RESOLVE_OUT"
}

@test "100 threads resolve localhost at once, getaddrinfo and getnameinfo (two carriers)" {
  export UNBLOCK_WORKERS=2
  both "$E2E/resolve_many"
  assert_status 0
  assert_stdout "$RESOLVE_OUT"
}

@test "100 lookups at once through a pool of 2 helpers (UNBLOCK_OFFLOAD_THREADS=2)" {
  export UNBLOCK_OFFLOAD_THREADS=2
  both "$E2E/resolve_many"
  assert_status 0
  assert_stdout "$RESOLVE_OUT"
}

# ---- the offload pool: locks, FIFOs, regular files --------------------------

# lock_check MODE EXPECTED: run lock_wait MODE natively and under the
# launcher with 1 carrier, then with 2, whatever UB_TEST_WORKERS says.
# With 2 carriers the ticker usually lands on the carrier the waiting
# thread does not block, so the wait would not show on it; with 1 it
# shares the carrier, and only the offload keeps it ticking.
lock_check() {
  local n
  for n in 1 2; do
    UNBLOCK_WORKERS=$n both "$E2E/lock_wait" "$1" "$BATS_TEST_TMPDIR" ||
      { echo "(with UNBLOCK_WORKERS=$n)"; return 1; }
    assert_status 0
    assert_stdout "$2" || { echo "(with UNBLOCK_WORKERS=$n)"; return 1; }
  done
}

@test "flock(LOCK_EX) waiting for another thread's lock lets a ticker thread run (1 and 2 carriers)" {
  lock_check flock "flock(LOCK_EX) waited for the holder (at least 200 ms): yes
ticker ticked during the lock wait: yes
holder: flock(LOCK_EX) = 0, flock(LOCK_UN) = 0
waiter: flock(LOCK_EX) = 0"
}

@test "fcntl(F_SETLKW) waiting for a child process's lock lets a ticker thread run (1 and 2 carriers)" {
  lock_check fcntl "fcntl(F_SETLKW) waited for the holder (at least 200 ms): yes
ticker ticked during the lock wait: yes
fcntl(F_SETLKW) = 0
F_GETLK after: F_UNLCK
holder child exit status: 0"
}

@test "open of a FIFO waiting for its writer lets a ticker thread run (1 and 2 carriers)" {
  lock_check fifo "open(O_RDONLY) of the FIFO waited for the writer (at least 200 ms): yes
ticker ticked during the open: yes
open: an fd
read: 5 'hello', then 0
writer child exit status: 0"
}

@test "four threads appending to one regular file, fsync, read back: every record intact" {
  both "$E2E/lock_wait" file "$BATS_TEST_TMPDIR"
  assert_status 0
  assert_stdout "short writes: 0
fsync: 0
size: 65536, offset at the end: yes
read back: 65536 bytes, 1024 of 1024 records intact
each writer's records in its order: yes"
}
