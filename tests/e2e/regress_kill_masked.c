/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static volatile sig_atomic_t ran;
static void h(int s)
{
  ran = 1;
}
static pthread_t main_t;
static void *t(void *a)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, 0);
  *(volatile int *)a = 1;
  usleep(200000); /* main sends SIGUSR1 to us meanwhile */
  printf("handler ran while SIGUSR1 was blocked: %s\n", ran ? "YES" : "no");
  pthread_sigmask(SIG_UNBLOCK, &set, 0);
  printf("handler ran after unblock: %s\n", ran ? "yes" : "NO");
  return 0;
}
int main(void)
{
  signal(SIGUSR1, h);
  volatile int ready = 0;
  pthread_t th;
  pthread_create(&th, 0, t, (void *)&ready);
  while (!ready)
    usleep(1000);
  pthread_kill(th, SIGUSR1);
  pthread_join(th, 0);
  return 0;
}
