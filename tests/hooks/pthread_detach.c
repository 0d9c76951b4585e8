/*
 * Description: pthread_detach(3).  A detached thread runs on its own and
 * reports through a pipe (the main thread's read waits for it); 100 detached
 * threads each sleep a little and write one byte (all 100 arrive); a thread
 * can detach itself; detaching twice or joining a detached thread is EINVAL.
 */
#include "snippet.h"

static int p[2];

static void *worker(void *arg)
{
  sleep_ms((long)arg);
  CHECK(write(p[1], "w", 1) == 1);
  return NULL;
}

static void *self_detach(void *arg)
{
  (void)arg;
  int r = pthread_detach(pthread_self());
  sleep_ms(30);
  char c = r == 0 ? 's' : 'f';
  CHECK(write(p[1], &c, 1) == 1);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(worker, (void *)50L);
  ERR("detach", pthread_detach(t));
  char buf[128];
  double t0 = now_ms();
  SYS("read waits for the detached thread", read(p[0], buf, 1));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));

  for (long i = 0; i < 100; i++)
    CHECK(pthread_detach(spawn(worker, (void *)(10 + i % 20))) == 0);
  int got = 0;
  while (got < 100) {
    ssize_t n = read(p[0], buf, sizeof(buf));
    CHECK(n > 0);
    got += (int)n;
  }
  printf("100 detached threads reported: %d bytes\n", got);

  spawn(self_detach, NULL);
  SYS("a self-detached thread reports", read(p[0], buf, 1));
  printf("its pthread_detach(self): %s\n", buf[0] == 's' ? "0" : "failed");

  t = spawn(worker, (void *)50L); /* still running while we poke it */
  CHECK(pthread_detach(t) == 0);
  ERR("detach again", pthread_detach(t));
  ERR("join it", pthread_join(t, NULL));
  CHECK(read(p[0], buf, 1) == 1);
  sleep_ms(20); /* let it end before the process does */
  return 0;
}
