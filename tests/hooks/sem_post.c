/*
 * Description: sem_post(3).  It wakes a thread blocked in sem_wait; it is
 * async-signal-safe, so a SIGALRM handler's sem_post wakes a waiting thread
 * while the main thread is in pthread_join; each post adds one; at
 * SEM_VALUE_MAX it fails with EOVERFLOW.
 */
#include "snippet.h"
#include <limits.h>
#include <semaphore.h>

static sem_t s;

static void *waiter(void *arg)
{
  (void)arg;
  double t0 = now_ms();
  CHECK(sem_wait(&s) == 0);
  return (void *)(long)(now_ms() - t0 >= 40);
}

static void post_from_handler(int sig)
{
  (void)sig;
  sem_post(&s);
}

int main(void)
{
  start();
  CHECK(sem_init(&s, 0, 0) == 0);
  pthread_t t = spawn(waiter, NULL);
  sleep_ms(50);
  SYS("post with a thread waiting", sem_post(&s));
  printf("the waiter woke, having waited: %s\n", yesno(join(t) != NULL));

  sigset_t alrm;
  sigemptyset(&alrm);
  sigaddset(&alrm, SIGALRM);
  CHECK(pthread_sigmask(SIG_BLOCK, &alrm, NULL) == 0);
  t = spawn(waiter, NULL); /* created with SIGALRM blocked */
  CHECK(pthread_sigmask(SIG_UNBLOCK, &alrm, NULL) == 0);
  on_signal(SIGALRM, post_from_handler, SA_RESTART);
  alarm_ms(50);
  printf("a handler's post woke the thread main was joining: %s\n",
         yesno(join(t) != NULL));

  int v;
  SYS("post", sem_post(&s));
  SYS("post", sem_post(&s));
  CHECK(sem_getvalue(&s, &v) == 0);
  printf("value: %d\n", v);
  sem_t full;
  CHECK(sem_init(&full, 0, SEM_VALUE_MAX) == 0);
  SYS("post at SEM_VALUE_MAX", sem_post(&full));
  return 0;
}
