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

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Run root(arg) as the one green thread of a fresh carrier, to the end. */
static inline void ub_test_run(void *(*root)(void *), void *arg)
{
  struct ub_sched_config cfg = ub_test_sched_config();
  struct ub_sched s;
  CHECK(ub_sched_init(&s, &cfg) == 0);
  CHECK(ub_sched_spawn(&s, NULL, root, arg, 0, NULL, true) == 0);
  CHECK(ub_sched_run(&s) == 0);
  ub_sched_fini(&s);
}

static inline bool ub_test_slow(void)
{
  const char *s = getenv("UB_TEST_SLOW");
  return s != NULL && s[0] == '1';
}

/*
 * A wait on the raw loop (no green thread behind it) with a record of how
 * it was resumed: how many times, with what result, and seq, its place
 * among the resumes of all probes, counted from 1 in ub_probe_resumes
 * (a test resets that to 0 when it wants a fresh count).  calls is atomic
 * and bumped last, so another pthread that sees it may read result and
 * seq; resumes themselves run on the loop's thread only.
 */
struct ub_probe {
  struct ub_wait w;
  atomic_int calls;
  int result;
  int seq;
};

static int ub_probe_resumes;

static inline void ub_probe_resume(struct ub_wait *w)
{
  struct ub_probe *p = w->owner;
  p->result = w->result;
  p->seq = ++ub_probe_resumes;
  atomic_fetch_add(&p->calls, 1);
}

static inline void ub_probe_init(struct ub_probe *p)
{
  atomic_store(&p->calls, 0);
  p->result = p->seq = 0;
  ub_wait_init(&p->w, ub_probe_resume, p);
}

/*
 * xorshift64 (Marsaglia): a fast, reproducible pseudo-random sequence.
 * The caller owns the state, so each test (or thread) keeps its own seed;
 * the state must not be 0.  Returns the new state.
 */
static inline uint64_t ub_test_rand(uint64_t *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

#endif
