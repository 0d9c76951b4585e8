/*
 * Description: adopting the running context (what the library does to the
 * main thread), and a program's signal masks.
 *   - After ub_sched_adopt, the caller is a green thread on its own stack:
 *     it can spawn, sleep and join, while the scheduler runs the others
 *     on a stack of its own.
 *   - The signals that every live green thread blocks are what the
 *     carrier blocks while it waits on the loop (idle_mask); one thread
 *     that does not block a signal lets it in.
 *   - After ub_sched_after_fork in a child, the surviving thread has a
 *     fresh loop: it can sleep there, and the other threads are gone.
 */
#include "harness.h"

#include <sys/wait.h>
#include <unistd.h>

static int ran;

static void *worker(void *arg)
{
  CHECK(ub_sched_sleep(ub_clock_after(ub_clock_now(), 10000000)) == 0);
  ran++;
  return arg;
}

static void *blocked_forever(void *arg)
{
  (void)arg;
  ub_sched_sleep(UB_NEVER);
  return NULL;
}

static void never_empty(struct ub_sched *s)
{
  (void)s;
  _exit(3); /* the main thread never exits in this test */
}

int main(void)
{
  struct ub_sched_config cfg = ub_test_sched_config();
  struct ub_sched *s = calloc(1, sizeof(*s));
  CHECK(s != NULL && ub_sched_init(s, &cfg) == 0);
  struct ub_coro *self;
  CHECK(ub_sched_adopt(s, &self, never_empty) == 0);
  CHECK(ub_sched_current() == self && self->stack.guard == 0);

  struct ub_coro *c[4];
  for (long i = 0; i < 4; i++)
    CHECK(ub_sched_spawn(s, &c[i], worker, (void *)i, 0, NULL, false) == 0);
  CHECK(ub_sched_sleep(ub_clock_after(ub_clock_now(), 1000000)) == 0);
  for (long i = 0; i < 4; i++) {
    void *ret;
    CHECK(ub_sched_join(c[i], &ret, UB_NEVER) == 0 && ret == (void *)i);
  }
  CHECK(ran == 4);

  /* Masks: SIGUSR1 (bit 9) blocked by every thread stays blocked while
   * idle; SIGUSR2 (bit 11), blocked by the main thread only, does not. */
  struct ub_coro *other;
  CHECK(ub_sched_spawn(s, &other, worker, NULL, 0, NULL, false) == 0);
  ub_sched_set_sigmask(self, 1ull << 9 | 1ull << 11);
  ub_sched_set_sigmask(other, 1ull << 9);
  CHECK(ub_sched_join(other, NULL, UB_NEVER) == 0);
  CHECK((s->idle_mask & (1ull << 9)) != 0);
  CHECK((s->idle_mask & (1ull << 11)) == 0);
  ub_sched_set_sigmask(self, 0);

  struct ub_coro *stuck;
  CHECK(ub_sched_spawn(s, &stuck, blocked_forever, NULL, 0, NULL, false) == 0);
  ub_sched_yield();
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    CHECK(ub_sched_after_fork(s) == 0);
    CHECK(s->live == 1 && s->all == self && s->rq_head == NULL);
    CHECK(ub_sched_sleep(ub_clock_after(ub_clock_now(), 5000000)) == 0);
    _exit(0);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  puts("adopt: ok");
  exit(0); /* `stuck` still sleeps: leave without joining it */
}
