/*
 * Description: sem_getvalue(3): the initial value; one more per post, one
 * less per trywait; and 0, never negative, while threads are blocked in
 * sem_wait on it (glibc's choice, which POSIX allows).
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

static void show(const char *what)
{
  int v = -99;
  int r = sem_getvalue(&s, &v);
  printf("%s: returns %d, value %d\n", what, r, v);
}

int main(void)
{
  start();
  CHECK(sem_init(&s, 0, 3) == 0);
  show("initial 3");
  CHECK(sem_post(&s) == 0);
  show("after a post");
  CHECK(sem_trywait(&s) == 0 && sem_trywait(&s) == 0);
  show("after two trywaits");
  CHECK(sem_trywait(&s) == 0 && sem_trywait(&s) == 0);
  show("after two more");
  pthread_t a = spawn(waiter, NULL), b = spawn(waiter, NULL);
  sleep_ms(50);
  show("two threads waiting");
  CHECK(sem_post(&s) == 0 && sem_post(&s) == 0);
  join(a);
  join(b);
  show("both woken");
  return 0;
}
