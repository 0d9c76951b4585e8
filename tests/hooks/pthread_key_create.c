/*
 * Description: pthread_key_create(3) with a destructor.  Three threads set
 * their own value and end: the destructor runs once per thread with that
 * thread's value; a thread that set NULL gets no call; a destructor that
 * sets the value again is called again (up to
 * PTHREAD_DESTRUCTOR_ITERATIONS); two keys are distinct.
 */
#include "snippet.h"

static pthread_key_t key, again_key;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int calls, sum, again_calls;

static void dtor(void *v)
{
  pthread_mutex_lock(&m);
  calls++;
  sum += *(int *)v;
  pthread_mutex_unlock(&m);
  free(v);
}

static void dtor_again(void *v)
{
  if (++again_calls < 3)
    CHECK(pthread_setspecific(again_key, v) == 0);
}

static void *worker(void *arg)
{
  if (arg == NULL) {
    CHECK(pthread_setspecific(key, NULL) == 0);
    return NULL;
  }
  int *v = malloc(sizeof(int));
  CHECK(v != NULL);
  *v = (int)(long)arg;
  CHECK(pthread_setspecific(key, v) == 0);
  sleep_ms(20);
  return NULL;
}

static void *worker_again(void *arg)
{
  CHECK(pthread_setspecific(again_key, arg) == 0);
  return NULL;
}

int main(void)
{
  start();
  ERR("pthread_key_create with a destructor", pthread_key_create(&key, dtor));
  pthread_t t[4];
  for (long i = 0; i < 3; i++)
    t[i] = spawn(worker, (void *)(i + 10));
  t[3] = spawn(worker, NULL);
  for (int i = 0; i < 4; i++)
    join(t[i]);
  printf("destructor calls: %d, sum of values: %d\n", calls, sum);

  ERR("a second key", pthread_key_create(&again_key, dtor_again));
  printf("keys distinct: %s\n", yesno(key != again_key));
  join(spawn(worker_again, &again_calls));
  printf("a destructor that sets the value again: called %d times\n",
         again_calls);
  return 0;
}
