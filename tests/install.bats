#!/usr/bin/env bats
# make install and make uninstall honour PREFIX and DESTDIR.

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
  [ -f "$root/opt/ub/share/doc/unblock/design.md" ]
  [ -f "$root/opt/ub/share/doc/unblock/README.md" ]
  # Nothing escapes DESTDIR.
  [ ! -e /opt/ub ]
  # The installed library preloads cleanly.
  run env LD_PRELOAD="$root/opt/ub/lib/libunblock.so" /bin/echo installed
  [ "$status" -eq 0 ]
  [ "$output" = installed ]
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
