/*
 * Description: pthread_getattr_np(3) describes a running thread.  For a
 * thread created with a 512 KiB stack: the stack is at least that big and
 * holds the thread's own locals, asked from inside or from the main thread
 * while it is blocked; joinable; a thread created detached reports so; the
 * main thread's reported stack holds main's locals.
 */
#include "snippet.h"

static int p[2], done[2];
static void *local_addr;

static int holds(pthread_attr_t *a, void *addr, size_t *size)
{
  void *lo;
  CHECK(pthread_attr_getstack(a, &lo, size) == 0);
  return (char *)addr >= (char *)lo && (char *)addr < (char *)lo + *size;
}

static void *worker(void *arg)
{
  (void)arg;
  int local = 0;
  local_addr = &local;
  pthread_attr_t a;
  size_t size;
  int state;
  CHECK(pthread_getattr_np(pthread_self(), &a) == 0);
  int inside = holds(&a, &local, &size);
  CHECK(pthread_attr_getdetachstate(&a, &state) == 0);
  CHECK(pthread_attr_destroy(&a) == 0);
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  printf("thread: own locals on its stack: %s, at least 512 KiB: %s, %s\n",
         yesno(inside), yesno(size >= 512 * 1024),
         state == PTHREAD_CREATE_DETACHED ? "detached" : "joinable");
  CHECK(write(done[1], "d", 1) == 1);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0 && pipe(done) == 0);
  pthread_attr_t attr, got;
  size_t size;
  int state;
  CHECK(pthread_attr_init(&attr) == 0);
  CHECK(pthread_attr_setstacksize(&attr, 512 * 1024) == 0);
  pthread_t t;
  CHECK(pthread_create(&t, &attr, worker, NULL) == 0);
  sleep_ms(30);
  ERR("getattr of the blocked thread", pthread_getattr_np(t, &got));
  CHECK(pthread_attr_getdetachstate(&got, &state) == 0);
  int inside = holds(&got, local_addr, &size);
  printf("main: its locals on the stack it reports: %s, at least 512 KiB: "
         "%s, %s\n",
         yesno(inside), yesno(size >= 512 * 1024),
         state == PTHREAD_CREATE_DETACHED ? "detached" : "joinable");
  CHECK(pthread_attr_destroy(&got) == 0);
  CHECK(write(p[1], "a", 1) == 1);
  join(t);
  char c;
  CHECK(read(done[0], &c, 1) == 1);

  CHECK(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0);
  CHECK(pthread_create(&t, &attr, worker, NULL) == 0);
  sleep_ms(30);
  CHECK(write(p[1], "b", 1) == 1);
  CHECK(read(done[0], &c, 1) == 1); /* it has printed */
  sleep_ms(30);                     /* and is gone */
  CHECK(pthread_attr_destroy(&attr) == 0);

  int mine = 0;
  ERR("getattr of the main thread", pthread_getattr_np(pthread_self(), &got));
  printf("main's locals on its reported stack: %s\n",
         yesno(holds(&got, &mine, &size)));
  CHECK(pthread_attr_destroy(&got) == 0);
  return 0;
}
