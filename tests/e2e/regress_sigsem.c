/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <sched.h>
#include <sys/time.h>
static sem_t s;
static volatile sig_atomic_t posts;
static volatile int got, stop;
static void h(int sig)
{
  (void)sig;
  if (!stop) {
    sem_post(&s);
    posts++;
  }
}
static void *w(void *a)
{
  for (;;) {
    sem_wait(&s);
    if (stop && got == posts)
      break;
    got++;
  }
  return 0;
}
int main(void)
{
  sem_init(&s, 0, 0);
  signal(SIGALRM, h);
  pthread_t t;
  pthread_create(&t, 0, w, 0);
  struct itimerval it = {{0, 50}, {0, 50}};
  setitimer(ITIMER_REAL, &it, 0);
  for (long i = 0; i < 500000; i++)
    sched_yield();
  struct itimerval z = {0};
  setitimer(ITIMER_REAL, &z, 0);
  stop = 1;
  sem_post(&s);
  pthread_join(t, 0);
  printf("done: posts %s got\n", posts == got ? "==" : "!=");
  return 0;
}
