/*
 * Description: a death test for stack overflow.  A child process runs a
 * green thread that recurses until it runs into its stack's guard.  The
 * child must die of SIGSEGV, as a native overflow would, after printing
 * one message that names the green thread and UNBLOCK_STACK_SIZE.
 */
#include "harness.h"

#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void *bystander(void *arg)
{
  (void)arg;
  return NULL;
}

static void child(void)
{
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none); /* no core file from the death */
  struct ub_sched_config cfg = ub_test_sched_config();
  cfg.stack_size = 64 * 1024;
  struct ub_sched s;
  CHECK(ub_sched_init(&s, &cfg) == 0);
  CHECK(ub_sched_spawn(&s, NULL, bystander, NULL, 0) == 0);
  CHECK(ub_sched_spawn(&s, NULL, overflow, NULL, 0) == 0);
  ub_sched_run(&s);
  _exit(0); /* not reached: the overflow kills the process */
}

int main(void)
{
  int err[2];
  CHECK(pipe(err) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    dup2(err[1], 2);
    close(err[0]);
    child();
  }
  close(err[1]);
  char out[4096];
  size_t len = 0;
  ssize_t r;
  while ((r = read(err[0], out + len, sizeof(out) - 1 - len)) > 0)
    len += (size_t)r;
  out[len] = '\0';
  close(err[0]);
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  printf("child said: %s", out);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
  CHECK(strstr(out, "unblock: green thread 2 overflowed its stack of 64 KiB"));
  CHECK(strstr(out, "UNBLOCK_STACK_SIZE"));
  return 0;
}
