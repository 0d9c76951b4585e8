/*
 * Description: a read on a pipe interrupted by SIGALRM.  alarm(1) fires
 * while the main thread is blocked reading an empty pipe; the data comes 2 s
 * after the start, from a writer that is either a forked child ("fork") or
 * a thread that blocks SIGALRM so the signal goes to the reader ("thread").
 *
 *   sigalrm_read norestart fork|thread: the handler is installed without
 *     SA_RESTART, so the read fails with EINTR at about 1 s; a second read
 *     then gets the data.
 *   sigalrm_read restart fork|thread: with SA_RESTART the read is
 *     restarted after the handler and returns the data at about 2 s.
 *
 * Prints each read's result, the handler count and coarse timings.
 */
#include "e2e.h"
#include <pthread.h>
#include <sys/wait.h>

static volatile sig_atomic_t alarms;
static int wfd;

static void on_alarm(int sig)
{
  (void)sig;
  alarms++;
}

static void write_later(void)
{
  sleep(2);
  CHECK(write(wfd, "hello", 5) == 5);
}

static void *writer(void *arg)
{
  (void)arg;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGALRM);
  CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
  write_later();
  return NULL;
}

static void report(const char *what, ssize_t n, int err, const char *buf)
{
  if (n < 0)
    printf("%s: -1 %s\n", what, errname(err));
  else
    printf("%s: %zd '%.*s'\n", what, n, (int)n, buf);
}

int main(int argc, char **argv)
{
  start();
  if (argc != 3 ||
      (strcmp(argv[1], "restart") != 0 && strcmp(argv[1], "norestart") != 0) ||
      (strcmp(argv[2], "fork") != 0 && strcmp(argv[2], "thread") != 0)) {
    fprintf(stderr, "usage: sigalrm_read restart|norestart fork|thread\n");
    return 2;
  }
  int restart = strcmp(argv[1], "restart") == 0;
  int p[2];
  CHECK(pipe(p) == 0);
  wfd = p[1];
  double t0 = now_s();

  pid_t child = -1;
  pthread_t t;
  if (strcmp(argv[2], "fork") == 0) {
    child = fork();
    CHECK(child >= 0);
    if (child == 0) {
      watchdog();
      close(p[0]);
      write_later();
      _exit(0);
    }
  } else {
    CHECK(pthread_create(&t, NULL, writer, NULL) == 0);
  }

  struct sigaction sa = {.sa_handler = on_alarm};
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
  alarm(1);

  char buf[16];
  ssize_t n = read(p[0], buf, sizeof(buf));
  int err = errno;
  double dt = now_s() - t0;
  report("first read", n, err, buf);
  printf("handler calls: %d\n", (int)alarms);
  if (restart) {
    printf("returned after the data came (>= 1.8 s): %s\n", yesno(dt >= 1.8));
  } else {
    printf("returned at the alarm (0.8 s to 1.8 s): %s\n",
           yesno(dt >= 0.8 && dt < 1.8));
    n = read(p[0], buf, sizeof(buf));
    report("second read", n, errno, buf);
    printf("second read returned after the data came (>= 1.8 s): %s\n",
           yesno(now_s() - t0 >= 1.8));
  }

  if (child > 0) {
    int st;
    CHECK(waitpid(child, &st, 0) == child);
    printf("writer child exit status: %d\n",
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
  } else {
    CHECK(pthread_join(t, NULL) == 0);
    printf("writer thread joined\n");
  }
  return 0;
}
