/*
 * Description: pthread_create(3).  Ten threads get their argument and return
 * a value; threads really run side by side (two of them ping-pong a byte
 * through two pipes, each waiting on the other); a thread creates a thread;
 * errno is per thread; an attribute's stack size is honoured (a thread uses
 * most of a 256 KiB stack); PTHREAD_CREATE_DETACHED makes join fail with
 * EINVAL.
 */
#include "snippet.h"

static int ab[2], ba[2];

static void *square(void *arg)
{
  long i = (long)arg;
  return (void *)(i * i);
}

static void *ping(void *arg)
{
  int first = arg != NULL;
  char c = 0;
  for (int i = 0; i < 100; i++) {
    if (first || i > 0)
      CHECK(write(first ? ab[1] : ba[1], &c, 1) == 1);
    CHECK(read(first ? ba[0] : ab[0], &c, 1) == 1);
  }
  if (!first)
    CHECK(write(ba[1], &c, 1) == 1);
  return NULL;
}

static void *nested(void *arg)
{
  (void)arg;
  return (void *)(join(spawn(square, (void *)7L)));
}

static void *set_errno(void *arg)
{
  (void)arg;
  errno = EDOM;
  sleep_ms(20);
  return (void *)(long)errno;
}

static void *slow(void *arg)
{
  sleep_ms(50);
  return arg;
}

static void *deep(void *arg)
{
  (void)arg;
  volatile char big[192 * 1024];
  memset((char *)big, 1, sizeof(big));
  return (void *)(long)big[sizeof(big) - 1];
}

int main(void)
{
  start();
  pthread_t t[10];
  int failed = 0;
  for (long i = 0; i < 10; i++)
    failed += pthread_create(&t[i], NULL, square, (void *)i) != 0;
  printf("10 creates, failures: %d\n", failed);
  long sum = 0;
  for (int i = 0; i < 10; i++)
    sum += (long)join(t[i]);
  printf("sum of squares 0..9: %ld\n", sum);

  CHECK(pipe(ab) == 0 && pipe(ba) == 0);
  pthread_t a = spawn(ping, (void *)1), b = spawn(ping, NULL);
  join(a);
  join(b);
  printf("100 round trips between two threads: done\n");
  printf("a thread's thread returned %ld\n", (long)join(spawn(nested, NULL)));

  pthread_t e = spawn(set_errno, NULL);
  errno = EPERM;
  sleep_ms(5);
  int mine = errno;
  printf("errno in the thread: %s; in main: %s\n", errname((int)(long)join(e)),
         errname(mine));

  pthread_attr_t attr;
  CHECK(pthread_attr_init(&attr) == 0);
  CHECK(pthread_attr_setstacksize(&attr, 256 * 1024) == 0);
  pthread_t d;
  ERR("create with a 256 KiB stack", pthread_create(&d, &attr, deep, NULL));
  printf("it used 192 KiB of it: %ld\n", (long)join(d));
  CHECK(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0);
  ERR("create detached", pthread_create(&d, &attr, slow, NULL));
  ERR("join it", pthread_join(d, NULL));
  CHECK(pthread_attr_destroy(&attr) == 0);
  sleep_ms(100); /* let it end before the process does */
  return 0;
}
