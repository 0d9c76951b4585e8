/*
 * pipepong.c - `make bench`'s pipe ping-pong: how many small messages per
 * second a blocking thread-per-peer program passes through pipes, natively
 * and under unblock, next to a hand-written epoll loop doing the same work.
 *
 * The exchange.  A pair is two pipes, ping (A -> B) and pong (B -> A).  A
 * writes an 8-byte counter to ping and waits for the answer on pong; B
 * waits on ping and answers with the counter's complement on pong, so a
 * message that came through the wrong pipe or out of order is caught.
 * That is one round trip; each pair makes -n of them, and -p pairs run at
 * once.  Every value read is checked, on both sides; a wrong value, a
 * short or failed call, or EOF is an error (exit status 1).
 *
 * The two modes:
 *   - threads: two pthreads per pair, blocking pipes, plain read() and
 *     write().  Run natively, each read sleeps in the kernel; under unblock
 *     the threads are green threads and a read that would block parks on
 *     unblock's loop instead.  This is the program `make bench` runs both
 *     ways.
 *   - epoll: one thread, every pipe non-blocking, the read ends of all
 *     pipes in one level-triggered epoll set: write ping, epoll_wait, read
 *     it, write pong, epoll_wait, read it, and so on.  This is the
 *     hand-written event loop a careful C programmer would write, the
 *     baseline unblock is held against.  It reads once per readiness (one
 *     message is in flight per pipe, so a second read would only see
 *     EAGAIN).
 *
 * An "event" is one message delivered: one 8-byte value written into a
 * pipe and read out at the other end.  A round trip is two events, so a
 * run counts 2 x round trips x pairs of them.  The clock starts once every
 * thread (or the one loop) is ready, so thread creation is left out, and
 * stops when the last pair has finished.
 *
 * For context only: Samba measured a similar pipe-readiness loop at about
 * 232k events/s with poll, 251k/s with epoll and 211k/s with io_uring
 * readiness on their hardware.  Those figures come from another machine
 * and another program; compare modes of this program on one machine.
 *
 * Output is "key value" lines: mode, pairs, round_trips, events, seconds,
 * events_per_s.  Bad arguments: exit status 2 with a message naming the
 * flag and what it accepts.  A watchdog alarm ends any run after
 * WATCHDOG_S seconds with exit status 1, so a lost wake-up shows as a
 * failure rather than a hang.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WATCHDOG_S 60
#define STR(x) STR_(x)
#define STR_(x) #x
#define DEFAULT_ROUNDS 200000
#define DEFAULT_PAIRS 1
#define MAX_ROUNDS 1000000000L
#define MAX_PAIRS 10000L
#define MAX_EVENTS 64

/* One ping-pong pair.  [0] is a pipe's read end, [1] its write end. */
struct pair {
  int ping[2]; /* A -> B: the counter */
  int pong[2]; /* B -> A: its complement */
  long rounds; /* round trips to make */
  long done;   /* epoll mode: round trips A has seen answered */
};

static pthread_barrier_t start_line;

static _Noreturn void usage(const char *flag, const char *accepted)
{
  if (flag != NULL)
    fprintf(stderr, "pipepong: bad %s: %s\n", flag, accepted);
  fprintf(stderr,
          "usage: pipepong threads|epoll [-n ROUND_TRIPS] [-p PAIRS]\n"
          "  threads         two blocking pthreads per pair\n"
          "  epoll           one thread, non-blocking pipes, one epoll set\n"
          "  -n ROUND_TRIPS  round trips per pair, 1 to %ld (default %d)\n"
          "  -p PAIRS        pairs running at once, 1 to %ld (default %d)\n",
          MAX_ROUNDS, DEFAULT_ROUNDS, MAX_PAIRS, DEFAULT_PAIRS);
  exit(2);
}

static _Noreturn void fail(const char *what)
{
  fprintf(stderr, "pipepong: %s: %s\n", what, strerror(errno));
  exit(1);
}

static _Noreturn void wrong(const char *side, long pair, uint64_t got,
                            uint64_t want)
{
  fprintf(stderr, "pipepong: pair %ld: %s read %llu, expected %llu\n", pair,
          side, (unsigned long long)got, (unsigned long long)want);
  exit(1);
}

/*
 * The watchdog.  It goes straight to the write system call: that is
 * async-signal-safe whatever library is preloaded, where a write() hook
 * might not be.
 */
static void on_alarm(int sig)
{
  static const char msg[] = "pipepong: watchdog: the run took more than " STR(
      WATCHDOG_S) " s (a lost wake-up?)\n";
  (void)sig;
  (void)syscall(SYS_write, 2, msg, sizeof(msg) - 1);
  _exit(1);
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long number(const char *s, const char *flag, const char *accepted,
                   long lo, long hi)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    usage(flag, accepted);
  return v;
}

/*
 * One 8-byte message.  A pipe write of up to PIPE_BUF bytes is atomic and
 * only one message is in flight per pipe, so a read gets all 8 bytes or
 * none; anything else is reported, not papered over.
 */
static void put(int fd, uint64_t v)
{
  ssize_t n = write(fd, &v, sizeof(v));
  if (n < 0)
    fail("write");
  if (n != (ssize_t)sizeof(v)) {
    fprintf(stderr, "pipepong: short write (%zd bytes)\n", n);
    exit(1);
  }
}

static uint64_t get(int fd)
{
  uint64_t v;
  ssize_t n = read(fd, &v, sizeof(v));
  if (n < 0)
    fail("read");
  if (n != (ssize_t)sizeof(v)) {
    fprintf(stderr, "pipepong: %s (%zd bytes)\n",
            n == 0 ? "unexpected EOF" : "short read", n);
    exit(1);
  }
  return v;
}

static void make_pipes(struct pair *p, long rounds, int flags)
{
  if (pipe2(p->ping, O_CLOEXEC | flags) != 0 ||
      pipe2(p->pong, O_CLOEXEC | flags) != 0)
    fail("pipe2");
  p->rounds = rounds;
  p->done = 0;
}

static void wait_start(void)
{
  int err = pthread_barrier_wait(&start_line);
  if (err != 0 && err != PTHREAD_BARRIER_SERIAL_THREAD) {
    errno = err;
    fail("pthread_barrier_wait");
  }
}

/* ---- threads mode ---------------------------------------------------- */

static struct pair *pairs;

static void *side_a(void *arg)
{
  long i = (long)(intptr_t)arg;
  struct pair *p = &pairs[i];
  wait_start();
  for (long r = 0; r < p->rounds; r++) {
    put(p->ping[1], (uint64_t)r);
    uint64_t v = get(p->pong[0]);
    if (v != ~(uint64_t)r)
      wrong("A", i, v, ~(uint64_t)r);
  }
  return NULL;
}

static void *side_b(void *arg)
{
  long i = (long)(intptr_t)arg;
  struct pair *p = &pairs[i];
  wait_start();
  for (long r = 0; r < p->rounds; r++) {
    uint64_t v = get(p->ping[0]);
    if (v != (uint64_t)r)
      wrong("B", i, v, (uint64_t)r);
    put(p->pong[1], ~v);
  }
  return NULL;
}

/* Returns the seconds from the start line to the last join. */
static double run_threads(long npairs, long rounds)
{
  pthread_t *tids = calloc((size_t)npairs * 2, sizeof(*tids));
  if (tids == NULL)
    fail("calloc");
  for (long i = 0; i < npairs; i++)
    make_pipes(&pairs[i], rounds, 0);
  /* Every thread plus main meets at the barrier, so the clock starts
   * once all are created, none has started yet. */
  int err = pthread_barrier_init(&start_line, NULL, (unsigned)npairs * 2 + 1);
  for (long i = 0; i < npairs && err == 0; i++) {
    void *arg = (void *)(intptr_t)i;
    err = pthread_create(&tids[2 * i], NULL, side_a, arg);
    if (err == 0)
      err = pthread_create(&tids[2 * i + 1], NULL, side_b, arg);
  }
  if (err != 0) {
    errno = err;
    fail("pthread_barrier_init or pthread_create");
  }
  wait_start();
  double t0 = now_s();
  for (long i = 0; i < npairs * 2; i++) {
    err = pthread_join(tids[i], NULL);
    if (err != 0) {
      errno = err;
      fail("pthread_join");
    }
  }
  double t = now_s() - t0;
  pthread_barrier_destroy(&start_line);
  free(tids);
  return t;
}

/* ---- epoll mode ------------------------------------------------------ */

/*
 * epoll_data.u64 says which read end became readable: the pair's index
 * times two, plus 0 for ping (B's side) or 1 for pong (A's side).
 */
static void watch(int ep, int fd, uint64_t tag)
{
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0)
    fail("epoll_ctl");
}

static double run_epoll(long npairs, long rounds)
{
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0)
    fail("epoll_create1");
  for (long i = 0; i < npairs; i++) {
    make_pipes(&pairs[i], rounds, O_NONBLOCK);
    watch(ep, pairs[i].ping[0], (uint64_t)i * 2);
    watch(ep, pairs[i].pong[0], (uint64_t)i * 2 + 1);
  }
  double t0 = now_s();
  for (long i = 0; i < npairs; i++)
    put(pairs[i].ping[1], 0);
  long running = npairs;
  struct epoll_event evs[MAX_EVENTS];
  while (running > 0) {
    int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail("epoll_wait");
    for (int k = 0; k < n; k++) {
      long i = (long)(evs[k].data.u64 / 2);
      struct pair *p = &pairs[i];
      if (evs[k].data.u64 % 2 == 0) { /* B: answer the counter */
        uint64_t v = get(p->ping[0]);
        if (v != (uint64_t)p->done)
          wrong("B", i, v, (uint64_t)p->done);
        put(p->pong[1], ~v);
      } else { /* A: check the answer, send the next counter */
        uint64_t v = get(p->pong[0]);
        if (v != ~(uint64_t)p->done)
          wrong("A", i, v, ~(uint64_t)p->done);
        if (++p->done < p->rounds)
          put(p->ping[1], (uint64_t)p->done);
        else
          running--;
      }
    }
  }
  double t = now_s() - t0;
  close(ep);
  return t;
}

int main(int argc, char **argv)
{
  static const char modes[] = "the mode is threads or epoll";
  static const char n_accepted[] = "-n takes round trips per pair, an "
                                   "integer from 1 to 1000000000";
  static const char p_accepted[] = "-p takes pairs, an integer from 1 to "
                                   "10000";
  if (argc < 2)
    usage("mode", modes);
  const char *mode = argv[1];
  int threads = strcmp(mode, "threads") == 0;
  if (!threads && strcmp(mode, "epoll") != 0)
    usage("mode", modes);
  long rounds = DEFAULT_ROUNDS, npairs = DEFAULT_PAIRS;
  for (int i = 2; i < argc; i++) {
    const char *flag = argv[i];
    if (strcmp(flag, "-n") != 0 && strcmp(flag, "-p") != 0) {
      fprintf(stderr, "pipepong: unknown argument %s\n", flag);
      usage(NULL, NULL);
    }
    if (i + 1 >= argc)
      usage(flag, flag[1] == 'n' ? n_accepted : p_accepted);
    if (flag[1] == 'n')
      rounds = number(argv[++i], "-n", n_accepted, 1, MAX_ROUNDS);
    else
      npairs = number(argv[++i], "-p", p_accepted, 1, MAX_PAIRS);
  }

  struct sigaction sa = {.sa_handler = on_alarm};
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGALRM, &sa, NULL) != 0)
    fail("sigaction");
  alarm(WATCHDOG_S);

  /* Four descriptors per pair: lift the soft limit as far as allowed. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  pairs = calloc((size_t)npairs, sizeof(*pairs));
  if (pairs == NULL)
    fail("calloc");
  double t = threads ? run_threads(npairs, rounds) : run_epoll(npairs, rounds);
  alarm(0);

  long long events = 2LL * rounds * npairs;
  printf("mode %s\n", mode);
  printf("pairs %ld\n", npairs);
  printf("round_trips %ld\n", rounds);
  printf("events %lld\n", events);
  printf("seconds %.6f\n", t);
  printf("events_per_s %.0f\n", t > 0 ? (double)events / t : 0.0);
  return 0;
}
