/*
 * harness.h - the few helpers every unit test shares.
 *
 * A unit test is one binary: exit 0 passes, 1 fails, 77 skips (with the
 * reason as its last line of output).  tests/run-unit.sh runs each one
 * under a timeout.  UNBLOCK_BACKEND picks the backend, exactly as for the
 * library; UB_TEST_SLOW=1 (set for valgrind runs) widens time tolerances
 * and lets tests shrink their scale.
 */
#ifndef UB_HARNESS_H
#define UB_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "sched.h"

#define UB_SKIP 77

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static inline struct ub_config ub_test_config(void)
{
  struct ub_config cfg;
  char err[512];
  if (ub_config_load(&cfg, err, sizeof(err)) != 0) {
    fprintf(stderr, "unblock: %s\n", err);
    exit(1);
  }
  return cfg;
}

static inline struct ub_sched_config ub_test_sched_config(void)
{
  struct ub_config cfg = ub_test_config();
  return (struct ub_sched_config){cfg.backend, cfg.stack_size};
}

static inline bool ub_test_slow(void)
{
  const char *s = getenv("UB_TEST_SLOW");
  return s != NULL && s[0] == '1';
}

#endif
