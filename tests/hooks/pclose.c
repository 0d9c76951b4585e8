/*
 * Description: pclose(3), whose wait for the command runs on the helper
 * pool.  popen("echo hello; exit 5", "r"): the line reads back and pclose
 * gives exit status 5; popen("cat", "w"): what we write comes out on our
 * stdout by the time pclose returns 0; a shell that sends itself SIGTERM
 * is reported killed by it; pclose of a command that still runs for
 * 300 ms waits for it while a ticker thread ticks every 10 ms; a command
 * already reaped by waitpid(-1) makes pclose -1 ECHILD.  Two threads each
 * popen and pclose a command of 200 ms at once and finish together.
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
  static __thread char buf[64]; /* two reader threads call it at once */
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

static FILE *start_command(const char *command, const char *mode)
{
  CHECK(fflush(stdout) == 0);
  FILE *f = popen(command, mode);
  CHECK(f != NULL);
  return f;
}

static void *reader(void *arg)
{
  FILE *f = start_command("sleep 0.2; echo done", "r");
  char line[32] = "";
  CHECK(fgets(line, sizeof(line), f) != NULL);
  int st = pclose(f);
  snprintf(arg, 64, "read %.*s, pclose: %s", (int)strcspn(line, "\n"), line,
           status_str(st));
  return NULL;
}

int main(void)
{
  start();
  FILE *f = start_command("echo hello; exit 5", "r");
  char line[64];
  CHECK(fgets(line, sizeof(line), f) != NULL);
  printf("popen \"echo hello; exit 5\" read: %s", line);
  printf("pclose: %s\n", status_str(pclose(f)));

  f = start_command("cat", "w");
  CHECK(fputs("written to cat\n", f) >= 0);
  printf("pclose of popen \"cat\" \"w\": %s\n", status_str(pclose(f)));

  f = start_command("kill -TERM $$", "r");
  printf("pclose of popen \"kill -TERM $$\": %s\n", status_str(pclose(f)));

  pthread_t k = spawn(ticker, NULL);
  f = start_command("sleep 0.3; exit 4", "r");
  double t0 = now_ms();
  int st = pclose(f);
  int ticked = __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
  printf("pclose of popen \"sleep 0.3; exit 4\": %s\n", status_str(st));
  printf("waited at least 250ms: %s\n", yesno(now_ms() - t0 >= 250));
  printf("ticker ticked while pclose waited: %s\n", yesno(ticked >= 10));
  __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
  join(k);

  f = start_command("exit 6", "r");
  int wst;
  pid_t w = waitpid(-1, &wst, 0);
  printf("waitpid(-1) reaped it first: %s, %s\n", yesno(w > 0),
         status_str(wst));
  printf("pclose: %s\n", status_str(pclose(f)));

  char ra[64], rb[64];
  t0 = now_ms();
  pthread_t a = spawn(reader, ra), b = spawn(reader, rb);
  join(a);
  join(b);
  printf("two threads at once: %s; %s; under 400ms: %s\n", ra, rb,
         yesno(now_ms() - t0 < 400));
  return 0;
}
