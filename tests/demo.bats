#!/usr/bin/env bats
# The demo (make demo) runs on both backends, passes its own checks, and
# reports the full counts; a bad setting stops it before it starts.

load helpers

# The summary must report every green thread, sleep and round trip, with
# nothing early and nothing out of order.
check_summary() {
  local backend=$1
  assert_line_matches "^  backend +$backend "
  assert_line_matches '^  green threads +1400 run \(1000 sleepers, 200 pairs x 2\)$'
  assert_line_matches '^  sleeps +4000 done by 1000 sleepers, 0 early, worst lateness [0-9]+\.[0-9]{3} ms$'
  assert_line_matches '^  round trips +200000 \(200 pairs x 1000 round trips\), 0 bad values$'
  assert_line_matches '^  wall time +[0-9]+\.[0-9]{3} s$'
  assert_line_matches '^  messages/s +[1-9][0-9]* \(400000 messages in [0-9.]+ s of ping-pong\)$'
  assert_line_matches '^  result +ok: no early wake, every value in order$'
}

@test "the demo passes on the epoll backend" {
  run --separate-stderr timeout 60 env UNBLOCK_BACKEND=epoll "$DEMO"
  assert_status 0
  assert_empty stderr "$stderr"
  check_summary epoll
}

@test "the demo passes on the poll backend" {
  run --separate-stderr timeout 60 env UNBLOCK_BACKEND=poll "$DEMO"
  assert_status 0
  assert_empty stderr "$stderr"
  check_summary poll
}

@test "the demo defaults to epoll" {
  run --separate-stderr timeout 60 "$DEMO"
  assert_status 0
  check_summary epoll
}

@test "a bad UNBLOCK_BACKEND stops the demo with a message naming it" {
  run --separate-stderr timeout 60 env UNBLOCK_BACKEND=kqueue "$DEMO"
  assert_status 2
  assert_stderr "pingpong: UNBLOCK_BACKEND='kqueue' is not valid; expected epoll or poll"
  assert_empty stdout "$output"
}
