/*
 * Description: a green thread stuck where no hook sees it must not hold up
 * the other green threads of its carrier (the monitor hands them to
 * another OS thread).  Thread A, the staller, first waits until thread B,
 * the peer, has woken once, then either:
 *
 *   stall_peer read [N]: makes N raw syscall(SYS_read, ...) calls (default
 *     1, at most 5), all from one call site, on a pipe that is empty until
 *     a forked child writes one byte every 500/N ms.  The shim cannot
 *     intercept a raw syscall, so each read blocks the OS thread it runs
 *     on for about 500/N ms.  The writer is another process so that A is
 *     released even when nothing in this process can run.
 *   stall_peer spin: computes for 500 ms, polling clock_gettime (which is
 *     not hooked).
 *
 * Meanwhile B sleeps 10 ms at a time (nanosleep) until 1 s after the start
 * and records the longest gap between consecutive wake-ups, counted from
 * the start, so that a peer that could not even begin also shows.  The
 * gaps are about 10 ms natively, and should be under unblock.
 *
 * Prints what A got and coarse yes/no answers on stdout; the longest gap
 * and the wake-up count on stderr ("stall_peer: max gap N ms, M wake-ups").
 */
#include "e2e.h"
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PEER_RUN_S 1.0
#define STALL_MS 500

static double t0;
static int rfd;
static int reads = 1;
static int spin;
static sem_t peer_started;

/* What A and B found, read by main after joining them. */
static char got[8];
static int got_n;
static double stalled_s;
static double max_gap_s;
static int wakeups;

static void sleep_ms(long ms)
{
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static void *peer(void *arg)
{
  (void)arg;
  double prev = t0;
  while (prev - t0 < PEER_RUN_S) {
    sleep_ms(10);
    double t = now_s();
    if (t - prev > max_gap_s)
      max_gap_s = t - prev;
    prev = t;
    if (wakeups++ == 0)
      CHECK(sem_post(&peer_started) == 0);
  }
  return NULL;
}

/* One raw read of one byte: no hook sees it. */
static long raw_read(char *c)
{
  return syscall(SYS_read, rfd, c, 1);
}

static void *staller(void *arg)
{
  (void)arg;
  CHECK(sem_wait(&peer_started) == 0);
  double start = now_s();
  if (spin) {
    while (now_s() - start < STALL_MS / 1000.0)
      ;
  } else {
    for (int i = 0; i < reads; i++)
      if (raw_read(&got[i]) == 1)
        got_n++;
  }
  stalled_s = now_s() - start;
  return NULL;
}

int main(int argc, char **argv)
{
  start();
  if (argc < 2 || argc > 3 ||
      (strcmp(argv[1], "read") != 0 && strcmp(argv[1], "spin") != 0) ||
      (argc == 3 && (strcmp(argv[1], "read") != 0 || atoi(argv[2]) < 1 ||
                     atoi(argv[2]) > 5))) {
    fprintf(stderr, "usage: stall_peer read [1-5] | stall_peer spin\n");
    return 2;
  }
  spin = strcmp(argv[1], "spin") == 0;
  if (argc == 3)
    reads = atoi(argv[2]);
  CHECK(sem_init(&peer_started, 0, 0) == 0);
  t0 = now_s();

  pid_t child = -1;
  if (!spin) {
    int p[2];
    CHECK(pipe(p) == 0);
    child = fork();
    CHECK(child >= 0);
    if (child == 0) {
      watchdog();
      close(p[0]);
      for (int i = 0; i < reads; i++) {
        sleep_ms(STALL_MS / reads);
        CHECK(write(p[1], &"abcde"[i], 1) == 1);
      }
      _exit(0);
    }
    close(p[1]);
    rfd = p[0];
  }

  pthread_t a, b;
  CHECK(pthread_create(&b, NULL, peer, NULL) == 0);
  CHECK(pthread_create(&a, NULL, staller, NULL) == 0);
  CHECK(pthread_join(a, NULL) == 0);
  CHECK(pthread_join(b, NULL) == 0);

  if (spin) {
    printf("spinner computed for 500 ms: %s\n", yesno(stalled_s >= 0.5));
  } else {
    printf("raw reads: %d of %d got their byte ('%.*s')\n", got_n, reads, got_n,
           got);
    printf("raw reads blocked at least 300 ms in all: %s\n",
           yesno(stalled_s >= 0.3));
  }
  printf("peer's longest gap under 100 ms: %s\n", yesno(max_gap_s < 0.1));
  if (!spin) {
    int st;
    CHECK(waitpid(child, &st, 0) == child);
    printf("writer child exit status: %d\n",
           WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  }
  fprintf(stderr, "stall_peer: max gap %.0f ms, %d wake-ups, %s %.0f ms\n",
          max_gap_s * 1000, wakeups, spin ? "spun" : "read blocked",
          stalled_s * 1000);
  return 0;
}
