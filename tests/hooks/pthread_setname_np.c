/*
 * Description: pthread_setname_np(3).  The main thread names a thread that
 * is blocked on a pipe; once woken, the thread reads its own new name.  A
 * thread names itself; the main thread names itself; a name of 16
 * characters or more is ERANGE and leaves the old name.
 */
#include "snippet.h"

static int p[2];

static void *worker(void *arg)
{
  (void)arg;
  char c, name[16];
  CHECK(read(p[0], &c, 1) == 1);
  CHECK(pthread_getname_np(pthread_self(), name, sizeof(name)) == 0);
  printf("thread: my name after waking: %s\n", name);
  int r = pthread_setname_np(pthread_self(), "self-named");
  CHECK(pthread_getname_np(pthread_self(), name, sizeof(name)) == 0);
  printf("thread: naming myself: %s, now %s\n", errname(r), name);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(worker, NULL);
  sleep_ms(30);
  ERR("name the blocked thread worker-1", pthread_setname_np(t, "worker-1"));
  CHECK(write(p[1], "w", 1) == 1);
  join(t);

  char name[16];
  ERR("name myself main-thread",
      pthread_setname_np(pthread_self(), "main-thread"));
  CHECK(pthread_getname_np(pthread_self(), name, sizeof(name)) == 0);
  printf("main's name: %s\n", name);
  ERR("a 16-character name",
      pthread_setname_np(pthread_self(), "0123456789abcdef"));
  CHECK(pthread_getname_np(pthread_self(), name, sizeof(name)) == 0);
  printf("main's name: %s\n", name);
  return 0;
}
