/*
 * Description: pthread_key_delete(3).  A thread sets a value and blocks;
 * the key is deleted (0); when the thread ends its destructor is not
 * called.  A key created afterwards reads NULL everywhere, even if it reuses
 * the deleted key's slot; deleting a deleted key (before any new key could
 * take its slot) is EINVAL.
 */
#include "snippet.h"

static pthread_key_t k1, k2;
static int p[2], calls;

static void dtor(void *v)
{
  (void)v;
  calls++;
}

static void *worker(void *arg)
{
  (void)arg;
  char c;
  CHECK(pthread_setspecific(k1, "worker's") == 0);
  CHECK(read(p[0], &c, 1) == 1);
  return pthread_getspecific(k2);
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  CHECK(pthread_key_create(&k1, dtor) == 0);
  CHECK(pthread_setspecific(k1, "main's") == 0);
  pthread_t t = spawn(worker, NULL);
  sleep_ms(30);
  ERR("delete the key", pthread_key_delete(k1));
  ERR("delete it again", pthread_key_delete(k1));
  ERR("create a new one", pthread_key_create(&k2, dtor));
  printf("main reads it as NULL: %s\n", yesno(pthread_getspecific(k2) == NULL));
  CHECK(write(p[1], "w", 1) == 1);
  printf("the thread reads it as NULL: %s\n", yesno(join(t) == NULL));
  printf("destructor calls: %d\n", calls);
  return 0;
}
