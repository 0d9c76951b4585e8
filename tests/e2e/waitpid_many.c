/*
 * Description: 50 children reaped while other threads keep running.  The
 * main thread forks 50 children; child i sleeps 100 + 4 i ms (usleep) and
 * exits with status i.  Then, while a ticker thread counts 10 ms sleeps
 * for as long as the reaping goes on (proof that other threads ran while
 * the reapers were blocked):
 *
 *   waitpid_many pids   5 reaper threads; reaper r waits for children
 *                       r, r+5, ..., r+45, one by one, with
 *                       waitpid(pid, &st, 0), in that order
 *   waitpid_many any    1 reaper thread collects all 50 with wait(&st)
 *                       for the first 25 and waitpid(-1, &st, 0) for the
 *                       rest, then calls wait once more (ECHILD)
 *
 * Prints the statuses each reaper collected (in the order it waited for
 * them, or sorted for `any`), whether each status matched its pid, and
 * "ticker ran: yes" if the ticker counted at least 10 ticks while the
 * reapers waited (natively about 29: the last child exits after 296 ms).
 * With a blocking waitpid on one carrier, the ticker would get at most a
 * few ticks in.
 */
#include "e2e.h"
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>

#define CHILDREN 50
#define REAPERS 5

static pid_t pids[CHILDREN];
static int status_of[CHILDREN]; /* exit status by child index, or -1 */
static atomic_int reapers_left;
static atomic_int ticks;

/* The index of child pid p, or -1. */
static int index_of(pid_t p)
{
  for (int i = 0; i < CHILDREN; i++)
    if (pids[i] == p)
      return i;
  return -1;
}

/* WEXITSTATUS of a normal exit, or -1 for anything else. */
static int exit_status(int st)
{
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void *ticker(void *arg)
{
  (void)arg;
  while (atomic_load(&reapers_left) > 0) {
    usleep(10 * 1000);
    atomic_fetch_add(&ticks, 1);
  }
  return NULL;
}

/* Reaper r of `pids`: its children, by pid, in index order. */
static void *reap_own(void *arg)
{
  int r = (int)(long)arg;
  for (int i = r; i < CHILDREN; i += REAPERS) {
    int st;
    pid_t p = waitpid(pids[i], &st, 0);
    status_of[i] = p == pids[i] ? exit_status(st) : -1;
  }
  atomic_fetch_sub(&reapers_left, 1);
  return NULL;
}

static int last_errno;

/* The reaper of `any`: whatever child ends next, until none is left. */
static void *reap_any(void *arg)
{
  (void)arg;
  for (int n = 0; n < CHILDREN; n++) {
    int st;
    pid_t p = n < CHILDREN / 2 ? wait(&st) : waitpid(-1, &st, 0);
    int i = index_of(p);
    if (i >= 0)
      status_of[i] = exit_status(st);
  }
  int st;
  errno = 0;
  pid_t p = wait(&st);
  last_errno = p < 0 ? errno : 0;
  atomic_fetch_sub(&reapers_left, 1);
  return NULL;
}

int main(int argc, char **argv)
{
  start();
  int any = argc > 1 && strcmp(argv[1], "any") == 0;
  if (!any && (argc < 2 || strcmp(argv[1], "pids") != 0)) {
    fprintf(stderr, "usage: waitpid_many pids|any\n");
    return 2;
  }
  for (int i = 0; i < CHILDREN; i++) {
    status_of[i] = -1;
    pids[i] = fork();
    CHECK(pids[i] >= 0);
    if (pids[i] == 0) {
      usleep((100 + 4 * i) * 1000);
      _exit(i);
    }
  }
  int nreapers = any ? 1 : REAPERS;
  atomic_store(&reapers_left, nreapers);
  pthread_t tick, r[REAPERS];
  CHECK(pthread_create(&tick, NULL, ticker, NULL) == 0);
  for (long i = 0; i < nreapers; i++)
    CHECK(pthread_create(&r[i], NULL, any ? reap_any : reap_own, (void *)i) ==
          0);
  for (int i = 0; i < nreapers; i++)
    CHECK(pthread_join(r[i], NULL) == 0);
  CHECK(pthread_join(tick, NULL) == 0);

  int matched = 0;
  for (int i = 0; i < CHILDREN; i++)
    matched += status_of[i] == i;
  if (any) {
    /* status_of is by child index: this is the sorted list. */
    printf("reaper: statuses");
    for (int i = 0; i < CHILDREN; i++)
      printf(" %d", status_of[i]);
    printf("\n");
    printf("wait after the last child: %s\n", errname(last_errno));
  } else {
    for (int k = 0; k < REAPERS; k++) {
      printf("reaper %d: statuses", k);
      for (int i = k; i < CHILDREN; i += REAPERS)
        printf(" %d", status_of[i]);
      printf("\n");
    }
  }
  printf("children whose status is their index: %d of %d\n", matched, CHILDREN);
  printf("ticker ran: %s\n", yesno(atomic_load(&ticks) >= 10));
  fprintf(stderr, "ticks: %d\n", atomic_load(&ticks));
  return 0;
}
