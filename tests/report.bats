#!/usr/bin/env bats
# `unblock report` reads a profile file (the format the library writes,
# version 1) and prints a table, folded stacks or an SVG flame graph.  The
# profiles here are written by hand: a small C program built with -g
# prints the return addresses of its own calls and its executable
# mappings, so its stacks point at lines we know (the ones marked SITE).

load helpers

: "${BATS_TEST_TIMEOUT:=60}"

FD='TCP 127.0.0.1:8080 <- 127.0.0.1'

setup_file() {
  command -v gcc >/dev/null || skip "no gcc"
  local d=$BATS_FILE_TMPDIR
  cat >"$d/slowdemo.c" <<'EOF'
#include <stdio.h>
#include <string.h>

static void *ra[5];

__attribute__((noinline)) void fake_read(void)
{
  ra[0] = __builtin_return_address(0);
}

__attribute__((noinline)) void fake_sleep(void)
{
  ra[3] = __builtin_return_address(0);
}

__attribute__((noinline)) void handle_client(void)
{
  ra[1] = __builtin_return_address(0);
  fake_read(); /* SITE read */
}

__attribute__((noinline)) void serve(void)
{
  ra[2] = __builtin_return_address(0);
  handle_client(); /* SITE serve */
}

__attribute__((noinline)) void nap(void)
{
  ra[4] = __builtin_return_address(0);
  fake_sleep(); /* SITE nap */
}

int main(void)
{
  serve(); /* SITE main-serve */
  nap();   /* SITE main-nap */
  printf("read\t%p,%p,%p\n", ra[0], ra[1], ra[2]);
  printf("sleep\t%p,%p\n", ra[3], ra[4]);
  FILE *f = fopen("/proc/self/maps", "r");
  char line[4096];
  while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
    unsigned long s, e, off;
    char perm[5], path[4096] = "";
    if (sscanf(line, "%lx-%lx %4s %lx %*s %*s %4095[^\n]", &s, &e, perm,
               &off, path) >= 4 && strcmp(perm, "r-xp") == 0 && path[0])
      printf("map\t0x%lx\t0x%lx\t0x%lx\t%s\n", s, e, off, path);
  }
  return 0;
}
EOF
  gcc -g -O0 -o "$d/slowdemo" "$d/slowdemo.c"
  gcc -O0 -o "$d/nodebug" "$d/slowdemo.c"
  "$d/slowdemo" >"$d/run.out"
  "$d/nodebug" >"$d/nodebug.out"
}

# site NAME: the line of slowdemo.c marked "SITE NAME".
site() {
  grep -n "SITE $1 \*/" "$BATS_FILE_TMPDIR/slowdemo.c" | cut -d: -f1
}

# hist I N: a 24-bucket histogram with N waits in bucket I.
hist() {
  local b out=""
  for b in $(seq 0 23); do
    out+="${out:+,}$([ "$b" = "$1" ] && echo "$2" || echo 0)"
  done
  echo "$out"
}

# mkprof OUT [RUN] [RECORD...]: a profile of the run RUN (run.out by
# default; its map records, and stack 1 = the read stack, 2 = the sleep
# stack), then the RECORDs, then an end record with the right counts.
mkprof() {
  local out=$1 run=$BATS_FILE_TMPDIR/run.out exe=$BATS_FILE_TMPDIR/slowdemo
  shift
  if [ "${1-}" = nodebug ]; then
    run=$BATS_FILE_TMPDIR/nodebug.out exe=$BATS_FILE_TMPDIR/nodebug
    shift
  fi
  {
    printf 'unblock-profile\t1\npid\t4242\nmode\tgreen\nexe\t%s\n' "$exe"
    printf 'cmdline\tslowdemo --port 8080\nstarted\t1700000000.000000\n'
    printf 'written\t1700000002.500000\nelapsed_ns\t2500000000\n'
    printf 'histogram\tlog2us\t24\n'
    grep '^map' "$run"
    printf 'stack\t1\t%s\n' "$(awk -F'\t' '$1 == "read" { print $2 }' "$run")"
    printf 'stack\t2\t%s\n' "$(awk -F'\t' '$1 == "sleep" { print $2 }' "$run")"
    [ $# -eq 0 ] || printf '%s\n' "$@"
  } >"$out"
  printf 'end\t%s\t%s\n' "$(grep -c '^stack' "$out")" \
    "$(grep -c '^wait' "$out")" >>"$out"
}

# The three waits most tests use, written smallest first: a mutex without
# a stack (1 ms), the sleep (50 ms), the read (300 ms in 3 waits).
three_waits() {
  mkprof "$1" \
    "$(printf 'wait\tlock\tpthread_mutex_lock\t-\t0\t2\t1000000\t600000\t%s' "$(hist 9 2)")" \
    "$(printf 'wait\tsleep\tnanosleep\t-\t2\t1\t50000000\t50000000\t%s' "$(hist 15 1)")" \
    "$(printf 'wait\tread\tread\t%s\t1\t3\t300000000\t200000000\t%s' "$FD" "$(hist 17 3)")"
}

@test "report: the table names the call site's function and file:line" {
  three_waits "$BATS_TEST_TMPDIR/p"
  run --separate-stderr "$UNBLOCK" report "$BATS_TEST_TMPDIR/p"
  assert_status 0
  assert_empty stderr "$stderr"
  assert_line_matches '^pid +4242$'
  assert_line_matches "^program +$BATS_FILE_TMPDIR/slowdemo \(slowdemo --port 8080\)$"
  assert_line_matches '^mode +green$'
  assert_line_matches '^waits +6 \(351 ms in all, 3 rows\)$'
  # total, share, count, mean, p99 (bucket 17 ends at 262 ms, capped at
  # max), max, kind, function, call site, fd.
  assert_line_matches "^1 +300 ms +85\.5% +3 +100 ms +200 ms +200 ms +read +read +handle_client \(.*slowdemo\.c:$(site read)\) +$FD$"
  assert_line_matches "^2 +50\.0 ms +14\.2% +1 +50\.0 ms +50\.0 ms +50\.0 ms +sleep +nanosleep +nap \(.*slowdemo\.c:$(site nap)\) +-$"
  assert_line_matches '^3 +1\.00 ms +0\.3% +2 +500 us +600 us +600 us +lock +pthread_mutex_lock +\(no stack\) +-$'
  # The stacks, innermost first, under the top rows.
  assert_line_matches "^    serve \(.*slowdemo\.c:$(site serve)\)$"
  assert_line_matches "^    main \(.*slowdemo\.c:$(site main-serve)\)$"
  assert_line_matches "^    main \(.*slowdemo\.c:$(site main-nap)\)$"
  assert_line_matches '^    \(no stack captured\)$'
}

@test "report: rows are sorted by total wait time, descending" {
  three_waits "$BATS_TEST_TMPDIR/p"
  run --separate-stderr "$UNBLOCK" report --stacks 0 "$BATS_TEST_TMPDIR/p"
  assert_status 0
  local order
  # Each duration is two words: the kind is the 12th.
  order=$(awk '$1 ~ /^[0-9]+$/ && NF > 12 { print $1, $12 }' <<<"$output" |
    tr '\n' ' ')
  [ "$order" = "1 read 2 sleep 3 lock " ] || {
    echo "rows in this order: $order"
    echo "$output"
    return 1
  }
  ! grep -q 'stacks of the top' <<<"$output" || {
    echo "--stacks 0 printed stacks"
    return 1
  }
}

@test "report --folded: outermost frame first, the hooked call last, microseconds" {
  three_waits "$BATS_TEST_TMPDIR/p"
  run --separate-stderr "$UNBLOCK" report --folded "$BATS_TEST_TMPDIR/p"
  assert_status 0
  assert_stdout "slowdemo;main;nap;nanosleep [sleep] 50000
slowdemo;main;serve;handle_client;read [read $FD] 300000
slowdemo;pthread_mutex_lock [lock] 1000"
}

@test "report --folded: a wait under a microsecond counts 1, a ';' is no separator" {
  mkprof "$BATS_TEST_TMPDIR/p" \
    "$(printf 'wait\tread\tread\tUNIX /tmp/a;b\t1\t1\t10\t10\t%s' "$(hist 0 1)")"
  run --separate-stderr "$UNBLOCK" report --folded "$BATS_TEST_TMPDIR/p"
  assert_status 0
  assert_stdout "slowdemo;main;serve;handle_client;read [read UNIX /tmp/a_b] 1"
}

@test "report: waits whose stacks symbolise alike are one row" {
  local read sleep
  read=$(awk -F'\t' '$1 == "read" { print $2 }' "$BATS_FILE_TMPDIR/run.out")
  # Stack 3 is stack 1 under another id; stack 4 has one more frame, in
  # no map, so it stays a row of its own.
  mkprof "$BATS_TEST_TMPDIR/p" "$(printf 'stack\t3\t%s' "$read")" \
    "$(printf 'stack\t4\t%s,0x10' "$read")" \
    "$(printf 'wait\tread\tread\t-\t1\t3\t3000000\t2000000\t%s' "$(hist 10 3)")" \
    "$(printf 'wait\tread\tread\t-\t3\t4\t4000000\t1500000\t%s' "$(hist 10 4)")" \
    "$(printf 'wait\tread\tread\t-\t4\t1\t1000\t1000\t%s' "$(hist 0 1)")"
  run --separate-stderr "$UNBLOCK" report "$BATS_TEST_TMPDIR/p"
  assert_status 0
  assert_line_matches '^waits +8 \(7\.00 ms in all, 2 rows\)$'
  assert_line_matches '^1 +7\.00 ms +100\.0% +7 +1\.00 ms +2\.00 ms +2\.00 ms +read +read +handle_client '
  assert_line_matches '^    0x10 \(no map\)$'
}

@test "report --svg: a self-contained flame graph, and the table still printed" {
  three_waits "$BATS_TEST_TMPDIR/p"
  local svg=$BATS_TEST_TMPDIR/out.svg
  run --separate-stderr "$UNBLOCK" report --svg "$svg" "$BATS_TEST_TMPDIR/p"
  assert_status 0
  assert_line_matches '^1 +300 ms '
  head -c 100 "$svg" | grep -qE '^<(\?xml|svg)' || {
    echo "does not start as XML:"
    head -n 3 "$svg"
    return 1
  }
  [ "$(tail -n 1 "$svg")" = "</svg>" ] || {
    echo "does not end with </svg>"
    return 1
  }
  grep -q '>unblock: off-CPU waits of slowdemo (pid 4242)</text>' "$svg"
  grep -q '<title>handle_client: 300 ms, ' "$svg"
  grep -q '<title>read \[read TCP 127.0.0.1:8080 &lt;- 127.0.0.1\]: ' "$svg"
  ! grep -qE 'https?://[^"]*"[^>]*(href|src)=|xlink:href|<image|<script src' "$svg"
  if command -v xmllint >/dev/null; then
    xmllint --noout "$svg"
  fi
}

@test "report --svg --quiet: nothing on stdout" {
  three_waits "$BATS_TEST_TMPDIR/p"
  run --separate-stderr "$UNBLOCK" report --quiet --svg "$BATS_TEST_TMPDIR/o.svg" "$BATS_TEST_TMPDIR/p"
  assert_status 0
  assert_empty stdout "$output"
  assert_empty stderr "$stderr"
  [ -s "$BATS_TEST_TMPDIR/o.svg" ]
}

@test "report: without debug info, function+offset from the symbol table" {
  mkprof "$BATS_TEST_TMPDIR/p" nodebug \
    "$(printf 'wait\tread\tread\t-\t1\t1\t1000\t1000\t%s' "$(hist 0 1)")"
  run --separate-stderr "$UNBLOCK" report "$BATS_TEST_TMPDIR/p"
  assert_status 0
  assert_line_matches "^    handle_client\+0x[0-9a-f]+ \($BATS_FILE_TMPDIR/nodebug\)$"
  assert_line_matches "^    serve\+0x[0-9a-f]+ \($BATS_FILE_TMPDIR/nodebug\)$"
}

@test "report: without addr2line, one warning and the symbol tables" {
  three_waits "$BATS_TEST_TMPDIR/p"
  run --separate-stderr env PATH=/nonexistent "$UNBLOCK" report "$BATS_TEST_TMPDIR/p"
  assert_status 0
  assert_stderr "unblock report: addr2line not found (binutils): no file:line"
  assert_line_matches "^    handle_client\+0x[0-9a-f]+ \($BATS_FILE_TMPDIR/slowdemo\)$"
}

@test "report: a profile without its end record is refused" {
  three_waits "$BATS_TEST_TMPDIR/p"
  sed -i '/^end/d' "$BATS_TEST_TMPDIR/p"
  run --separate-stderr "$UNBLOCK" report "$BATS_TEST_TMPDIR/p"
  assert_status 1
  assert_stderr "unblock report: $BATS_TEST_TMPDIR/p: incomplete profile (no end record)"
  assert_empty stdout "$output"
}

@test "report: an end record whose counts do not match is refused" {
  three_waits "$BATS_TEST_TMPDIR/p"
  sed -i 's/^end\t2\t3$/end\t2\t4/' "$BATS_TEST_TMPDIR/p"
  run --separate-stderr "$UNBLOCK" report "$BATS_TEST_TMPDIR/p"
  assert_status 1
  assert_stderr "unblock report: $BATS_TEST_TMPDIR/p: incomplete profile (the end record counts 2 stack and 4 wait records; the file has 2 and 3)"
}

@test "report: a newer format version, not a profile, no such file" {
  local f=$BATS_TEST_TMPDIR/p
  printf 'unblock-profile\t2\nend\t0\t0\n' >"$f"
  run --separate-stderr "$UNBLOCK" report "$f"
  assert_status 1
  assert_stderr "unblock report: $f: profile format version 2 is newer than this unblock understands (1)"
  printf 'hello\n' >"$f"
  run --separate-stderr "$UNBLOCK" report "$f"
  assert_status 1
  assert_stderr "unblock report: $f: not an unblock profile (the first line is not \"unblock-profile<TAB>1\")"
  run --separate-stderr "$UNBLOCK" report "$BATS_TEST_TMPDIR/none"
  assert_status 1
  assert_stderr "unblock report: $BATS_TEST_TMPDIR/none: No such file or directory"
}

@test "report: every truncation of a profile is refused, none crashes" {
  three_waits "$BATS_TEST_TMPDIR/p"
  local size n bad=0
  size=$(stat -c %s "$BATS_TEST_TMPDIR/p")
  for n in $(seq 0 3 $((size - 1))) $((size - 1)); do
    head -c "$n" "$BATS_TEST_TMPDIR/p" >"$BATS_TEST_TMPDIR/t"
    status=0
    "$UNBLOCK" report "$BATS_TEST_TMPDIR/t" >/dev/null 2>"$BATS_TEST_TMPDIR/err" || status=$?
    if [ "$status" -ne 1 ] || ! grep -q '^unblock report: ' "$BATS_TEST_TMPDIR/err"; then
      echo "cut at $n bytes: status $status, stderr: $(cat "$BATS_TEST_TMPDIR/err")"
      bad=1
    fi
  done
  [ "$bad" = 0 ]
}

@test "report: garbled bytes are refused or reported, never a crash" {
  three_waits "$BATS_TEST_TMPDIR/p"
  local size i pos bad=0 bytes=(x , $'\t' 0 ';' 9 $'\n')
  size=$(stat -c %s "$BATS_TEST_TMPDIR/p")
  for i in $(seq 1 60); do
    cp "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/g"
    pos=$(((i * 7919) % size))
    printf '%s' "${bytes[i % 7]}" |
      dd of="$BATS_TEST_TMPDIR/g" bs=1 seek="$pos" conv=notrunc 2>/dev/null
    status=0
    "$UNBLOCK" report --folded "$BATS_TEST_TMPDIR/g" >/dev/null 2>&1 || status=$?
    if [ "$status" -gt 1 ]; then
      echo "byte $pos garbled: status $status"
      bad=1
    fi
  done
  [ "$bad" = 0 ]
}

@test "report: a bad option exits 2 naming it and what is accepted" {
  run --separate-stderr "$UNBLOCK" report --bogus x
  assert_status 2
  assert_stderr "unblock report: unknown option '--bogus'; options: --folded, --svg OUT.svg, --quiet, --top N, --stacks N, --help"
  run --separate-stderr "$UNBLOCK" report --top lots x
  assert_status 2
  assert_stderr "unblock report: --top 'lots' is not valid; expected a number of rows from 1 to 1000000000"
  run --separate-stderr "$UNBLOCK" report --svg
  assert_status 2
  assert_stderr "unblock report: --svg needs a value"
  run --separate-stderr "$UNBLOCK" report
  assert_status 2
  assert_stderr "unblock report: no profile file given; usage: unblock report [options] FILE"
}

@test "report --help: the usage, on stdout" {
  run --separate-stderr "$UNBLOCK" report --help
  assert_status 0
  assert_line_matches '^usage: unblock report \[options\] FILE$'
  assert_line_matches '^  --folded '
  assert_line_matches '^  --svg OUT\.svg '
}
