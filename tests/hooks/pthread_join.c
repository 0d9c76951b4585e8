/*
 * Description: pthread_join(3) waits for the thread to end: a thread that
 * sleeps 50 ms then returns 42 (joined after at least 40 ms, while another
 * thread keeps running); a thread that already ended; a chain (main joins A
 * which joins B); a NULL retval; joining oneself is EDEADLK, a detached
 * thread EINVAL.
 */
#include "snippet.h"

static void *slow(void *arg)
{
  sleep_ms(50);
  return arg;
}

static void *chain(void *arg)
{
  pthread_t b = spawn(slow, arg);
  void *r;
  CHECK(pthread_join(b, &r) == 0);
  return (void *)((long)r + 1);
}

static void *self_join(void *arg)
{
  (void)arg;
  return (void *)(long)pthread_join(pthread_self(), NULL);
}

int main(void)
{
  start();
  struct ticker k;
  ticker_start(&k, 20);
  pthread_t t = spawn(slow, (void *)42L);
  void *r = NULL;
  double t0 = now_ms();
  ERR("join a thread that sleeps 50ms", pthread_join(t, &r));
  printf("retval %ld, waited at least 40ms: %s\n", (long)r,
         yesno(now_ms() - t0 >= 40));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  t = spawn(slow, (void *)5L);
  sleep_ms(150);
  t0 = now_ms();
  ERR("join a thread that already ended", pthread_join(t, &r));
  printf("retval %ld, at once: %s\n", (long)r, yesno(now_ms() - t0 < 40));

  t = spawn(chain, (void *)9L);
  ERR("join A, which joins B", pthread_join(t, &r));
  printf("retval %ld\n", (long)r);
  t = spawn(slow, NULL);
  ERR("join with a NULL retval", pthread_join(t, NULL));

  ERR("join oneself", pthread_join(pthread_self(), NULL));
  printf("a thread joining itself: %s\n",
         errname((int)(long)join(spawn(self_join, NULL))));
  t = spawn(slow, NULL);
  CHECK(pthread_detach(t) == 0);
  ERR("join a detached thread", pthread_join(t, NULL));
  sleep_ms(100);
  return 0;
}
