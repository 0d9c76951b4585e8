/*
 * Description: system(3), which runs on the helper pool.  "exit 3" gives
 * exit status 3, "echo hi" prints between our own lines (stdout flushed
 * first), a shell that sends itself SIGTERM reports the signal, the
 * command starts with the caller's signal mask (nothing blocked: grep,
 * exec'd by the shell, shows it), an unknown
 * command is 127, system(NULL) is nonzero (a shell exists).  While
 * "sleep 0.3" runs, a ticker thread ticks every 10 ms, and another thread
 * sees SIGINT ignored (as system() does in the caller) and sends itself a
 * SIGINT, which does no harm; SIGINT is back to its default afterwards.
 * Two threads running "sleep 0.2" at once finish together.
 */
#include "snippet.h"
#include <sys/wait.h>

static int ticks, stop;

static void *ticker(void *arg)
{
  (void)arg;
  while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
    sleep_ms(10);
    __atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}

static const char *status_str(int st)
{
  static char buf[64];
  if (st == -1)
    snprintf(buf, sizeof(buf), "-1 %s", errname(errno));
  else if (WIFEXITED(st))
    snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st))
    snprintf(buf, sizeof(buf), "killed by %s", sigabbrev_np(WTERMSIG(st)));
  else
    snprintf(buf, sizeof(buf), "status 0x%x", st);
  return buf;
}

static void run(const char *command)
{
  CHECK(fflush(stdout) == 0);
  int st = system(command);
  printf("system(\"%s\"): %s\n", command, status_str(st));
}

/* 100 ms into the sleep: SIGINT's disposition, then a SIGINT to us. */
static void *interrupter(void *arg)
{
  const char **seen = arg;
  sleep_ms(100);
  struct sigaction old;
  CHECK(sigaction(SIGINT, NULL, &old) == 0);
  *seen = old.sa_handler == SIG_IGN   ? "SIG_IGN"
          : old.sa_handler == SIG_DFL ? "SIG_DFL"
                                      : "a handler";
  CHECK(kill(getpid(), SIGINT) == 0);
  return NULL;
}

static void *sleeper(void *arg)
{
  (void)arg;
  return (void *)(long)system("sleep 0.2");
}

int main(void)
{
  start();
  run("exit 3");
  run("echo hi");
  run("kill -TERM $$");
  run("exec grep ^SigBlk: /proc/self/status");
  run("no-such-command-for-unblock 2>/dev/null");
  printf("system(NULL) is nonzero: %s\n", yesno(system(NULL) != 0));

  pthread_t k = spawn(ticker, NULL);
  const char *seen = "?";
  pthread_t t = spawn(interrupter, &seen);
  double t0 = now_ms();
  run("sleep 0.3");
  int ticked = __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
  printf("took at least 250ms: %s\n", yesno(now_ms() - t0 >= 250));
  printf("ticker ticked while system ran: %s\n", yesno(ticked >= 10));
  join(t);
  printf("SIGINT during system(): %s\n", seen);
  __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
  join(k);
  struct sigaction old;
  CHECK(sigaction(SIGINT, NULL, &old) == 0);
  printf("SIGINT after system(): %s\n",
         old.sa_handler == SIG_DFL ? "SIG_DFL" : "not SIG_DFL");

  t0 = now_ms();
  pthread_t a = spawn(sleeper, NULL), b = spawn(sleeper, NULL);
  long ra = (long)join(a), rb = (long)join(b);
  printf("two concurrent \"sleep 0.2\": %s, ", status_str((int)ra));
  printf("%s, under 350ms: %s\n", status_str((int)rb),
         yesno(now_ms() - t0 < 350));
  return 0;
}
