#!/usr/bin/env bash
# run-unit.sh TIMEOUT BIN... - run unit tests, one binary each, each under
# a timeout.  Exit status 0 passes, 77 skips, anything else fails.
# UB_TEST_WRAP (e.g. "valgrind -q ...") is prepended to every command.
set -u
limit=$1
shift
pass=0 fail=0 skip=0
for bin in "$@"; do
  name=${bin##*/}
  # shellcheck disable=SC2086  # the wrapper is a word list on purpose
  out=$(timeout --kill-after=10 "$limit" ${UB_TEST_WRAP:-} "$bin" 2>&1)
  rc=$?
  case $rc in
  0)
    pass=$((pass + 1))
    echo "PASS $name"
    ;;
  77)
    skip=$((skip + 1))
    echo "SKIP $name: $(printf '%s\n' "$out" | tail -n 1)"
    ;;
  *)
    fail=$((fail + 1))
    [ $rc = 124 ] && why="timed out after ${limit}s" || why="exit $rc"
    echo "FAIL $name ($why)"
    printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
    ;;
  esac
done
echo "unit: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
