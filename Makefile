# unblock - one GNU Makefile.  `make help` lists the targets.
#
# Objects go to $(B) (default build/); `make check-asan` rebuilds everything
# under build/asan with -fsanitize=address.

PREFIX  ?= /usr/local
# README.md, and docs/ beside it, as in the source tree, so their links work.
DOCDIR  ?= $(PREFIX)/share/doc/unblock
DESTDIR ?=
B       ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
TIMEOUT ?= 120

UB_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
             -fPIC -fvisibility=hidden -iquote loop -iquote shim -iquote hooks \
             -MMD -MP
# Hooks define libc's own names: no fortify wrappers, no 64-bit renames.
HOOK_CFLAGS := -U_FORTIFY_SOURCE -U_FILE_OFFSET_BITS -D_GNU_SOURCE
LDLIBS    := -lpthread
TEST_LIBS := -lm

LOOP_SRC := $(wildcard loop/*.c)
# The launcher's own sources (the `unblock` program, not the library).
CLI_SRC  := shim/unblock.c shim/report.c shim/symbolize.c shim/flame.c \
            shim/ps.c shim/profile_read.c shim/elfsym.c
SHIM_SRC := $(filter-out $(CLI_SRC),$(wildcard shim/*.c))
HOOK_SRC := $(wildcard hooks/*.c)
ASM_SRC  := loop/switch-x86_64.S
CORE_OBJ := $(LOOP_SRC:%.c=$(B)/%.o) $(ASM_SRC:%.S=$(B)/%.o) \
            $(B)/shim/config.o
SO_OBJ   := $(CORE_OBJ) $(filter-out $(B)/shim/config.o,$(SHIM_SRC:%.c=$(B)/%.o)) \
            $(HOOK_SRC:%.c=$(B)/%.o)

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_BIN := $(UNIT_SRC:%.c=$(B)/%)
DEMO_BIN := $(B)/demos/pingpong
BENCH_BIN := $(B)/demos/bench/micro

# --fair-sched: valgrind runs one thread at a time, and its default lock
# lets a thread that spins (a green thread yielding on one carrier) starve
# the others for seconds.
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --fair-sched=yes \
            --suppressions=$(abspath tests/valgrind.supp) \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite

# Set by demos/demos.mk and tests/e2e/e2e.mk.
DEMO_HTTP_BINS :=
E2E_BIN :=

.PHONY: demo-loop all check check-unit check-valgrind check-asan check-bats \
        format format-check bench demo install uninstall clean deps \
        deps-build deps-check print-deps hooks-doc-check help
.DELETE_ON_ERROR:

all: deps-build $(B)/libunblock.so $(B)/unblock

help:
	@echo "make            build $(B)/libunblock.so"
	@echo "make check      every test: format, unit (epoll and poll),"
	@echo "                unit under valgrind, bats end-to-end"
	@echo "make check-valgrind   unit suite under memcheck, both backends"
	@echo "make check-asan       unit suite built with AddressSanitizer"
	@echo "make demo       a thread-per-connection server, natively and under"
	@echo "                unblock, with 1,000 connections: req/s, threads, RSS"
	@echo "make demo-loop  green threads sleeping and ping-ponging on the loop"
	@echo "make bench      every benchmark against native threads, an epoll"
	@echo "                server and Go; writes docs/benchmarks.md (~10 min)"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"
	@echo "make deps       apt-get install the build and test dependencies"

# ---- dependencies -----------------------------------------------------------
# Each probe is "what to test : the Debian package that provides it".

BUILD_DEPS := cmd:$(CC):gcc cmd:make:make hdr:ffi.h:libffi-dev \
              hdr:valgrind/valgrind.h:valgrind
CHECK_DEPS := cmd:bats:bats cmd:valgrind:valgrind \
              cmd:clang-format:clang-format cmd:timeout:coreutils \
              cmd:/usr/bin/python3:python3 cmd:curl:curl cmd:wget:wget \
              cmd:socat:socat cmd:nc:netcat-openbsd cmd:sqlite3:sqlite3 \
              cmd:tinyproxy:tinyproxy cmd:microsocks:microsocks \
              cmd:setsid:util-linux cmd:pgrep:procps
# Real programs the end-to-end tests drive (tests/*.bats).
E2E_PKGS   := procps python3 curl wget socat netcat-openbsd sqlite3 \
              tinyproxy microsocks util-linux diffutils
ALL_PKGS   := gcc make libffi-dev valgrind bats clang-format coreutils \
              $(E2E_PKGS)

define probe
missing=""; for p in $(1); do \
  kind=$${p%%:*}; rest=$${p#*:}; what=$${rest%:*}; pkg=$${rest##*:}; \
  if [ $$kind = cmd ]; then command -v $$what >/dev/null 2>&1 || missing="$$missing $$pkg"; \
  elif command -v $(CC) >/dev/null 2>&1; then \
    echo "#include <$$what>" | $(CC) -E -x c - >/dev/null 2>&1 || missing="$$missing $$pkg"; fi; \
done; \
if [ -n "$$missing" ]; then \
  echo "unblock: missing dependencies:$$missing" >&2; \
  echo "  install them with: apt-get install -y$$missing   (as root; or: make deps)" >&2; \
  exit 1; fi
endef

deps-build:
	@$(call probe,$(BUILD_DEPS))

deps-check:
	@$(call probe,$(BUILD_DEPS) $(CHECK_DEPS))

print-deps:
	@echo $(ALL_PKGS)

deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (apt-get)" >&2; exit 1; fi
	apt-get update && apt-get install -y $(ALL_PKGS)

# ---- build ------------------------------------------------------------------

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(UB_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(B)/hooks/%.o: hooks/%.c
	@mkdir -p $(@D)
	$(CC) $(UB_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) $(HOOK_CFLAGS) -c $< -o $@

$(B)/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(B)/exports.map: hooks/hooks.def
	@mkdir -p $(@D)
	syms=$$(sed -n 's/^UB_HOOK([^,]*, *\([a-z_0-9]*\),.*/  \1;/p' $<); \
	{ echo '{'; [ -z "$$syms" ] || printf ' global:\n%s\n' "$$syms"; \
	  echo ' local: *;'; echo '};'; } > $@

# docs/hooks.md is generated from the same table; `make check` verifies it.
define hooks_md
{ echo '# Interposed symbols'; echo; \
  echo 'Generated from `hooks/hooks.def` by `make docs/hooks.md`; do not edit.'; \
  echo; rows=$$(sed -n 's/^UB_HOOK(\([^,]*\), *\([a-z_0-9]*\), *(\(.*\)), *\(.*\))$$/| `\2` | `\1 \2(\3)` | \4 |/p' $(1)); \
  if [ -z "$$rows" ]; then echo 'No symbol is interposed yet: the hooks arrive with the transparent core.'; \
  else echo '| symbol | prototype | waits for |'; echo '|---|---|---|'; echo "$$rows"; fi; }
endef

docs/hooks.md: hooks/hooks.def
	$(call hooks_md,$<) > $@

hooks-doc-check:
	@$(call hooks_md,hooks/hooks.def) | cmp -s - docs/hooks.md || \
	  { echo "docs/hooks.md is stale: run make docs/hooks.md" >&2; exit 1; }

# libgcc_s: loaded with us, so that backtrace() (the dump, the profile's
# stacks) need not dlopen it later, and open an fd, while the program runs.
$(B)/libunblock.so: $(SO_OBJ) $(B)/exports.map
	$(CC) -shared $(CFLAGS) $(EXTRA_CFLAGS) -Wl,--version-script=$(B)/exports.map \
	  -Wl,-z,defs -Wl,-z,now -o $@ $(SO_OBJ) $(LDLIBS) -lffi -ldl \
	  -Wl,--push-state,--no-as-needed -lgcc_s -Wl,--pop-state

$(B)/unblock: $(CLI_SRC:%.c=$(B)/%.o) $(B)/shim/config.o
	$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -pie -o $@ $(filter %.o,$^) -lm

$(B)/libub.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/tests/unit/%: tests/unit/%.c tests/unit/harness.h $(B)/libub.a
	@mkdir -p $(@D)
	$(CC) $(UB_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -iquote tests/unit $< \
	  -o $@ $(B)/libub.a $(LDLIBS) $(TEST_LIBS)

$(B)/demos/%: demos/%.c $(B)/libub.a
	@mkdir -p $(@D)
	$(CC) $(UB_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) $< -o $@ $(B)/libub.a $(LDLIBS) $(TEST_LIBS)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# The demos and the hook snippets bring their own rules.
include demos/demos.mk tests/e2e/e2e.mk tests/hooks/hooks.mk

# ---- tests ------------------------------------------------------------------

check: deps-check all $(BENCH_BIN) $(BENCH_C_BINS) format-check hooks-doc-check hooks-snippet-check
	$(MAKE) --no-print-directory check-unit
	$(MAKE) --no-print-directory check-unit UNBLOCK_BACKEND=poll
	$(MAKE) --no-print-directory check-unit WRAP="$(VALGRIND)" UB_TEST_SLOW=1
	$(MAKE) --no-print-directory check-hooks UNBLOCK_WORKERS=1
	$(MAKE) --no-print-directory check-hooks UNBLOCK_WORKERS=2
	$(MAKE) --no-print-directory check-hooks UNBLOCK_WORKERS=2 UNBLOCK_BACKEND=poll
	$(MAKE) --no-print-directory check-bats UNBLOCK_WORKERS=1
	$(MAKE) --no-print-directory check-bats UNBLOCK_WORKERS=2
	@echo "make check: all passed"

check-unit: $(UNIT_BIN)
	@echo "== unit tests (backend: $${UNBLOCK_BACKEND:-epoll}$(if $(WRAP), under valgrind))"
	@UB_TEST_WRAP='$(WRAP)' tests/run-unit.sh $(TIMEOUT) $(UNIT_BIN)

check-valgrind: deps-check all $(DEMO_HTTP_BINS)
	$(MAKE) --no-print-directory check-unit WRAP="$(VALGRIND)" UB_TEST_SLOW=1
	$(MAKE) --no-print-directory check-unit WRAP="$(VALGRIND)" UB_TEST_SLOW=1 UNBLOCK_BACKEND=poll
	$(MAKE) --no-print-directory check-hooks-valgrind
	@echo "== the demo server under the shim and memcheck"
	tests/valgrind-demo.sh $(B) $(VALGRIND)

check-asan:
	$(MAKE) --no-print-directory B=build/asan \
	  EXTRA_CFLAGS="-fsanitize=address -fno-omit-frame-pointer" check-unit
	$(MAKE) --no-print-directory B=build/asan UNBLOCK_BACKEND=poll \
	  EXTRA_CFLAGS="-fsanitize=address -fno-omit-frame-pointer" check-unit

check-bats: all $(DEMO_BIN) $(DEMO_HTTP_BINS) $(E2E_BIN)
	@echo "== end-to-end (bats; carriers: $${UNBLOCK_WORKERS:-one per CPU})"
	B=$(abspath $(B)) UB_TEST_WORKERS=$${UNBLOCK_WORKERS-} bats tests/

export UB_TEST_SLOW

# ---- format -----------------------------------------------------------------

FORMAT_SRC = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build/*')

format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "format: clean"

# ---- demo and bench ---------------------------------------------------------

demo: demo-http

# The loop and the green threads alone, without the hooks (issue 2's demo).
demo-loop: all $(DEMO_BIN)
	$(DEMO_BIN)

bench: all $(BENCH_BIN) $(DEMO_HTTP_BINS) $(BENCH_C_BINS) $(E2E_BIN)
	demos/bench/run.sh $(B) docs README.md

# ---- install ----------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(DOCDIR)/docs/img $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(B)/libunblock.so $(DESTDIR)$(PREFIX)/lib/libunblock.so
	install -m 0755 $(B)/unblock $(DESTDIR)$(PREFIX)/bin/unblock
	install -m 0644 docs/unblock.1 $(DESTDIR)$(PREFIX)/share/man/man1/unblock.1
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	install -m 0644 docs/img/* $(DESTDIR)$(DOCDIR)/docs/img/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libunblock.so $(DESTDIR)$(PREFIX)/bin/unblock
	rm -f $(DESTDIR)$(PREFIX)/share/man/man1/unblock.1
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build
