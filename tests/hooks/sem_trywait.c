/*
 * Description: sem_trywait(3) never waits: -1 EAGAIN at once on a zero
 * semaphore, even while another thread waits on it; 0 and one less once it
 * has been posted.
 */
#include "snippet.h"
#include <semaphore.h>

static sem_t s;

static void *waiter(void *arg)
{
  (void)arg;
  CHECK(sem_wait(&s) == 0);
  return NULL;
}

int main(void)
{
  start();
  CHECK(sem_init(&s, 0, 0) == 0);
  double t0 = now_ms();
  SYS("trywait on 0", sem_trywait(&s));
  printf("at once: %s\n", yesno(now_ms() - t0 < 40));
  pthread_t t = spawn(waiter, NULL);
  sleep_ms(30);
  SYS("trywait on 0, a thread waiting", sem_trywait(&s));
  CHECK(sem_post(&s) == 0);
  join(t);
  CHECK(sem_post(&s) == 0 && sem_post(&s) == 0);
  int v;
  SYS("trywait on 2", sem_trywait(&s));
  CHECK(sem_getvalue(&s, &v) == 0);
  printf("value now %d\n", v);
  SYS("trywait on 1", sem_trywait(&s));
  SYS("trywait on 0", sem_trywait(&s));
  return 0;
}
