# e2e.mk - rules for the end-to-end helper programs (included by the
# Makefile).
#
# tests/e2e/*.c are plain blocking programs that tests/edge.bats and
# tests/programs.bats run natively and under the launcher: they include no
# unblock header and do not link libub.a.  `make e2e` builds them all into
# $(B)/tests/e2e/.

E2E_SRC := $(wildcard tests/e2e/*.c)
E2E_BIN := $(E2E_SRC:%.c=$(B)/%)
E2E_CC  := $(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread

.PHONY: e2e
e2e: $(E2E_BIN)

$(B)/tests/e2e/%: tests/e2e/%.c tests/e2e/e2e.h
	@mkdir -p $(@D)
	$(E2E_CC) $< -o $@

# native_thread links libnative.so, whose constructor starts a thread before
# libunblock's constructor runs (tests/e2e/native/libnative.c).
E2E_BIN += $(B)/tests/e2e/native/libnative.so

$(B)/tests/e2e/native/libnative.so: tests/e2e/native/libnative.c \
                                    tests/e2e/native/native.h
	@mkdir -p $(@D)
	$(E2E_CC) -fPIC -shared $< -o $@

$(B)/tests/e2e/native_thread: tests/e2e/native_thread.c \
                              tests/e2e/native/native.h \
                              $(B)/tests/e2e/native/libnative.so
	@mkdir -p $(@D)
	$(E2E_CC) -iquote tests/e2e $< -o $@ -L$(B)/tests/e2e/native -lnative \
	  -Wl,-rpath,'$$ORIGIN/native'
