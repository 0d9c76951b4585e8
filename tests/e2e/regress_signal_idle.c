/* Regression test: a signal that lands on a carrier between its last look
 * at the deferred signals and its sleep in the loop was not handled until
 * something else woke the carrier.  A child sends 20,000 SIGUSR1s, one at
 * a time, each acknowledged by the handler through a pipe, and gives up
 * when one goes unacknowledged for a second.  See tests/regress.bats. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIGNALS 20000

static int ack[2];
static volatile sig_atomic_t done;

static void on_usr1(int sig)
{
  (void)sig;
  char c = 'a';
  (void)!write(ack[1], &c, 1);
}

static void on_usr2(int sig)
{
  (void)sig;
  done = 1;
}

static void *sleeper(void *arg)
{
  (void)arg;
  sleep(60); /* idle threads: the carriers mostly wait in their loops */
  return NULL;
}

static int send_all(pid_t to)
{
  for (int i = 0; i < SIGNALS; i++) {
    kill(to, SIGUSR1);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(ack[0], &r);
    struct timeval tv = {1, 0};
    char c;
    if (select(ack[0] + 1, &r, NULL, NULL, &tv) != 1)
      return 1;
    (void)!read(ack[0], &c, 1);
  }
  return 0;
}

int main(void)
{
  if (pipe(ack) != 0)
    return 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_flags = SA_RESTART;
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_usr2;
  sigaction(SIGUSR2, &sa, NULL);
  pthread_t t;
  for (int i = 0; i < 2; i++)
    pthread_create(&t, NULL, sleeper, NULL);
  pid_t me = getpid();
  pid_t kid = fork();
  if (kid == 0) {
    int lost = send_all(me);
    kill(me, SIGUSR2);
    _exit(lost);
  }
  while (!done)
    pause();
  int st;
  while (waitpid(kid, &st, 0) < 0 && errno == EINTR)
    ;
  printf("%d signals, each handled within 1 s: %s\n", SIGNALS,
         WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "no");
  fflush(stdout);
  _exit(0); /* the sleepers need not finish */
}
