/*
 * carriers.c - starting the carriers beyond the first (carriers.h).
 *
 * A program that never creates a thread never gets a second carrier: the
 * others start with its first pthread_create, so `unblock ls` costs no
 * idle threads.  The starter waits until every new carrier has joined the
 * group (a few hundred microseconds, once), so that the very first
 * threads are already spread over all of them.
 *
 * A carrier thread is a native thread made with the real pthread_create,
 * with every signal blocked: its scheduler then lets in exactly the
 * signals one of its green threads accepts (sched.c, idle_mask).  Its
 * scheduler context runs on the thread's own stack, which signal handlers
 * may also use (hooks/signal.c), hence a generous size.
 */
#define _GNU_SOURCE
#include "carriers.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "control.h"
#include "monitor.h"
#include "real.h"
#include "signal.h"
#include "sys.h"

#define CARRIER_STACK ((size_t)512 * 1024)

static struct ub_sched_config sched_cfg;
static unsigned wanted = 1;
static bool verbose;
static atomic_int started; /* 0: not yet, 1: starting, 2: done */
static atomic_int arrived; /* new carriers that finished starting */

_Noreturn void ub_carriers_last_exit(struct ub_sched *s)
{
  (void)s;
  exit(0);
}

void ub_carriers_setup(const struct ub_config *cfg)
{
  sched_cfg = (struct ub_sched_config){cfg->backend, cfg->stack_size};
  wanted = cfg->workers;
  verbose = cfg->verbose;
}

static void arrive(void)
{
  atomic_fetch_add(&arrived, 1);
  syscall(SYS_futex, &arrived, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void *carrier_main(void *arg)
{
  (void)arg;
  struct ub_sched *s = calloc(1, sizeof(*s) + ub_sig_carrier_extra());
  int err = s != NULL ? ub_sched_init(s, &sched_cfg) : -ENOMEM;
  if (err == 0) {
    ub_sig_carrier_init(s);
    s->on_empty = ub_carriers_last_exit;
    err = ub_sched_group_add(s);
    if (err != 0)
      ub_sched_fini(s);
  }
  if (err != 0) {
    if (verbose)
      fprintf(stderr, "unblock: a carrier could not start: %s\n",
              strerror(-err));
    free(s);
    arrive();
    return NULL;
  }
  arrive();
  if (ub_sched_run(s) == UB_SCHED_HANDED_BACK) {
    /* It drove this carrier for a thread it was taken from, and gave it
     * back (loop/handoff.h): this thread is a spare now. */
    struct ub_spare me = {0};
    ub_handoff_serve(&me, UB_SPARE_IDLE_NS);
    return NULL;
  }
  ub_carriers_last_exit(s); /* no green thread is left anywhere */
}

void ub_carriers_start(void)
{
  int state = atomic_load_explicit(&started, memory_order_acquire);
  if (state == 2)
    return;
  ub_monitor_start();
  ub_control_start();
  if (wanted <= 1) {
    atomic_store_explicit(&started, 2, memory_order_release);
    return;
  }
  if (state != 0 || !atomic_compare_exchange_strong(&started, &state, 1))
    return; /* another carrier is starting them: go on with fewer */
  pthread_attr_t attr;
  sigset_t all;
  sigfillset(&all);
  int want = 0;
  if (pthread_attr_init(&attr) == 0) {
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, CARRIER_STACK);
    pthread_attr_setsigmask_np(&attr, &all);
    for (unsigned i = 1; i < wanted; i++) {
      pthread_t t;
      int err = real.pthread_create(&t, &attr, carrier_main, NULL);
      if (err != 0) {
        if (verbose)
          fprintf(stderr, "unblock: a carrier could not start: %s\n",
                  strerror(err));
        break;
      }
      want++;
    }
    pthread_attr_destroy(&attr);
  }
  int n;
  while ((n = atomic_load(&arrived)) < want)
    syscall(SYS_futex, &arrived, FUTEX_WAIT_PRIVATE, n, NULL, NULL, 0);
  atomic_store_explicit(&started, 2, memory_order_release);
}

void ub_carriers_after_fork(void)
{
  atomic_store(&started, 0);
  atomic_store(&arrived, 0);
}
