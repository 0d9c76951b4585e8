/*
 * Description: cross-thread wake-ups of a loop blocked with no timers.
 * ub_loop_wake from another pthread makes a blocking ub_loop_tick return
 * (not before the wake was issued), and so does a wake rung before the
 * tick; ub_loop_post of a wait armed with no fd and no deadline makes the
 * tick return having resumed that wait, once, with the posted result.
 * Then four pthreads post 8000 waits (some also on a pipe or a far timer,
 * which the post must take them off): every one arrives exactly once with
 * its own result, each poster's waits in the order it posted them, within
 * a bounded time.  Finally the doorbell is shown answered: a blocking tick
 * sleeps until its timer instead of returning again and again.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000ull
#define POSTERS 4

static void sleep_ns(uint64_t ns)
{
  struct timespec ts = {(time_t)(ns / UB_NSEC_PER_SEC),
                        (long)(ns % UB_NSEC_PER_SEC)};
  while (nanosleep(&ts, &ts) != 0)
    CHECK(errno == EINTR);
}

/* A helper thread: sleep, note the time, then wake the loop or post. */
struct helper {
  struct ub_loop *l;
  struct ub_probe *post; /* NULL: ub_loop_wake */
  uint64_t delay;
  uint64_t rang_at;
  bool claimed, claimed_again;
};

static void *helper_main(void *arg)
{
  struct helper *h = arg;
  sleep_ns(h->delay);
  h->rang_at = ub_clock_now();
  if (h->post == NULL) {
    ub_loop_wake(h->l);
  } else {
    h->claimed = ub_loop_post(&h->post->w, 4242);
    h->claimed_again = ub_loop_post(&h->post->w, 1);
  }
  return NULL;
}

static void blocked_tick_returns(struct ub_loop *l, bool slow)
{
  uint64_t bound = (slow ? 10 : 1) * UB_NSEC_PER_SEC;

  /* A plain wake-up: the tick returns, having resumed nothing. */
  struct helper h = {.l = l, .delay = 50 * MS};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, helper_main, &h) == 0);
  CHECK(l->timers.count == 0);
  uint64_t t0 = ub_clock_now();
  CHECK(ub_loop_tick(l, true) == 0);
  uint64_t t1 = ub_clock_now();
  CHECK(pthread_join(t, NULL) == 0);
  CHECK(t1 >= h.rang_at); /* it really blocked until the wake */
  CHECK(t1 - t0 < bound);

  /* That tick answered the doorbell: the next blocking tick sleeps until
   * its timer instead of returning at once with nothing done. */
  struct ub_probe d;
  ub_probe_init(&d);
  uint64_t deadline = ub_clock_now() + 20 * MS;
  CHECK(ub_loop_arm(l, &d.w, -1, 0, deadline) == 0);
  CHECK(ub_loop_tick(l, true) == 1);
  CHECK(atomic_load(&d.calls) == 1 && d.result == -ETIMEDOUT);
  CHECK(ub_loop_now(l) >= deadline);

  /* A wake rung while nobody blocks is not lost. */
  h = (struct helper){.l = l, .delay = 0};
  CHECK(pthread_create(&t, NULL, helper_main, &h) == 0);
  CHECK(pthread_join(t, NULL) == 0);
  t0 = ub_clock_now();
  CHECK(ub_loop_tick(l, true) == 0);
  CHECK(ub_clock_now() - t0 < bound);

  /* A post: the tick returns with that wait resumed, once. */
  struct ub_probe w;
  ub_probe_init(&w);
  ub_probe_resumes = 0;
  CHECK(ub_loop_arm(l, &w.w, -1, 0, UB_NEVER) == 0);
  CHECK(l->timers.count == 0);
  h = (struct helper){.l = l, .post = &w, .delay = 50 * MS};
  CHECK(pthread_create(&t, NULL, helper_main, &h) == 0);
  t0 = ub_clock_now();
  int n = ub_loop_tick(l, true);
  t1 = ub_clock_now();
  CHECK(pthread_join(t, NULL) == 0);
  CHECK(n == 1);
  CHECK(atomic_load(&w.calls) == 1 && w.result == 4242);
  CHECK(h.claimed && !h.claimed_again);
  CHECK(t1 >= h.rang_at && t1 - t0 < bound);
}

/* ---- many posts from several threads ----------------------------------- */

struct poster {
  struct ub_probe *waits; /* this poster's slice */
  int n, base;
  int claimed;
};

static void *poster_main(void *arg)
{
  struct poster *p = arg;
  for (int i = 0; i < p->n; i++)
    p->claimed += ub_loop_post(&p->waits[i].w, p->base + i + 1);
  return NULL;
}

static void many_posts(struct ub_loop *l, bool slow)
{
  int per = slow ? 500 : 2000, total = POSTERS * per;
  struct ub_probe *w = calloc((size_t)total, sizeof(*w));
  CHECK(w != NULL);
  int p[2];
  CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
  uint64_t far = ub_clock_now() + 60 * UB_NSEC_PER_SEC;
  ub_probe_resumes = 0;
  /* Everything is armed before any poster starts. */
  int on_fd = 0, on_timer = 0;
  for (int i = 0; i < total; i++) {
    ub_probe_init(&w[i]);
    bool fd = i % 5 == 0, timer = i % 3 == 0;
    on_fd += fd;
    on_timer += timer;
    CHECK(ub_loop_arm(l, &w[i].w, fd ? p[0] : -1, UB_IN,
                      timer ? far : UB_NEVER) == 0);
  }
  CHECK(l->timers.count == (size_t)on_timer);
  struct poster ps[POSTERS];
  pthread_t t[POSTERS];
  uint64_t t0 = ub_clock_now();
  for (int k = 0; k < POSTERS; k++) {
    ps[k] = (struct poster){.waits = w + k * per, .n = per, .base = k * per};
    CHECK(pthread_create(&t[k], NULL, poster_main, &ps[k]) == 0);
  }
  uint64_t limit = (slow ? 30 : 2) * UB_NSEC_PER_SEC;
  int got = 0, ticks = 0;
  while (got < total) {
    int n = ub_loop_tick(l, true);
    CHECK(n >= 0);
    got += n;
    ticks++;
    CHECK(ub_clock_now() - t0 < limit);
  }
  uint64_t elapsed = ub_clock_now() - t0;
  for (int k = 0; k < POSTERS; k++) {
    CHECK(pthread_join(t[k], NULL) == 0);
    CHECK(ps[k].claimed == per);
  }
  CHECK(got == total && ub_probe_resumes == total);
  for (int k = 0; k < POSTERS; k++) {
    for (int i = 0; i < per; i++) {
      struct ub_probe *x = &w[k * per + i];
      CHECK(atomic_load(&x->calls) == 1 && x->result == k * per + i + 1);
      /* One poster's waits resume in the order it posted them. */
      if (i > 0)
        CHECK(x[-1].seq < x->seq);
    }
  }
  /* The posts took the waits off the pipe and out of the heap. */
  struct ub_io *io = ub_arena_find(&l->arena, p[0]);
  CHECK(on_fd > 0 && io != NULL && io->readers.head == NULL);
  CHECK(l->timers.count == 0);
  printf("%d posts from %d threads in %d ticks, %.1f ms\n", total, POSTERS,
         ticks, (double)elapsed / 1e6);
  ub_loop_forget(l, p[0]);
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  free(w);
}

/* After all that, a blocking tick sleeps until its timer: at most one
 * early return, for a doorbell rung after the last post was drained. */
static void doorbell_answered(struct ub_loop *l)
{
  struct ub_probe w;
  ub_probe_init(&w);
  uint64_t deadline = ub_clock_now() + 30 * MS;
  CHECK(ub_loop_arm(l, &w.w, -1, 0, deadline) == 0);
  int ticks = 0;
  while (atomic_load(&w.calls) == 0) {
    CHECK(ub_loop_tick(l, true) >= 0);
    ticks++;
    CHECK(ticks <= 2);
  }
  CHECK(w.result == -ETIMEDOUT && ub_loop_now(l) >= deadline);
}

int main(void)
{
  bool slow = ub_test_slow();
  /* A wake-up that gets lost hangs a tick forever: fail instead. */
  alarm(slow ? 120 : 20);
  struct ub_loop l;
  CHECK(ub_loop_init(&l, ub_test_config().backend) == 0);
  blocked_tick_returns(&l, slow);
  many_posts(&l, slow);
  doorbell_answered(&l);
  ub_loop_fini(&l);
  return 0;
}
