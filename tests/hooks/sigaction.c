/*
 * Description: sigaction(2), and what its flags do to blocking calls (the
 * table in signal(7)).  The old action comes back (SIG_DFL, then ours);
 * SA_SIGINFO gets si_code SI_TKILL from raise and SI_USER from kill;
 * SA_RESETHAND restores SIG_DFL after one delivery.  A SIGALRM handler
 * without SA_RESTART interrupts a recv on a blocking socket (EINTR); with
 * SA_RESTART the recv is restarted and gets the data sent 150 ms later;
 * but with SO_RCVTIMEO set a recv is never restarted (EINTR).  SIGKILL is
 * EINVAL.
 */
#include "snippet.h"

static volatile sig_atomic_t calls, last_code;

static void on_info(int sig, siginfo_t *si, void *uc)
{
  (void)sig;
  (void)uc;
  calls++;
  last_code = si->si_code;
}

static void on_plain(int sig)
{
  (void)sig;
  calls++;
}

static const char *code_name(int c)
{
  return c == SI_TKILL ? "SI_TKILL" : c == SI_USER ? "SI_USER" : "other";
}

int main(void)
{
  start();
  struct sigaction sa, old;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_info;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  SYS("sigaction(SIGUSR1, SA_SIGINFO)", sigaction(SIGUSR1, &sa, &old));
  printf("old action SIG_DFL: %s\n", yesno(old.sa_handler == SIG_DFL));
  SYS("again", sigaction(SIGUSR1, &sa, &old));
  printf("old action ours, SA_SIGINFO: %s\n",
         yesno(old.sa_sigaction == on_info && (old.sa_flags & SA_SIGINFO)));
  CHECK(raise(SIGUSR1) == 0);
  printf("raise: calls %d, si_code %s\n", (int)calls, code_name(last_code));
  CHECK(kill(getpid(), SIGUSR1) == 0);
  printf("kill: calls %d, si_code %s\n", (int)calls, code_name(last_code));

  sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
  SYS("sigaction(SIGUSR2, SA_RESETHAND)", sigaction(SIGUSR2, &sa, NULL));
  CHECK(raise(SIGUSR2) == 0);
  CHECK(sigaction(SIGUSR2, NULL, &old) == 0);
  printf("after one delivery: SIG_DFL again: %s\n",
         yesno(old.sa_handler == SIG_DFL));

  int s[2];
  char buf[16];
  tcp_pair(s);
  calls = 0;
  on_signal(SIGALRM, on_plain, 0);
  alarm_ms(50);
  SYS("recv, SIGALRM handler without SA_RESTART",
      recv(s[0], buf, sizeof(buf), 0));
  on_signal(SIGALRM, on_plain, SA_RESTART);
  struct later w = {s[1], "restarted", 150, 0};
  pthread_t t = spawn(later_fn, &w);
  alarm_ms(50);
  SYS("recv, SIGALRM handler with SA_RESTART", recv(s[0], buf, sizeof(buf), 0));
  join(t);
  struct timeval tv = {2, 0};
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  alarm_ms(50);
  SYS("recv with SO_RCVTIMEO, handler with SA_RESTART",
      recv(s[0], buf, sizeof(buf), 0));
  printf("handler calls: %d\n", (int)calls);
  SYS("sigaction(SIGKILL)", sigaction(SIGKILL, &sa, NULL));
  return 0;
}
