/* Regression test, found in review: see tests/regress.bats.
 *
 * flock is no cancellation point: natively, a pthread_cancel that arrives
 * while a thread waits in flock stays pending, and the thread goes on once
 * it gets the lock.  Under unblock flock waits on the offload pool, and
 * that wait was treated as a cancellation point: the cancel cut it short
 * and the thread ended canceled, without the lock.  Here a thread blocks in
 * flock(LOCK_EX) on a file the main thread holds locked through another
 * open file description; the main thread cancels it, then unlocks. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

static int fd2;
static volatile int got = -2;

static void *locker(void *a)
{
  (void)a;
  got = flock(fd2, LOCK_EX); /* nothing after it is a cancellation point */
  return (void *)42;
}

int main(void)
{
  const char *dir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof(path), "%s/ub-regress-XXXXXX", dir ? dir : "/tmp");
  int fd1 = mkstemp(path);
  if (fd1 < 0)
    return 2;
  fd2 = open(path, O_RDWR);
  unlink(path);
  if (fd2 < 0 || flock(fd1, LOCK_EX) != 0)
    return 2;
  pthread_t t;
  pthread_create(&t, NULL, locker, NULL);
  usleep(100000); /* it waits in flock */
  pthread_cancel(t);
  usleep(100000);
  flock(fd1, LOCK_UN);
  void *ret;
  pthread_join(t, &ret);
  printf("flock = %d, then the thread %s\n", got,
         ret == PTHREAD_CANCELED ? "was canceled"
         : ret == (void *)42     ? "returned"
                                 : "?");
  return 0;
}
