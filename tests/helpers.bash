# helpers.bash - what the bats tests share: where the build is, a clean
# environment, and assertions that say what they expected when they fail.
#
# The Makefile passes B, the absolute path of the build directory; run by
# hand, `bats tests/` falls back to ./build.  Every UNBLOCK_* variable the
# caller happens to have set is removed, so each test states the settings
# it runs with (UB_TEST_SLOW too: the demo test checks full-scale counts).

bats_require_minimum_version 1.5.0

B=${B:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)/build}
LIB=$B/libunblock.so
DEMO=$B/demos/pingpong

while read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(UNBLOCK_|UB_TEST_SLOW$)')

# assert_status N: the last `run` exited with status N.
assert_status() {
  if [ "$status" -ne "$1" ]; then
    echo "expected exit status $1, got $status"
    echo "stdout: $output"
    echo "stderr: ${stderr-}"
    return 1
  fi
}

# assert_stdout TEXT: the last stdout was exactly TEXT.
assert_stdout() {
  if [ "$output" != "$1" ]; then
    echo "expected stdout: $1"
    echo "got:             $output"
    return 1
  fi
}

# assert_line_matches REGEX: some line of the last stdout matches (ERE).
assert_line_matches() {
  if ! grep -qE -- "$1" <<<"$output"; then
    echo "no line of stdout matches: $1"
    echo "stdout was:"
    printf '%s\n' "$output"
    return 1
  fi
}

# assert_stderr LINE: stderr was exactly this one line.
assert_stderr() {
  if [ "${stderr-}" != "$1" ] || [ "${#stderr_lines[@]}" -ne 1 ]; then
    echo "expected stderr to be exactly one line:"
    echo "  $1"
    echo "got ${#stderr_lines[@]} line(s):"
    printf '  %s\n' "${stderr_lines[@]}"
    return 1
  fi
}

# assert_empty WHAT VALUE: VALUE (stdout or stderr) is empty.
assert_empty() {
  if [ -n "$2" ]; then
    echo "expected no $1, got:"
    printf '%s\n' "$2"
    return 1
  fi
}
