#!/usr/bin/env bats
# profile.bats - the profile of waits (UNBLOCK_PROFILE, --profile), observe
# mode (--observe), and how the profile's file is opened and written.
#
# demos/waits.c waits in known places; with the default 20 rounds each of
# its 4 workers calls lookup() (a 5 ms usleep) 20 times, so the lookup
# site must show exactly 80 waits of at least 5 ms each.  `unblock report`
# has its own tests (report.bats); these read the file itself.

load helpers

WAITS=$B/demos/waits

setup() {
  cd "$BATS_TEST_TMPDIR"
}

teardown() {
  stop_bg 2>/dev/null || true
}

# rows KIND FUNCTION FILE: the wait records of that kind and function.
rows() {
  awk -F'\t' -v k="$1" -v f="$2" '$1 == "wait" && $2 == k && $3 == f' "$3"
}

# max_row_count KIND FUNCTION FILE: the largest count among those rows.
max_row_count() {
  rows "$@" | awk -F'\t' 'BEGIN {m = 0} $6 > m {m = $6} END {print m}'
}

# complete FILE: the file is a whole profile (header and matching end).
complete() {
  head -n 1 "$1" | grep -qx $'unblock-profile\t1' || return 1
  local s w
  s=$(grep -c '^stack' "$1") w=$(grep -c '^wait' "$1")
  tail -n 1 "$1" | grep -qx "end"$'\t'"$s"$'\t'"$w"
}

@test "--profile records the slow call site of demos/waits: 80 waits of 5 ms or more" {
  run timeout 60 "$UNBLOCK" --profile prof "$WAITS"
  assert_status 0
  assert_stdout "4 workers, 20 rounds, total 200"
  complete prof
  [ "$(max_row_count sleep usleep prof)" -eq 80 ]
  # Its total is about 80 x 5 ms (a park starts a little after the
  # deadline is set), and its histogram counts 80.
  # (The backend's 1 ms sleeps are 80 calls too, from another site.)
  rows sleep usleep prof | awk -F'\t' '$6 == 80 {
    split($9, h, ","); n = 0; for (i in h) n += h[i]
    if ($7 >= 390000000 && $8 >= 4900000 && n == 80) found = 1 }
    END {exit !found}'
  # The pipe reads and the mutex waits are there too, with their fd kind.
  rows read read prof | grep -q $'\tpipe\t'
  [ -n "$(rows lock pthread_mutex_lock prof)" ]
}

@test "UNBLOCK_PROFILE with LD_PRELOAD, and the stack's first pc is in the program" {
  run timeout 60 env LD_PRELOAD="$LIB" UNBLOCK_PROFILE="$PWD/p" "$WAITS" 5
  assert_status 0
  complete p
  local id pc
  id=$(rows sleep usleep p | awk -F'\t' '$6 == 20 {print $5; exit}')
  pc=$(awk -F'\t' -v id="$id" '$1 == "stack" && $2 == id {split($3, a, ","); print a[1]}' p)
  [ -n "$pc" ]
  # That pc lies in a `map` record of the program itself.
  local ok=0 rec lo hi off path
  while IFS=$'\t' read -r rec lo hi off path; do
    [ "$rec" = map ] && [ "$path" = "$WAITS" ] &&
      ((lo <= pc && pc < hi)) && ok=1
  done <p
  [ "$ok" = 1 ]
}

@test "observe mode: the program's output is byte-identical to a native run" {
  local native observed
  native=$(timeout 60 "$WAITS" 10; echo "status $?")
  observed=$(timeout 60 "$UNBLOCK" --observe --profile o "$WAITS" 10 2>/dev/null; echo "status $?")
  [ "$native" = "$observed" ]
  # A Debian program too: python's threads, locks and sleeps.
  local script='
import threading, time, queue
q = queue.Queue()
def work(i):
    time.sleep(0.01 * i); q.put(i * i)
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(q.get() for _ in range(8)))'
  native=$(timeout 60 "$PY" -c "$script")
  observed=$(timeout 60 "$UNBLOCK" --observe --profile o2 "$PY" -c "$script" 2>/dev/null)
  [ "$native" = "$observed" ]
  complete o
  grep -qx $'mode\tobserve' o
  # Observe mode times the calls natively: the lookup site is there.
  [ "$(max_row_count sleep usleep o)" -eq 40 ]
}

@test "observe mode makes no green threads: the OS threads are the program's" {
  local script='
import threading, time, os
ts = [threading.Thread(target=time.sleep, args=(0.3,)) for i in range(4)]
[t.start() for t in ts]
time.sleep(0.1)
print(len(os.listdir("/proc/self/task")))
[t.join() for t in ts]'
  run timeout 60 "$UNBLOCK" --observe --profile o "$PY" -c "$script"
  assert_status 0
  [ "${lines[-1]}" = "$(timeout 60 "$PY" -c "$script")" ]
}

@test "--observe without --profile names the file it writes" {
  run timeout 60 "$UNBLOCK" --observe "$WAITS" 2
  assert_status 0
  local f
  f=$(ls unblock.*.prof)
  [[ "$output" == *"the profile goes to $f"* ]]
  complete "$f"
}

@test "the profile is written on UNBLOCK_PROFILE_SIGNAL, and at a deadly signal" {
  start_bg sleeper 30 env LD_PRELOAD="$LIB" UNBLOCK_PROFILE="$PWD/s" \
    UNBLOCK_PROFILE_SIGNAL=USR2 "$PY" -c '
import time
while True: time.sleep(0.02)'
  local pid
  pid=$(bg_child "$bg_pid")
  sleep 0.5
  kill -USR2 "$pid"
  for _ in $(seq 50); do complete s 2>/dev/null && break; sleep 0.1; done
  complete s
  [ "$(max_row_count sleep clock_nanosleep s)" -gt 5 ] ||
    [ "$(max_row_count sleep nanosleep s)" -gt 5 ]
  local first
  first=$(grep '^written' s)
  sleep 0.3
  kill -TERM "$pid"
  wait "$bg_pid" || status=$?
  # It died of SIGTERM (timeout reports 128 + 15), as natively.
  [ "${status-0}" -eq 143 ]
  complete s
  [ "$(grep '^written' s)" != "$first" ]
}

@test "the profile never goes through a symbolic link" {
  echo secret >target
  ln -s target link
  run env LD_PRELOAD="$LIB" UNBLOCK_PROFILE=link /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_PROFILE='link' is a symbolic link"* ]]
  [ "$(cat target)" = secret ]
  # A link planted after start is replaced, not followed.
  start_bg late 30 env LD_PRELOAD="$LIB" UNBLOCK_PROFILE="$PWD/late" \
    "$PY" -c 'import time; time.sleep(0.8)'
  sleep 0.4
  rm -f late
  ln -s target late
  wait "$bg_pid"
  [ "$(cat target)" = secret ]
  [ ! -L late ]
  complete late
}

@test "the profile is written atomically: mode 0600, no temporary file left" {
  run timeout 60 env LD_PRELOAD="$LIB" UNBLOCK_PROFILE=prof.%p "$WAITS" 2
  assert_status 0
  local f
  f=$(ls prof.*)
  [[ "$f" =~ ^prof\.[0-9]+$ ]]
  [ "$(stat -c %a "$f")" = 600 ]
  [ -z "$(ls -A | grep -v "^$f\$")" ]
  complete "$f"
}

@test "a fork child writes its own profile only with %p" {
  local script='
import os, time
pid = os.fork()
if pid == 0:
    time.sleep(0.05); os._exit(0)
os.waitpid(pid, 0)
print("parent done")'
  run timeout 60 env LD_PRELOAD="$LIB" UNBLOCK_PROFILE="$PWD/f.%p" "$PY" -c "$script"
  assert_status 0
  [ "$(ls f.* | wc -l)" -eq 2 ]
  run timeout 60 env LD_PRELOAD="$LIB" UNBLOCK_PROFILE="$PWD/one" "$PY" -c "$script"
  assert_status 0
  complete one
  [ "$(ls one* | wc -l)" -eq 1 ]
}

@test "a wrapper's empty profile does not replace its child's" {
  # timeout runs under the shim too, forks, and the child execs waits:
  # both profile to one name, and the wrapper exits last.
  run env LD_PRELOAD="$LIB" UNBLOCK_PROFILE="$PWD/w" timeout 60 "$WAITS" 2
  assert_status 0
  complete w
  [ "$(max_row_count sleep usleep w)" -eq 8 ]
  grep -q $'^exe\t.*/waits$' w
}

@test "bad profile settings give a clear error" {
  run env LD_PRELOAD="$LIB" UNBLOCK_PROFILE_SIGNAL=FOO UNBLOCK_PROFILE=x /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_PROFILE_SIGNAL='FOO' is not valid; expected a signal name such as USR2"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_PROFILE_SIGNAL=KILL UNBLOCK_PROFILE=x /bin/true
  assert_status 2
  run "$UNBLOCK" --profile x --profile-signal 9 /bin/true
  assert_status 2
  [[ "$output" == *"--profile-signal"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_PROFILE=/nonexistent/dir/p /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_PROFILE='/nonexistent/dir/p': directory /nonexistent/dir: No such file or directory"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_PROFILE=p%d /bin/true
  assert_status 2
  [[ "$stderr$output" == *"%p stands for the pid"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_MODE=observe /bin/true
  assert_status 2
  [[ "$stderr$output" == *"set UNBLOCK_PROFILE too"* ]]
  run env LD_PRELOAD="$LIB" UNBLOCK_MODE=watch UNBLOCK_PROFILE=x /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_MODE='watch' is not valid; expected green or observe"* ]]
  mkdir d
  run env LD_PRELOAD="$LIB" UNBLOCK_PROFILE=d /bin/true
  assert_status 2
  [[ "$stderr$output" == *"UNBLOCK_PROFILE='d'"* ]]
}

@test "connections a server accepted without waiting aggregate under its address" {
  # Five connections are queued before the first accept, so no accept
  # waits; each connection's recv then waits for its client.  They are
  # one row, from the server's side, not one row per client port.
  cat >acc.py <<'PY'
import socket, threading, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
port = s.getsockname()[1]
cs = [socket.create_connection(("127.0.0.1", port)) for i in range(5)]
time.sleep(0.1)
for c in cs:
    a, _ = s.accept()
    threading.Thread(target=lambda c=c: (time.sleep(0.02), c.sendall(b"hi"))).start()
    print(a.recv(10).decode(), port)
PY
  run timeout 60 env LD_PRELOAD="$LIB" UNBLOCK_PROFILE="$PWD/a" "$PY" acc.py
  assert_status 0
  local port
  port=$(awk '{print $2; exit}' <<<"$output")
  rows read recv a | cut -f4 | sort -u >fds
  [ "$(cat fds)" = "TCP 127.0.0.1:$port <- 127.0.0.1" ]
  [ "$(max_row_count read recv a)" -eq 5 ]
}

@test "unblock report on a real run of demos/waits: lookup's file:line is the top row" {
  run timeout 60 "$UNBLOCK" --profile prof "$WAITS"
  assert_status 0
  local line
  line=$(grep -n 'WAIT:lookup' "$BATS_TEST_DIRNAME/../demos/waits.c" | cut -d: -f1)
  run --separate-stderr "$UNBLOCK" report prof
  assert_status 0
  # The first row of the table: rank 1, 80 waits of usleep in lookup().
  local first
  first=$(grep -m1 -E '^1 +' <<<"$output")
  [[ "$first" =~ ^1\ +[0-9.]+\ ms\ .*\ 80\ .*\ sleep\ +usleep\ +lookup\ \(.*demos/waits\.c:$line\)\ +-$ ]] || {
    echo "top row: $first" >&2
    echo "$output" >&2
    return 1
  }
  # The flame graph has the site too.
  run "$UNBLOCK" report --quiet --svg flame.svg prof
  assert_status 0
  grep -q 'lookup' flame.svg
}
