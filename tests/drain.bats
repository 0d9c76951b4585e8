#!/usr/bin/env bats
# The drained hint (loop/loop.h: ub_loop_drained): after a short read on a
# TCP socket, the next read parks without trying until a new readable edge.
# Each test runs one case of tests/e2e/tcp_drain.c, a way for data, end of
# stream or an error to be readable after a short read, natively and under
# unblock with `both` (same stdout, same exit status), and checks the
# output.  The reader's 2 s SO_RCVTIMEO turns a hang into "-1 EAGAIN".
# The carrier count is UB_TEST_WORKERS (helpers.bash); a few cases also run
# on the poll backend, where the hint is off.

load helpers

: "${BATS_TEST_TIMEOUT:=60}"
export BOTH_TIMEOUT=15
# The program's own watchdog (tests/e2e/e2e.h): a hang ends in SIGKILL.
export E2E_WATCHDOG=15

setup() {
  [ -x "$E2E/tcp_drain" ] || { echo "no $E2E/tcp_drain: run make e2e"; return 1; }
}

teardown() {
  stop_bg
}

# check CASE EXPECTED: the case prints EXPECTED, natively and under unblock.
check() {
  both "$E2E/tcp_drain" "$1"
  assert_status 0
  assert_stdout "$2"
}

FIN='fresh fd: 5 "hello"
fresh fd: 0
away: 1 "x"
away: 5 "hello"
away: 0
parked: 1 "x"
parked: 5 "hello"
parked: 0'

URGENT='SO_OOBINLINE 0
read: 1 "x"
read: 2 "ab"
at the mark: yes
recv MSG_OOB: 1 "c"
read: 2 "de"
read: 1 "x"
read: 2 "ab"
read: 2 "cd"
at the mark: yes
recv MSG_OOB: 1 "e"
read: 2 "fg"
read: 0
SO_OOBINLINE 1
read: 1 "x"
read: 2 "ab"
at the mark: yes
read: 3 "cde"
read: 1 "x"
read: 2 "ab"
read: 2 "cd"
at the mark: yes
read: 1 "e"
read: 2 "fg"
read: 0'

OOB_TAKEN='read: 1 "x"
recv MSG_OOB: 1 "c"
read: 2 "ab"
read: 2 "de"
peer exit status: 0'

TWO_READERS='two readers: 9776 bytes of 9776, byte sum matches: yes, every read contiguous: yes, both saw end of stream: yes'

REUSE='read: 1 "x"
accept: same number: yes
read: 5 "fresh"
read: 4 "more"
read: 1 "x"
dup2: same number: yes
read: 5 "fresh"
read: 4 "more"
read: 1 "x"
close_range: same number: yes
read: 5 "fresh"
read: 4 "more"'

THREADS='100 messages read by turns, whole: 100'

EFAULT='read: 1 "x"
readv with a read-only tail: short: yes
then read: ok, 4000 bytes in all: yes'

# The efault case needs the kernel to queue 40 small segments as several
# skbs (MAX_SKB_FRAGS); say so rather than fail where it does not.
need_skb_boundary() {
  timeout 10 "$E2E/tcp_drain" efault | grep -q 'short: yes' ||
    skip "this kernel queued the segments as one skb: no short readv"
}

@test "data then FIN: the short read, then 0 at once (fresh fd, reader away, reader parked)" {
  check fin "$FIN"
}

@test "urgent data stops a read short at the mark; the rest follows, with and without SO_OOBINLINE" {
  check urgent "$URGENT"
}

@test "urgent byte taken with MSG_OOB before the loop saw EPOLLPRI: the read after the mark still gets the data" {
  check oob_taken "$OOB_TAKEN"
}

@test "shutdown(SHUT_RD) from another thread ends a read parked after a short read" {
  check shutrd 'read: 1 "x"
read after shutdown(SHUT_RD): 0
read after shutdown(SHUT_RD): 0'
}

@test "a trickle of 300 bytes, one a millisecond, into 4 KiB reads: all of it, in order" {
  check trickle "trickle: 300 bytes, in order: yes, then end of stream"
}

@test "two readers on one socket and a bursty writer: every byte read exactly once" {
  check two_readers "$TWO_READERS"
}

@test "a dup'd fd: short read on A, data through B, A again, B after close(A)" {
  check dup 'A: 1 "x"
B: 3 "two"
A: 5 "three"
B: 4 "four"
B after close(A): 4 "five"'
}

@test "the number of a drained socket reused (accept, dup2, close_range) with data already pending" {
  check reuse "$REUSE"
}

@test "MSG_PEEK after a short read parks and sees the data; readv into three buffers" {
  check peek 'read: 1 "x"
peek: 5 "hello"
read: 5 "hello"
readv 3x4: 10 "abcdefghij"
readv 3x4: 12 "KLMNOPQRSTUV"
read: 2 "WX"
peek: 5 "world"
read: 5 "world"'
}

@test "two threads take turns reading: the next read after a short one is another thread's" {
  check threads "$THREADS"
}

@test "SO_RCVLOWAT raised, then lowered, while the reader is parked after a short read" {
  check rcvlowat 'read: 1 "x"
read (SO_RCVLOWAT 4 from now): 4 "abcd"
read (SO_RCVLOWAT 4, then 1): 2 "ef"'
}

# Two known differences, in docs/limits.md, whose cases stay in
# tcp_drain.c: rcvlowat_pending (a blocking read returns what is there
# below SO_RCVLOWAT, on every backend) and efault on the epoll backend (a
# readv cut short by a read-only buffer looks drained, so the next read
# waits for new data).

@test "RST after a short read gives ECONNRESET, then 0; RST behind unread data gives the data first" {
  check reset 'read: 1 "x"
read: 5 "hello"
read: -1 ECONNRESET
read: 0
read: 1 "x"
read: 5 "hello"
read: -1 ECONNRESET
read: 0'
}

@test "fgets on an fdopen'd socket whose lines arrive in pieces" {
  check stdio 'fgets: hello
fgets: world
then: end of file'
}

@test "UNBLOCK_BACKEND=poll (no hint): FIN, urgent data, two readers, reuse, turns" {
  UNBLOCK_BACKEND=poll check fin "$FIN"
  UNBLOCK_BACKEND=poll check urgent "$URGENT"
  UNBLOCK_BACKEND=poll check two_readers "$TWO_READERS"
  UNBLOCK_BACKEND=poll check reuse "$REUSE"
  UNBLOCK_BACKEND=poll check threads "$THREADS"
}

@test "UNBLOCK_BACKEND=poll (no hint): the urgent byte taken first, and the read-only readv tail" {
  UNBLOCK_BACKEND=poll check oob_taken "$OOB_TAKEN"
  need_skb_boundary
  UNBLOCK_BACKEND=poll check efault "$EFAULT"
}
