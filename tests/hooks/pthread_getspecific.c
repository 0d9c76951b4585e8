/*
 * Description: pthread_getspecific(3): a key no thread has set reads NULL,
 * in a new thread too; each thread reads its own value; values survive
 * blocking calls while other threads set theirs (two threads set a value,
 * block on pipes, and are woken in turn); the main thread's value is
 * untouched by theirs.
 */
#include "snippet.h"

static pthread_key_t key;

struct w {
  const char *value;
  int p[2];
};

static void *worker(void *arg)
{
  struct w *w = arg;
  const char *initial = pthread_getspecific(key);
  CHECK(pthread_setspecific(key, w->value) == 0);
  char c;
  CHECK(read(w->p[0], &c, 1) == 1);
  const char *now = pthread_getspecific(key);
  printf("thread %s: started with NULL: %s, after blocking reads %s\n",
         w->value, yesno(initial == NULL), now);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_key_create(&key, NULL) == 0);
  printf("unset: NULL: %s\n", yesno(pthread_getspecific(key) == NULL));
  CHECK(pthread_setspecific(key, "main") == 0);
  struct w one = {"one", {0, 0}}, two = {"two", {0, 0}};
  CHECK(pipe(one.p) == 0 && pipe(two.p) == 0);
  pthread_t a = spawn(worker, &one);
  sleep_ms(20);
  pthread_t b = spawn(worker, &two);
  sleep_ms(20);
  CHECK(write(one.p[1], "x", 1) == 1);
  join(a);
  CHECK(write(two.p[1], "x", 1) == 1);
  join(b);
  printf("main reads %s\n", (const char *)pthread_getspecific(key));
  return 0;
}
