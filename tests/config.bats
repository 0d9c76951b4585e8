#!/usr/bin/env bats
# libunblock.so preloads into real programs without changing them, and
# validates the UNBLOCK_* settings: a bad value or an unknown name stops
# the program with exit status 2 and one line naming the variable and what
# it accepts.  (`true` is a bash builtin, so programs are run through env.)

load helpers

# preload VAR=VALUE... PROGRAM ARGS...: run PROGRAM with the library.
preload() {
  run --separate-stderr timeout 30 env LD_PRELOAD="$LIB" "$@"
}

SIZES='a size from 16K to 1G, in bytes or with a K, M or G suffix'

# The carriers a run gets: UNBLOCK_WORKERS if make check set it, else
# one per CPU the process may use.
W=${UNBLOCK_WORKERS:-$(nproc)}
if [ "$W" = 1 ]; then CARRIERS="1 carrier"; else CARRIERS="$W carriers"; fi

# assert_rejected VAR VALUE ACCEPTED: preloading with VAR=VALUE exits 2
# before the program runs, with the one expected line.
assert_rejected() {
  preload "$1=$2" /bin/echo hi
  assert_status 2
  assert_stderr "unblock: $1='$2' is not valid; expected $3"
  assert_empty stdout "$output"
}

# assert_first_stderr LINE: the first line of stderr was exactly LINE.
assert_first_stderr() {
  if [ "${stderr_lines[0]-}" != "$1" ]; then
    echo "expected the first line of stderr to be:"
    echo "  $1"
    echo "got:"
    printf '  %s\n' "${stderr_lines[@]}"
    return 1
  fi
}

# assert_accepted LINE VAR=VALUE...: the program runs with these settings,
# and UNBLOCK_VERBOSE=1 reports them as LINE, first.
assert_accepted() {
  local want=$1
  shift
  preload UNBLOCK_VERBOSE=1 "$@" /bin/echo hi
  assert_status 0
  assert_stdout hi
  assert_first_stderr "$want"
}

# assert_line_matches_stderr REGEX: some line of the last stderr matches.
assert_line_matches_stderr() {
  grep -qE -- "$1" <<<"${stderr-}" || {
    echo "no line of stderr matches: $1"
    printf '%s\n' "${stderr-}"
    return 1
  }
}

@test "the library is built" {
  [ -f "$LIB" ] || { echo "no $LIB: run make first"; return 1; }
}

@test "/bin/true runs preloaded, silently" {
  preload /bin/true
  assert_status 0
  assert_empty stdout "$output"
  assert_empty stderr "$stderr"
}

@test "/bin/echo hi prints hi preloaded" {
  preload /bin/echo hi
  assert_status 0
  assert_stdout hi
  assert_empty stderr "$stderr"
}

@test "sh -c 'exit 3' keeps its exit status preloaded" {
  preload sh -c 'exit 3'
  assert_status 3
  assert_empty stdout "$output"
  assert_empty stderr "$stderr"
}

@test "UNBLOCK_VERBOSE=1 reports the backend and the stack size" {
  preload UNBLOCK_VERBOSE=1 /bin/true
  assert_status 0
  assert_empty stdout "$output"
  assert_first_stderr "unblock: backend epoll, $CARRIERS, stack 1024 KiB"
  assert_line_matches_stderr '^unblock: vm.max_map_count is [0-9]+: at most about [0-9]+ green threads'
}

@test "UNBLOCK_VERBOSE=1 reports settings that were changed" {
  assert_accepted "unblock: backend poll, $CARRIERS, stack 256 KiB" \
    UNBLOCK_BACKEND=poll UNBLOCK_STACK_SIZE=256K
}

@test "UNBLOCK_VERBOSE=0 is accepted and silent" {
  preload UNBLOCK_VERBOSE=0 /bin/echo hi
  assert_status 0
  assert_stdout hi
  assert_empty stderr "$stderr"
}

@test "UNBLOCK_STACK_SIZE=8M is accepted" {
  assert_accepted "unblock: backend epoll, $CARRIERS, stack 8192 KiB" \
    UNBLOCK_STACK_SIZE=8M
}

@test "UNBLOCK_STACK_SIZE=262144 (plain bytes) is accepted" {
  assert_accepted "unblock: backend epoll, $CARRIERS, stack 256 KiB" \
    UNBLOCK_STACK_SIZE=262144
}

@test "UNBLOCK_STACK_SIZE accepts both ends of its range, 16K and 1G" {
  assert_accepted "unblock: backend epoll, $CARRIERS, stack 16 KiB" UNBLOCK_STACK_SIZE=16K
  assert_accepted "unblock: backend epoll, $CARRIERS, stack 1048576 KiB" \
    UNBLOCK_STACK_SIZE=1G
}

@test "UNBLOCK_BACKEND=kqueue is rejected" {
  assert_rejected UNBLOCK_BACKEND kqueue 'epoll or poll'
}

@test "UNBLOCK_STACK_SIZE=1Q (bad suffix) is rejected" {
  assert_rejected UNBLOCK_STACK_SIZE 1Q "$SIZES"
}

@test "UNBLOCK_STACK_SIZE=4K (too small) is rejected" {
  assert_rejected UNBLOCK_STACK_SIZE 4K "$SIZES"
}

@test "UNBLOCK_STACK_SIZE=2G (too big) is rejected" {
  assert_rejected UNBLOCK_STACK_SIZE 2G "$SIZES"
}

@test "UNBLOCK_VERBOSE=yes is rejected" {
  assert_rejected UNBLOCK_VERBOSE yes '0 or 1'
}

@test "an unknown UNBLOCK_FOO is rejected, listing the known names" {
  preload UNBLOCK_FOO=1 /bin/echo hi
  assert_status 2
  assert_stderr "unblock: UNBLOCK_FOO is not an unblock setting; known: UNBLOCK_BACKEND UNBLOCK_CONTROL UNBLOCK_DUMP_SIGNAL UNBLOCK_MODE UNBLOCK_OFFLOAD_THREADS UNBLOCK_PROFILE UNBLOCK_PROFILE_SIGNAL UNBLOCK_STACK_SIZE UNBLOCK_STALL_MS UNBLOCK_VERBOSE UNBLOCK_WORKERS"
  assert_empty stdout "$output"
}

@test "UNBLOCK_WORKERS takes 1 to 64 carriers, and defaults to the CPUs the process may use" {
  assert_accepted "unblock: backend epoll, 1 carrier, stack 1024 KiB" \
    UNBLOCK_WORKERS=1
  assert_accepted "unblock: backend epoll, 2 carriers, stack 1024 KiB" \
    UNBLOCK_WORKERS=2
  assert_accepted "unblock: backend epoll, 64 carriers, stack 1024 KiB" \
    UNBLOCK_WORKERS=64
  local many="a number of carriers from 1 to 64"
  assert_rejected UNBLOCK_WORKERS 0 "$many"
  assert_rejected UNBLOCK_WORKERS 65 "$many"
  assert_rejected UNBLOCK_WORKERS 2x "$many"
  assert_rejected UNBLOCK_WORKERS -1 "$many"
  assert_rejected UNBLOCK_WORKERS "" "$many"
  # The default: one per CPU of the affinity mask (taskset narrows it).
  run --separate-stderr timeout 30 taskset -c 0 env -u UNBLOCK_WORKERS \
    LD_PRELOAD="$LIB" UNBLOCK_VERBOSE=1 /bin/true
  assert_status 0
  assert_first_stderr "unblock: backend epoll, 1 carrier, stack 1024 KiB"
  run --separate-stderr timeout 30 env -u UNBLOCK_WORKERS LD_PRELOAD="$LIB" \
    UNBLOCK_VERBOSE=1 /bin/true
  local n
  n=$(nproc)
  if [ "$n" = 1 ]; then n="1 carrier"; else n="$n carriers"; fi
  assert_first_stderr "unblock: backend epoll, $n, stack 1024 KiB"
}

@test "UNBLOCK_STALL_MS and UNBLOCK_OFFLOAD_THREADS are checked" {
  preload UNBLOCK_STALL_MS=0 UNBLOCK_OFFLOAD_THREADS=1 /bin/echo hi
  assert_status 0
  assert_stdout hi
  preload UNBLOCK_STALL_MS=60000 UNBLOCK_OFFLOAD_THREADS=1024 /bin/echo hi
  assert_status 0
  local stall="milliseconds from 1 to 60000, or 0 for no handoff"
  assert_rejected UNBLOCK_STALL_MS 60001 "$stall"
  assert_rejected UNBLOCK_STALL_MS 5ms "$stall"
  local pool="a number of helper threads from 1 to 1024"
  assert_rejected UNBLOCK_OFFLOAD_THREADS 0 "$pool"
  assert_rejected UNBLOCK_OFFLOAD_THREADS 1025 "$pool"
}

@test "UNBLOCK_VERBOSE=1 names a program's TLS segment, which green threads share" {
  [ -x "$B/tests/e2e/tls_user" ] || { echo "run make e2e"; return 1; }
  preload UNBLOCK_VERBOSE=1 "$B/tests/e2e/tls_user"
  assert_status 0
  assert_stdout "counter 1"
  assert_line_matches_stderr '^unblock: the program has 4 bytes of __thread data, shared by the green threads of a carrier \(docs/limits.md\)$'
  preload UNBLOCK_VERBOSE=1 /bin/echo hi
  if grep -q "__thread" <<<"$stderr"; then
    echo "a program without TLS was reported as having some"
    return 1
  fi
}
