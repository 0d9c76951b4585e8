#!/usr/bin/env bats
# make install and make uninstall honour PREFIX and DESTDIR.

load helpers

setup() {
  root=$(mktemp -d)
  cd "$BATS_TEST_DIRNAME/.."
}

teardown() {
  rm -rf "$root"
}

@test "install puts the library and docs under DESTDIR/PREFIX" {
  run make -s install DESTDIR="$root" PREFIX=/opt/ub
  [ "$status" -eq 0 ]
  [ -x "$root/opt/ub/lib/libunblock.so" ]
  doc="$root/opt/ub/share/doc/unblock"
  [ -f "$doc/README.md" ]
  [ -f "$doc/docs/design.md" ]
  [ -f "$doc/docs/img/waits-flame.svg" ]
  # Every relative link in the installed README and docs reaches a file.
  links=0
  for md in "$doc"/README.md "$doc"/docs/*.md; do
    for target in $(grep -o '](\([^)#:]*\))' "$md" | sed 's/^](\(.*\))$/\1/'); do
      [ -f "$(dirname "$md")/$target" ] || {
        echo "$md: broken link $target"
        return 1
      }
      links=$((links + 1))
    done
  done
  [ "$links" -ge 5 ]
  # Nothing escapes DESTDIR.
  [ ! -e /opt/ub ]
  # The installed library preloads cleanly.
  run env LD_PRELOAD="$root/opt/ub/lib/libunblock.so" /bin/echo installed
  [ "$status" -eq 0 ]
  [ "$output" = installed ]
  # The installed launcher finds the installed library, and its man page.
  [ -f "$root/opt/ub/share/man/man1/unblock.1" ]
  run --separate-stderr "$root/opt/ub/bin/unblock" --verbose /bin/echo launched
  [ "$status" -eq 0 ]
  [ "$output" = launched ]
  [[ "$stderr" == "unblock: backend epoll, "*" stack 1024 KiB"* ]]
}

@test "the launcher answers --help and --version, and rejects bad input" {
  run "$B/unblock" --help
  [ "$status" -eq 0 ]
  [[ "$output" == "usage: unblock [options] [--] CMD [ARGS...]"* ]]
  run "$B/unblock" --version
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^unblock\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
  run "$B/unblock" --frobnicate /bin/true
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown option '--frobnicate'"*"--workers"* ]]
  run "$B/unblock" --backend kqueue /bin/true
  [ "$status" -eq 2 ]
  [ "$output" = "unblock: --backend: UNBLOCK_BACKEND='kqueue' is not valid; expected epoll or poll" ]
  run "$B/unblock" --workers 65 /bin/true
  [ "$status" -eq 2 ]
  [ "$output" = "unblock: --workers: UNBLOCK_WORKERS='65' is not valid; expected a number of carriers from 1 to 64" ]
  run "$B/unblock"
  [ "$status" -eq 2 ]
  run -127 "$B/unblock" /nonexistent/program
  [ "$status" -eq 127 ]
}

@test "the launcher keeps what LD_PRELOAD already holds" {
  run env LD_PRELOAD=/lib/x86_64-linux-gnu/libm.so.6 "$B/unblock" \
    /bin/sh -c 'echo "$LD_PRELOAD"'
  [ "$status" -eq 0 ]
  [ "$output" = "$B/libunblock.so /lib/x86_64-linux-gnu/libm.so.6" ]
}

@test "uninstall removes what install put there" {
  make -s install DESTDIR="$root" PREFIX=/opt/ub
  run make -s uninstall DESTDIR="$root" PREFIX=/opt/ub
  [ "$status" -eq 0 ]
  [ ! -e "$root/opt/ub/lib/libunblock.so" ]
  [ ! -e "$root/opt/ub/share/doc/unblock" ]
}

@test "the library exports no symbol of its own" {
  # Everything internal is hidden; only hooks.def rows may be exported.
  run bash -c "nm -D --defined-only '$B/libunblock.so' | awk '{print \$3}'"
  [ "$status" -eq 0 ]
  expected=$(sed -n 's/^UB_HOOK([^,]*, *\([a-z_0-9]*\),.*/\1/p' hooks/hooks.def | sort)
  [ "$(printf '%s\n' "$output" | sed '/^$/d' | sort)" = "$expected" ]
}

@test "the launcher warns that a static binary cannot be preloaded, and runs it" {
  command -v gcc >/dev/null || skip "no gcc"
  printf 'int main(void) { return 3; }\n' >"$root/st.c"
  gcc -static "$root/st.c" -o "$root/st" 2>/dev/null || skip "no static libc"
  run --separate-stderr "$B/unblock" "$root/st"
  [ "$status" -eq 3 ]
  [ "$stderr" = "unblock: warning: $root/st is statically linked; LD_PRELOAD cannot reach it, so it runs natively (docs/limits.md)" ]
  run --separate-stderr "$B/unblock" /bin/true
  [ "$status" -eq 0 ]
  [ -z "$stderr" ]
}
