/*
 * Description: timers fire in deadline order, and equal deadlines first-in
 * first-out.  On the raw loop: 200 timer waits with shuffled, often equal
 * deadlines, once all already due (one tick must fire them all, in order)
 * and once in the near future (fired over many blocking ticks, none
 * early).  Through green threads: 100 threads sleep to shuffled deadlines
 * and wake in (deadline, spawn) order.  A timer cancelled by ub_loop_post
 * from the loop's own thread is resumed once, at once, with the posted
 * result, leaves the heap, and never fires later, even once the loop has
 * ticked well past its deadline.
 */
#include "harness.h"

#include <errno.h>

#define NT 200
#define NG 100
#define MS 1000000ull

/* A timer wait on the raw loop and what its firing looked like. */
struct timer {
  struct ub_wait w;
  uint64_t deadline;
  uint64_t fired_at; /* ub_loop_now at the resume */
  int idx;
  int calls;
  int result;
};

static int order[NT];
static int norder;

static void on_fire(struct ub_wait *w)
{
  struct timer *t = w->owner;
  t->calls++;
  t->result = w->result;
  t->fired_at = ub_loop_now(w->loop);
  if (norder < NT)
    order[norder] = t->idx;
  norder++;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

/* (deadline, arm order): the order the loop promises. */
static bool in_order(const struct timer *a, const struct timer *b)
{
  return a->deadline < b->deadline ||
         (a->deadline == b->deadline && a->idx < b->idx);
}

static void check_fired(const struct timer *t, int n)
{
  CHECK(norder == n);
  int equal_pairs = 0;
  for (int k = 0; k < n; k++) {
    const struct timer *x = &t[order[k]];
    CHECK(x->calls == 1 && x->result == -ETIMEDOUT);
    CHECK(x->fired_at >= x->deadline); /* never early */
    if (k > 0) {
      const struct timer *prev = &t[order[k - 1]];
      CHECK(in_order(prev, x));
      equal_pairs += prev->deadline == x->deadline;
    }
  }
  /* The deadlines were drawn so that FIFO among equals was exercised. */
  CHECK(equal_pairs >= n / 2);
}

/* Arm n timers in index order with deadline base + (random 0..15) * step. */
static void arm_all(struct ub_loop *l, struct timer *t, int n, uint64_t base,
                    uint64_t step)
{
  norder = 0;
  for (int i = 0; i < n; i++) {
    t[i] = (struct timer){.idx = i,
                          .deadline = base + ub_test_rand(&rng) % 16 * step};
    ub_wait_init(&t[i].w, on_fire, &t[i]);
    CHECK(ub_loop_arm(l, &t[i].w, -1, 0, t[i].deadline) == 0);
  }
  CHECK(l->timers.count == (size_t)n);
}

static void raw_loop(enum ub_backend_kind kind, bool slow)
{
  struct ub_loop l;
  CHECK(ub_loop_init(&l, kind) == 0);
  static struct timer t[NT];

  /* All due already: a single tick fires every one, in order. */
  arm_all(&l, t, NT, 1000, 1);
  CHECK(ub_loop_tick(&l, false) == NT);
  check_fired(t, NT);
  CHECK(l.timers.count == 0);

  /* Due over the next 16-31 ms (more under valgrind): blocking ticks. */
  uint64_t step = (slow ? 5 : 1) * MS;
  uint64_t start = ub_clock_now();
  arm_all(&l, t, NT, start + 16 * step, step);
  int fired = 0, ticks = 0;
  while (fired < NT && ticks < 10 * NT) {
    int n = ub_loop_tick(&l, true);
    CHECK(n >= 0);
    fired += n;
    ticks++;
  }
  CHECK(fired == NT);
  check_fired(t, NT);
  CHECK(l.timers.count == 0);
  /* Blocking ticks slept until deadlines; they did not spin. */
  CHECK(ticks <= 2 * 16 + 2);
  CHECK(ub_clock_now() - start < (slow ? 10 : 2) * UB_NSEC_PER_SEC);
  ub_loop_fini(&l);
}

/* Cancel a pending timer from the loop's thread. */
static void cancel(enum ub_backend_kind kind)
{
  struct ub_loop l;
  CHECK(ub_loop_init(&l, kind) == 0);
  static struct timer t[4];
  norder = 0;
  uint64_t now = ub_clock_now();
  /* t[0..2] share a deadline 20 ms out; t[3] is 60 ms out. */
  for (int i = 0; i < 4; i++) {
    t[i] = (struct timer){.idx = i, .deadline = now + (i < 3 ? 20 : 60) * MS};
    ub_wait_init(&t[i].w, on_fire, &t[i]);
    CHECK(ub_loop_arm(&l, &t[i].w, -1, 0, t[i].deadline) == 0);
  }
  CHECK(ub_loop_post(&t[1].w, -ECANCELED));
  /* Resumed at once, by the post itself, and taken out of the heap. */
  CHECK(t[1].calls == 1 && t[1].result == -ECANCELED);
  CHECK(norder == 1 && order[0] == 1);
  CHECK(!ub_heap_contains(&l.timers, &t[1].w.timer));
  CHECK(l.timers.count == 3);
  /* It is claimed: a second post does nothing. */
  CHECK(!ub_loop_post(&t[1].w, -EINTR));
  CHECK(t[1].calls == 1 && t[1].result == -ECANCELED);

  /* Tick until the last timer, well past the cancelled deadline. */
  int fired = 0, ticks = 0;
  while (t[3].calls == 0 && ticks < 100) {
    int n = ub_loop_tick(&l, true);
    CHECK(n >= 0);
    fired += n;
    ticks++;
  }
  CHECK(fired == 3);
  CHECK(ub_loop_now(&l) >= t[1].deadline + 40 * MS);
  CHECK(t[1].calls == 1 && t[1].result == -ECANCELED);
  CHECK(norder == 4 && order[1] == 0 && order[2] == 2 && order[3] == 3);
  for (int i = 0; i < 4; i++)
    if (i != 1)
      CHECK(t[i].calls == 1 && t[i].result == -ETIMEDOUT &&
            t[i].fired_at >= t[i].deadline);
  CHECK(l.timers.count == 0);
  ub_loop_fini(&l);
}

/* Green threads: thread i sleeps until base + ((i * 7) % 10) * step. */
static uint64_t g_base, g_step;
static uint64_t g_deadline[NG];
static uint64_t g_woke[NG];
static int g_order[NG];
static int g_norder;

static void *sleeper(void *arg)
{
  int i = (int)(long)arg;
  g_deadline[i] = g_base + (uint64_t)((i * 7) % 10) * g_step;
  CHECK(ub_sched_sleep(g_deadline[i]) == 0);
  g_woke[i] = ub_clock_now();
  g_order[g_norder++] = i;
  return NULL;
}

static void green(bool slow)
{
  struct ub_sched_config cfg = ub_test_sched_config();
  cfg.stack_size = 64 * 1024;
  struct ub_sched s;
  CHECK(ub_sched_init(&s, &cfg) == 0);
  /* The first deadline is far enough out that every thread has armed its
   * timer before any fires, so spawn order is arm order. */
  g_step = (slow ? 10 : 2) * MS;
  g_base = ub_clock_now() + (slow ? 300 : 50) * MS;
  for (int i = 0; i < NG; i++)
    CHECK(ub_sched_spawn(&s, NULL, sleeper, (void *)(long)i, 0, NULL, true) ==
          0);
  CHECK(ub_sched_run(&s) == 0);
  CHECK(g_norder == NG);
  for (int k = 0; k < NG; k++) {
    int i = g_order[k];
    CHECK(g_woke[i] >= g_deadline[i]);
    if (k > 0) {
      int p = g_order[k - 1];
      CHECK(g_deadline[p] < g_deadline[i] ||
            (g_deadline[p] == g_deadline[i] && p < i));
    }
  }
  ub_sched_fini(&s);
}

int main(void)
{
  bool slow = ub_test_slow();
  enum ub_backend_kind kind = ub_test_config().backend;
  raw_loop(kind, slow);
  cancel(kind);
  green(slow);
  return 0;
}
