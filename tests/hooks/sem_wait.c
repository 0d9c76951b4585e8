/*
 * Description: sem_wait(3).  On a zero semaphore it waits for a thread's
 * sem_post 50 ms later, other threads running meanwhile; three consumers
 * take 30 posts a producer makes with pauses; a positive semaphore passes at
 * once.  A SIGALRM handler without SA_RESTART interrupts it (EINTR); with
 * SA_RESTART, a signal at 20 ms does not end the wait (glibc's futex wait is
 * restarted), which then gets the post made at 50 ms.
 */
#include "snippet.h"
#include <semaphore.h>

static sem_t s, items;
static int taken;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *poster(void *arg)
{
  (void)arg;
  sleep_ms(50);
  CHECK(sem_post(&s) == 0);
  return NULL;
}

static void *consumer(void *arg)
{
  (void)arg;
  for (int i = 0; i < 10; i++) {
    CHECK(sem_wait(&items) == 0);
    pthread_mutex_lock(&m);
    taken++;
    pthread_mutex_unlock(&m);
  }
  return NULL;
}

static void on_alarm(int sig)
{
  (void)sig;
}

int main(void)
{
  start();
  CHECK(sem_init(&s, 0, 0) == 0 && sem_init(&items, 0, 0) == 0);
  struct ticker k;
  ticker_start(&k, 20);
  pthread_t t = spawn(poster, NULL);
  double t0 = now_ms();
  SYS("sem_wait, posted 50ms later", sem_wait(&s));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  join(t);

  pthread_t c[3];
  for (int i = 0; i < 3; i++)
    c[i] = spawn(consumer, NULL);
  for (int i = 0; i < 30; i++) {
    if (i % 5 == 0)
      sleep_ms(5);
    CHECK(sem_post(&items) == 0);
  }
  for (int i = 0; i < 3; i++)
    join(c[i]);
  printf("three consumers took %d posts\n", taken);

  CHECK(sem_post(&s) == 0);
  t0 = now_ms();
  SYS("sem_wait on a positive semaphore", sem_wait(&s));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  on_signal(SIGALRM, on_alarm, 0);
  alarm_ms(50);
  SYS("sem_wait, SIGALRM handler without SA_RESTART", sem_wait(&s));
  on_signal(SIGALRM, on_alarm, SA_RESTART);
  t = spawn(poster, NULL); /* posts at 50 ms */
  alarm_ms(20);
  t0 = now_ms();
  SYS("sem_wait, SIGALRM handler with SA_RESTART", sem_wait(&s));
  printf("got the post after the signal: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  return 0;
}
