/*
 * Description: pthread_setspecific(3): 0 on a valid key; overwriting
 * replaces the value; NULL clears it (no destructor call for that thread);
 * a value set in a thread is seen only there, before and after it blocks;
 * a key that was never created is EINVAL.
 */
#include "snippet.h"

static pthread_key_t key;
static int calls;
static int p[2];

static void dtor(void *v)
{
  (void)v;
  calls++;
}

static void *setter(void *arg)
{
  (void)arg;
  char c;
  int r = pthread_setspecific(key, "thread's");
  CHECK(read(p[0], &c, 1) == 1);
  printf("thread: set %s, reads %s after blocking\n", errname(r),
         (const char *)pthread_getspecific(key));
  return NULL;
}

static void *clearer(void *arg)
{
  (void)arg;
  CHECK(pthread_setspecific(key, "x") == 0);
  CHECK(pthread_setspecific(key, NULL) == 0);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_key_create(&key, dtor) == 0);
  ERR("set", pthread_setspecific(key, "first"));
  ERR("overwrite", pthread_setspecific(key, "second"));
  printf("reads %s\n", (const char *)pthread_getspecific(key));
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(setter, NULL);
  sleep_ms(30);
  printf("main still reads %s\n", (const char *)pthread_getspecific(key));
  CHECK(write(p[1], "w", 1) == 1);
  join(t);
  printf("destructor calls after that thread: %d\n", calls);
  join(spawn(clearer, NULL));
  printf("after a thread that cleared its value: %d\n", calls);
  ERR("set NULL in main", pthread_setspecific(key, NULL));
  printf("reads NULL: %s\n", yesno(pthread_getspecific(key) == NULL));
  ERR("a key never created", pthread_setspecific((pthread_key_t)100000, "x"));
  return 0;
}
