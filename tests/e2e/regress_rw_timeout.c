/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>
static pthread_rwlock_t rw;
static volatile int reader_in;
static void *holder(void *a)
{ /* holds a read lock until the reader got in */
  pthread_rwlock_rdlock(&rw);
  for (int i = 0; i < 300 && !reader_in; i++)
    usleep(10000);
  printf("holder: reader %s while the holder still held its read lock\n",
         reader_in ? "got in" : "did NOT get in");
  pthread_rwlock_unlock(&rw);
  return 0;
}
static void *writer(void *a)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 100000000;
  if (ts.tv_nsec >= 1000000000) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000;
  }
  int r = pthread_rwlock_timedwrlock(&rw, &ts);
  printf("writer: timedwrlock = %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "?");
  return 0;
}
static void *reader(void *a)
{
  pthread_rwlock_rdlock(&rw);
  reader_in = 1;
  pthread_rwlock_unlock(&rw);
  return 0;
}
int main(void)
{
  pthread_rwlockattr_t at;
  pthread_rwlockattr_init(&at);
  pthread_rwlockattr_setkind_np(&at,
                                PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&rw, &at);
  pthread_t h, w, r;
  pthread_create(&h, 0, holder, 0);
  usleep(20000);
  pthread_create(&w, 0, writer, 0);
  usleep(20000);
  pthread_create(&r, 0, reader, 0);
  pthread_join(h, 0);
  pthread_join(w, 0);
  pthread_join(r, 0);
  return 0;
}
