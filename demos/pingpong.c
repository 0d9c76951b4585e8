/*
 * pingpong.c - `make demo`: many green threads on one carrier's loop.
 *
 * What it shows.  One OS thread (the carrier) runs 1,400 green threads at
 * once, and the hidden event loop decides who runs when:
 *   - 1,000 sleepers each sleep a few random 1-50 ms intervals on the
 *     loop's timer heap.  None may wake before its deadline; the worst
 *     lateness is reported.
 *   - 200 pairs ping-pong a counter over two pipes, 1,000 round trips per
 *     pair.  Every value received is checked, so a lost, duplicated or
 *     reordered wake-up would show as a wrong value or a hang.
 * The sleeps overlap and the pairs interleave, all on one OS thread, so the
 * run takes about as long as its longest part, not the sum of the parts.
 *
 * How.  The hooks that will make plain read() and write() do this by
 * themselves do not exist yet, so this demo uses the scheduler's internal
 * API (loop/sched.h) directly, with the same pattern the hooks will use:
 * the pipes are non-blocking; try the call; on EAGAIN park on the loop
 * with ub_sched_wait_fd() and retry.  Never poll first and then read:
 * another green thread could drain the pipe in between.
 *
 * Settings come from the UNBLOCK_* variables through ub_config_load, so
 * UNBLOCK_BACKEND=poll runs the same demo on the fallback backend, and a
 * bad value stops it with exit status 2.  UB_TEST_SLOW=1 (valgrind runs)
 * shrinks the ping-pong to 100 round trips per pair.  Exit status 0 means every
 * check passed; 1 means one failed, with a message saying which.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "sched.h"

#define SLEEPS_EACH 4
#define SLEEP_MIN_MS 1
#define SLEEP_MAX_MS 50

/* The scale of one run; smaller under UB_TEST_SLOW. */
struct scale {
  int sleepers;
  int pairs;
  int rounds; /* round trips per pair */
};

/* One ping-pong pair: `ping` carries a -> b, `pong` carries b -> a. */
struct pair {
  int id;
  int rounds;
  int ping[2], pong[2]; /* [0] read end, [1] write end */
};

/* What the green threads report.  One carrier: no locking needed. */
static struct {
  long finished;    /* green threads that ran to the end */
  long sleeps;      /* sleeps completed */
  long early;       /* sleeps that returned before their deadline */
  uint64_t worst;   /* worst lateness of a sleep, ns */
  long round_trips; /* completed by the `a` sides */
  long bad_values;  /* values received that were not the expected ones */
  uint64_t pp_end;  /* when the last ping-pong thread finished */
  char first_bad[160];
} stats;

static void die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fputs("pingpong: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

/* splitmix64: a small, seedable generator, so every run sleeps the same. */
static uint64_t next_random(uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void *sleeper(void *arg)
{
  uint64_t rng = (uint64_t)(uintptr_t)arg;
  for (int i = 0; i < SLEEPS_EACH; i++) {
    uint64_t ms =
        SLEEP_MIN_MS + next_random(&rng) % (SLEEP_MAX_MS - SLEEP_MIN_MS + 1);
    uint64_t deadline = ub_clock_now() + ms * 1000000;
    int err = ub_sched_sleep(deadline);
    if (err != 0)
      die("ub_sched_sleep failed: %s", strerror(-err));
    uint64_t woke = ub_clock_now();
    if (woke < deadline)
      stats.early++;
    else if (woke - deadline > stats.worst)
      stats.worst = woke - deadline;
    stats.sleeps++;
  }
  stats.finished++;
  return NULL;
}

/*
 * Move exactly n bytes through a non-blocking pipe end, parking on the
 * loop whenever the pipe is empty (reading) or full (writing).  A pipe
 * write of up to PIPE_BUF bytes is atomic, but the loops still allow for
 * short transfers rather than assume them away.
 */
static void read_full(int fd, void *buf, size_t n)
{
  size_t done = 0;
  while (done < n) {
    ssize_t r = read(fd, (char *)buf + done, n - done);
    if (r > 0) {
      done += (size_t)r;
      continue;
    }
    if (r == 0)
      die("read(%d): unexpected end of file", fd);
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN)
      die("read(%d): %s", fd, strerror(errno));
    int ev = ub_sched_wait_fd(fd, UB_IN, UB_NEVER);
    if (ev < 0)
      die("waiting to read fd %d: %s", fd, strerror(-ev));
  }
}

static void write_full(int fd, const void *buf, size_t n)
{
  size_t done = 0;
  while (done < n) {
    ssize_t r = write(fd, (const char *)buf + done, n - done);
    if (r >= 0) {
      done += (size_t)r;
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN)
      die("write(%d): %s", fd, strerror(errno));
    int ev = ub_sched_wait_fd(fd, UB_OUT, UB_NEVER);
    if (ev < 0)
      die("waiting to write fd %d: %s", fd, strerror(-ev));
  }
}

/* A message names its pair in the high half, so crossed wires show too. */
static uint64_t message(const struct pair *p, uint64_t seq)
{
  return (uint64_t)p->id << 32 | seq;
}

static void expect(const struct pair *p, uint64_t got, uint64_t want)
{
  if (got == want)
    return;
  if (stats.bad_values++ == 0)
    snprintf(stats.first_bad, sizeof(stats.first_bad),
             "pair %d expected %#llx, received %#llx", p->id,
             (unsigned long long)want, (unsigned long long)got);
}

static void pingpong_done(void)
{
  stats.finished++;
  stats.pp_end = ub_clock_now();
}

/* Side a sends 2k and expects 2k + 1 back. */
static void *side_a(void *arg)
{
  struct pair *p = arg;
  for (uint64_t k = 0; k < (uint64_t)p->rounds; k++) {
    uint64_t v = message(p, 2 * k);
    write_full(p->ping[1], &v, sizeof(v));
    read_full(p->pong[0], &v, sizeof(v));
    expect(p, v, message(p, 2 * k + 1));
    stats.round_trips++;
  }
  pingpong_done();
  return NULL;
}

/* Side b expects 2k and answers 2k + 1. */
static void *side_b(void *arg)
{
  struct pair *p = arg;
  for (uint64_t k = 0; k < (uint64_t)p->rounds; k++) {
    uint64_t v;
    read_full(p->ping[0], &v, sizeof(v));
    expect(p, v, message(p, 2 * k));
    v = message(p, 2 * k + 1);
    write_full(p->pong[1], &v, sizeof(v));
  }
  pingpong_done();
  return NULL;
}

/* Each pair holds four fds; make sure the soft limit allows them all. */
static void ensure_fd_limit(rlim_t need)
{
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
    return;
  rl.rlim_cur =
      rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &rl);
}

static void close_end(struct ub_loop *l, int fd)
{
  ub_loop_forget(l, fd); /* before close: the fd number may be reused */
  close(fd);
}

int main(void)
{
  struct ub_config cfg;
  char err[512];
  if (ub_config_load(&cfg, err, sizeof(err)) != 0) {
    fprintf(stderr, "pingpong: %s\n", err);
    return 2;
  }
  const char *slow = getenv("UB_TEST_SLOW");
  struct scale sc = {1000, 200, 1000};
  if (slow != NULL && slow[0] == '1')
    sc = (struct scale){1000, 200, 100};

  struct ub_sched_config scfg = {cfg.backend, cfg.stack_size};
  struct ub_sched s;
  int e = ub_sched_init(&s, &scfg);
  if (e != 0)
    die("cannot start the carrier: %s", strerror(-e));

  ensure_fd_limit((rlim_t)(4 * sc.pairs + 64));
  struct pair *pairs = calloc((size_t)sc.pairs, sizeof(*pairs));
  if (pairs == NULL)
    die("out of memory");
  for (int i = 0; i < sc.pairs; i++) {
    pairs[i] = (struct pair){.id = i, .rounds = sc.rounds};
    if (pipe2(pairs[i].ping, O_NONBLOCK | O_CLOEXEC) != 0 ||
        pipe2(pairs[i].pong, O_NONBLOCK | O_CLOEXEC) != 0)
      die("pipe2 for pair %d: %s", i, strerror(errno));
  }

  uint64_t start = ub_clock_now();
  for (int i = 0; i < sc.sleepers; i++) {
    e = ub_sched_spawn(&s, NULL, sleeper, (void *)(uintptr_t)(i + 1), 0, NULL,
                       true);
    if (e != 0)
      die("spawning sleeper %d: %s", i, strerror(-e));
  }
  for (int i = 0; i < sc.pairs; i++) {
    e = ub_sched_spawn(&s, NULL, side_a, &pairs[i], 0, NULL, true);
    if (e == 0)
      e = ub_sched_spawn(&s, NULL, side_b, &pairs[i], 0, NULL, true);
    if (e != 0)
      die("spawning pair %d: %s", i, strerror(-e));
  }
  e = ub_sched_run(&s);
  if (e != 0)
    die("the loop failed: %s", strerror(-e));
  uint64_t end = ub_clock_now();

  for (int i = 0; i < sc.pairs; i++) {
    close_end(&s.loop, pairs[i].ping[0]);
    close_end(&s.loop, pairs[i].ping[1]);
    close_end(&s.loop, pairs[i].pong[0]);
    close_end(&s.loop, pairs[i].pong[1]);
  }
  free(pairs);
  ub_sched_fini(&s);

  long threads = sc.sleepers + 2L * sc.pairs;
  long sleeps = (long)sc.sleepers * SLEEPS_EACH;
  long trips = (long)sc.pairs * sc.rounds;
  double wall = (double)(end - start) / 1e9;
  double pp = (double)(stats.pp_end - start) / 1e9;
  printf("unblock demo: green threads on one carrier, driven by its loop\n");
  printf("  backend        %s (green-thread stacks %zu KiB)\n",
         cfg.backend == UB_BACKEND_POLL ? "poll" : "epoll",
         cfg.stack_size / 1024);
  printf("  green threads  %ld run (%d sleepers, %d pairs x 2)\n",
         stats.finished, sc.sleepers, sc.pairs);
  printf("  sleeps         %ld done by %d sleepers, %ld early, "
         "worst lateness %.3f ms\n",
         stats.sleeps, sc.sleepers, stats.early, (double)stats.worst / 1e6);
  printf("  round trips    %ld (%d pairs x %d round trips), %ld bad values\n",
         stats.round_trips, sc.pairs, sc.rounds, stats.bad_values);
  printf("  wall time      %.3f s\n", wall);
  printf("  messages/s     %.0f (%ld messages in %.3f s of ping-pong)\n",
         pp > 0 ? 2.0 * (double)stats.round_trips / pp : 0.0,
         2 * stats.round_trips, pp);

  /* Every check, with the reason for the first one that failed. */
  const char *why = NULL;
  char buf[256];
  if (stats.early > 0) {
    snprintf(buf, sizeof(buf), "%ld sleeps woke before their deadline",
             stats.early);
    why = buf;
  } else if (stats.bad_values > 0) {
    why = stats.first_bad;
  } else if (stats.finished != threads || stats.sleeps != sleeps ||
             stats.round_trips != trips) {
    snprintf(buf, sizeof(buf),
             "counts are off: %ld/%ld threads, %ld/%ld sleeps, "
             "%ld/%ld round trips",
             stats.finished, threads, stats.sleeps, sleeps, stats.round_trips,
             trips);
    why = buf;
  }
  if (why != NULL) {
    printf("  result         FAILED\n");
    fflush(stdout);
    fprintf(stderr, "pingpong: FAILED: %s\n", why);
    return 1;
  }
  printf("  result         ok: no early wake, every value in order\n");
  return 0;
}
