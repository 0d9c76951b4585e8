/*
 * Description: sem_destroy(3): a semaphore a thread waited on (posted after
 * 50 ms, the waiter gone now) is destroyed (0), initialised again with
 * another value and used; an unused one is destroyed too.
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
  pthread_t t = spawn(waiter, NULL);
  sleep_ms(50);
  CHECK(sem_post(&s) == 0);
  join(t);
  SYS("destroy after use", sem_destroy(&s));
  SYS("init again with value 1", sem_init(&s, 0, 1));
  SYS("  trywait", sem_trywait(&s));
  SYS("  trywait", sem_trywait(&s));
  SYS("destroy", sem_destroy(&s));
  CHECK(sem_init(&s, 0, 5) == 0);
  SYS("destroy one never used", sem_destroy(&s));
  return 0;
}
