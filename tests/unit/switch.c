/*
 * Description: green-thread switch round trips.  Two green threads yield
 * to each other 100k times and must strictly alternate; callee-saved
 * state (MXCSR and the x87 control word, locals live across the switch)
 * survives each switch; errno is per green thread; a spawned thread's return
 * value reaches join.
 */
#include "harness.h"

#include <errno.h>
#include <fenv.h>

#define ROUNDS 100000

static int turn, order_errors;

static void *pinger(void *arg)
{
  int me = (int)(long)arg;
  double acc = me; /* lives in a callee-saved register or on the stack */
  for (int i = 0; i < ROUNDS; i++) {
    if (turn != me)
      order_errors++;
    turn = !me;
    acc += 1.0;
    ub_sched_yield();
  }
  return (void *)(long)(acc == me + ROUNDS ? 7 + me : -1);
}

/* The rounding-control bits of MXCSR (bits 13-14) and of the x87 control
 * word (bits 10-11), read straight from the registers. */
static unsigned sse_rounding(void)
{
  unsigned mxcsr;
  __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
  return (mxcsr >> 13) & 3;
}

static unsigned x87_rounding(void)
{
  unsigned short cw;
  __asm__ volatile("fnstcw %0" : "=m"(cw));
  return (cw >> 10) & 3;
}

/* Each thread sets its own rounding mode, yields to the other, and must
 * find its own mode again: both control words are switched. */
static void *rounding(void *arg)
{
  int mode = (int)(long)arg;
  fesetround(mode);
  unsigned sse = sse_rounding(), x87 = x87_rounding();
  CHECK(sse != 0 && x87 != 0);
  for (int i = 0; i < 100; i++) {
    ub_sched_yield();
    CHECK(sse_rounding() == sse && x87_rounding() == x87);
  }
  fesetround(FE_TONEAREST);
  return (void *)1L;
}

/* errno is per green thread: each keeps its own across switches, and a new
 * one starts at 0 whatever its creator's errno was. */
static void *keep_errno(void *arg)
{
  int mine = (int)(long)arg;
  CHECK(errno == 0);
  errno = mine;
  for (int i = 0; i < 100; i++) {
    ub_sched_yield();
    CHECK(errno == mine);
  }
  return NULL;
}

static void *root(void *arg)
{
  (void)arg;
  struct ub_sched *s = ub_sched_self();
  struct ub_coro *a, *b;
  CHECK(ub_sched_spawn(s, &a, pinger, (void *)0L, 0, NULL, false) == 0);
  CHECK(ub_sched_spawn(s, &b, pinger, (void *)1L, 0, NULL, false) == 0);
  void *ra, *rb;
  CHECK(ub_sched_join(a, &ra, UB_NEVER) == 0);
  CHECK(ub_sched_join(b, &rb, UB_NEVER) == 0);
  CHECK(ra == (void *)7L && rb == (void *)8L);
  CHECK(order_errors == 0);

  CHECK(ub_sched_spawn(s, &a, rounding, (void *)(long)FE_UPWARD, 0, NULL,
                       false) == 0);
  CHECK(ub_sched_spawn(s, &b, rounding, (void *)(long)FE_DOWNWARD, 0, NULL,
                       false) == 0);
  CHECK(ub_sched_join(a, &ra, UB_NEVER) == 0 && ra == (void *)1L);
  CHECK(ub_sched_join(b, &rb, UB_NEVER) == 0 && rb == (void *)1L);

  errno = ENOENT;
  CHECK(ub_sched_spawn(s, &a, keep_errno, (void *)(long)EBADF, 0, NULL,
                       false) == 0);
  CHECK(ub_sched_spawn(s, &b, keep_errno, (void *)(long)EINVAL, 0, NULL,
                       false) == 0);
  CHECK(ub_sched_join(a, NULL, UB_NEVER) == 0);
  CHECK(errno == ENOENT);
  CHECK(ub_sched_join(b, NULL, UB_NEVER) == 0);
  CHECK(errno == ENOENT);
  return NULL;
}

int main(void)
{
  ub_test_run(root, NULL);
  return 0;
}
