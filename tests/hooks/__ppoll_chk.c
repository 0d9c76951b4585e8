// cflags: -O2 -D_FORTIFY_SOURCE=2
/*
 * Description: __ppoll_chk, what ppoll() becomes under -D_FORTIFY_SOURCE=2
 * when the array's size is known and nfds is not a constant: a timespec
 * timeout with other threads running meanwhile, a NULL timeout woken by a
 * writer thread (50 ms), a pending signal unblocked by the mask (EINTR), and
 * an nfds past the array aborts (in a child, with its stderr silenced).
 */
#include "snippet.h"
#include <sys/wait.h>

static void on_usr1(int sig)
{
  (void)sig;
}

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  struct pollfd f[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
  volatile nfds_t one = 1, two = 2; /* not constants: __ppoll_chk */
  struct timespec ts = {0, 100000000};

  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("ppoll an empty pipe, 100ms", ppoll(f, one, &ts, NULL));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  struct later w = {p[1], "x", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  SYS("ppoll, NULL timeout, until the writer writes",
      ppoll(f, one, NULL, NULL));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  SYS("ppoll again, both ends", ppoll(f, two, NULL, NULL));
  printf("revents %s %s\n", events_str(f[0].revents), events_str(f[1].revents));

  on_signal(SIGUSR1, on_usr1, 0);
  sigset_t block, open_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  CHECK(sigprocmask(SIG_BLOCK, &block, &open_mask) == 0);
  CHECK(raise(SIGUSR1) == 0);
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  SYS("ppoll unblocking a pending SIGUSR1", ppoll(f, one, NULL, &open_mask));

  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    volatile nfds_t three = 3;
    _exit(ppoll(f, three, NULL, NULL) < 0 ? 1 : 0);
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  printf("an nfds past the array aborts: %s\n",
         yesno(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT));
  return 0;
}
