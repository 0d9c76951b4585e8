/*
 * Description: the race between an fd event and a deadline is resolved
 * exactly once, and the timer wins.  1000 times, in a random one of five
 * orders (data before the wait is armed, after it, a deadline that expires
 * while data waits, data only, deadline only), a pipe reader armed with a
 * deadline is ticked once: it must be resumed exactly once, with
 * -ETIMEDOUT whenever its deadline had passed, and data that lost the race
 * must be kept for the next waiter (ub_loop_arm returns UB_IN at once).
 * Then across threads: a second pthread posts waits in random order while
 * the loop thread ticks with their timers expiring and data arriving on a
 * pipe some of them read; every wait is resumed exactly once (counted with
 * atomics), with the posted result exactly when ub_loop_post returned true.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#define US 1000ull

static uint64_t rng = 0x9e3779b97f4a7c15ull;

enum order {
  DATA_THEN_ARM,    /* data waits in the pipe before the wait is armed */
  ARM_THEN_DATA,    /* armed with a past deadline, then data */
  DATA_THEN_EXPIRY, /* deadline in the future, data, then it passes */
  DATA_ONLY,        /* the deadline is far off: the fd must win */
  EXPIRY_ONLY,      /* no data: the timer alone */
  NORDERS
};

static void one_race(struct ub_loop *l, int p[2], enum order o, int *resumes)
{
  struct ub_probe w;
  ub_probe_init(&w);
  uint64_t now = ub_clock_now();
  if (o == DATA_THEN_ARM)
    CHECK(write(p[1], "d", 1) == 1);
  uint64_t deadline = o == DATA_ONLY          ? now + 10 * UB_NSEC_PER_SEC
                      : o == DATA_THEN_EXPIRY ? now + 20 * US
                                              : now - 1;
  CHECK(ub_loop_arm(l, &w.w, p[0], UB_IN, deadline) == 0);
  if (o == ARM_THEN_DATA || o == DATA_THEN_EXPIRY || o == DATA_ONLY)
    CHECK(write(p[1], "d", 1) == 1);
  while (ub_clock_now() <= deadline && o == DATA_THEN_EXPIRY)
    ;
  int n = ub_loop_tick(l, false);
  CHECK(n == 1 && w.calls == 1);
  *resumes += w.calls;
  struct ub_io *io = ub_arena_find(&l->arena, p[0]);
  CHECK(io->readers.head == NULL && l->timers.count == 0);
  if (o == DATA_ONLY) {
    CHECK(w.result > 0 && (w.result & UB_IN));
    CHECK(io->ready == 0);
  } else {
    CHECK(w.result == -ETIMEDOUT);
    /* Data that lost the race is kept; with none, nothing is kept. */
    CHECK(io->ready == (o == EXPIRY_ONLY ? 0 : UB_IN));
  }
  if (o != EXPIRY_ONLY) {
    if (o != DATA_ONLY) {
      struct ub_probe next_w;
      ub_probe_init(&next_w);
      CHECK(ub_loop_arm(l, &next_w.w, p[0], UB_IN, UB_NEVER) == UB_IN);
      CHECK(next_w.calls == 0 && io->readers.head == NULL);
    }
    char c;
    CHECK(read(p[0], &c, 1) == 1 && c == 'd');
  }
  CHECK(io->ready == 0);
}

static void races(enum ub_backend_kind kind, int iterations)
{
  struct ub_loop l;
  CHECK(ub_loop_init(&l, kind) == 0);
  int p[2];
  CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
  int resumes = 0, seen[NORDERS] = {0};
  for (int i = 0; i < iterations; i++) {
    enum order o = (enum order)(ub_test_rand(&rng) % NORDERS);
    one_race(&l, p, o, &resumes);
    seen[o]++;
  }
  CHECK(resumes == iterations);
  for (int o = 0; o < NORDERS; o++)
    CHECK(seen[o] > 0);
  ub_loop_forget(&l, p[0]);
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  ub_loop_fini(&l);
}

/* ---- across threads ---------------------------------------------------- */

#define M 64
#define POSTED(id) (1000 + (id))

struct xwait {
  struct ub_wait w;
  atomic_int calls;
  atomic_int result;
  atomic_bool posted; /* ub_loop_post returned true for it */
  int fd;
};

static struct xwait xw[M];
static atomic_int armed_round;  /* published by the loop thread */
static atomic_int posted_round; /* published by the poster */
static atomic_int resumed;      /* in the current round */
static atomic_int total_resumed;

static void x_resume(struct ub_wait *w)
{
  struct xwait *x = w->owner;
  atomic_store(&x->result, w->result);
  atomic_fetch_add(&x->calls, 1);
  atomic_fetch_add(&resumed, 1);
  atomic_fetch_add(&total_resumed, 1);
}

struct poster_arg {
  int rounds;
  uint64_t seed;
};

static void *poster(void *arg)
{
  struct poster_arg *a = arg;
  uint64_t r = a->seed;
  for (int round = 1; round <= a->rounds; round++) {
    while (atomic_load(&armed_round) < round)
      sched_yield();
    int perm[M];
    for (int i = 0; i < M; i++)
      perm[i] = i;
    for (int i = M - 1; i > 0; i--) {
      int j = (int)(ub_test_rand(&r) % (uint64_t)(i + 1)), t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    for (int i = 0; i < M; i++) {
      /* A short random pause, so posts land before, during and after the
       * timers expire. */
      for (volatile unsigned spin = (unsigned)(ub_test_rand(&r) % 4000);
           spin > 0; spin--)
        ;
      int id = perm[i];
      if (ub_loop_post(&xw[id].w, POSTED(id)))
        atomic_store(&xw[id].posted, true);
    }
    atomic_store(&posted_round, round);
  }
  return NULL;
}

static void cross_thread(enum ub_backend_kind kind, int rounds)
{
  struct ub_loop l;
  CHECK(ub_loop_init(&l, kind) == 0);
  struct poster_arg pa = {rounds, 0x1234567887654321ull};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, poster, &pa) == 0);
  uint64_t r = 0xdeadbeefcafef00dull;
  int won_by_post = 0, won_by_timer = 0, won_by_fd = 0;
  for (int round = 1; round <= rounds; round++) {
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
    uint64_t now = ub_clock_now();
    atomic_store(&resumed, 0);
    for (int i = 0; i < M; i++) {
      struct xwait *x = &xw[i];
      ub_wait_init(&x->w, x_resume, x);
      atomic_store(&x->calls, 0);
      atomic_store(&x->posted, false);
      x->fd = i % 3 == 0 ? p[0] : -1;
      /* Deadlines from just past to 300 us out. */
      uint64_t deadline = now - 1000 + ub_test_rand(&r) % (301 * US);
      CHECK(ub_loop_arm(&l, &x->w, x->fd, UB_IN, deadline) == 0);
    }
    atomic_store(&armed_round, round);
    int writes = 0;
    while (atomic_load(&resumed) < M) {
      if (writes < 4 && ub_test_rand(&r) % 4 == 0) {
        CHECK(write(p[1], "z", 1) == 1);
        writes++;
      }
      CHECK(ub_loop_tick(&l, true) >= 0);
    }
    while (atomic_load(&posted_round) < round)
      sched_yield();
    /* Late posts all lost; nothing is resumed twice by further ticks. */
    CHECK(ub_loop_tick(&l, false) >= 0);
    CHECK(atomic_load(&resumed) == M);
    for (int i = 0; i < M; i++) {
      struct xwait *x = &xw[i];
      int res = atomic_load(&x->result);
      CHECK(atomic_load(&x->calls) == 1);
      if (atomic_load(&x->posted)) {
        CHECK(res == POSTED(i));
        won_by_post++;
      } else if (res == -ETIMEDOUT) {
        won_by_timer++;
      } else {
        /* Only a reader of the pipe can win by its fd. */
        CHECK(x->fd >= 0 && res > 0 && res < POSTED(0) && (res & UB_IN));
        won_by_fd++;
      }
    }
    CHECK(l.timers.count == 0);
    struct ub_io *io = ub_arena_find(&l.arena, p[0]);
    CHECK(io->readers.head == NULL);
    ub_loop_forget(&l, p[0]);
    CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  }
  CHECK(pthread_join(t, NULL) == 0);
  CHECK(atomic_load(&total_resumed) == rounds * M);
  CHECK(won_by_post + won_by_timer + won_by_fd == rounds * M);
  printf("%d waits: %d posted, %d timed out, %d woken by the fd\n", rounds * M,
         won_by_post, won_by_timer, won_by_fd);
  ub_loop_fini(&l);
}

int main(void)
{
  bool slow = ub_test_slow();
  enum ub_backend_kind kind = ub_test_config().backend;
  races(kind, 1000);
  cross_thread(kind, slow ? 100 : 1000);
  return 0;
}
