/*
 * micro.c - `make bench` for the foundation: what one switch, one timer
 * and one cross-thread wake-up cost, next to what the same hand-off costs
 * between two OS threads.
 *
 * The measurements:
 *   - switch: two green threads on one carrier ub_sched_yield() to each
 *     other; one yield is one switch.  Every UB_SCHED_BUDGET switches the
 *     carrier gets a turn and runs a non-blocking tick; that is included,
 *     because a real program pays it too.
 *   - condvar hand-off: two OS threads pass a turn back and forth under
 *     one mutex and two condition variables, strictly alternating.  This
 *     is what a thread-per-connection program pays where green threads
 *     pay a switch.  It is measured twice: with the threads left where
 *     the kernel puts them (usually on two CPUs, so each hand-off wakes
 *     a sleeping CPU), and with both pinned to one CPU, which is the fair
 *     comparison with green threads sharing one carrier.
 *   - timer arm + cancel: ub_loop_arm() with no fd and a future deadline,
 *     then ub_loop_post() from the same thread, which claims the wait and
 *     takes its timer out of the heap: what every I/O call with a timeout
 *     that does not expire costs.  Separately, the bare pairing heap:
 *     insert + remove of one timer into a heap already holding 10,000.
 *   - wake-up latency: a carrier sleeps in a blocking ub_loop_tick(); a
 *     second OS thread stamps the time and ub_loop_post()s the wait the
 *     carrier armed; the resume callback stamps the time again.  This is
 *     the eventfd doorbell plus the kernel waking a sleeping thread.
 *
 * Each cost is the median of RUNS runs (the wake-up: median and p99 of
 * its samples).  Nothing is asserted: speed is reported, not tested.  The
 * backend comes from UNBLOCK_BACKEND.  The whole run takes a few seconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "sched.h"

#define RUNS 7
#define YIELDS 1000000 /* per green thread, per run */
#define HANDOFFS 20000 /* at most, per OS thread and run */
#define HANDOFF_PROBE 500
#define HANDOFF_RUN_NS 200000000ull
#define TIMER_OPS 1000000
#define HEAP_HELD 10000
#define WAKE_SAMPLES 2000
#define SPAWNS 20000         /* green threads per run */
#define PTHREADS 2000        /* OS threads per run (each costs ~10-50 us) */
#define WAKE_QUIET_NS 100000 /* let the carrier fall asleep first */

static void die(const char *what, int err)
{
  fprintf(stderr, "micro: %s: %s\n", what, strerror(err));
  exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The median of n values (sorts them). */
static double median(double *v, int n)
{
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
      double t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  return v[n / 2];
}

/* ---- green-thread switch ------------------------------------------------ */

struct yield_run {
  uint64_t start, end;
};

static void *yielder(void *arg)
{
  struct yield_run *r = arg;
  if (r->start == 0)
    r->start = ub_clock_now(); /* the first of the two to run */
  for (int i = 0; i < YIELDS; i++)
    ub_sched_yield();
  r->end = ub_clock_now(); /* the last of the two to finish wins */
  return NULL;
}

static double bench_switch(struct ub_sched *s)
{
  double ns[RUNS];
  for (int run = -1; run < RUNS; run++) { /* run -1 warms up */
    struct yield_run r = {0, 0};
    int err = ub_sched_spawn(s, NULL, yielder, &r, 0, NULL, true);
    if (err == 0)
      err = ub_sched_spawn(s, NULL, yielder, &r, 0, NULL, true);
    if (err == 0)
      err = ub_sched_run(s);
    if (err != 0)
      die("green threads", -err);
    if (run >= 0)
      ns[run] = (double)(r.end - r.start) / (2.0 * YIELDS);
  }
  return median(ns, RUNS);
}

/* ---- spawn and exit ---------------------------------------------------- */

static void *nothing(void *arg)
{
  return arg;
}

/* A green thread that starts SPAWNS children, one at a time, each joined
 * before the next: spawn, first switch, exit, join, stack back to the
 * pool. */
static void *spawner(void *arg)
{
  uint64_t *ns = arg;
  struct ub_sched *s = ub_sched_self();
  uint64_t t0 = ub_clock_now();
  for (int i = 0; i < SPAWNS; i++) {
    struct ub_coro *c;
    void *ret;
    int err = ub_sched_spawn(s, &c, nothing, NULL, 0, NULL, false);
    if (err == 0)
      err = ub_sched_join(c, &ret, UB_NEVER);
    if (err != 0)
      die("spawn and join", -err);
  }
  *ns = ub_clock_now() - t0;
  return NULL;
}

static double bench_spawn(struct ub_sched *s)
{
  double ns[RUNS];
  for (int run = -1; run < RUNS; run++) {
    uint64_t took = 0;
    int err = ub_sched_spawn(s, NULL, spawner, &took, 0, NULL, true);
    if (err == 0)
      err = ub_sched_run(s);
    if (err != 0)
      die("green threads", -err);
    if (run >= 0)
      ns[run] = (double)took / SPAWNS;
  }
  return median(ns, RUNS);
}

/* The same with OS threads: pthread_create, then pthread_join. */
static double bench_pthread_spawn(void)
{
  double ns[RUNS];
  for (int run = -1; run < RUNS; run++) {
    uint64_t t0 = ub_clock_now();
    for (int i = 0; i < PTHREADS; i++) {
      pthread_t t;
      int err = pthread_create(&t, NULL, nothing, NULL);
      if (err != 0)
        die("pthread_create", err);
      pthread_join(t, NULL);
    }
    if (run >= 0)
      ns[run] = (double)(ub_clock_now() - t0) / PTHREADS;
  }
  return median(ns, RUNS);
}

/* ---- condvar hand-off between two OS threads ---------------------------- */

struct handoff {
  pthread_mutex_t mu;
  pthread_cond_t cv[2];
  pthread_barrier_t go;
  int turn;
  int rounds; /* hand-offs per thread */
  int cpu;    /* pin both threads to this CPU; -1: leave them be */
  uint64_t start, end[2];
};

struct side {
  struct handoff *h;
  int me;
};

static void *handoff_side(void *arg)
{
  struct side *sd = arg;
  struct handoff *h = sd->h;
  int me = sd->me;
  if (h->cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(h->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  pthread_barrier_wait(&h->go);
  if (me == 0)
    h->start = ub_clock_now();
  pthread_mutex_lock(&h->mu);
  for (int i = 0; i < h->rounds; i++) {
    while (h->turn != me)
      pthread_cond_wait(&h->cv[me], &h->mu);
    h->turn = !me;
    pthread_cond_signal(&h->cv[!me]);
  }
  pthread_mutex_unlock(&h->mu);
  h->end[me] = ub_clock_now();
  return NULL;
}

/* One run of `rounds` hand-offs each way: ns per hand-off. */
static double handoff_run(int rounds, int cpu)
{
  struct handoff h = {.turn = 0, .rounds = rounds, .cpu = cpu};
  pthread_mutex_init(&h.mu, NULL);
  pthread_cond_init(&h.cv[0], NULL);
  pthread_cond_init(&h.cv[1], NULL);
  pthread_barrier_init(&h.go, NULL, 2);
  struct side sides[2] = {{&h, 0}, {&h, 1}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++) {
    int err = pthread_create(&t[i], NULL, handoff_side, &sides[i]);
    if (err != 0)
      die("pthread_create", err);
  }
  pthread_join(t[0], NULL);
  pthread_join(t[1], NULL);
  uint64_t end = h.end[0] > h.end[1] ? h.end[0] : h.end[1];
  pthread_barrier_destroy(&h.go);
  pthread_cond_destroy(&h.cv[0]);
  pthread_cond_destroy(&h.cv[1]);
  pthread_mutex_destroy(&h.mu);
  return (double)(end - h.start) / (2.0 * rounds);
}

/*
 * A cross-CPU hand-off costs anything from 2 to 50 us depending on the
 * machine (a virtual CPU that went idle is slow to wake), so a short
 * calibration run sizes the real ones to about HANDOFF_RUN_NS each.
 */
static double bench_condvar(int cpu, int *rounds_out)
{
  double probe = handoff_run(HANDOFF_PROBE, cpu);
  double want = (double)HANDOFF_RUN_NS / (2.0 * probe);
  int rounds = want > HANDOFFS        ? HANDOFFS
               : want < HANDOFF_PROBE ? HANDOFF_PROBE
                                      : (int)want;
  double ns[RUNS];
  for (int run = 0; run < RUNS; run++)
    ns[run] = handoff_run(rounds, cpu);
  *rounds_out = rounds;
  return median(ns, RUNS);
}

/* ---- timers ------------------------------------------------------------- */

static long resumed;

static void count_resume(struct ub_wait *w)
{
  (void)w;
  resumed++;
}

/* Arm a timed wait and cancel it at once, on an otherwise idle loop. */
static double bench_arm_cancel(enum ub_backend_kind kind)
{
  static struct ub_loop l; /* big (its event array): keep it off the stack */
  int err = ub_loop_init(&l, kind);
  if (err != 0)
    die("ub_loop_init", -err);
  struct ub_wait w;
  ub_wait_init(&w, count_resume, NULL);
  double ns[RUNS];
  for (int run = 0; run < RUNS; run++) {
    uint64_t deadline = ub_clock_now() + UB_NSEC_PER_SEC;
    resumed = 0;
    uint64_t t0 = ub_clock_now();
    for (int i = 0; i < TIMER_OPS; i++) {
      ub_loop_arm(&l, &w, -1, 0, deadline + (uint64_t)i);
      ub_loop_post(&w, 0);
    }
    ns[run] = (double)(ub_clock_now() - t0) / TIMER_OPS;
    if (resumed != TIMER_OPS) {
      fprintf(stderr, "micro: %ld of %d cancelled waits resumed\n", resumed,
              TIMER_OPS);
      exit(1);
    }
  }
  ub_loop_fini(&l);
  return median(ns, RUNS);
}

static uint64_t xorshift(uint64_t *x)
{
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

/* Insert and remove one timer in a heap that holds HEAP_HELD others. */
static double bench_heap(void)
{
  struct ub_heap h;
  ub_heap_init(&h);
  struct ub_heap_node *held = calloc(HEAP_HELD, sizeof(*held));
  if (held == NULL)
    die("calloc", ENOMEM);
  uint64_t rng = 0x2545f4914f6cdd1dull;
  uint64_t base = ub_clock_now(), span = 10 * UB_NSEC_PER_SEC;
  for (int i = 0; i < HEAP_HELD; i++)
    ub_heap_insert(&h, &held[i], base + xorshift(&rng) % span);
  /* One pop and re-insert pairs the flat root list into a real tree. */
  struct ub_heap_node *min = ub_heap_pop(&h);
  ub_heap_insert(&h, min, min->deadline);

  struct ub_heap_node n;
  double ns[RUNS];
  for (int run = 0; run < RUNS; run++) {
    uint64_t t0 = ub_clock_now();
    for (int i = 0; i < TIMER_OPS; i++) {
      ub_heap_insert(&h, &n, base + xorshift(&rng) % span);
      ub_heap_remove(&h, &n);
    }
    ns[run] = (double)(ub_clock_now() - t0) / TIMER_OPS;
  }
  while (ub_heap_pop(&h) != NULL)
    ;
  free(held);
  return median(ns, RUNS);
}

/* ---- cross-thread wake-up latency --------------------------------------- */

struct wake {
  struct ub_loop loop;
  enum ub_backend_kind kind;
  struct ub_wait w;
  atomic_int armed; /* the sample number the carrier has armed */
  atomic_int ready; /* the carrier's loop exists */
  _Atomic uint64_t posted_at;
  uint64_t resumed_at;
  bool woke;
  uint64_t lat[WAKE_SAMPLES];
};

static void on_wake(struct ub_wait *w)
{
  struct wake *k = w->owner;
  k->resumed_at = ub_clock_now();
  k->woke = true;
}

static void *wake_carrier(void *arg)
{
  struct wake *k = arg;
  int err = ub_loop_init(&k->loop, k->kind);
  if (err != 0)
    die("ub_loop_init", -err);
  atomic_store(&k->ready, 1);
  for (int i = 0; i < WAKE_SAMPLES; i++) {
    ub_wait_init(&k->w, on_wake, k);
    ub_loop_arm(&k->loop, &k->w, -1, 0, UB_NEVER);
    k->woke = false;
    atomic_store(&k->armed, i + 1);
    while (!k->woke) {
      int n = ub_loop_tick(&k->loop, true);
      if (n < 0)
        die("ub_loop_tick", -n);
    }
    k->lat[i] = k->resumed_at - atomic_load(&k->posted_at);
  }
  ub_loop_fini(&k->loop);
  return NULL;
}

static void wake_latency(enum ub_backend_kind kind, double *p50, double *p99)
{
  struct wake *k = calloc(1, sizeof(*k));
  if (k == NULL)
    die("calloc", ENOMEM);
  k->kind = kind;
  pthread_t t;
  int err = pthread_create(&t, NULL, wake_carrier, k);
  if (err != 0)
    die("pthread_create", err);
  struct timespec quiet = {0, WAKE_QUIET_NS};
  for (int i = 0; i < WAKE_SAMPLES; i++) {
    while (atomic_load(&k->armed) != i + 1)
      sched_yield();
    nanosleep(&quiet, NULL);
    atomic_store(&k->posted_at, ub_clock_now());
    ub_loop_post(&k->w, 0);
  }
  pthread_join(t, NULL);
  qsort(k->lat, WAKE_SAMPLES, sizeof(k->lat[0]), cmp_u64);
  *p50 = (double)k->lat[WAKE_SAMPLES / 2] / 1e3;
  *p99 = (double)k->lat[WAKE_SAMPLES * 99 / 100] / 1e3;
  free(k);
}

/* ---- the report --------------------------------------------------------- */

static void cpu_model(char *out, size_t len)
{
  snprintf(out, len, "unknown CPU");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f == NULL)
    return;
  char line[256];
  while (fgets(line, sizeof(line), f) != NULL) {
    char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
      colon += 1 + (colon[1] == ' ');
      colon[strcspn(colon, "\n")] = '\0';
      snprintf(out, len, "%s", colon);
      break;
    }
  }
  fclose(f);
}

int main(void)
{
  struct ub_config cfg;
  char err[512];
  if (ub_config_load(&cfg, err, sizeof(err)) != 0) {
    fprintf(stderr, "micro: %s\n", err);
    return 2;
  }
  const char *backend = cfg.backend == UB_BACKEND_POLL ? "poll" : "epoll";

  struct utsname u;
  if (uname(&u) != 0)
    snprintf(u.release, sizeof(u.release), "unknown");
  char cpu[128], date[64];
  cpu_model(cpu, sizeof(cpu));
  time_t now = time(NULL);
  strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));

  printf("unblock micro-benchmarks (foundation: loop and green threads)\n");
  printf("  machine  %ld CPUs, Linux %s, %s\n", sysconf(_SC_NPROCESSORS_ONLN),
         u.release, cpu);
  printf("  date     %s\n", date);
  printf("  backend  %s\n", backend);
  printf("  These numbers are from this run on this machine; each cost is\n"
         "  the median of %d runs.  Expect them to vary from run to run.\n\n",
         RUNS);
  fflush(stdout);

  struct ub_sched s;
  struct ub_sched_config scfg = {cfg.backend, cfg.stack_size};
  int e = ub_sched_init(&s, &scfg);
  if (e != 0)
    die("ub_sched_init", -e);
  double sw = bench_switch(&s);
  double spawn = bench_spawn(&s);
  ub_sched_fini(&s);
  double pspawn = bench_pthread_spawn();
  int cv_rounds, pin_rounds;
  double cv = bench_condvar(-1, &cv_rounds);
  int here = sched_getcpu();
  double pin = bench_condvar(here >= 0 ? here : 0, &pin_rounds);
  double arm = bench_arm_cancel(cfg.backend);
  double heap = bench_heap();
  double p50, p99;
  wake_latency(cfg.backend, &p50, &p99);

  printf("  %-52s %12s\n", "measurement", "result");
  printf("  %-52s %12s\n",
         "----------------------------------------------------",
         "------------");
  printf("  %-52s %9.1f ns\n", "green-thread switch (ub_sched_yield)", sw);
  printf("  %-52s %9.1f ns\n", "pthread condvar hand-off (2 OS threads)", cv);
  printf("  %-52s %10.0fx\n", "  ratio: condvar hand-off / green switch",
         cv / sw);
  printf("  %-52s %9.1f ns\n", "pthread condvar hand-off, both on one CPU",
         pin);
  printf("  %-52s %10.0fx\n", "  ratio: one-CPU hand-off / green switch",
         pin / sw);
  printf("  %-52s %9.1f ns\n", "green thread spawn + exit + join", spawn);
  printf("  %-52s %9.1f ns\n", "pthread_create + exit + pthread_join", pspawn);
  printf("  %-52s %10.0fx\n", "  ratio: pthread / green thread",
         pspawn / spawn);
  printf("  %-52s %9.1f ns\n",
         "timer arm + cancel (ub_loop_arm + ub_loop_post)", arm);
  printf("  %-52s %9.1f ns\n", "heap insert + remove, 10,000 timers held",
         heap);
  printf("  %-52s %9.1f µs\n", "loop wake-up from another thread, median", p50);
  printf("  %-52s %9.1f µs\n", "loop wake-up from another thread, p99", p99);
  printf("\n  switch: %d yields per green thread x 2; condvar: %d and %d\n"
         "  hand-offs per thread x 2; spawn: %d green threads, %d pthreads;\n"
         "  timers: %d pairs; wake-up: %d samples.\n",
         YIELDS, cv_rounds, pin_rounds, SPAWNS, PTHREADS, TIMER_OPS,
         WAKE_SAMPLES);
  return 0;
}
