/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static void h(int s)
{
  write(1, "handler ran\n", 12);
}
static void *t(void *a)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  int sig = 0;
  sigwait(&set, &sig);
  printf("sigwait got %d\n", sig);
  return 0;
}
int main(void)
{
  signal(SIGUSR1, h);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, 0); /* inherited by t */
  pthread_t th;
  pthread_create(&th, 0, t, 0);
  usleep(100000);
  pthread_kill(th, SIGUSR1);
  pthread_join(th, 0);
  return 0;
}
