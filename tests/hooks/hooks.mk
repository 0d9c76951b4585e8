# hooks.mk - rules for the hook snippets (included by the Makefile).
#
# Every row of hooks/hooks.def has a snippet tests/hooks/<symbol>.c: a plain
# program (not linked with libub.a) that tests/hooks/run.sh runs natively
# and with libunblock.so preloaded, comparing the two runs.  A snippet may
# add compiler flags with a line "// cflags: ..." (the fortify variants need
# -D_FORTIFY_SOURCE=2, the 64-bit names -D_FILE_OFFSET_BITS=64).  After
# linking, each binary must import the very symbol it is named after, so a
# header redirect (fcntl -> fcntl64, pthread_yield -> sched_yield) or an
# inlined call (pthread_equal) cannot quietly test the wrong hook.
#
# tests/hooks/ctor/ holds the constructor-order case: libearly.so calls
# hooked functions from its constructor, before libunblock's has run (see
# tests/hooks/ctor/ctor_order.c for how that order is ensured; check-hooks
# verifies it with the "calling init:" lines of LD_DEBUG=libs).
#
#   make check-hooks            every snippet, natively and shimmed
#   make check-hooks-valgrind   the same, the shimmed side under memcheck
#   make hooks-snippet-check    every hooks.def row has its snippet

.PHONY: check-hooks check-hooks-valgrind hooks-snippet-check \
        hooks-ctor-order-check

# The names, read from hooks.def with the sed expression of the exports.map
# rule.  (A variable, because its unbalanced "(" would end a $(shell ...).)
HOOK_SED   := s/^UB_HOOK([^,]*, *\([a-z_0-9]*\),.*/\1/p
HOOK_NAMES := $(shell sed -n '$(HOOK_SED)' hooks/hooks.def)
HOOK_BIN   := $(HOOK_NAMES:%=$(B)/tests/hooks/%)
HOOK_CTOR_LIB := $(B)/tests/hooks/ctor/libearly.so
HOOK_CTOR_BIN := $(B)/tests/hooks/ctor/ctor_order
HOOK_TIMEOUT  ?= 10
HOOK_CC := $(CC) -std=gnu11 $(CFLAGS) -Wall -Wextra -Werror -pthread

$(B)/tests/hooks/%: tests/hooks/%.c tests/hooks/snippet.h tests/hooks/aliases.h
	@mkdir -p $(@D)
	$(HOOK_CC) $$(sed -n 's|^// cflags: *||p' $<) $< -o $@
	@nm -D --undefined-only $@ | awk '{print $$NF}' | sed 's/@.*//' | \
	  grep -qx '$*' || { echo "$@ does not import $* (see $<)" >&2; \
	  rm -f $@; exit 1; }

$(HOOK_CTOR_LIB): tests/hooks/ctor/libearly.c tests/hooks/ctor/early.h
	@mkdir -p $(@D)
	$(HOOK_CC) -fPIC -shared $< -o $@

$(HOOK_CTOR_BIN): tests/hooks/ctor/ctor_order.c tests/hooks/ctor/early.h \
                  tests/hooks/snippet.h $(HOOK_CTOR_LIB)
	$(HOOK_CC) -iquote tests/hooks $< -o $@ -L$(@D) -learly \
	  -Wl,-rpath,'$$ORIGIN'

hooks-snippet-check:
	@bad=0; \
	for n in $$(sed -n '$(HOOK_SED)' hooks/hooks.def); do \
	  [ -f tests/hooks/$$n.c ] || { echo "hooks.def row $$n has no snippet tests/hooks/$$n.c" >&2; bad=1; }; \
	done; \
	for f in tests/hooks/*.c; do \
	  n=$${f##*/}; n=$${n%.c}; \
	  echo " $(HOOK_NAMES) " | grep -q " $$n " || { echo "$$f has no row in hooks/hooks.def" >&2; bad=1; }; \
	done; \
	[ $$bad = 0 ] && echo "hook snippets: one per hooks.def row"

# libearly's constructor must run before libunblock's, or the case tests
# nothing: ask the dynamic linker in which order it calls them.
hooks-ctor-order-check: $(B)/libunblock.so $(HOOK_CTOR_BIN)
	@order=$$(timeout 10 env LD_DEBUG=libs \
	  LD_PRELOAD=$(abspath $(B)/libunblock.so) $(HOOK_CTOR_BIN) 2>&1 >/dev/null | \
	  sed -n 's/.*calling init: .*\/\(lib[a-z]*\.so\).*/\1/p' | \
	  grep -E '^lib(early|unblock)\.so$$' | tr '\n' ' '); \
	[ "$$order" = "libearly.so libunblock.so " ] || \
	{ echo "ctor_order: libearly's constructor must run before libunblock's; init order: $$order" >&2; exit 1; }; \
	echo "ctor_order: libearly.so initialised before libunblock.so"

check-hooks: hooks-snippet-check all $(HOOK_BIN) $(HOOK_CTOR_BIN)
	@$(MAKE) --no-print-directory hooks-ctor-order-check
	@echo "== hook snippets (native vs shimmed$(if $(WRAP), under $(word 1,$(WRAP))); backend $${UNBLOCK_BACKEND:-epoll}, carriers $${UNBLOCK_WORKERS:-one per CPU})"
	@UB_TEST_WRAP='$(WRAP)' UB_HOOK_TIMEOUT=$(HOOK_TIMEOUT) \
	  tests/hooks/run.sh $(B) $(B)/libunblock.so $(HOOK_BIN) $(HOOK_CTOR_BIN)

# Under memcheck a snippet runs several times slower: widen its watchdog
# (UB_WATCHDOG, read by snippet.h) and the runner's timeout.
check-hooks-valgrind: deps-check
	UB_WATCHDOG=30 $(MAKE) --no-print-directory check-hooks \
	  WRAP="$(VALGRIND)" HOOK_TIMEOUT=60
