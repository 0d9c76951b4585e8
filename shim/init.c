/*
 * init.c - the library's constructor.
 *
 * For now it validates the UNBLOCK_* settings, so that a bad value stops
 * the program with one clear message and exit status 2 instead of being
 * ignored, and reports the settings with UNBLOCK_VERBOSE=1.  Carriers and
 * hooks arrive with the transparent core (issue 3).
 */
#include <stdio.h>
#include <unistd.h>

#include "config.h"

__attribute__((constructor)) static void ub_init(void)
{
  struct ub_config cfg;
  char err[512];
  if (ub_config_load(&cfg, err, sizeof(err)) != 0) {
    fprintf(stderr, "unblock: %s\n", err);
    _exit(2);
  }
  if (cfg.verbose)
    fprintf(stderr, "unblock: backend %s, stack %zu KiB\n",
            cfg.backend == UB_BACKEND_POLL ? "poll" : "epoll",
            cfg.stack_size / 1024);
}
