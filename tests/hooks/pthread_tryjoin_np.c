/*
 * Description: pthread_tryjoin_np(3) never waits: EBUSY while the thread is
 * blocked on a pipe; once it is released, polling with tryjoin (1 ms apart)
 * ends with 0 and the thread's return value; on oneself (still running)
 * it is EBUSY.
 */
#include "snippet.h"

static int p[2];

static void *reader(void *arg)
{
  (void)arg;
  char b[8];
  return (void *)read(p[0], b, sizeof(b));
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(reader, NULL);
  sleep_ms(20);
  void *r = NULL;
  double t0 = now_ms();
  ERR("tryjoin while it is blocked", pthread_tryjoin_np(t, &r));
  printf("returned at once: %s\n", yesno(now_ms() - t0 < 40));
  CHECK(write(p[1], "done", 4) == 4);
  int e, tries = 0;
  while ((e = pthread_tryjoin_np(t, &r)) == EBUSY && tries++ < 2000)
    usleep(1000);
  printf("tryjoin after releasing it: %s, retval %ld\n", errname(e), (long)r);
  ERR("tryjoin oneself", pthread_tryjoin_np(pthread_self(), NULL));
  return 0;
}
