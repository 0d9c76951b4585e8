/*
 * Description: death tests for the stack guard.  Each case runs in a child
 * process, which must die of SIGSEGV as natively:
 *   - a green thread recursing into its guard prints one message naming
 *     the thread and UNBLOCK_STACK_SIZE first;
 *   - so does one that overflows while switching out (its registers are
 *     pushed after the scheduler already names the next thread), at every
 *     depth near the bottom of its stack: never a silent death;
 *   - raise(SIGSEGV) on a carrier, which is not a fault and not an
 *     overflow, ends the process exactly as it does without a carrier.
 */
#include "harness.h"

#include <alloca.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define MSG "unblock: green thread 2 overflowed its stack of 64 KiB"

/* Bounded only by a limit far beyond any stack, so the compiler cannot
 * prove the recursion infinite, and cannot turn it into a loop. */
static volatile int limit = 1 << 30;

static int recurse(int n)
{
  volatile char frame[2048];
  frame[0] = (char)n;
  if (n >= limit)
    return 0;
  return recurse(n + 1) + frame[0];
}

static void *overflow(void *arg)
{
  (void)arg;
  recurse(0);
  return NULL;
}

/* Leave only `room` bytes of stack, then switch out from there. */
static long room;

static __attribute__((noinline)) void yield_here(void)
{
  ub_sched_yield();
}

static void *overflow_in_switch(void *arg)
{
  (void)arg;
  char here;
  char *lo = ub_sched_self()->current->stack.lo;
  volatile char *p = alloca((size_t)(&here - lo - room));
  p[0] = 0;
  yield_here();
  return NULL;
}

static void *raise_segv(void *arg)
{
  (void)arg;
  raise(SIGSEGV);
  fprintf(stderr, "still alive after raise(SIGSEGV)\n");
  return NULL;
}

static void *bystander(void *arg)
{
  (void)arg;
  return NULL;
}

/* Run fn in a child, as green thread 2 of a carrier, or natively; return
 * its status and stderr. */
static int run_child(void *(*fn)(void *), bool native, char *out, size_t size)
{
  int err[2];
  CHECK(pipe(err) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none); /* no core file from the death */
    dup2(err[1], 2);
    close(err[0]);
    if (native) {
      fn(NULL);
      _exit(0);
    }
    struct ub_sched_config cfg = ub_test_sched_config();
    cfg.stack_size = 64 * 1024;
    struct ub_sched s;
    CHECK(ub_sched_init(&s, &cfg) == 0);
    CHECK(ub_sched_spawn(&s, NULL, bystander, NULL, 0, NULL, true) == 0);
    CHECK(ub_sched_spawn(&s, NULL, fn, NULL, 0, NULL, true) == 0);
    CHECK(ub_sched_spawn(&s, NULL, bystander, NULL, 0, NULL, true) == 0);
    ub_sched_run(&s);
    _exit(0);
  }
  close(err[1]);
  size_t len = 0;
  ssize_t r;
  while ((r = read(err[0], out + len, size - 1 - len)) > 0)
    len += (size_t)r;
  out[len] = '\0';
  close(err[0]);
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  return status;
}

static bool died_of_segv(int status)
{
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

int main(void)
{
  char out[4096];
  int status = run_child(overflow, false, out, sizeof(out));
  printf("recursion: %s", out);
  CHECK(died_of_segv(status));
  CHECK(strstr(out, MSG) != NULL);
  CHECK(strstr(out, "UNBLOCK_STACK_SIZE=8M") != NULL);

  /* Close to the bottom the switch's own pushes hit the guard. */
  int deaths = 0, step = ub_test_slow() ? 32 : 8;
  for (room = 64; room <= 1024; room += step) {
    status = run_child(overflow_in_switch, false, out, sizeof(out));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
      continue; /* enough room left to switch */
    if (!died_of_segv(status) || strstr(out, MSG) == NULL)
      printf("room %ld: status %#x, said: %s\n", room, status, out);
    CHECK(died_of_segv(status) && strstr(out, MSG) != NULL);
    deaths++;
  }
  printf("switching out with little room: %d deaths, all reported\n", deaths);
  CHECK(deaths > 0);

  /* Whatever raise(SIGSEGV) does natively (die of it; under ASan, its
   * report and exit 1), it does on a carrier, and never returns. */
  int native = run_child(raise_segv, true, out, sizeof(out));
  CHECK(strstr(out, "still alive") == NULL);
  status = run_child(raise_segv, false, out, sizeof(out));
  CHECK(status == native);
  CHECK(strstr(out, "still alive") == NULL && strstr(out, MSG) == NULL);
  return 0;
}
