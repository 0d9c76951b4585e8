/*
 * Description: one fd, two loops on two threads (loop/share.h).  Both
 * wait on a socket at once: both know it, and one byte wakes the waiter
 * on each.  Then a close from a third thread (ub_loop_forget_all) wakes
 * both with EBADF through their inboxes.  Then an fd known to one loop,
 * with nobody waiting there, moves when the other loop binds it: the
 * first drops its registration.  And a wait made under an old tag ends
 * (EBADF) when its loop binds the number to a new file.  A waiter woken
 * with EBADF finds its loop already gone from the fd's set, so whoever
 * sees it woken may check the set at once.
 */
#include "harness.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>

#include "share.h"

enum { IDLE, ARM, ARMED };

struct side {
  pthread_t thread;
  struct ub_loop loop;
  atomic_int slot;
  atomic_int step;  /* IDLE, ARM (asked), ARMED */
  atomic_int bind;  /* ask to bind this fd without waiting (-1: none) */
  atomic_int bound; /* how many such binds were made */
  atomic_int quit;
  int fd;
  uint32_t tag;
  struct ub_probe probe;
  atomic_int held; /* 1 if our loop was still in fd's set at the wake */
};

static void resume(struct ub_wait *w)
{
  struct side *d =
      (struct side *)((char *)w->owner - offsetof(struct side, probe));
  uint64_t mask = ub_share_mask(d->fd);
  atomic_store(&d->held, (mask >> d->loop.slot & 1) != 0);
  ub_probe_resume(w);
}

static void *run(void *arg)
{
  struct side *d = arg;
  CHECK(ub_loop_init(&d->loop, ub_test_config().backend) == 0);
  atomic_store(&d->slot, d->loop.slot);
  while (!atomic_load(&d->quit)) {
    if (atomic_load(&d->step) == ARM) {
      ub_probe_init(&d->probe);
      d->probe.w.resume = resume;
      CHECK(ub_loop_bind(&d->loop, d->fd, d->tag) == 0);
      CHECK(ub_loop_arm(&d->loop, &d->probe.w, d->fd, UB_IN, UB_NEVER) == 0);
      atomic_store(&d->step, ARMED);
    }
    int f = atomic_exchange(&d->bind, -1);
    if (f >= 0) {
      CHECK(ub_loop_bind(&d->loop, f, 9) == 0);
      atomic_fetch_add(&d->bound, 1);
    }
    CHECK(ub_loop_tick(&d->loop, false) >= 0);
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  ub_loop_fini(&d->loop);
  return NULL;
}

static void wait_for(atomic_int *v, int want)
{
  for (int i = 0; i < 5000 && atomic_load(v) != want; i++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  CHECK(atomic_load(v) == want);
}

static uint64_t bit(struct side *d)
{
  return 1ull << atomic_load(&d->slot);
}

static void arm_both(struct side *a, struct side *b)
{
  atomic_store(&a->step, ARM);
  wait_for(&a->step, ARMED);
  atomic_store(&b->step, ARM);
  wait_for(&b->step, ARMED);
}

int main(void)
{
  int sv[2], other[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, other) == 0);
  struct side a = {.fd = sv[0], .tag = 1, .bind = -1, .slot = -1};
  struct side b = {.fd = sv[0], .tag = 1, .bind = -1, .slot = -1};
  CHECK(pthread_create(&a.thread, NULL, run, &a) == 0);
  CHECK(pthread_create(&b.thread, NULL, run, &b) == 0);
  wait_for(&a.step, IDLE);
  while (atomic_load(&a.slot) < 0 || atomic_load(&b.slot) < 0)
    sched_yield();

  /* Waiters on both loops at once: both keep the fd, both are woken. */
  arm_both(&a, &b);
  CHECK(ub_share_mask(sv[0]) == (bit(&a) | bit(&b)));
  CHECK(write(sv[1], "x", 1) == 1);
  wait_for(&a.probe.calls, 1);
  wait_for(&b.probe.calls, 1);
  CHECK(a.probe.result & UB_IN);
  CHECK(b.probe.result & UB_IN);

  /* A close from a thread that drives neither: both waiters get EBADF. */
  char c;
  CHECK(read(sv[0], &c, 1) == 1);
  atomic_store(&a.step, IDLE);
  atomic_store(&b.step, IDLE);
  arm_both(&a, &b);
  ub_loop_forget_all(sv[0], 1);
  wait_for(&a.probe.calls, 1);
  wait_for(&b.probe.calls, 1);
  CHECK(a.probe.result == -EBADF && b.probe.result == -EBADF);
  CHECK(atomic_load(&a.held) == 0 && atomic_load(&b.held) == 0);
  CHECK(ub_share_mask(sv[0]) == 0);

  /* Known to a, idle there: it moves to b when b binds it. */
  atomic_store(&a.bind, other[0]);
  wait_for(&a.bound, 1);
  CHECK(ub_share_mask(other[0]) == bit(&a));
  atomic_store(&b.bind, other[0]);
  wait_for(&b.bound, 1);
  for (int i = 0; i < 5000 && ub_share_mask(other[0]) != bit(&b); i++) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  CHECK(ub_share_mask(other[0]) == bit(&b));

  /* The number gets a new file (a new tag): binding it again forgets the
   * wait made under the old one (EBADF), as a close would have. */
  atomic_store(&a.step, IDLE);
  arm_both(&a, &b);
  atomic_store(&a.bind, sv[0]); /* tag 9 */
  wait_for(&a.probe.calls, 1);
  CHECK(a.probe.result == -EBADF);
  CHECK(atomic_load(&b.probe.calls) == 0); /* b's own wait stands */
  ub_loop_forget_all(sv[0], 9);
  wait_for(&b.probe.calls, 1);

  atomic_store(&a.quit, 1);
  atomic_store(&b.quit, 1);
  CHECK(pthread_join(a.thread, NULL) == 0);
  CHECK(pthread_join(b.thread, NULL) == 0);
  close(sv[0]);
  close(sv[1]);
  close(other[0]);
  close(other[1]);
  return 0;
}
