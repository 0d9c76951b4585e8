/*
 * Description: stack pool reuse.  A released default-size stack comes
 * back on the next request, with all but its hot top returned to the
 * kernel (no longer resident, per mincore); other sizes are unmapped, not
 * pooled; the pool holds at most UB_STACK_POOL_CAP stacks.  Through the
 * scheduler, 1,000 spawn-and-exit cycles run on one reused stack.
 */
#include "harness.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t resident_pages(char *lo, size_t len)
{
  size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = len / pg, count = 0;
  unsigned char *vec = malloc(n);
  CHECK(vec != NULL);
  CHECK(mincore(lo, len, vec) == 0);
  for (size_t i = 0; i < n; i++)
    count += vec[i] & 1;
  free(vec);
  return count;
}

static void pool_direct(void)
{
  struct ub_stack_pool p;
  ub_stack_pool_init(&p, 256 * 1024);
  struct ub_stack a, b;
  CHECK(ub_stack_get(&p, &a, 0) == 0);
  CHECK(a.size == 256 * 1024 && a.guard == UB_STACK_GUARD);
  /* Touch the whole stack, then release it: only the hot top stays. */
  memset(a.lo, 0xab, a.size);
  CHECK(resident_pages(a.lo, a.size) == a.size / 4096);
  ub_stack_put(&p, &a);
  CHECK(p.count == 1);
  CHECK(resident_pages(a.lo, a.size - UB_STACK_HOT) == 0);
  CHECK(ub_stack_get(&p, &b, 0) == 0);
  CHECK(b.lo == a.lo && p.count == 0);
  CHECK(b.lo[0] == 0); /* given back: reads as zero */
  CHECK((unsigned char)ub_stack_hi(&b)[-1] == 0xab); /* hot top kept */
  ub_stack_put(&p, &b);

  /* A stack of another size is never pooled. */
  struct ub_stack big;
  CHECK(ub_stack_get(&p, &big, 512 * 1024) == 0);
  CHECK(big.size == 512 * 1024);
  ub_stack_put(&p, &big);
  CHECK(p.count == 1);

  /* The pool is bounded. */
  struct ub_stack many[UB_STACK_POOL_CAP + 1];
  for (int i = 0; i <= UB_STACK_POOL_CAP; i++)
    CHECK(ub_stack_get(&p, &many[i], 0) == 0);
  CHECK(p.count == 0);
  for (int i = 0; i <= UB_STACK_POOL_CAP; i++)
    ub_stack_put(&p, &many[i]);
  CHECK(p.count == UB_STACK_POOL_CAP);
  ub_stack_pool_fini(&p);
  CHECK(p.count == 0);
}

static char *seen;
static int distinct;

static void *note_stack(void *arg)
{
  (void)arg;
  char here;
  struct ub_sched *s = ub_sched_self();
  char *lo = s->current->stack.lo;
  CHECK(&here > lo && &here < ub_stack_hi(&s->current->stack));
  if (lo != seen)
    distinct++;
  seen = lo;
  return NULL;
}

static void *spawner(void *arg)
{
  (void)arg;
  struct ub_sched *s = ub_sched_self();
  for (int i = 0; i < 1000; i++) {
    struct ub_coro *c;
    CHECK(ub_sched_spawn(s, &c, note_stack, NULL, 0, NULL, false) == 0);
    CHECK(ub_sched_join(c, NULL, UB_NEVER) == 0);
  }
  return NULL;
}

int main(void)
{
  pool_direct();
  ub_test_run(spawner, NULL);
  /* The spawner's own stack is one; every child reused one other. */
  CHECK(distinct == 1);
  return 0;
}
