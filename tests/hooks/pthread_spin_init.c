/*
 * Description: pthread_spin_init(3): PTHREAD_PROCESS_PRIVATE and
 * PTHREAD_PROCESS_SHARED both give a free lock (trylock 0, then EBUSY, then
 * 0 after unlock); a private one protects a counter two threads add 1000 to
 * each: 2000.
 */
#include "snippet.h"

static pthread_spinlock_t l;
static long counter;

static void *adder(void *arg)
{
  (void)arg;
  for (int i = 0; i < 1000; i++) {
    CHECK(pthread_spin_lock(&l) == 0);
    counter++;
    CHECK(pthread_spin_unlock(&l) == 0);
    if (i % 100 == 0)
      sched_yield();
  }
  return NULL;
}

int main(void)
{
  start();
  int kinds[2] = {PTHREAD_PROCESS_SHARED, PTHREAD_PROCESS_PRIVATE};
  const char *names[2] = {"PTHREAD_PROCESS_SHARED", "PTHREAD_PROCESS_PRIVATE"};
  for (int i = 0; i < 2; i++) {
    ERR(names[i], pthread_spin_init(&l, kinds[i]));
    ERR("  trylock", pthread_spin_trylock(&l));
    ERR("  trylock again", pthread_spin_trylock(&l));
    ERR("  unlock", pthread_spin_unlock(&l));
    ERR("  trylock", pthread_spin_trylock(&l));
    CHECK(pthread_spin_unlock(&l) == 0);
  }
  pthread_t a = spawn(adder, NULL), b = spawn(adder, NULL);
  join(a);
  join(b);
  printf("2 threads x 1000 increments: %ld\n", counter);
  return 0;
}
