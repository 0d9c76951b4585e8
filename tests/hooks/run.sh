#!/usr/bin/env bash
# run.sh BUILD LIB BIN... - run each hook snippet natively and with LIB
# preloaded, and compare the two runs: exit status, stdout and stderr must
# be identical.  Prints PASS, FAIL (with the difference) or SKIP per snippet,
# then a summary; exits nonzero if any snippet failed.
#
# A snippet must exit 0 natively; 77 natively means "not supported here"
# (an old kernel, say) and skips it; so does 77 on the shimmed side when it
# runs under a wrapper.  Both runs happen side by side, each
# under `timeout` (UB_HOOK_TIMEOUT seconds, default 10); outputs are kept in
# BUILD/tests/hooks/out/NAME.{native,shim}.{out,err} for a closer look.
# UB_TEST_WRAP (e.g. "valgrind -q ...") is prepended to the shimmed command
# only, as tests/run-unit.sh does for unit tests.  The wrapper runs with
# LD_PRELOAD already set, which is how valgrind hands it on to the program.
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD LIB BIN..." >&2
  exit 2
fi
build=$1 lib=$2
shift 2
limit=${UB_HOOK_TIMEOUT:-10}
outdir=$build/tests/hooks/out
mkdir -p "$outdir"
case $lib in /*) ;; *) lib=$PWD/$lib ;; esac
if [ ! -f "$lib" ]; then
  echo "run.sh: no library at $lib (run make first)" >&2
  exit 2
fi

# why RC: an exit status in words, naming hangs and crashes as such.
why() {
  local rc=$1
  if [ "$rc" = 124 ]; then
    echo "hang: timed out after ${limit}s"
  elif [ "$rc" = 137 ]; then
    echo "killed by SIGKILL (its watchdog or timeout's: a hang)"
  elif [ "$rc" -gt 128 ]; then
    echo "crash: killed by SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))"
  else
    echo "exit $rc"
  fi
}

# show FILE: indent the first 40 lines of FILE.
show() {
  sed -n '1,40{s/^/    /;p}' "$1"
  local n
  n=$(wc -l <"$1")
  [ "$n" -le 40 ] || echo "    ... ($n lines)"
}

pass=0 fail=0 skip=0
failed=""
for bin in "$@"; do
  name=${bin##*/}
  o=$outdir/$name
  # Each run in a subshell whose own stderr is /dev/null, so that bash's
  # "Killed" notice for a snippet killed by a signal stays out of the way;
  # the exit status travels through a file.
  (
    timeout --kill-after=5 "$limit" "$bin" >"$o.native.out" 2>"$o.native.err"
    echo $? >"$o.native.rc"
  ) 2>/dev/null &
  (
    # shellcheck disable=SC2086  # the wrapper is a word list on purpose
    timeout --kill-after=5 "$limit" env LD_PRELOAD="$lib" ${UB_TEST_WRAP:-} \
      "$bin" >"$o.shim.out" 2>"$o.shim.err"
    echo $? >"$o.shim.rc"
  ) 2>/dev/null &
  wait
  nrc=$(cat "$o.native.rc")
  src=$(cat "$o.shim.rc")
  if [ "$nrc" = 77 ]; then
    skip=$((skip + 1))
    echo "SKIP $name: $(tail -n 1 "$o.native.out")"
    continue
  fi
  if [ -n "${UB_TEST_WRAP:-}" ]; then
    # Under a wrapper the shimmed side may lack what the native side has
    # (valgrind knows no epoll_pwait2): 77 there skips too.  And the
    # wrapper's own notes ("--PID-- ..." from valgrind, such as its warning
    # for sigprocmask's bad `how`) are not the program's stderr; its errors
    # ("==PID== ...") stay, and fail the comparison.
    if [ "$src" = 77 ]; then
      skip=$((skip + 1))
      echo "SKIP $name (under the wrapper): $(tail -n 1 "$o.shim.out")"
      continue
    fi
    grep -Ev '^--[0-9]+-- ' "$o.shim.err" >"$o.shim.err.tmp"
    mv "$o.shim.err.tmp" "$o.shim.err"
  fi
  if [ "$nrc" != 0 ]; then
    fail=$((fail + 1))
    failed="$failed $name"
    echo "FAIL $name: the snippet fails natively ($(why "$nrc"))"
    show "$o.native.err"
    continue
  fi
  if [ "$src" = 0 ] && cmp -s "$o.native.out" "$o.shim.out" &&
    cmp -s "$o.native.err" "$o.shim.err"; then
    pass=$((pass + 1))
    echo "PASS $name"
    continue
  fi
  fail=$((fail + 1))
  failed="$failed $name"
  echo "FAIL $name: shimmed $(why "$src"), natively exit 0"
  for s in out err; do
    if ! cmp -s "$o.native.$s" "$o.shim.$s"; then
      echo "  std$s (- native, + shimmed):"
      diff -u --label native --label shimmed "$o.native.$s" "$o.shim.$s" \
        >"$o.diff.$s"
      show "$o.diff.$s"
    fi
  done
done
echo "hooks: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] || echo "failed:$failed"
[ $fail = 0 ]
