/*
 * init.c - the library's constructor: read the settings, start the
 * carrier, and make the main thread its first green thread.
 *
 * A bad UNBLOCK_* value stops the program with one clear message and exit
 * status 2 instead of being ignored.  With UNBLOCK_VERBOSE=1 it reports
 * what was set up, and what it can see that limits transparency: TLS
 * segments (__thread data is shared by the green threads of a carrier) and
 * the memory-map limit that bounds how many stacks can exist.
 *
 * This thread becomes the first carrier; the others start with the
 * program's first thread (carriers.c).  After this constructor returns, main()
 * runs as a green thread on the thread's own stack; the scheduler has a stack
 * of its own, and runs the others whenever main parks.  When the last
 * green thread exits (main called pthread_exit), the process exits with
 * status 0, as natively.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carriers.h"
#include "config.h"
#include "control.h"
#include "monitor.h"
#include "offload.h"
#include "profile.h"
#include "real.h"
#include "sched.h"
#include "signal.h"
#include "thread.h"

static void fail(const char *what, int err)
{
  fprintf(stderr, "unblock: %s: %s\n", what, strerror(err));
  _exit(2);
}

/* dl_iterate_phdr callback: name every object with a TLS segment. */
static int report_tls(struct dl_phdr_info *info, size_t size, void *arg)
{
  (void)size;
  int *n = arg;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    if (info->dlpi_phdr[i].p_type != PT_TLS || info->dlpi_phdr[i].p_memsz == 0)
      continue;
    const char *name = info->dlpi_name[0] ? info->dlpi_name : "the program";
    if (strstr(name, "libunblock") == NULL && strstr(name, "libc.so") == NULL)
      fprintf(stderr,
              "unblock: %s has %zu bytes of __thread data, shared by the "
              "green threads of a carrier (docs/limits.md)\n",
              name, (size_t)info->dlpi_phdr[i].p_memsz);
    (*n)++;
  }
  return 0;
}

static void report(const struct ub_config *cfg)
{
  fprintf(stderr, "unblock: backend %s, %u carrier%s, stack %zu KiB\n",
          cfg->backend == UB_BACKEND_POLL ? "poll" : "epoll", cfg->workers,
          cfg->workers == 1 ? "" : "s", cfg->stack_size / 1024);
  int n = 0;
  dl_iterate_phdr(report_tls, &n);
  FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
  long maps = 0;
  if (f != NULL) {
    if (fscanf(f, "%ld", &maps) != 1)
      maps = 0;
    fclose(f);
  }
  if (maps > 0)
    fprintf(stderr,
            "unblock: vm.max_map_count is %ld: at most about %ld green "
            "threads (2 maps per stack)\n",
            maps, maps / 2 - 1000);
}

static void on_profile_signal(int sig)
{
  (void)sig;
  ub_prof_write();
}

static void write_profile(void)
{
  ub_prof_write();
}

__attribute__((constructor)) static void ub_init(void)
{
  struct ub_config cfg;
  char err[512];
  if (ub_config_load(&cfg, err, sizeof(err)) != 0) {
    fprintf(stderr, "unblock: %s\n", err);
    _exit(2);
  }
  ub_real_resolve();
  if (ub_prof_setup(&cfg, err, sizeof(err)) != 0) {
    fprintf(stderr, "unblock: %s\n", err);
    _exit(2);
  }
  ub_sched_clock_parks = ub_prof_on;
  if (ub_prof_on) {
    if (cfg.profile_signal != 0)
      ub_sig_reserve(cfg.profile_signal, on_profile_signal);
    ub_sig_on_death(write_profile);
  }
  if (cfg.verbose)
    report(&cfg);
  if (cfg.observe)
    return; /* no carrier, no green thread: every hook passes through */
  struct ub_sched *s = calloc(1, sizeof(*s) + ub_sig_carrier_extra());
  if (s == NULL)
    fail("cannot start the carrier", ENOMEM);
  struct ub_sched_config sc = {cfg.backend, cfg.stack_size};
  int e = ub_sched_init(s, &sc);
  if (e != 0)
    fail("cannot start the carrier", -e);
  ub_sig_carrier_init(s);
  ub_sig_main_carrier(s);
  struct ub_coro *self;
  ub_carriers_setup(&cfg);
  ub_monitor_setup(&cfg);
  ub_offload_setup(cfg.offload_threads);
  e = ub_sched_adopt(s, &self, ub_carriers_last_exit);
  if (e == 0)
    e = ub_sched_group_add(s);
  if (e == 0)
    e = ub_thread_adopt(self);
  if (e != 0)
    fail("cannot make the main thread a green thread", -e);
  ub_control_setup(&cfg);
  /* main() is the program's code: the monitor may hand this carrier on
   * while it is stuck there (loop/handoff.h). */
  self->depth = 1;
  ub_sched_leave(s, NULL);
}
