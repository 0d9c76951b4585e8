# demos.mk - rules for the demos (included by the Makefile).
#
# httpd and httpload are plain programs: they include no unblock header and
# do not link libub.a, so these explicit rules take precedence over the
# Makefile's pattern rule for $(B)/demos/%.  They get CFLAGS (optimisation,
# debug info) but not EXTRA_CFLAGS: an ASan-instrumented httpd could not run
# under the launcher, which preloads an uninstrumented libunblock.so.
#
# `make demo-http` runs the same httpd natively and under the launcher,
# under the same load from httpload, and compares them (demos/demo.sh).

DEMO_HTTP_BINS := $(B)/demos/httpd $(B)/demos/httpload $(B)/demos/waits
DEMO_HTTP_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow \
                    -Wmissing-prototypes

$(B)/demos/httpd: demos/httpd.c demos/http.h
	@mkdir -p $(@D)
	$(CC) $(DEMO_HTTP_CFLAGS) $(CFLAGS) -pthread $< -o $@

$(B)/demos/httpload: demos/httpload.c
	@mkdir -p $(@D)
	$(CC) $(DEMO_HTTP_CFLAGS) $(CFLAGS) $< -o $@

# The profile's demo: threads that wait in known places (docs/profiling.md).
$(B)/demos/waits: demos/waits.c
	@mkdir -p $(@D)
	$(CC) $(DEMO_HTTP_CFLAGS) $(CFLAGS) -pthread $< -o $@

.PHONY: demo-http
demo-http: all $(DEMO_HTTP_BINS) $(B)/unblock
	bash demos/demo.sh $(DEMO_HTTP_BINS) $(B)/unblock

# ---- make bench's programs (demos/bench/) -----------------------------------
# Plain programs like httpd: the epoll server, the idle-connection client and
# the pipe ping-pong.  (demos/bench/run.sh builds the Go server, once it has
# made sure Go is installed.)

BENCH_C_BINS := $(B)/demos/bench/epolld $(B)/demos/bench/idlers \
                $(B)/demos/bench/pipepong

$(B)/demos/bench/epolld: demos/bench/epolld.c demos/http.h
	@mkdir -p $(@D)
	$(CC) $(DEMO_HTTP_CFLAGS) $(CFLAGS) $< -o $@

$(B)/demos/bench/idlers: demos/bench/idlers.c
	@mkdir -p $(@D)
	$(CC) $(DEMO_HTTP_CFLAGS) $(CFLAGS) $< -o $@

$(B)/demos/bench/pipepong: demos/bench/pipepong.c
	@mkdir -p $(@D)
	$(CC) $(DEMO_HTTP_CFLAGS) $(CFLAGS) -pthread $< -o $@
