#!/usr/bin/env bats
# Everyday clients and tools give the same output, byte for byte, with the
# same exit status, natively and under the launcher: curl, wget, nc
# (OpenBSD), socat over TCP and UNIX sockets, sqlite3, a coreutils pipeline
# and bash itself with subshells, background jobs, wait and timeout.
# Servers bind 127.0.0.1 on ephemeral ports; every process is bounded by
# timeout and stopped in teardown.

load helpers

: "${BATS_TEST_TIMEOUT:=120}"

setup() {
  site=$BATS_TEST_TMPDIR/site
  mkdir -p "$site"
  seq 1 3000 >"$site/numbers.txt"
  head -c 102400 /dev/urandom >"$site/blob.bin"
  input=$BATS_TEST_TMPDIR/input.bin
  head -c 204800 /dev/urandom >"$input"
}

teardown() {
  stop_bg
}

@test "curl fetches a 100 KB file and a text file identically" {
  require_cmd curl
  serve_http srv "$site"
  both curl -s -S "http://127.0.0.1:$http_port/blob.bin"
  assert_status 0
  cmp "$site/blob.bin" "$both_out"
  both curl -s -S "http://127.0.0.1:$http_port/numbers.txt"
  assert_status 0
  cmp "$site/numbers.txt" "$both_out"
}

@test "curl reports a 404 and a refused connection identically" {
  require_cmd curl
  serve_http srv "$site"
  both curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$http_port/missing"
  assert_status 0
  assert_stdout 404
  # A port nothing listens on: curl exits 7 (could not connect).
  local dead
  dead=$(pick_port)
  both curl -s -w '%{http_code}\n' "http://127.0.0.1:$dead/"
  assert_status 7
  assert_stdout 000
}

@test "wget -q -O - fetches identically, and fails a 404 with status 8" {
  require_cmd wget
  serve_http srv "$site"
  both wget -q -O - "http://127.0.0.1:$http_port/blob.bin"
  assert_status 0
  cmp "$site/blob.bin" "$both_out"
  both wget -q -O - "http://127.0.0.1:$http_port/missing"
  assert_status 8
  assert_empty stdout "$output"
}

@test "nc sends 200 KB to an echo server and gets it all back" {
  require_cmd nc
  serve_echo echo
  BOTH_STDIN=$input both nc -N 127.0.0.1 "$echo_port"
  assert_status 0
  cmp "$input" "$both_out"
}

@test "nc -l under unblock receives a file from a native nc" {
  require_cmd nc
  start_bg ncl 30 "$UNBLOCK" -- nc -d -v -l 127.0.0.1 0
  local port
  port=$(wait_for_match "$BATS_TEST_TMPDIR/ncl.err" '^Listening on .* ([0-9]+)$')
  timeout 30 nc -N 127.0.0.1 "$port" <"$input"
  wait "$bg_pid"
  cmp "$input" "$BATS_TEST_TMPDIR/ncl.out"
}

@test "nc -l under unblock sends a file to a native nc" {
  require_cmd nc
  BG_STDIN=$input start_bg ncl 30 "$UNBLOCK" -- nc -N -v -l 127.0.0.1 0
  local port
  port=$(wait_for_match "$BATS_TEST_TMPDIR/ncl.err" '^Listening on .* ([0-9]+)$')
  timeout 30 nc -d 127.0.0.1 "$port" >"$BATS_TEST_TMPDIR/got"
  wait "$bg_pid"
  cmp "$input" "$BATS_TEST_TMPDIR/got"
}

@test "socat - TCP: round-trips 200 KB through an echo server" {
  require_cmd socat
  serve_echo echo
  BOTH_STDIN=$input both socat -t 5 - "TCP:127.0.0.1:$echo_port"
  assert_status 0
  cmp "$input" "$both_out"
}

@test "socat TCP-LISTEN:0 under unblock echoes (fork, EXEC:cat) to native and unblocked clients" {
  require_cmd socat
  start_bg echo 60 "$UNBLOCK" -- socat -d -d \
    TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork EXEC:cat
  local port
  port=$(wait_for_match "$BATS_TEST_TMPDIR/echo.err" 'listening on AF=2 127\.0\.0\.1:([0-9]+)$')
  BOTH_STDIN=$input both socat -t 5 - "TCP:127.0.0.1:$port"
  assert_status 0
  cmp "$input" "$both_out"
  BOTH_STDIN=$input both nc -N 127.0.0.1 "$port"
  assert_status 0
  cmp "$input" "$both_out"
}

@test "socat over a UNIX socket: an unblocked listener, clients both ways" {
  require_cmd socat
  local sock=$BATS_TEST_TMPDIR/echo.sock
  start_bg echo 60 "$UNBLOCK" -- socat -d -d "UNIX-LISTEN:$sock,fork" EXEC:cat
  wait_for_match "$BATS_TEST_TMPDIR/echo.err" '(listening on )' >/dev/null
  BOTH_STDIN=$input both socat -t 5 - "UNIX-CONNECT:$sock"
  assert_status 0
  cmp "$input" "$both_out"
}

@test "sqlite3 runs a script (table, inserts, select) identically" {
  require_cmd sqlite3
  local db=$BATS_TEST_TMPDIR/test.db script=$BATS_TEST_TMPDIR/script.sql
  cat >"$script" <<'SQL'
DROP TABLE IF EXISTS t;
PRAGMA journal_mode=WAL;
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER);
BEGIN;
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)
  INSERT INTO t (name, n) SELECT 'row' || x, x * x FROM c;
COMMIT;
INSERT INTO t (name, n) VALUES ('extra', -1);
SELECT count(*), sum(n), min(n), max(n) FROM t;
SELECT name, n FROM t WHERE id % 250 = 0 ORDER BY id;
SELECT n % 7 AS k, count(*) FROM t GROUP BY k ORDER BY k;
SQL
  BOTH_STDIN=$script both sqlite3 -batch "$db"
  assert_status 0
  # The first rows, computed independently of sqlite3.
  local sum
  sum=$(seq 1 1000 | awk '{ s += $1 * $1 } END { print s - 1 }')
  [ "${lines[0]}" = wal ] || { echo "journal_mode line: ${lines[0]}"; return 1; }
  [ "${lines[1]}" = "1001|$sum|-1|1000000" ] || { echo "aggregate line: ${lines[1]}"; return 1; }
  [ "${lines[2]}" = "row250|62500" ] || { echo "row line: ${lines[2]}"; return 1; }
}

@test "a coreutils pipeline gives identical output" {
  both bash -c 'seq 1 20000 | awk "{ print \$1 % 97 }" | sort -n | uniq -c |
    sort -k1,1nr -k2,2n | head -n 5 | tr -s " " | cut -d " " -f 2-'
  assert_status 0
  [ "${#lines[@]}" -eq 5 ] || { echo "expected 5 lines, got: $output"; return 1; }
  # 20000 = 97 * 206 + 18: residues 1..18 occur 207 times, the rest 206.
  [ "${lines[0]}" = "207 1" ] || { echo "first line: ${lines[0]}"; return 1; }
}

@test "a pipeline killed by SIGPIPE keeps its exit status (pipefail: 141)" {
  both bash -c 'set -o pipefail; seq 1 1000000 | head -n 1'
  assert_status 141
  assert_stdout 1
}

@test "bash -c with subshells, background jobs, wait and timeout" {
  local script='
(echo "in a subshell"; exit 3); echo "subshell status: $?"
for i in 1 2 3; do (sleep 0.$((i * 2)); echo "job $i done") & done
wait; echo "all jobs waited for"
sleep 0.3 & p=$!; wait "$p"; echo "wait \$p: $?"
(exit 7) & wait $!; echo "background exit: $?"
x=$(printf "%s\n" c b a | sort | tr "\n" " "); echo "command substitution: $x"
echo piped | { read -r v; echo "read from a pipe: $v"; }
trap "echo trapped USR1" USR1; kill -USR1 $$; echo "after the trap"
start=$SECONDS; timeout 1 sleep 5; echo "timeout 1 sleep 5: $?"
[ $((SECONDS - start)) -lt 4 ] && echo "timeout took under 4 s"
{ read -r -t 0.5 v; echo "read -t 0.5 on a silent pipe: $?"; } < <(sleep 2)
exit 5'
  both bash -c "$script"
  assert_status 5
  assert_stdout "in a subshell
subshell status: 3
job 1 done
job 2 done
job 3 done
all jobs waited for
wait \$p: 0
background exit: 7
command substitution: a b c 
read from a pipe: piped
trapped USR1
after the trap
timeout 1 sleep 5: 124
timeout took under 4 s
read -t 0.5 on a silent pipe: 142"
}

@test "timeout 1 sleep 5 under unblock exits 124 after about 1 s" {
  local t0=$SECONDS
  run timeout 30 "$UNBLOCK" -- timeout 1 sleep 5
  assert_status 124
  [ $((SECONDS - t0)) -lt 4 ] || { echo "took $((SECONDS - t0)) s"; return 1; }
}
